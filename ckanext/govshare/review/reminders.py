"""The catalogue-review steps of ``ckan govshare remind`` (2025 Regulations art. 17: the
sharing authority reviews within 2 working days).

Run by ``reminders/scheduler.py`` (each item in a transaction of its own):

- a review still pending after its due date is reported overdue to the authority's members,
  once (key ``catalogue_review_overdue:<id>:<due date>``), audited
  (``govshare_catalogue_review_overdue``) when first reported; its answers show ``overdue``
  (computed, never stored);
- the authority's members are reminded ``ckanext.govshare.remind.before_due`` working days
  before a review is due (key ``catalogue_review_due_soon:<id>:<due date>``).
Under a profile without ``catalogue_review`` no review waits, so nothing is found.
"""

from __future__ import annotations

import datetime as dt

from .. import notices
from ..audit import store
from ..core import config
from ..workdays import WorkCalendar
from . import rules, service


def past_due(today: dt.date, calendar: WorkCalendar) -> list[str]:
    """Pending reviews past their due date."""
    return [r["id"] for r in service.overdue_pending(today)]


def flag_overdue(review_id: str, today: dt.date, calendar: WorkCalendar) -> int | None:
    """Tell the authority the review is overdue (once per due date), audited the first time."""
    review = service.load(review_id, for_update=True)
    if review is None or not rules.is_overdue(review, today):
        return None
    new = notices.notify(
        "catalogue_review_overdue",
        recipients=notices.authority_members(),
        key=f"catalogue_review_overdue:{review_id}:{review['due_date'].isoformat()}",
        params=service.params(review),
    )
    if not new:
        return None
    store.record(
        "govshare_catalogue_review_overdue",
        actor_name="system",
        object_type="package",
        object_id=review["package_id"],
        object_department=review["organization_id"],
        detail={
            "review_id": review_id,
            "due_date": review["due_date"].isoformat(),
            "noticed_on": today.isoformat(),
        },
    )
    return new


def due_soon(today: dt.date, calendar: WorkCalendar) -> list[str]:
    """Pending reviews due within ``ckanext.govshare.remind.before_due`` working days."""
    last = calendar.add_workdays(today, config.remind_before_due())
    return [r["id"] for r in service.pending_due_by(last, today)]


def remind_due(review_id: str, today: dt.date, calendar: WorkCalendar) -> int | None:
    """Remind the authority's members (once per due date)."""
    review = service.load(review_id)
    if review is None or review["status"] != rules.PENDING or review["due_date"] is None:
        return None
    left = calendar.workdays_between(today, review["due_date"])
    new = notices.notify(
        "catalogue_review_due_soon",
        recipients=notices.authority_members(),
        key=f"catalogue_review_due_soon:{review_id}:{review['due_date'].isoformat()}",
        params=service.params(review, workdays_left=left),
    )
    return new or None

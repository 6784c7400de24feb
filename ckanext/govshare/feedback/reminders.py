"""The feedback steps of ``ckan govshare remind`` (art. 15: the provider answers in time).

Run by ``reminders/scheduler.py``: each step is a function listing the items to look at on
``today`` and one working on one item in the caller's transaction, which answers the number
of notices it queued, or ``None`` when there was nothing to do.

- feedback still open after its due date is flagged ``overdue`` once, audited
  (``govshare_feedback_overdue``), and the provider's officers, the reporting department and
  the sharing authority are told (key ``feedback_overdue:<id>:<due date>``);
- the provider's data officers are reminded ``ckanext.govshare.remind.before_due`` working
  days before feedback is due (key ``feedback_due_soon:<id>:<due date>``).
"""

from __future__ import annotations

import datetime as dt

from .. import notices, tracked
from ..workdays import WorkCalendar
from . import service
from .model import feedback_table


def past_due(today: dt.date, calendar: WorkCalendar) -> list[str]:
    """Open feedback past its due date, not flagged yet."""
    return tracked.past_due(feedback_table, today)


def flag_overdue(feedback_id: str, today: dt.date, calendar: WorkCalendar) -> int | None:
    """Flag the feedback overdue (audited) and tell both departments and the authority."""
    updated = service.mark_overdue(feedback_id, today)
    if updated is None:
        return None
    return notices.notify(
        "feedback_overdue",
        recipients=[
            *notices.officers_of(updated["provider_org_id"]),
            *notices.members_of(updated["organization_id"]),
            *notices.authority_members(),
        ],
        key=f"feedback_overdue:{feedback_id}:{updated['due_date'].isoformat()}",
        params=service.params(updated),
    )


def due_soon(today: dt.date, calendar: WorkCalendar) -> list[str]:
    """Open feedback due within ``ckanext.govshare.remind.before_due`` working days."""
    return tracked.due_soon(feedback_table, today, calendar)


def remind_due(feedback_id: str, today: dt.date, calendar: WorkCalendar) -> int | None:
    """Remind the provider's data officers (once per due date)."""
    due = tracked.due_soon_item(feedback_table, feedback_id, today, calendar)
    if due is None:
        return None
    item, left = due
    new = notices.notify(
        "feedback_due_soon",
        recipients=notices.officers_of(item["provider_org_id"]),
        key=f"feedback_due_soon:{feedback_id}:{item['due_date'].isoformat()}",
        params=service.params(item, workdays_left=left),
    )
    return new or None

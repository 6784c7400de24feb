"""The catalogue-obligation steps of ``ckan govshare remind`` (art. 8: update within 15 days).

Run by ``reminders/scheduler.py``: each step is a function listing the items to look at on
``today`` and one working on one item in the caller's transaction, which answers the number
of notices it queued, or ``None`` when there was nothing to do.

- an obligation still open after its due date is flagged ``overdue`` once, audited
  (``govshare_obligation_overdue``), and the department's officers and the sharing authority
  are told (key ``obligation_overdue:<id>:<due date>``);
- the department's data officers are reminded ``ckanext.govshare.remind.before_due`` working
  days before it is due (key ``obligation_due_soon:<id>:<due date>``).
"""

from __future__ import annotations

import datetime as dt

from .. import notices, tracked
from ..workdays import WorkCalendar
from . import service
from .model import obligation_table


def past_due(today: dt.date, calendar: WorkCalendar) -> list[str]:
    """Open obligations past their due date, not flagged yet."""
    return tracked.past_due(obligation_table, today)


def flag_overdue(obligation_id: str, today: dt.date, calendar: WorkCalendar) -> int | None:
    """Flag the obligation overdue (audited) and tell the department and the authority."""
    updated = service.mark_overdue(obligation_id, today)
    if updated is None:
        return None
    return notices.notify(
        "obligation_overdue",
        recipients=[*notices.officers_of(updated["organization_id"]), *notices.authority_members()],
        key=f"obligation_overdue:{obligation_id}:{updated['due_date'].isoformat()}",
        params=service.params(updated),
    )


def due_soon(today: dt.date, calendar: WorkCalendar) -> list[str]:
    """Open obligations due within ``ckanext.govshare.remind.before_due`` working days."""
    return tracked.due_soon(obligation_table, today, calendar)


def remind_due(obligation_id: str, today: dt.date, calendar: WorkCalendar) -> int | None:
    """Remind the department's data officers (once per due date)."""
    due = tracked.due_soon_item(obligation_table, obligation_id, today, calendar)
    if due is None:
        return None
    item, left = due
    new = notices.notify(
        "obligation_due_soon",
        recipients=notices.officers_of(item["organization_id"]),
        key=f"obligation_due_soon:{obligation_id}:{item['due_date'].isoformat()}",
        params=service.params(item, workdays_left=left),
    )
    return new or None

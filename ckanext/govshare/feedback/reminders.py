"""Feedback and catalogue-obligation steps of ``ckan govshare remind`` (art. 15, art. 8).

Called by ``notices/remind.py`` with its ``Reminder`` (today's local date, the calendar, the
one-transaction-per-item runner and the summary). Like the request steps:

- the provider's data officers are reminded ``ckanext.govshare.remind.before_due`` working
  days before feedback is due (key ``feedback_due_soon:<id>:<due date>``), a department's
  data officers likewise before its catalogue update is due (``obligation_due_soon:…``);
- feedback still open after its due date is flagged ``overdue`` once, audited
  (``govshare_feedback_overdue``), and the provider's officers, the reporting department
  and the sharing authority are told; an obligation likewise (``govshare_obligation_overdue``,
  the department's officers and the authority).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model

from ..notices import core
from ..obligations import rules as obligation_rules
from ..obligations import service as obligation_service
from ..obligations.model import obligation_table
from . import rules as feedback_rules
from . import service as feedback_service
from .model import feedback_table


def _due_soon(reminder: Any, table: sa.Table, open_state: str, step: str, notify: Any) -> None:
    from ..notices.remind import _int

    before = _int("ckanext.govshare.remind.before_due", 2)
    last = reminder.calendar.add_workdays(reminder.today, before)
    ids = reminder._ids(
        sa.select(table.c.id)
        .where(table.c.state == open_state)
        .where(table.c.due_date.between(reminder.today, last))
        .order_by(table.c.due_date, table.c.id)
    )

    def work(item_id: str) -> bool:
        row = model.Session.execute(sa.select(table).where(table.c.id == item_id)).first()
        if row is None or row.state != open_state:
            return False
        item = dict(row._mapping)
        left = reminder.calendar.workdays_between(reminder.today, item["due_date"])
        if not 0 <= left <= before:
            return False
        return notify(item, left)

    reminder._each(step, ids, work)


def _overdue(reminder: Any, table: sa.Table, open_state: str, step: str, flag: Any) -> None:
    ids = reminder._ids(
        sa.select(table.c.id)
        .where(table.c.state == open_state)
        .where(table.c.overdue.is_(False))
        .where(table.c.due_date < reminder.today)
        .order_by(table.c.due_date, table.c.id)
    )
    reminder._each(step, ids, flag)


def run(reminder: Any) -> None:
    """Every feedback and obligation step, for one ``remind`` pass."""

    def feedback_soon(item: dict[str, Any], left: int) -> bool:
        new = core.notify(
            "feedback_due_soon",
            recipients=core.officers_of(item["provider_org_id"]),
            key=f"feedback_due_soon:{item['id']}:{item['due_date'].isoformat()}",
            params=feedback_service.params(item, workdays_left=left),
        )
        if new:
            reminder.summary["notices feedback_due_soon"] += new
        return bool(new)

    def feedback_late(item_id: str) -> bool:
        updated = feedback_service.mark_overdue(item_id, reminder.today)
        if updated is None:
            return False
        reminder._notify(
            "feedback_overdue",
            [
                *core.officers_of(updated["provider_org_id"]),
                *core.members_of(updated["organization_id"]),
                *core.authority_members(),
            ],
            f"feedback_overdue:{item_id}:{updated['due_date'].isoformat()}",
            feedback_service.params(updated),
        )
        return True

    def obligation_soon(item: dict[str, Any], left: int) -> bool:
        new = core.notify(
            "obligation_due_soon",
            recipients=core.officers_of(item["organization_id"]),
            key=f"obligation_due_soon:{item['id']}:{item['due_date'].isoformat()}",
            params=obligation_service.params(item, workdays_left=left),
        )
        if new:
            reminder.summary["notices obligation_due_soon"] += new
        return bool(new)

    def obligation_late(item_id: str) -> bool:
        updated = obligation_service.mark_overdue(item_id, reminder.today)
        if updated is None:
            return False
        reminder._notify(
            "obligation_overdue",
            [*core.officers_of(updated["organization_id"]), *core.authority_members()],
            f"obligation_overdue:{item_id}:{updated['due_date'].isoformat()}",
            obligation_service.params(updated),
        )
        return True

    _overdue(
        reminder, feedback_table, feedback_rules.OPEN, "feedback marked overdue", feedback_late
    )
    _due_soon(reminder, feedback_table, feedback_rules.OPEN, "feedback due soon", feedback_soon)
    _overdue(
        reminder,
        obligation_table,
        obligation_rules.OPEN,
        "obligations marked overdue",
        obligation_late,
    )
    _due_soon(
        reminder,
        obligation_table,
        obligation_rules.OPEN,
        "obligations due soon",
        obligation_soon,
    )

"""Items the platform tracks against a due date in working days: feedback (art. 15) and
catalogue-update obligations (art. 8). Both tables have ``id``, ``state`` (``open`` until
answered), ``due_date``, ``overdue`` and ``created``; what they share is kept here once,
including what their ``ckan govshare remind`` steps select (``feedback/reminders.py``,
``obligations/reminders.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from ckan import model

from .audit import store
from .core import config, paging
from .workdays import WorkCalendar

OPEN = "open"


def filters(table: sa.Table, data: Mapping[str, Any], today: dt.date) -> list[Any]:
    """The list filters both share: ``status`` (one or a list; the column is ``state``), and
    ``overdue`` (open and flagged or past due)."""
    c = table.c
    conditions: list[Any] = []
    status = data.get("status")
    if status:
        conditions.append(c.state.in_([status] if isinstance(status, str) else list(status)))
    if data.get("overdue"):
        conditions += [c.state == OPEN, sa.or_(c.overdue.is_(True), c.due_date < today)]
    return conditions


def page(
    table: sa.Table,
    conditions: list[Any],
    data: Mapping[str, Any],
    as_dicts: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
) -> dict[str, Any]:
    """One page of a list action (``core.paging``: ``{count, results, limit, offset}``): open
    items first, by due date, then the newest."""
    c = table.c
    order = (sa.case((c.state == OPEN, 0), else_=1), c.due_date, c.created.desc(), c.id)
    return paging.page(table, sa.and_(*conditions), order, data, as_dicts)


def mark_overdue(
    table: sa.Table,
    item: Mapping[str, Any] | None,
    on: dt.date,
    *,
    event: str,
    object_type: str,
    department: Callable[[Mapping[str, Any]], str],
    detail: Callable[[Mapping[str, Any]], dict[str, Any]],
) -> dict[str, Any] | None:
    """Flag an open item past its due date (once), audited; ``None`` if nothing to do.

    ``item`` is the row as loaded for update; the caller (``ckan govshare remind``) sends the
    notices and commits.
    """
    if item is None or item["state"] != OPEN or item["overdue"] or item["due_date"] >= on:
        return None
    model.Session.execute(table.update().where(table.c.id == item["id"]).values(overdue=True))
    store.record(
        event,
        actor_name="system",
        object_type=object_type,
        object_id=item["id"],
        object_department=department(item),
        detail={
            **detail(item),
            "due_date": item["due_date"].isoformat(),
            "noticed_on": on.isoformat(),
        },
    )
    return {**item, "overdue": True}


# --- the reminder steps (``ckan govshare remind``) ------------------------------------------


def past_due(table: sa.Table, today: dt.date) -> list[str]:
    """Open items past their due date not flagged overdue yet, the longest overdue first."""
    c = table.c
    query = (
        sa.select(c.id)
        .where(c.state == OPEN)
        .where(c.overdue.is_(False))
        .where(c.due_date < today)
        .order_by(c.due_date, c.id)
    )
    return [row[0] for row in model.Session.execute(query)]


def due_soon(table: sa.Table, today: dt.date, calendar: WorkCalendar) -> list[str]:
    """Open items due within ``ckanext.govshare.remind.before_due`` working days of ``today``,
    soonest first."""
    c = table.c
    last = calendar.add_workdays(today, config.remind_before_due())
    query = (
        sa.select(c.id)
        .where(c.state == OPEN)
        .where(c.due_date.between(today, last))
        .order_by(c.due_date, c.id)
    )
    return [row[0] for row in model.Session.execute(query)]


def due_soon_item(
    table: sa.Table, item_id: str, today: dt.date, calendar: WorkCalendar
) -> tuple[dict[str, Any], int] | None:
    """The item and its working days left, if still open and due within
    ``ckanext.govshare.remind.before_due`` working days."""
    row = model.Session.execute(sa.select(table).where(table.c.id == item_id)).first()
    if row is None or row.state != OPEN:
        return None
    item = dict(row._mapping)
    left = calendar.workdays_between(today, item["due_date"])
    if not 0 <= left <= config.remind_before_due():
        return None
    return item, left

"""The sysadmin-maintained calendar table and the calendar built from it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from ckan.model import meta

from .calendar import WorkCalendar

__all__ = ["calendar_day_table", "current", "delete_day", "replace_year", "rows", "upsert_day"]

calendar_day_table = sa.Table(
    "govshare_calendar_day",
    meta.metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("is_workday", sa.Boolean, nullable=False),
    sa.Column("name", sa.UnicodeText),
    sa.Column("note", sa.UnicodeText),
    sa.Column("updated_by", sa.UnicodeText),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
    extend_existing=True,
)

_c = calendar_day_table.c


def _session() -> Any:
    from ckan import model

    return model.Session


def rows(year: int | None = None) -> list[dict[str, Any]]:
    """The table's rows (of one year, or all), in date order."""
    query = sa.select(calendar_day_table).order_by(_c.day)
    if year is not None:
        query = query.where(_c.day >= dt.date(year, 1, 1), _c.day <= dt.date(year, 12, 31))
    return [dict(r._mapping) for r in _session().execute(query)]


def current() -> WorkCalendar:
    """The calendar as the table now says (one small query: a few dozen rows a year)."""
    result = _session().execute(sa.select(_c.day, _c.is_workday, _c.name))
    return WorkCalendar({day: (is_workday, name) for day, is_workday, name in result})


def upsert_day(values: Mapping[str, Any]) -> dict[str, Any] | None:
    """Write one day's row in the caller's transaction; return the row it replaced."""
    session = _session()
    before = session.execute(
        sa.select(calendar_day_table).where(_c.day == values["day"])
    ).one_or_none()
    if before is None:
        session.execute(sa.insert(calendar_day_table).values(**values))
    else:
        session.execute(
            sa.update(calendar_day_table).where(_c.day == values["day"]).values(**values)
        )
    return dict(before._mapping) if before is not None else None


def delete_day(day: dt.date) -> dict[str, Any] | None:
    """Delete one day's row in the caller's transaction; return it (``None`` if absent)."""
    session = _session()
    before = session.execute(sa.select(calendar_day_table).where(_c.day == day)).one_or_none()
    if before is not None:
        session.execute(sa.delete(calendar_day_table).where(_c.day == day))
    return dict(before._mapping) if before is not None else None


def replace_year(year: int, days: Iterable[Mapping[str, Any]]) -> int:
    """Replace a year's rows with ``days`` in the caller's transaction; return how many were
    deleted."""
    session = _session()
    where = sa.and_(_c.day >= dt.date(year, 1, 1), _c.day <= dt.date(year, 12, 31))
    deleted = session.execute(sa.delete(calendar_day_table).where(where)).rowcount
    values = [dict(d) for d in days]
    if values:
        session.execute(sa.insert(calendar_day_table), values)
    return int(deleted or 0)

"""The working-day calendar as the platform keeps it: reading a year, changing the table.

The table (``model.py``) overrides the ``chinese_calendar`` library and the statutory
fallback (``calendar.py``), so sysadmins load each year's State Council schedule, or correct
one, without a release (workflows.md, "Deadlines and working days"). Every change is
recorded in the audit trail in the caller's transaction (the action commits both at once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..audit import store
from ..core import clock
from ..core.serialise import plain_row
from . import calendar as workcalendar
from . import csvfile, profiles
from . import model as daymodel

__all__ = ["delete_day", "export_csv", "load", "set_day", "year"]

DAY = "calendar_day"
YEAR = "calendar_year"


def _row(day: Mapping[str, Any], user_name: str | None, now: dt.datetime) -> dict[str, Any]:
    return {
        "day": day["day"],
        "is_workday": day["is_workday"],
        "name": day.get("name") or None,
        "note": day.get("note") or None,
        "updated_by": user_name,
        "updated_at": now,
    }


def _before(row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"is_workday": row["is_workday"], "name": row["name"], "note": row["note"]}


def _short(row: Mapping[str, Any]) -> list[Any]:
    """``[day, is_workday, name]``: a year's rows fit in one audit event."""
    return [row["day"].isoformat(), row["is_workday"], row.get("name")]


def year(the_year: int | None) -> dict[str, Any]:
    """A year (default: this local year): every day that is not an ordinary weekday or
    weekend, where each answer comes from, and the deadlines counted on it."""
    the_year = the_year or clock.today().year
    cal = daymodel.current()
    table = {row["day"]: row for row in daymodel.rows(the_year)}
    days = []
    for info in cal.notable_days(the_year):
        entry = info.as_dict()
        row = table.get(info.day)
        entry.update(
            note=row["note"] if row else None,
            updated_by=row["updated_by"] if row else None,
            updated_at=row["updated_at"].isoformat() if row and row["updated_at"] else None,
        )
        days.append(entry)
    first, last = dt.date(the_year, 1, 1), dt.date(the_year, 12, 31)
    library = workcalendar.library_years()
    return {
        "year": the_year,
        "provisional": cal.is_provisional(the_year),
        "source": "table" if the_year in cal.table_years else cal.year_source(the_year),
        "days": days,
        "workdays": cal.workdays_between(first - dt.timedelta(days=1), last),
        "coverage": {
            "table": sorted(cal.table_years),
            "library": list(library) if library else None,
            "statutory": "any year",
        },
        "profile": profiles.profile_name(),
        "deadlines": profiles.deadlines(),
    }


def set_day(day: Mapping[str, Any], actor: tuple[str | None, str | None]) -> dict[str, Any]:
    """Write one day's row and record it; the row, and the day as the calendar now says."""
    user_id, user_name = actor
    values = _row(day, user_name, clock.now())
    before = daymodel.upsert_day(values)
    store.record(
        "govshare_calendar_day_set",
        actor_id=user_id,
        actor_name=user_name,
        object_type=DAY,
        object_id=day["day"].isoformat(),
        detail={
            "is_workday": values["is_workday"],
            "name": values["name"],
            "note": values["note"],
            "before": _before(before),
        },
    )
    return {**plain_row(values), "calendar": daymodel.current().day(day["day"]).as_dict()}


def delete_day(day: dt.date, actor: tuple[str | None, str | None]) -> dict[str, Any] | None:
    """Delete one day's row and record it; ``None`` when the table has no row for it."""
    before = daymodel.delete_day(day)
    if before is None:
        return None
    user_id, user_name = actor
    store.record(
        "govshare_calendar_day_delete",
        actor_id=user_id,
        actor_name=user_name,
        object_type=DAY,
        object_id=day.isoformat(),
        detail={"before": _before(before)},
    )
    return {**plain_row(before), "calendar": daymodel.current().day(day).as_dict()}


def load(
    days: Sequence[Mapping[str, Any]],
    years: Iterable[int],
    actor: tuple[str | None, str | None],
) -> dict[str, Any]:
    """Replace whole years: each year in ``years`` or holding one of ``days`` gets exactly
    ``days`` (so loading one file twice changes nothing); one audit event a year."""
    user_id, user_name = actor
    now = clock.now()
    every_year = sorted(set(years) | {d["day"].year for d in days})
    deleted = 0
    for the_year in every_year:
        rows = [_row(d, user_name, now) for d in days if d["day"].year == the_year]
        before = daymodel.rows(the_year)
        deleted += daymodel.replace_year(the_year, rows)
        store.record(
            "govshare_calendar_load",
            actor_id=user_id,
            actor_name=user_name,
            object_type=YEAR,
            object_id=str(the_year),
            detail={"days": [_short(r) for r in rows], "before": [_short(r) for r in before]},
        )
    return {"years": every_year, "loaded": len(days), "deleted": deleted}


def export_csv(the_year: int | None) -> dict[str, Any]:
    """A year's notable days as the loadable CSV file (``csvfile``), to edit and load again."""
    shown = year(the_year)
    return {
        "filename": f"calendar-{shown['year']}.csv",
        "mimetype": "text/csv",
        "encoding": "utf-8",
        # A BOM, so that spreadsheet programs read UTF-8.
        "content": "\ufeff" + csvfile.dump_csv(shown["days"]),
    }

"""Working-day calendar actions: read a year, set or delete a day, load years.

The table they write overrides the ``chinese_calendar`` library and the statutory fallback
(``workdays/calendar.py``), so sysadmins load each year's State Council schedule, or
correct one, without a release (workflows.md, "Deadlines and working days"). Each change is
one transaction together with its audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ...audit import store, who
from ...catalogue.rules import message
from ...workdays import calendar as workcalendar
from ...workdays import model as daymodel
from ...workdays import profiles
from ..guard import lookup_key
from ..schema.calendar import (
    NOT_A_LIST,
    calendar_day_delete_schema,
    calendar_day_schema,
    calendar_load_schema,
    calendar_show_schema,
)

__all__ = [
    "govshare_calendar_day_delete",
    "govshare_calendar_day_set",
    "govshare_calendar_load",
    "govshare_calendar_show",
]

OBJECT_TYPE = "calendar_day"
DUPLICATE_DAY = message("The same day is listed twice", "同一日期重复列出")
NOT_IN_YEARS = message("The day is outside the years being replaced", "该日期不在所替换的年份之内")


def _validate(data_dict: Mapping[str, Any], schema: dict[str, Any], context: Any) -> dict:
    data, errors = tk.navl_validate(dict(data_dict), schema, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _jsonable(row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A table row with its dates and times as ISO strings (for answers and audit details)."""
    if row is None:
        return None
    out: dict[str, Any] = {}
    for key, value in row.items():
        out[key] = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
    return out


def _commit(context: Any) -> None:
    if not context.get("defer_commit"):
        model.Session.commit()


def _row_values(data: Mapping[str, Any], user_name: str | None, now: dt.datetime) -> dict:
    return {
        "day": data["day"],
        "is_workday": data["is_workday"],
        "name": data.get("name") or None,
        "note": data.get("note") or None,
        "updated_by": user_name,
        "updated_at": now,
    }


@tk.side_effect_free
def govshare_calendar_show(context: Any, data_dict: Any) -> dict[str, Any]:
    """A year of the working-day calendar: every day that is not an ordinary weekday or weekend.

    :param year: the year (default: this year, in ``ckanext.govshare.timezone``)
    :returns: ``{"year", "provisional", "source", "days": [{"day", "is_workday", "kind",
        "name", "source", "provisional", "note", "updated_by", "updated_at"}], "workdays",
        "coverage": {"table": [years], "library": [first, last] or None, "statutory":
        "any year"}, "profile", "deadlines"}``. ``provisional`` is true while the year's
        official schedule is in neither the library nor the table: its holidays are the
        statutory ones and its adjusted working weekends unknown.
    """
    tk.check_access("govshare_calendar_show", context, data_dict)
    data = _validate(data_dict, calendar_show_schema(), context)
    the_year = data.get("year") or profiles.local_date(dt.datetime.now(dt.timezone.utc)).year
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


def govshare_calendar_day_set(context: Any, data_dict: Any) -> dict[str, Any]:
    """Set one day in the table: a holiday, an adjusted working weekend, or a correction.

    :param day: ISO date, e.g. ``2027-02-06``
    :param is_workday: true if the day is worked, false if it is off
    :param name: e.g. ``春节`` or ``春节调休上班`` (optional)
    :param note: why, e.g. the State Council notice's number (optional)
    :returns: the row, and ``calendar``: the day as the calendar now answers it
    """
    with who.recording_refusals(
        "govshare_calendar_day_set",
        context,
        object_type=OBJECT_TYPE,
        object_id=lookup_key(data_dict.get("day")) or None,
    ):
        tk.check_access("govshare_calendar_day_set", context, data_dict)
    data = _validate(data_dict, calendar_day_schema(), context)
    user_id, user_name = who.actor(context)
    values = _row_values(data, user_name, dt.datetime.now(dt.timezone.utc))
    before = daymodel.upsert_day(values)
    row = _jsonable(values) or {}
    store.record(
        "govshare_calendar_day_set",
        actor_id=user_id,
        actor_name=user_name,
        object_type=OBJECT_TYPE,
        object_id=str(data["day"]),
        detail={
            "is_workday": values["is_workday"],
            "name": values["name"],
            "note": values["note"],
            "before": _before(before),
        },
    )
    _commit(context)
    return {**row, "calendar": daymodel.current().day(data["day"]).as_dict()}


def _before(row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"is_workday": row["is_workday"], "name": row["name"], "note": row["note"]}


def govshare_calendar_day_delete(context: Any, data_dict: Any) -> dict[str, Any]:
    """Delete one day from the table: the library or the statutory rule answers it again.

    :param day: ISO date
    :returns: the deleted row, and ``calendar``: the day as the calendar now answers it
    :raises ObjectNotFound: when the table has no row for the day
    """
    with who.recording_refusals(
        "govshare_calendar_day_delete",
        context,
        object_type=OBJECT_TYPE,
        object_id=lookup_key(data_dict.get("day")) or None,
    ):
        tk.check_access("govshare_calendar_day_delete", context, data_dict)
    data = _validate(data_dict, calendar_day_delete_schema(), context)
    before = daymodel.delete_day(data["day"])
    if before is None:
        raise tk.ObjectNotFound(
            message("The calendar table has no row for this day", "日历表中没有该日期")
        )
    user_id, user_name = who.actor(context)
    store.record(
        "govshare_calendar_day_delete",
        actor_id=user_id,
        actor_name=user_name,
        object_type=OBJECT_TYPE,
        object_id=str(data["day"]),
        detail={"before": _before(before)},
    )
    _commit(context)
    return {**(_jsonable(before) or {}), "calendar": daymodel.current().day(data["day"]).as_dict()}


def govshare_calendar_load(context: Any, data_dict: Any) -> dict[str, Any]:
    """Replace whole years of the table at once (a State Council notice, or a correction).

    Every year named in ``years`` or holding one of ``days`` loses its rows and gets exactly
    ``days``, all or nothing, so loading the same file twice changes nothing.

    :param days: list of ``{"day", "is_workday", "name", "note"}``
    :param years: year or list of years to replace (optional; ``days: []`` with ``years``
        empties those years)
    :returns: ``{"years": [...], "loaded": n, "deleted": n}``
    """
    with who.recording_refusals("govshare_calendar_load", context, object_type="calendar_year"):
        tk.check_access("govshare_calendar_load", context, data_dict)
    data = _validate(data_dict, calendar_load_schema(), context)
    raw_days = data_dict.get("days", [])
    if not isinstance(raw_days, list):
        raise tk.ValidationError({"days": [NOT_A_LIST]})
    days, day_errors, seen = [], [], set()
    schema = calendar_day_schema()
    for item in raw_days:
        if not isinstance(item, Mapping):
            day_errors.append({"day": [NOT_A_LIST]})
            continue
        clean, errors = tk.navl_validate(dict(item), schema, context)
        if not errors and clean["day"] in seen:
            errors = {"day": [DUPLICATE_DAY]}
        if not errors and data.get("years") and clean["day"].year not in data["years"]:
            errors = {"day": [NOT_IN_YEARS]}
        day_errors.append(errors)
        if not errors:
            seen.add(clean["day"])
            days.append(clean)
    if any(day_errors):
        raise tk.ValidationError({"days": day_errors})
    if not days and not data.get("years"):
        raise tk.ValidationError({"days": [NOT_A_LIST]})
    years = sorted(set(data.get("years") or []) | {d["day"].year for d in days})
    user_id, user_name = who.actor(context)
    now = dt.datetime.now(dt.timezone.utc)
    deleted_total = 0
    for the_year in years:
        rows = [_row_values(d, user_name, now) for d in days if d["day"].year == the_year]
        before = daymodel.rows(the_year)
        deleted_total += daymodel.replace_year(the_year, rows)
        store.record(
            "govshare_calendar_load",
            actor_id=user_id,
            actor_name=user_name,
            object_type="calendar_year",
            object_id=str(the_year),
            detail={
                "days": [_short(r) for r in rows],
                "before": [_short(r) for r in before],
            },
        )
    _commit(context)
    return {"years": years, "loaded": len(days), "deleted": deleted_total}


def _short(row: Mapping[str, Any]) -> list[Any]:
    """``[day, is_workday, name]``: a year's rows fit in one audit event."""
    return [row["day"].isoformat(), row["is_workday"], row.get("name")]

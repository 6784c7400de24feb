"""Working-day calendar actions: read a year, set or delete a day, load years, export a year.

The table they write overrides the ``chinese_calendar`` library and the statutory fallback
(``workdays/calendar.py``), so sysadmins load each year's State Council schedule, or
correct one, without a release (workflows.md, "Deadlines and working days"). Each change is
one transaction together with its audit event (``workdays/service.py``).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...audit import who
from ...core.messages import message
from ...core.transaction import atomic
from ...workdays import service
from .. import loading
from ..schema.calendar import (
    calendar_day_delete_schema,
    calendar_day_schema,
    calendar_export_schema,
    calendar_load_schema,
    calendar_show_schema,
    days_from_input,
)

__all__ = [
    "govshare_calendar_day_delete",
    "govshare_calendar_day_set",
    "govshare_calendar_export",
    "govshare_calendar_load",
    "govshare_calendar_show",
]

NO_ROW = message("The calendar table has no row for this day", "日历表中没有该日期")


def _may_change(
    action: str, context: Context, data_dict: DataDict, object_type: str, object_id: str | None
) -> None:
    """Sysadmins only; a refusal is recorded in the audit trail (issue 4)."""
    loading.check(action, context, data_dict, object_type=object_type, object_id=object_id)


@tk.side_effect_free
@validate(calendar_show_schema)
def govshare_calendar_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A year of the working-day calendar: every day that is not an ordinary weekday or weekend
    (deadlines count working days, measures art. 12; workflows.md).

    :param year: the year (default: this year, in ``ckanext.govshare.timezone``)
    :returns: ``{"year", "provisional", "source", "days": [{"day", "is_workday", "kind",
        "name", "source", "provisional", "note", "updated_by", "updated_at"}], "workdays",
        "coverage": {"table": [years], "library": [first, last] or None, "statutory":
        "any year"}, "profile", "deadlines"}``. ``provisional`` is true while the year's
        official schedule is in neither the library nor the table: its holidays are the
        statutory ones and its adjusted working weekends unknown.
    """
    tk.check_access("govshare_calendar_show", context, data_dict)
    return service.year(data_dict.get("year"))


@atomic
@validate(calendar_day_schema)
def govshare_calendar_day_set(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Set one day in the table: a holiday, an adjusted working weekend, or a correction (the
    State Council's yearly notice moves working days; workflows.md).

    :param day: ISO date, e.g. ``2027-02-06``
    :param is_workday: true if the day is worked, false if it is off
    :param name: e.g. ``春节`` or ``春节调休上班`` (optional)
    :param note: why, e.g. the State Council notice's number (optional)
    :returns: the row, and ``calendar``: the day as the calendar now answers it
    """
    day = data_dict["day"].isoformat()
    _may_change("govshare_calendar_day_set", context, data_dict, service.DAY, day)
    answer = service.set_day(data_dict, who.actor(context))
    return answer


@atomic
@validate(calendar_day_delete_schema)
def govshare_calendar_day_delete(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Delete one day from the table: the library or the statutory rule answers it again.

    :param day: ISO date
    :returns: the deleted row, and ``calendar``: the day as the calendar now answers it
    :raises ObjectNotFound: when the table has no row for the day
    """
    day = data_dict["day"]
    _may_change("govshare_calendar_day_delete", context, data_dict, service.DAY, day.isoformat())
    answer = service.delete_day(day, who.actor(context))
    if answer is None:
        raise tk.ObjectNotFound(NO_ROW)
    return answer


@atomic
@days_from_input
@validate(calendar_load_schema)
def govshare_calendar_load(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Replace whole years of the table at once (a State Council notice, or a correction).

    Every year named in ``years`` or holding one of ``days`` loses its rows and gets exactly
    ``days``, all or nothing, so loading the same file twice changes nothing.

    :param days: list of ``{"day", "is_workday", "name", "note"}``
    :param file: instead of ``days``, a calendar file (multipart upload; CSV with the header
        ``date,is_workday,name,note``, or JSON or YAML: docs/calendar-example.csv)
    :param years: year or list of years to replace (optional; ``days: []`` with ``years``
        empties those years)
    :returns: ``{"years": [...], "loaded": n, "deleted": n}``
    """
    _may_change("govshare_calendar_load", context, data_dict, service.YEAR, None)
    answer = service.load(
        data_dict.get("days") or [], data_dict.get("years") or [], who.actor(context)
    )
    return answer


@tk.side_effect_free
@validate(calendar_export_schema)
def govshare_calendar_export(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A year's notable days as the CSV file ``govshare_calendar_load`` takes, to edit and
    load again (the sysadmin page's export; ``ckan govshare calendar export``).

    :param year: the year (default: this year)
    :returns: ``{"filename", "mimetype": "text/csv", "encoding": "utf-8", "content"}``
    """
    tk.check_access("govshare_calendar_export", context, data_dict)
    return service.export_csv(data_dict.get("year"))

"""Input of the working-day calendar actions (``logic/action/calendar.py``).

Error messages are in English and Chinese in one string (``rules.message``): API clients have
no locale to pick one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk

from ...catalogue.rules import message
from ...hardening import limits
from .fields import required, text

__all__ = [
    "MAX_NAME",
    "MAX_NOTE",
    "calendar_day_delete_schema",
    "calendar_day_schema",
    "calendar_load_schema",
    "calendar_show_schema",
    "iso_date",
    "strict_boolean",
    "year",
    "years",
]

FIRST_YEAR, LAST_YEAR = 1949, 2099
MAX_NAME = 100
MAX_NOTE = 1000

NOT_A_DATE = message(
    "Not a date: use ISO 8601, e.g. 2027-02-06",
    "不是有效的日期：请使用 ISO 8601 格式，如 2027-02-06",
)
NOT_A_YEAR = message(
    f"Not a year between {FIRST_YEAR} and {LAST_YEAR}", f"须为{FIRST_YEAR}至{LAST_YEAR}之间的年份"
)
NOT_A_BOOLEAN = message(
    "Say whether the day is worked: true or false (1/0, yes/no, 是/否)",
    "请注明该日是否上班：true 或 false（1/0、yes/no、是/否）",
)
TOO_LONG = message("Too long", "过长")
NOT_A_LIST = message("A list of days is required", "须提供日期列表")

# Besides the platform's yes and no, the words a calendar file uses for a day.
_WORKDAY = {"workday", "是", "班", "上班"}
_HOLIDAY = {"holiday", "否", "休", "休息"}


def iso_date(value: Any, context: Any) -> dt.date:
    """An ISO 8601 calendar date (``YYYY-MM-DD``) within the supported years."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise tk.Invalid(NOT_A_DATE) from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise tk.Invalid(NOT_A_YEAR)
    return value


def year(value: Any, context: Any) -> int:
    """A year the calendar can compute (lunar tables run 1900-2099)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise tk.Invalid(NOT_A_YEAR) from None
    if not FIRST_YEAR <= number <= LAST_YEAR:
        raise tk.Invalid(NOT_A_YEAR)
    return number


def strict_boolean(value: Any, context: Any) -> bool:
    """True or false, refusing anything else (CKAN's boolean_validator reads typos as false)."""
    answer = limits.yes_no(value if isinstance(value, bool) else str(value))
    if answer is not None:
        return answer
    text = str(value).strip().lower()
    if text in _WORKDAY:
        return True
    if text in _HOLIDAY:
        return False
    raise tk.Invalid(NOT_A_BOOLEAN)


def _max_length(length: int):
    def validator(value: Any, context: Any) -> Any:
        if value is not None and len(str(value)) > length:
            raise tk.Invalid(TOO_LONG)
        return value

    return validator


def calendar_show_schema() -> dict[str, Any]:
    ignore_missing = tk.get_validator("ignore_missing")
    ignore_empty = tk.get_validator("ignore_empty")
    return {"year": [ignore_empty, year], "__extras": [ignore_missing]}


def calendar_day_schema() -> dict[str, Any]:
    """One day of the table: ``day``, ``is_workday``, optional ``name`` and ``note``."""
    ignore_missing = tk.get_validator("ignore_missing")
    ignore_empty = tk.get_validator("ignore_empty")
    return {
        "day": [required, iso_date],
        "is_workday": [required, strict_boolean],
        "name": [ignore_empty, text(MAX_NAME, multiline=False), _strip, _max_length(MAX_NAME)],
        "note": [ignore_empty, text(MAX_NOTE), _strip, _max_length(MAX_NOTE)],
        "__extras": [ignore_missing],
    }


def calendar_day_delete_schema() -> dict[str, Any]:
    ignore_missing = tk.get_validator("ignore_missing")
    return {"day": [required, iso_date], "__extras": [ignore_missing]}


def calendar_load_schema() -> dict[str, Any]:
    """``years`` to replace (optional: the days' years are replaced anyway); ``days`` is
    checked a day at a time with ``calendar_day_schema`` by the action."""
    ignore_missing = tk.get_validator("ignore_missing")
    return {"years": [ignore_missing, years], "__extras": [ignore_missing]}


def years(value: Any, context: Any) -> list[int]:
    """A year or a list of years (``2027`` or ``[2027, 2028]`` or ``"2027 2028"``)."""
    if isinstance(value, (list, tuple)):
        items = list(value)
    else:
        items = str(value).replace(",", " ").split()
    return sorted({year(item, context) for item in items})


def _strip(value: Any, context: Any) -> Any:
    return value.strip() if isinstance(value, str) else value

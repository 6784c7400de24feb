"""Input of the working-day calendar actions (``logic/action/calendar.py``).

Error messages are in English and Chinese in one string (``core.messages.message``): API
clients have no locale to pick one.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict, Schema

from ...core.messages import message
from ...hardening import limits
from ...workdays import csvfile
from .fields import required, text

__all__ = [
    "MAX_NAME",
    "MAX_NOTE",
    "calendar_day_delete_schema",
    "calendar_day_schema",
    "calendar_export_schema",
    "calendar_load_schema",
    "calendar_show_schema",
    "days_from_input",
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
DUPLICATE_DAY = message("The same day is listed twice", "同一日期重复列出")
NOT_IN_YEARS = message("The day is outside the years being replaced", "该日期不在所替换的年份之内")
#: A year's schedule is a few dozen rows; a calendar file is never near this.
MAX_FILE_BYTES = 1_000_000
FILE_TOO_BIG = message(
    f"A calendar file has at most {MAX_FILE_BYTES} bytes", f"日历文件不超过{MAX_FILE_BYTES}字节"
)
NOT_A_FILE = message(
    "Send a calendar file (CSV, JSON or YAML) as a file upload",
    "请以文件上传方式提交日历文件（CSV、JSON 或 YAML）",
)

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


def calendar_show_schema() -> Schema:
    ignore_missing = tk.get_validator("ignore_missing")
    ignore_empty = tk.get_validator("ignore_empty")
    return {"year": [ignore_empty, year], "__extras": [ignore_missing]}


def calendar_day_schema() -> Schema:
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


def calendar_day_delete_schema() -> Schema:
    ignore_missing = tk.get_validator("ignore_missing")
    return {"day": [required, iso_date], "__extras": [ignore_missing]}


def calendar_export_schema() -> Schema:
    return calendar_show_schema()


def calendar_load_schema() -> Schema:
    """``days``, each checked with ``calendar_day_schema`` (errors: one object per day, in
    order), and ``years`` to replace (optional: the days' years are replaced anyway).
    ``days_from_input`` runs first: it reads an uploaded file and refuses other shapes."""
    ignore_missing = tk.get_validator("ignore_missing")
    return {
        "days": calendar_day_schema(),
        "years": [ignore_missing, years],
        "__after": [_one_load],
        "__extras": [ignore_missing],
    }


def _one_load(key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Any) -> None:
    """No day twice, every day inside ``years`` when given, and something to load."""
    wanted = data.get(("years",))
    wanted = wanted if isinstance(wanted, list) else []
    seen: set[dt.date] = set()
    indexes = sorted({k[1] for k in data if len(k) == 3 and k[0] == "days"})
    for index in indexes:
        field = ("days", index, "day")
        day = data.get(field)
        if errors.get(field) or not isinstance(day, dt.date):
            continue
        if day in seen:
            errors[field].append(DUPLICATE_DAY)
        elif wanted and day.year not in wanted:
            errors[field].append(NOT_IN_YEARS)
        seen.add(day)
    if not indexes and not wanted and not errors.get(("years",)):
        errors.setdefault(("days",), []).append(NOT_A_LIST)


def days_from_input(
    action: Callable[[Context, DataDict], Any],
) -> Callable[[Context, DataDict], Any]:
    """Outside ``@validate`` on ``govshare_calendar_load``: ``days`` from an uploaded
    calendar file (``file``: CSV, JSON or YAML, ``workdays/csvfile.py``) and anything but a
    list of objects refused on ``days``, before CKAN's validation (which cannot take other
    shapes) sees them."""

    @functools.wraps(action)
    def wrapper(context: Context, data_dict: DataDict) -> Any:
        data = dict(data_dict)
        upload = data.pop("file", None)
        if upload not in (None, ""):
            data["days"] = _read(upload)
        days = data.get("days", [])
        if not isinstance(days, list) or not all(isinstance(d, Mapping) for d in days):
            raise tk.ValidationError({"days": [NOT_A_LIST]})
        data["days"] = [dict(d) for d in days]
        return action(context, data)

    return wrapper


def _read(upload: Any) -> list[dict[str, Any]]:
    """The days of an uploaded file (a werkzeug ``FileStorage`` or CGI field)."""
    stream = getattr(upload, "stream", None) or getattr(upload, "file", None)
    name = getattr(upload, "filename", None)
    if stream is None or not isinstance(name, str) or not name:
        raise tk.ValidationError({"file": [NOT_A_FILE]})
    try:
        raw = stream.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise tk.ValidationError({"file": [FILE_TOO_BIG]})
        return csvfile.parse(raw.decode("utf-8-sig"), name)
    except UnicodeDecodeError:
        raise tk.ValidationError({"file": [csvfile.NOT_UTF8]}) from None
    except ValueError as error:  # csvfile.FormatError, bad JSON or YAML
        raise tk.ValidationError({"file": [csvfile.problem(error)]}) from None


def years(value: Any, context: Any) -> list[int]:
    """A year or a list of years (``2027`` or ``[2027, 2028]`` or ``"2027 2028"``)."""
    if isinstance(value, (list, tuple)):
        items = list(value)
    else:
        items = str(value).replace(",", " ").split()
    return sorted({year(item, context) for item in items})


def _strip(value: Any, context: Any) -> Any:
    return value.strip() if isinstance(value, str) else value

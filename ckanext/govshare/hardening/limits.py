"""The bounds of every input, and what to say when one is out of them (issue 14, item 4).

Plain rules: no Flask, CKAN or SQLAlchemy. Each check returns ``None`` or the problem in
English and Chinese (``core.messages.message``), so that actions, routes and search all answer a
bad value with the same words instead of letting it reach the database (a NUL byte, an
integer past 64 bits, a date PostgreSQL or Python cannot hold) and fail there with a 500.

Art. 5(4) and 20 of the Interim Measures and art. 34–35 of the 2025 Regulations make the
platform answer for the security of what it is sent; these are the limits it holds.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

from ..core.messages import message

# Counts (max_uses, max_downloads, expected_calls_per_day, seconds): a signed 32-bit integer.
MAX_COUNT = 2**31 - 1
# Paging of every list action (at most this many rows a page, and skipped): core/paging.py.
# Any integer anywhere: what a PostgreSQL bigint holds.
MAX_INTEGER = 2**63 - 1
# Ids, names and codes; list items of them; list lengths.
MAX_REFERENCE = 200
MAX_ITEMS = 1000
# Any single string anywhere, and how deep input may nest (calendar days are two levels).
MAX_STRING = 65_536
MAX_DEPTH = 6
# Dates: the years the working-day calendar can compute (workdays/calendar.py).
FIRST_DAY = dt.date(1949, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)
# Times that only filter (the audit trail's since/until): any a time zone cannot push out of
# what Python and PostgreSQL hold.
FILTER_LAST_DAY = dt.date(9998, 12, 31)
# A period of use: at most this many years unless configured otherwise (max_period_years).
DEFAULT_MAX_PERIOD_YEARS = 5

# Free text may hold tab, new line and carriage return; no other control character (C0, DEL,
# C1), in text or anywhere else.

NOT_TEXT = message("Must be text", "须为文本")
NOT_A_REFERENCE = message("Must be an id or name (text)", "须为编号或名称（文本）")
CONTROL_CHARACTERS = message(
    "Contains a control character (such as NUL): remove it",
    "含有控制字符（如 NUL），请删除",
)
NOT_UNICODE = message(
    "Contains a character that is not valid Unicode (an unpaired surrogate): remove it",
    "含有无效的 Unicode 字符（孤立代理项），请删除",
)
NOT_A_NUMBER = message("Must be a finite number", "须为有限数值")
TOO_DEEP = message(
    f"Nested too deeply (at most {MAX_DEPTH} levels)", f"嵌套层级过多（最多{MAX_DEPTH}层）"
)
BEYOND_64_BITS = message(
    "A number beyond 64 bits: no field takes one that large",
    "数值超出64位整数范围，任何字段均不接受",
)
NOT_A_LIST = message("Must be a list of ids or names", "须为编号或名称的列表")
NOT_YES_NO = message("Must be true or false", "须为 true 或 false")

# How a yes or a no is written in forms, query strings and JSON (one list for the platform).
YES = frozenset({"true", "1", "yes", "on", "t", "y"})
NO = frozenset({"false", "0", "no", "off", "f", "n"})


def too_long(limit: int) -> str:
    return message(f"At most {limit} characters", f"不超过{limit}个字符")


def too_many(limit: int) -> str:
    return message(f"At most {limit} items", f"不超过{limit}项")


def not_in_range(minimum: int, maximum: int) -> str:
    return message(
        f"Must be a whole number from {minimum} to {maximum}",
        f"须为{minimum}至{maximum}之间的整数",
    )


def date_out_of_range(first: dt.date = FIRST_DAY, last: dt.date = LAST_DAY) -> str:
    return message(
        f"Must be a date from {first.isoformat()} to {last.isoformat()}",
        f"日期须在{first.isoformat()}至{last.isoformat()}之间",
    )


def period_too_long(years: int) -> str:
    return message(
        f"A period of use lasts at most {years} years: choose an earlier period_end",
        f"使用期限最长{years}年，请提前结束日期",
    )


# --------------------------------------------------------------------------- strings


_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROLS_BUT_WHITE_SPACE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile("[\ud800-\udfff]")


def characters_problem(text: str, *, multiline: bool = True) -> str | None:
    """A control character (tab, new line and carriage return allowed when ``multiline``) or
    an unpaired surrogate in ``text``.

    Control characters are refused because PostgreSQL cannot store NUL and the others
    corrupt what is shown, logged and exported; surrogates cannot be encoded as UTF-8.
    """
    if (_CONTROLS_BUT_WHITE_SPACE if multiline else _CONTROLS).search(text):
        return CONTROL_CHARACTERS
    if _SURROGATES.search(text):
        return NOT_UNICODE
    return None


def text_problem(value: Any, limit: int, *, multiline: bool = True) -> str | None:
    """Free text: a string of at most ``limit`` characters, tabs and new lines allowed."""
    if not isinstance(value, str):
        return NOT_TEXT
    if len(value) > limit:
        return too_long(limit)
    return characters_problem(value, multiline=multiline)


def reference_problem(value: Any, limit: int = MAX_REFERENCE) -> str | None:
    """An id, a name or a code: one line of text, no control character at all."""
    if not isinstance(value, str):
        return NOT_A_REFERENCE
    if len(value) > limit:
        return too_long(limit)
    return characters_problem(value, multiline=False)


# --------------------------------------------------------------------------- numbers


def integer(value: Any) -> int | None:
    """``value`` as an integer: an ``int`` (not a boolean) or a string of ASCII digits with
    an optional sign, as form fields and query strings send them; else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or len(digits) > 1000 or not (digits.isascii() and digits.isdigit()):
        return None
    return int(text)


def yes_no(value: Any) -> bool | None:
    """``value`` as a yes or a no: a boolean, 0 or 1, or one of ``YES``/``NO`` in any case;
    ``None`` when it is neither."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
    return None


def whole_number(value: Any, minimum: int, maximum: int) -> int | None:
    """``value`` as an integer from ``minimum`` to ``maximum``, or ``None``."""
    number = integer(value)
    return number if number is not None and minimum <= number <= maximum else None


# --------------------------------------------------------------------------- dates


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def date_problem(day: dt.date, first: dt.date = FIRST_DAY, last: dt.date = LAST_DAY) -> str | None:
    return None if first <= day <= last else date_out_of_range(first, last)


def period_problems(start: dt.date | None, end: dt.date | None, max_years: int) -> dict[str, str]:
    """A period of use lasts at most ``max_years`` years (``ckanext.govshare.max_period_years``).

    The order of the dates and an end in the past are the access rules' to say
    (``access/rules.py``: ``PERIOD_ORDER``, ``PERIOD_PAST``).
    """
    if start is None or end is None or end < start:
        return {}
    if end >= add_years(start, max_years):
        return {"period_end": period_too_long(max_years)}
    return {}


# --------------------------------------------------------------------------- any input


def input_problems(data: Mapping[str, Any], *, strict: bool = True) -> dict[str, str]:
    """What no input to the platform may hold, whatever its field: a control character other
    than tab and new line, an unpaired surrogate, a string over ``MAX_STRING`` characters, an
    integer past 64 bits, a float that is not finite, nesting deeper than ``MAX_DEPTH``.

    Not ``strict``: only what PostgreSQL cannot store at all, a NUL byte or an unpaired
    surrogate (for CKAN's own routes, whose fields have their own rules).

    Returns the first problem of each top-level key (``__key`` for a bad key). Schemas then
    check each field's own type and range; this catches what reaches the database before
    they run.
    """
    check = _value_problem if strict else _unstorable
    problems: dict[str, str] = {}
    for key, value in data.items():
        key_problem = _key_problem(key) if strict else _unstorable(key, 1)
        problem = key_problem or check(value, 1)
        if problem:
            problems["__key" if key_problem else str(key)] = problem
    return problems


# Paging parameters of CKAN's own list actions and pages (package_list, organization_list, …):
# CKAN passes them to PostgreSQL as they come, and a value past a bigint fails there (a 500).
PAGING_KEYS = frozenset({"limit", "offset", "rows", "start", "page"})


def paging_problems(data: Mapping[str, Any]) -> dict[str, str]:
    """The paging parameters of ``data`` that no database could take: integers past 64 bits
    (in a list of values too, as query strings repeat them)."""
    problems: dict[str, str] = {}
    for key in PAGING_KEYS & set(data):
        values = data[key] if isinstance(data[key], list) else [data[key]]
        for value in values:
            number = integer(value)
            if number is not None and not -MAX_INTEGER - 1 <= number <= MAX_INTEGER:
                problems[key] = BEYOND_64_BITS
    return problems


def _key_problem(key: Any) -> str | None:
    if not isinstance(key, str):
        return None
    if len(key) > MAX_REFERENCE:
        return too_long(MAX_REFERENCE)
    return characters_problem(key, multiline=False)


def _unstorable(value: Any, depth: int) -> str | None:
    """A NUL byte or an unpaired surrogate anywhere in ``value`` (keys included)."""
    if isinstance(value, str):
        if "\x00" in value:
            return CONTROL_CHARACTERS
        return NOT_UNICODE if _SURROGATES.search(value) else None
    if depth >= MAX_DEPTH * 4:
        return TOO_DEEP
    if isinstance(value, Mapping):
        items = [i for pair in value.items() for i in pair]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        return None
    for item in items:
        problem = _unstorable(item, depth + 1)
        if problem:
            return problem
    return None


def _value_problem(value: Any, depth: int) -> str | None:
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            return too_long(MAX_STRING)
        return characters_problem(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if abs(value) <= MAX_INTEGER else BEYOND_64_BITS
    if isinstance(value, float):
        return None if math.isfinite(value) else NOT_A_NUMBER
    if isinstance(value, Mapping):
        if depth >= MAX_DEPTH:
            return TOO_DEEP
        for key, item in value.items():
            problem = _key_problem(key) or _value_problem(item, depth + 1)
            if problem:
                return problem
        return None
    if isinstance(value, (list, tuple)):
        if depth >= MAX_DEPTH:
            return TOO_DEEP
        for item in value:
            problem = _value_problem(item, depth + 1)
            if problem:
                return problem
        return None
    return None  # uploads and other objects: their own checks apply

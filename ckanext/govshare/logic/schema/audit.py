"""Input of ``govshare_audit_list``.

Error messages are in English and Chinese in one string (``rules.message``: "English | 中文"),
as everywhere else: API clients have no locale to pick one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk

from ...catalogue.rules import message
from .fields import whole_number

MAX_LIMIT = 1000


NOT_A_TIME = message(
    "Not a date or time: use ISO 8601, e.g. 2026-11-25 or 2026-11-25T08:00",
    "不是有效的日期或时间：请使用 ISO 8601 格式，如 2026-11-25 或 2026-11-25T08:00",
)


def iso_datetime(value: Any, context: Any) -> dt.datetime | None:
    """An ISO 8601 date or time; a time without a zone is taken as UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        try:
            parsed = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise tk.Invalid(NOT_A_TIME) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def cap_limit(value: Any) -> Any:
    """At most ``MAX_LIMIT`` events a page (a value already refused passes through)."""
    return min(value, MAX_LIMIT) if isinstance(value, int) else value


def audit_list_schema() -> dict[str, Any]:
    ignore_missing = tk.get_validator("ignore_missing")
    ignore_empty = tk.get_validator("ignore_empty")
    unicode_safe = tk.get_validator("unicode_safe")
    default = tk.get_validator("default")
    return {
        "actor": [ignore_empty, unicode_safe],
        "department": [ignore_empty, unicode_safe],
        "object_id": [ignore_empty, unicode_safe],
        "action": [ignore_empty, unicode_safe],
        "since": [ignore_empty, iso_datetime],
        "until": [ignore_empty, iso_datetime],
        "limit": [default(50), whole_number(1), cap_limit],
        "offset": [default(0), whole_number(0)],
        "__extras": [ignore_missing],
    }

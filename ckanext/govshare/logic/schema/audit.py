"""Input of ``govshare_audit_list`` and ``govshare_audit_export``.

Error messages are in English and Chinese in one string (``core.messages.message``:
"English | 中文"), as everywhere else: API clients have no locale to pick one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Schema

from ...core import clock
from ...core.messages import message
from ...hardening import limits
from .fields import one_of, paging_fields, reference

__all__ = ["audit_export_schema", "audit_list_schema", "iso_datetime"]


#: Languages the export's reading columns are written in.
LANGUAGES = ("en", "zh_Hans_CN")

NOT_A_TIME = message(
    "Not a date or time: use ISO 8601, e.g. 2026-11-25 or 2026-11-25T08:00",
    "不是有效的日期或时间：请使用 ISO 8601 格式，如 2026-11-25 或 2026-11-25T08:00",
)


def iso_datetime(value: Any, context: Any) -> dt.datetime | None:
    """An ISO 8601 date or time from ``limits.FIRST_DAY`` to ``limits.FILTER_LAST_DAY``; a
    time without a zone is the platform's local time (``ckanext.govshare.timezone``, the time
    the audit page shows; issue 19 item 5)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and len(value) <= 64:
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise tk.Invalid(NOT_A_TIME) from None
    else:
        raise tk.Invalid(NOT_A_TIME)
    problem = limits.date_problem(parsed.date(), limits.FIRST_DAY, limits.FILTER_LAST_DAY)
    if problem:
        raise tk.Invalid(problem)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=clock.timezone())


def audit_export_schema() -> Schema:
    """The filters: who acted (``actor``), the department acted for (``actor_org``) or owning
    the object (``object_org``), the object, the action and a time range. ``department``
    (either of the two) is the name before issue 15."""
    ignore_missing = tk.get_validator("ignore_missing")
    ignore_empty = tk.get_validator("ignore_empty")
    return {
        "actor": [ignore_empty, reference],
        "actor_org": [ignore_empty, reference],
        "object_org": [ignore_empty, reference],
        "department": [ignore_empty, reference],
        "object_id": [ignore_empty, reference],
        "action": [ignore_empty, reference],
        "since": [ignore_empty, iso_datetime],
        "until": [ignore_empty, iso_datetime],
        # The language of the CSV's reading columns (issue 19 item 5; default the site's).
        "language": [ignore_empty, one_of(LANGUAGES)],
        "__extras": [ignore_missing],
    }


def audit_list_schema() -> Schema:
    """The filters of ``audit_export_schema`` and the paging every list takes."""
    return {**audit_export_schema(), **paging_fields()}

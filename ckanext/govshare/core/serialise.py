"""Values as the API gives them (issue 15): one rule for every action's answer.

Datetimes are ISO 8601 in UTC, dates ISO; a label is ``{"en", "zh_Hans_CN"}``, the shape
ckanext-scheming uses for choices. Plain Python, no CKAN import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

__all__ = ["label", "plain", "plain_all", "plain_row"]


def plain(value: Any) -> Any:
    """Datetimes in UTC ISO 8601, dates ISO; anything else unchanged."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def plain_row(row: Mapping[str, Any] | None) -> dict[str, Any]:
    """A table row (or ``None``: empty) with each value ``plain``."""
    return {key: plain(value) for key, value in (row or {}).items()}


def plain_all(value: Any) -> Any:
    """JSON types only, nested mappings and sequences too (``plain`` for each value)."""
    if isinstance(value, Mapping):
        return {str(k): plain_all(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_all(v) for v in value]
    return plain(value)


def label(en: str, zh: str) -> dict[str, str]:
    """A code's label in both languages: ``{"en": en, "zh_Hans_CN": zh}``."""
    return {"en": en, "zh_Hans_CN": zh}

"""Values of database rows as JSON gives them to the API: one rule for every action."""

from __future__ import annotations

import datetime as dt
from typing import Any


def plain(value: Any) -> Any:
    """Datetimes in UTC ISO 8601, dates ISO; anything else unchanged."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value

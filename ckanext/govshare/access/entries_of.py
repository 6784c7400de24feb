"""The entry each request or grant is about, for pages that name them by entry (the audit
trail's reading columns, issue 19 item 5): one query for a whole page."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from ckan import model

from .model import grant_table, request_table

__all__ = ["grants", "requests"]


def _entries(table: sa.Table, ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    c = table.c
    rows = model.Session.execute(sa.select(c.id, c.package_id).where(c.id.in_(wanted))).all()
    return {row[0]: row[1] for row in rows}


def requests(ids: Iterable[str]) -> dict[str, str]:
    """Request id -> its entry's id."""
    return _entries(request_table, ids)


def grants(ids: Iterable[str]) -> dict[str, str]:
    """Grant id -> its entry's id."""
    return _entries(grant_table, ids)

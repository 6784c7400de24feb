"""Fixtures of the audit tests.

The audit tables are not on CKAN's metadata, so CKAN's ``clean_db`` leaves them alone (its
``delete_all`` would trip the append-only trigger); the suite's ``clean_db`` empties them
through the documented maintenance escape (``reset_database`` in ``tests/conftest.py``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.govshare.audit.model import event_table


def events(**where: Any) -> list[dict[str, Any]]:
    """Committed events (read on a fresh connection), oldest first."""
    query = sa.select(event_table).order_by(event_table.c.seq)
    for name, value in where.items():
        query = query.where(event_table.c[name] == value)
    with model.meta.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]

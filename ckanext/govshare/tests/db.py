"""Database helpers shared by the test packages."""

from __future__ import annotations

import sqlalchemy as sa
from ckan import model

from ckanext.govshare.audit import chain, store
from ckanext.govshare.audit.model import archive_table, event_table, head_table


def reset_audit() -> None:
    """Empty the audit trail through the maintenance escape (as only the archive command does).

    The audit tables are not on CKAN's metadata, so CKAN's ``clean_db`` leaves them alone (its
    ``delete_all`` would trip the append-only trigger): tests that count events of the whole
    trail start from an empty one.
    """
    model.Session.remove()
    with model.meta.engine.begin() as conn, store.maintenance(conn):
        conn.execute(sa.delete(event_table))
        conn.execute(sa.delete(archive_table))
        conn.execute(
            sa.update(head_table).values(seq=0, prev_hash=chain.GENESIS, hash=chain.GENESIS)
        )

"""The audit tables.

They are declared on their own ``MetaData``, not on CKAN's: CKAN's ``model.repo.delete_all()``
(run by its test fixtures and ``ckan db clean``-style resets) DELETEs from every table on CKAN's
metadata, and the audit table refuses DELETE. Alembic revision ``7c3a9e51d2b4`` creates them.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSON

metadata = sa.MetaData()

EVENT_TABLE = "govshare_audit_event"
ARCHIVE_TABLE = "govshare_audit_archive"
HEAD_TABLE = "govshare_audit_head"

#: Set to ``on`` for one transaction (``SET LOCAL``) to let the trigger pass an UPDATE or DELETE.
#: Only ``archive`` uses it (see docs/audit.md).
ESCAPE_SETTING = "govshare.audit_maintenance"

#: The key of the transaction-level advisory lock that the archive command takes so that its
#: view of the chain does not move (appenders serialise on the head row's lock instead).
LOCK_KEY = 0x676F76_61756474  # "gov" "audt"

event_table = sa.Table(
    EVENT_TABLE,
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("time", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_id", sa.UnicodeText),
    sa.Column("actor_name", sa.UnicodeText),
    sa.Column("actor_department", sa.UnicodeText),
    sa.Column("action", sa.UnicodeText, nullable=False),
    sa.Column("object_type", sa.UnicodeText),
    sa.Column("object_id", sa.UnicodeText),
    sa.Column("object_department", sa.UnicodeText),
    sa.Column("outcome", sa.UnicodeText, nullable=False),
    # ``json``, not ``jsonb``: it keeps the text as written, so the hash recomputes exactly.
    sa.Column("detail", JSON(none_as_null=True), nullable=False),
    sa.Column("client_address", sa.UnicodeText),
    sa.Column("request_id", sa.UnicodeText),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

archive_table = sa.Table(
    ARCHIVE_TABLE,
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    sa.Column("path", sa.UnicodeText, nullable=False),
    sa.Column("before", sa.DateTime(timezone=True), nullable=False),
    sa.Column("first_seq", sa.BigInteger, nullable=False),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
    sa.Column("start_hash", sa.String(64), nullable=False),
    sa.Column("head_hash", sa.String(64), nullable=False),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
)

head_table = sa.Table(
    HEAD_TABLE,
    metadata,
    sa.Column("id", sa.SmallInteger, primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

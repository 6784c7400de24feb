"""The ``govshare_notice`` table: one notice to one user, shown on the dashboard and emailed.

On CKAN's metadata, as the catalogue's tables are; Alembic revision ``f3b9d2c7a418`` creates
it. ``(user_id, key)`` is unique: the key names the event a notice is about (for instance
``due_soon:<request id>:<due date>``), so queueing it again, from a retried action or a second
run of ``ckan govshare remind``, adds nothing and sends nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from ckan.model import meta
from sqlalchemy.dialects.postgresql import JSONB

NOTICE_TABLE = "govshare_notice"

_tz = sa.DateTime(timezone=True)

notice_table = sa.Table(
    NOTICE_TABLE,
    meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("user_id", sa.UnicodeText, nullable=False),
    sa.Column("kind", sa.UnicodeText, nullable=False),
    sa.Column("key", sa.UnicodeText, nullable=False),
    # In the recipient's language (``params["locale"]``), rendered when the notice is queued;
    # rows written before issue 19 hold both languages (``texts.one_language`` splits them).
    sa.Column("subject", sa.UnicodeText, nullable=False),
    sa.Column("body", sa.UnicodeText, nullable=False),
    # Site-relative path of the request or grant the notice is about.
    sa.Column("link", sa.UnicodeText),
    sa.Column("params", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("created_at", _tz, nullable=False),
    sa.Column("read_at", _tz),
    sa.Column("emailed_at", _tz),
    sa.Column("email_error", sa.UnicodeText),
    sa.UniqueConstraint("user_id", "key", name="govshare_notice_user_key_uq"),
    extend_existing=True,
)
sa.Index("govshare_notice_user_created_idx", notice_table.c.user_id, notice_table.c.created_at)
# The retry pass of ``ckan govshare remind`` looks only at notices not emailed yet.
sa.Index(
    "govshare_notice_unsent_idx",
    notice_table.c.created_at,
    postgresql_where=notice_table.c.emailed_at.is_(None),
)

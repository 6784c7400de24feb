"""The catalogue review table (2025 art. 16, 17): each new or changed entry waits for the
sharing authority, who approves (the entry is announced) or returns it with reasons. Alembic
revision ``5e9b1c7d3f20`` creates it; rows commit with their audit events.
"""

from __future__ import annotations

import sqlalchemy as sa
from ckan.model import meta
from sqlalchemy.dialects.postgresql import JSONB

REVIEW_TABLE = "govshare_catalogue_review"

_tz = sa.DateTime(timezone=True)

review_table = sa.Table(
    REVIEW_TABLE,
    meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("organization_id", sa.UnicodeText, nullable=False),
    # ``new`` (never announced) or ``change`` (an announced entry changed).
    sa.Column("kind", sa.UnicodeText, nullable=False),
    # ``pending``, ``approved``, ``returned`` or ``superseded`` (a newer change came).
    sa.Column("status", sa.UnicodeText, nullable=False),
    sa.Column("submitted_by", sa.UnicodeText),
    sa.Column("submitted_at", _tz, nullable=False),
    sa.Column("due_date", sa.Date),
    sa.Column("decided_by", sa.UnicodeText),
    sa.Column("decided_at", _tz),
    sa.Column("reasons", JSONB),
    # The catalogue fields the change touched.
    sa.Column("changed_fields", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    sa.Column("announced_at", _tz),
    extend_existing=True,
)
sa.Index(
    "govshare_catalogue_review_package_idx", review_table.c.package_id, review_table.c.submitted_at
)
sa.Index("govshare_catalogue_review_status_idx", review_table.c.status, review_table.c.due_date)

"""Tables of what a holder does with shared data (2025 art. 27, 29): usage records and the
providers' service filings. Alembic revision ``5e9b1c7d3f20`` creates them; rows are written
through ``model.Session`` so they commit with their audit events.
"""

from __future__ import annotations

import sqlalchemy as sa
from ckan.model import meta
from sqlalchemy.dialects.postgresql import JSONB

USAGE_TABLE = "govshare_usage_record"
FILING_TABLE = "govshare_service_filing"

_tz = sa.DateTime(timezone=True)

usage_table = sa.Table(
    USAGE_TABLE,
    meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("grant_id", sa.UnicodeText, sa.ForeignKey("govshare_grant.id"), nullable=False),
    # The holding department that keeps the record.
    sa.Column("organization_id", sa.UnicodeText, nullable=False),
    # ``scenario``, ``process``, ``results``, ``storage`` or ``destruction`` (art. 29).
    sa.Column("kind", sa.UnicodeText, nullable=False),
    sa.Column("description", sa.UnicodeText, nullable=False),
    sa.Column("recorded_by", sa.UnicodeText, nullable=False),
    sa.Column("recorded_at", _tz, nullable=False),
    # Kept at least until this local date (art. 29: 3 years); archived after, never deleted.
    sa.Column("retain_until", sa.Date, nullable=False),
    sa.Column("archived_at", _tz),
    extend_existing=True,
)
sa.Index("govshare_usage_record_grant_idx", usage_table.c.grant_id, usage_table.c.recorded_at)

filing_table = sa.Table(
    FILING_TABLE,
    meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("provider_org_id", sa.UnicodeText, nullable=False, index=True),
    # The grants the change touches (their holders were consulted).
    sa.Column("grant_ids", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    # ``end`` or ``change`` (art. 27).
    sa.Column("kind", sa.UnicodeText, nullable=False),
    sa.Column("description", sa.UnicodeText, nullable=False),
    # How the holders were consulted, and what they said.
    sa.Column("consultation", sa.UnicodeText, nullable=False),
    sa.Column("effective_date", sa.Date, nullable=False),
    sa.Column("filed_by", sa.UnicodeText, nullable=False),
    sa.Column("filed_at", _tz, nullable=False),
    extend_existing=True,
)

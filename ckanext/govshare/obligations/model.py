"""The obligation table (``govshare_obligation``), created by Alembic revision ``b7d41e9c3a25``.

On CKAN's metadata like the access tables; written through ``model.Session`` so that a row
commits with its audit event. The column names are the contract with the yearly report
(``/tmp/brief/tables-8.md``): keep them.
"""

from __future__ import annotations

import sqlalchemy as sa
from ckan.model import meta
from sqlalchemy.dialects.postgresql import JSONB

OBLIGATION_TABLE = "govshare_obligation"

_tz = sa.DateTime(timezone=True)

obligation_table = sa.Table(
    OBLIGATION_TABLE,
    meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    # The department whose catalogue must be updated.
    sa.Column("organization_id", sa.UnicodeText, nullable=False),
    # ``law_revised``, ``functions_changed`` or ``other``.
    sa.Column("kind", sa.UnicodeText, nullable=False),
    sa.Column("description", sa.UnicodeText, nullable=False),
    sa.Column("effective_date", sa.Date, nullable=False),
    # 15 working days after the effective date (art. 8), local date.
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("created_by", sa.UnicodeText, nullable=False),
    sa.Column("created", _tz, nullable=False),
    # ``open`` or ``discharged``.
    sa.Column("state", sa.UnicodeText, nullable=False),
    sa.Column("overdue", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("discharged_by", sa.UnicodeText),
    sa.Column("discharged_at", _tz),
    sa.Column("note", sa.UnicodeText),
    # Package ids reviewed or changed, given when discharged.
    sa.Column("entries", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    # --- issue 18, revision 5e9b1c7d3f20: 2025 art. 17, +5 working days with the authority's
    # consent. ``original_due_date`` is the due date before an approved extension.
    sa.Column("original_due_date", sa.Date),
    sa.Column("extension_days", sa.Integer),
    sa.Column("extension_reason", sa.UnicodeText),
    # ``pending``, ``approved`` or ``rejected``.
    sa.Column("extension_status", sa.UnicodeText),
    sa.Column("extension_requested_by", sa.UnicodeText),
    sa.Column("extension_requested_at", _tz),
    sa.Column("extension_decided_by", sa.UnicodeText),
    sa.Column("extension_decided_at", _tz),
    sa.Column("extension_decision_reason", sa.UnicodeText),
    extend_existing=True,
)
sa.Index(
    "govshare_obligation_org_idx", obligation_table.c.organization_id, obligation_table.c.state
)

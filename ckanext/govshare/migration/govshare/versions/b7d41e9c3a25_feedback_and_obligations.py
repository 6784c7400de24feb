"""Doubt and error feedback (art. 15) and catalogue-maintenance obligations (art. 8), issue 8.

Revision ID: b7d41e9c3a25
Revises: 0a6c4e2f9d13
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "b7d41e9c3a25"
down_revision = "0a6c4e2f9d13"
branch_labels = None
depends_on = None

_tz = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "govshare_feedback",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("resource_id", sa.UnicodeText),
        sa.Column("data_item", sa.UnicodeText),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False),
        sa.Column("attachment_name", sa.UnicodeText),
        sa.Column("attachment_size", sa.Integer),
        sa.Column("attachment_sha256", sa.UnicodeText),
        sa.Column("attachment_type", sa.UnicodeText),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("provider_org_id", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("created", _tz, nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("overdue", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("resolution", sa.UnicodeText),
        sa.Column("explanation", sa.UnicodeText),
        sa.Column("resolved_by", sa.UnicodeText),
        sa.Column("resolved_at", _tz),
        sa.CheckConstraint("kind IN ('doubt', 'error')", name="govshare_feedback_kind_check"),
        sa.CheckConstraint("state IN ('open', 'resolved')", name="govshare_feedback_state_check"),
        sa.CheckConstraint(
            "resolution IS NULL OR resolution IN ('corrected', 'confirmed_correct')",
            name="govshare_feedback_resolution_check",
        ),
    )
    op.create_index(
        "govshare_feedback_provider_idx", "govshare_feedback", ["provider_org_id", "state"]
    )
    op.create_index("govshare_feedback_package_idx", "govshare_feedback", ["package_id", "state"])

    op.create_table(
        "govshare_obligation",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False),
        sa.Column("effective_date", sa.Date, nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("created_by", sa.UnicodeText, nullable=False),
        sa.Column("created", _tz, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("overdue", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("discharged_by", sa.UnicodeText),
        sa.Column("discharged_at", _tz),
        sa.Column("note", sa.UnicodeText),
        sa.Column("entries", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.CheckConstraint(
            "kind IN ('law_revised', 'functions_changed', 'other')",
            name="govshare_obligation_kind_check",
        ),
        sa.CheckConstraint(
            "state IN ('open', 'discharged')", name="govshare_obligation_state_check"
        ),
    )
    op.create_index(
        "govshare_obligation_org_idx", "govshare_obligation", ["organization_id", "state"]
    )


def downgrade():
    op.drop_index("govshare_obligation_org_idx", table_name="govshare_obligation")
    op.drop_table("govshare_obligation")
    op.drop_index("govshare_feedback_package_idx", table_name="govshare_feedback")
    op.drop_index("govshare_feedback_provider_idx", table_name="govshare_feedback")
    op.drop_table("govshare_feedback")

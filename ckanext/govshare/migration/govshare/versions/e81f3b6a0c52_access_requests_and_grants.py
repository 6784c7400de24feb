"""Access to shared data: requests and negotiations, their history, grants (issue 5).

Revision ID: e81f3b6a0c52
Revises: d4a7c2e9b310
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "e81f3b6a0c52"
down_revision = "d4a7c2e9b310"
branch_labels = None
depends_on = None

_tz = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "govshare_access_request",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("provider_org_id", sa.UnicodeText, nullable=False),
        sa.Column("requesting_org_id", sa.UnicodeText, nullable=False),
        sa.Column("requester_id", sa.UnicodeText, nullable=False),
        sa.Column("contact", sa.UnicodeText),
        sa.Column("purpose", sa.UnicodeText, nullable=False),
        sa.Column("purpose_detail", sa.UnicodeText, nullable=False),
        sa.Column("scenario", sa.UnicodeText),
        sa.Column("basis", sa.UnicodeText),
        sa.Column("attachment", JSONB),
        sa.Column("resource_ids", JSONB, nullable=False),
        sa.Column("data_items", JSONB, nullable=False),
        sa.Column("share_method", sa.UnicodeText),
        sa.Column("period_start", sa.Date),
        sa.Column("period_end", sa.Date),
        sa.Column("expected_calls_per_day", sa.Integer),
        sa.Column("pledge", sa.Boolean, nullable=False),
        sa.Column("central_involved", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("escalation_level", sa.UnicodeText),
        sa.Column("submitted_at", _tz, nullable=False),
        sa.Column("last_submitted_at", _tz, nullable=False),
        sa.Column("due_date", sa.Date),
        sa.Column("remaining_workdays", sa.Integer),
        sa.Column("decided_at", _tz),
        sa.Column("decided_by", sa.UnicodeText),
        sa.Column("decision_reason", sa.UnicodeText),
        sa.Column("overdue_since", sa.Date),
        sa.Column("updated_at", _tz, nullable=False),
    )
    op.create_index(
        "govshare_access_request_provider_idx", "govshare_access_request", ["provider_org_id"]
    )
    op.create_index(
        "govshare_access_request_requesting_idx", "govshare_access_request", ["requesting_org_id"]
    )
    op.create_index(
        "govshare_access_request_package_idx", "govshare_access_request", ["package_id"]
    )
    op.create_index(
        "govshare_access_request_status_due_idx",
        "govshare_access_request",
        ["status", "due_date"],
    )
    op.create_table(
        "govshare_access_request_event",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "request_id",
            sa.UnicodeText,
            sa.ForeignKey("govshare_access_request.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("time", _tz, nullable=False),
        sa.Column("actor_id", sa.UnicodeText),
        sa.Column("actor_org_id", sa.UnicodeText),
        sa.Column("role", sa.UnicodeText, nullable=False),
        sa.Column("action", sa.UnicodeText, nullable=False),
        sa.Column("from_state", sa.UnicodeText),
        sa.Column("to_state", sa.UnicodeText, nullable=False),
        sa.Column("message", sa.UnicodeText),
        sa.Column("detail", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    )
    op.create_index(
        "govshare_access_request_event_request_idx",
        "govshare_access_request_event",
        ["request_id", "id"],
    )
    op.create_table(
        "govshare_grant",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("provider_org_id", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("request_id", sa.UnicodeText, sa.ForeignKey("govshare_access_request.id")),
        sa.Column("source", sa.UnicodeText, nullable=False),
        sa.Column("purpose", sa.UnicodeText, nullable=False),
        sa.Column("purpose_detail", sa.UnicodeText, nullable=False),
        sa.Column("resource_ids", JSONB),
        sa.Column("data_items", JSONB),
        sa.Column("share_method", sa.UnicodeText),
        sa.Column("conditions", sa.UnicodeText),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("max_downloads", sa.Integer),
        sa.Column("downloads_used", sa.Integer, nullable=False, server_default="0"),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("created_at", _tz, nullable=False),
        sa.Column("created_by", sa.UnicodeText),
        sa.Column("revoked_at", _tz),
        sa.Column("revoked_by", sa.UnicodeText),
        sa.Column("revoke_reason", sa.UnicodeText),
        sa.Column("expired_at", _tz),
    )
    op.create_index("govshare_grant_holder_idx", "govshare_grant", ["organization_id", "status"])
    op.create_index("govshare_grant_package_idx", "govshare_grant", ["package_id"])
    op.create_index("govshare_grant_provider_idx", "govshare_grant", ["provider_org_id"])


def downgrade():
    op.drop_table("govshare_grant")
    op.drop_table("govshare_access_request_event")
    op.drop_table("govshare_access_request")

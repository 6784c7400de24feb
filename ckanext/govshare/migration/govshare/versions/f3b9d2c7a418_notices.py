"""Notices to users (dashboard and email) for access requests and grants (issue 5).

Revision ID: f3b9d2c7a418
Revises: e81f3b6a0c52
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "f3b9d2c7a418"
down_revision = "e81f3b6a0c52"
branch_labels = None
depends_on = None

_tz = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "govshare_notice",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("key", sa.UnicodeText, nullable=False),
        sa.Column("subject", sa.UnicodeText, nullable=False),
        sa.Column("body", sa.UnicodeText, nullable=False),
        sa.Column("link", sa.UnicodeText),
        sa.Column("params", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("created_at", _tz, nullable=False),
        sa.Column("read_at", _tz),
        sa.Column("emailed_at", _tz),
        sa.Column("email_error", sa.UnicodeText),
        sa.UniqueConstraint("user_id", "key", name="govshare_notice_user_key_uq"),
    )
    op.create_index(
        "govshare_notice_user_created_idx", "govshare_notice", ["user_id", "created_at"]
    )
    op.create_index(
        "govshare_notice_unsent_idx",
        "govshare_notice",
        ["created_at"],
        postgresql_where=sa.text("emailed_at IS NULL"),
    )


def downgrade():
    op.drop_index("govshare_notice_unsent_idx", table_name="govshare_notice")
    op.drop_index("govshare_notice_user_created_idx", table_name="govshare_notice")
    op.drop_table("govshare_notice")

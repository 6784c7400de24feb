"""Download tokens and the download log (issue 6).

Revision ID: 0a6c4e2f9d13
Revises: f3b9d2c7a418
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0a6c4e2f9d13"
down_revision = "f3b9d2c7a418"
branch_labels = None
depends_on = None

_tz = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "govshare_download_token",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("token_hash", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column(
            "grant_id",
            sa.UnicodeText,
            sa.ForeignKey("govshare_grant.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("purpose", sa.UnicodeText, nullable=False),
        sa.Column("resource_ids", JSONB),
        sa.Column("created_at", _tz, nullable=False),
        sa.Column("expires_at", _tz, nullable=False),
        sa.Column("max_uses", sa.Integer),
        sa.Column("uses", sa.Integer, nullable=False, server_default="0"),
        sa.Column("revoked_at", _tz),
        sa.Column("revoked_by", sa.UnicodeText),
        sa.Column("last_used_at", _tz),
        sa.Column("kind", sa.UnicodeText, nullable=False, server_default="api"),
        sa.UniqueConstraint("token_hash", name="govshare_download_token_hash_uq"),
        sa.CheckConstraint("max_uses IS NULL OR uses <= max_uses", name="govshare_token_uses_ck"),
    )
    op.create_index(
        "govshare_download_token_user_idx",
        "govshare_download_token",
        ["user_id", "created_at"],
    )
    op.create_index("govshare_download_token_grant_idx", "govshare_download_token", ["grant_id"])
    op.create_table(
        "govshare_download",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("time", _tz, nullable=False),
        sa.Column(
            "token_id",
            sa.UnicodeText,
            sa.ForeignKey("govshare_download_token.id", ondelete="SET NULL"),
        ),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("grant_id", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("resource_id", sa.UnicodeText, nullable=False),
        sa.Column("purpose", sa.UnicodeText, nullable=False),
        sa.Column("bytes", sa.BigInteger),
        sa.Column("client_address", sa.UnicodeText),
        sa.Column("route", sa.UnicodeText, nullable=False),
        sa.CheckConstraint("route IN ('token', 'bulk', 'open')", name="govshare_download_route_ck"),
    )
    op.create_index("govshare_download_time_idx", "govshare_download", ["time"])
    op.create_index(
        "govshare_download_org_time_idx", "govshare_download", ["organization_id", "time"]
    )
    op.create_index("govshare_download_grant_idx", "govshare_download", ["grant_id"])


def downgrade():
    op.drop_table("govshare_download")
    op.drop_table("govshare_download_token")

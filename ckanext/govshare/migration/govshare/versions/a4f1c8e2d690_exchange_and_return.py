"""Batch exchange and data return (issue 17): exchange targets (前置机), subscriptions and
their runs; regional return (数据回流) per entry.

Revision ID: a4f1c8e2d690
Revises: 9d2e4f6a1b37
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "a4f1c8e2d690"
down_revision = "9d2e4f6a1b37"
branch_labels = None
depends_on = None

_tz = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "govshare_exchange_target",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("organization_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("name", sa.UnicodeText, nullable=False),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        # A PostgreSQL target's connection string, encrypted (Fernet; the key is
        # ckanext.govshare.exchange.key).
        sa.Column("dsn_encrypted", sa.UnicodeText),
        # What may be shown of it: host, port, database, user — never the password.
        sa.Column("dsn_display", sa.UnicodeText),
        # A directory target's path, relative to ckanext.govshare.exchange.root.
        sa.Column("path", sa.UnicodeText),
        sa.Column("description", sa.UnicodeText),
        sa.Column("last_test_at", _tz),
        sa.Column("last_test_ok", sa.Boolean),
        sa.Column("last_test_error", sa.UnicodeText),
        sa.Column("created_at", _tz, nullable=False),
        sa.Column("created_by", sa.UnicodeText),
        sa.Column("updated_at", _tz, nullable=False),
        sa.UniqueConstraint("organization_id", "name", name="govshare_exchange_target_name_uq"),
        sa.CheckConstraint(
            "kind IN ('postgresql', 'directory')", name="govshare_exchange_target_kind_ck"
        ),
    )
    op.create_table(
        "govshare_exchange_subscription",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column(
            "grant_id",
            sa.UnicodeText,
            sa.ForeignKey("govshare_grant.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("resource_id", sa.UnicodeText, nullable=False),
        sa.Column(
            "target_id",
            sa.UnicodeText,
            sa.ForeignKey("govshare_exchange_target.id", ondelete="RESTRICT"),
            nullable=False,
            index=True,
        ),
        # Copies of the grant's parties, for listing and visibility without a join.
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("provider_org_id", sa.UnicodeText, nullable=False, index=True),
        # The table (PostgreSQL target) or file name (directory target) delivered to.
        sa.Column("table_name", sa.UnicodeText, nullable=False),
        sa.Column("mode", sa.UnicodeText, nullable=False),
        # {"kind": "daily", "at": "HH:MM"} or {"kind": "hourly", "every": N}
        sa.Column("schedule", JSONB, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("stop_reason", sa.UnicodeText),
        sa.Column("stopped_at", _tz),
        # Incremental mode: the highest watermark value delivered so far (as text).
        sa.Column("watermark", sa.UnicodeText),
        sa.Column("next_run_at", _tz),
        sa.Column("created_at", _tz, nullable=False),
        sa.Column("created_by", sa.UnicodeText),
        sa.Column("updated_at", _tz, nullable=False),
        sa.UniqueConstraint(
            "target_id", "table_name", name="govshare_exchange_subscription_table_uq"
        ),
        sa.CheckConstraint(
            "mode IN ('full', 'incremental')", name="govshare_exchange_subscription_mode_ck"
        ),
    )
    op.create_table(
        "govshare_exchange_run",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        # No foreign key: a run is history and outlives its subscription (deleting a
        # subscription keeps its runs, which the yearly report counts).
        sa.Column("subscription_id", sa.UnicodeText, nullable=False, index=True),
        # Copies for the yearly report and visibility (a subscription may be deleted later).
        sa.Column("grant_id", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("provider_org_id", sa.UnicodeText, nullable=False),
        sa.Column("mode", sa.UnicodeText, nullable=False),
        # manual | schedule | cli
        sa.Column("trigger", sa.UnicodeText, nullable=False),
        sa.Column("requested_by", sa.UnicodeText),
        sa.Column("queued_at", _tz, nullable=False),
        sa.Column("started_at", _tz),
        sa.Column("finished_at", _tz),
        # queued | running | success | failed
        sa.Column("outcome", sa.UnicodeText, nullable=False),
        sa.Column("rows", sa.BigInteger),
        sa.Column("bytes", sa.BigInteger),
        sa.Column("sha256", sa.UnicodeText),
        sa.Column("watermark_from", sa.UnicodeText),
        sa.Column("watermark_to", sa.UnicodeText),
        sa.Column("milliseconds", sa.BigInteger),
        sa.Column("error", sa.UnicodeText),
        sa.Index("govshare_exchange_run_time_ix", "queued_at"),
    )
    op.create_table(
        "govshare_return",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("provider_org_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("changed_at", _tz, nullable=False),
        sa.Column("changed_by", sa.UnicodeText),
    )


def downgrade():
    op.drop_table("govshare_return")
    op.drop_table("govshare_exchange_run")
    op.drop_table("govshare_exchange_subscription")
    op.drop_table("govshare_exchange_target")

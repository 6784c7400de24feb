"""Tables of batch exchange: targets (前置机), subscriptions and runs (issue 17).

On CKAN's metadata, as the other domains' tables are; Alembic revision ``a4f1c8e2d690``
creates them. Rows are read and written through ``model.Session`` so that every change shares
the action's transaction with its audit event.
"""

from __future__ import annotations

import sqlalchemy as sa
from ckan.model import meta
from sqlalchemy.dialects.postgresql import JSONB

TARGET_TABLE = "govshare_exchange_target"
SUBSCRIPTION_TABLE = "govshare_exchange_subscription"
RUN_TABLE = "govshare_exchange_run"

_tz = sa.DateTime(timezone=True)

target_table = sa.Table(
    TARGET_TABLE,
    meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("organization_id", sa.UnicodeText, nullable=False),
    sa.Column("name", sa.UnicodeText, nullable=False),
    sa.Column("kind", sa.UnicodeText, nullable=False),
    sa.Column("dsn_encrypted", sa.UnicodeText),
    sa.Column("dsn_display", sa.UnicodeText),
    sa.Column("path", sa.UnicodeText),
    sa.Column("description", sa.UnicodeText),
    sa.Column("last_test_at", _tz),
    sa.Column("last_test_ok", sa.Boolean),
    sa.Column("last_test_error", sa.UnicodeText),
    sa.Column("created_at", _tz, nullable=False),
    sa.Column("created_by", sa.UnicodeText),
    sa.Column("updated_at", _tz, nullable=False),
)

subscription_table = sa.Table(
    SUBSCRIPTION_TABLE,
    meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("grant_id", sa.UnicodeText, nullable=False),
    sa.Column("resource_id", sa.UnicodeText, nullable=False),
    sa.Column("target_id", sa.UnicodeText, nullable=False),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("organization_id", sa.UnicodeText, nullable=False),
    sa.Column("provider_org_id", sa.UnicodeText, nullable=False),
    sa.Column("table_name", sa.UnicodeText, nullable=False),
    sa.Column("mode", sa.UnicodeText, nullable=False),
    sa.Column("schedule", JSONB, nullable=False),
    sa.Column("status", sa.UnicodeText, nullable=False),
    sa.Column("stop_reason", sa.UnicodeText),
    sa.Column("stopped_at", _tz),
    sa.Column("watermark", sa.UnicodeText),
    sa.Column("next_run_at", _tz),
    sa.Column("created_at", _tz, nullable=False),
    sa.Column("created_by", sa.UnicodeText),
    sa.Column("updated_at", _tz, nullable=False),
)

run_table = sa.Table(
    RUN_TABLE,
    meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("subscription_id", sa.UnicodeText, nullable=False),
    sa.Column("grant_id", sa.UnicodeText, nullable=False),
    sa.Column("organization_id", sa.UnicodeText, nullable=False),
    sa.Column("provider_org_id", sa.UnicodeText, nullable=False),
    sa.Column("mode", sa.UnicodeText, nullable=False),
    sa.Column("trigger", sa.UnicodeText, nullable=False),
    sa.Column("requested_by", sa.UnicodeText),
    sa.Column("queued_at", _tz, nullable=False),
    sa.Column("started_at", _tz),
    sa.Column("finished_at", _tz),
    sa.Column("outcome", sa.UnicodeText, nullable=False),
    sa.Column("rows", sa.BigInteger),
    sa.Column("bytes", sa.BigInteger),
    sa.Column("sha256", sa.UnicodeText),
    sa.Column("watermark_from", sa.UnicodeText),
    sa.Column("watermark_to", sa.UnicodeText),
    sa.Column("milliseconds", sa.BigInteger),
    sa.Column("error", sa.UnicodeText),
)

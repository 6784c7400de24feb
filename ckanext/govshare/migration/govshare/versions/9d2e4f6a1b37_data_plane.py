"""The grant enforced on the data (issue 16): a grant's row filter and daily call quota, the
service interface's daily counters and its call log.

Revision ID: 9d2e4f6a1b37
Revises: b7d41e9c3a25
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "9d2e4f6a1b37"
down_revision = "b7d41e9c3a25"
branch_labels = None
depends_on = None

_tz = sa.DateTime(timezone=True)


def upgrade():
    # {"column": <DataStore column>, "values": [...]}: only rows whose column holds one of the
    # values (data return cuts by region this way); NULL: every row.
    op.add_column("govshare_grant", sa.Column("row_filter", JSONB))
    op.add_column("govshare_grant", sa.Column("max_calls_per_day", sa.Integer))
    op.create_check_constraint(
        "govshare_grant_calls_ck",
        "govshare_grant",
        "max_calls_per_day IS NULL OR max_calls_per_day > 0",
    )
    op.create_table(
        "govshare_api_quota",
        sa.Column(
            "grant_id",
            sa.UnicodeText,
            sa.ForeignKey("govshare_grant.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        # The local day the calls were answered on (ckanext.govshare.timezone).
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("calls", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "govshare_api_call",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("time", _tz, nullable=False),
        sa.Column("user_id", sa.UnicodeText),
        sa.Column("organization_id", sa.UnicodeText),
        sa.Column("grant_id", sa.UnicodeText),
        sa.Column("token_id", sa.UnicodeText),
        sa.Column("purpose", sa.UnicodeText),
        sa.Column("package_id", sa.UnicodeText),
        sa.Column("resource_id", sa.UnicodeText, nullable=False),
        sa.Column("method", sa.UnicodeText, nullable=False),
        sa.Column("fields", JSONB),
        sa.Column("rows", sa.Integer),
        sa.Column("outcome", sa.UnicodeText, nullable=False),
        sa.Column("reason", sa.UnicodeText),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("milliseconds", sa.Integer),
        sa.Column("client_address", sa.UnicodeText),
        sa.CheckConstraint(
            "method IN ('query', 'verify', 'download')", name="govshare_api_call_method_ck"
        ),
    )
    op.create_index("govshare_api_call_time_idx", "govshare_api_call", ["time"])
    op.create_index("govshare_api_call_grant_idx", "govshare_api_call", ["grant_id", "time"])
    op.create_index(
        "govshare_api_call_org_time_idx", "govshare_api_call", ["organization_id", "time"]
    )


def downgrade():
    op.drop_table("govshare_api_call")
    op.drop_table("govshare_api_quota")
    op.drop_constraint("govshare_grant_calls_ck", "govshare_grant")
    op.drop_column("govshare_grant", "max_calls_per_day")
    op.drop_column("govshare_grant", "row_filter")

"""Tables of the service interface (服务接口, 2025 Regulations art. 22): the daily call
counters a quota is kept on, and one row per call, refused calls included (issue 16).

On CKAN's metadata, as the access tables are. Alembic revision ``9d2e4f6a1b37`` creates them.
"""

from __future__ import annotations

import sqlalchemy as sa
from ckan.model import meta
from sqlalchemy.dialects.postgresql import JSONB

from ..access.model import GRANT_TABLE

QUOTA_TABLE = "govshare_api_quota"
CALL_TABLE = "govshare_api_call"

# What a call asked for: a query (联机查询), a query-and-verify (查询核验) or a cut download.
METHOD_QUERY = "query"
METHOD_VERIFY = "verify"
METHOD_DOWNLOAD = "download"
METHODS = (METHOD_QUERY, METHOD_VERIFY, METHOD_DOWNLOAD)

_tz = sa.DateTime(timezone=True)

quota_table = sa.Table(
    QUOTA_TABLE,
    meta.metadata,
    sa.Column(
        "grant_id",
        sa.UnicodeText,
        sa.ForeignKey(f"{GRANT_TABLE}.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("calls", sa.Integer, nullable=False, server_default="0"),
    extend_existing=True,
)

call_table = sa.Table(
    CALL_TABLE,
    meta.metadata,
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
    # ``answered`` or ``refused``; ``reason`` says why a call was refused.
    sa.Column("outcome", sa.UnicodeText, nullable=False),
    sa.Column("reason", sa.UnicodeText),
    sa.Column("status_code", sa.Integer, nullable=False),
    sa.Column("milliseconds", sa.Integer),
    sa.Column("client_address", sa.UnicodeText),
    extend_existing=True,
)
sa.Index("govshare_api_call_time_idx", call_table.c.time)
sa.Index("govshare_api_call_grant_idx", call_table.c.grant_id, call_table.c.time)
sa.Index("govshare_api_call_org_time_idx", call_table.c.organization_id, call_table.c.time)

"""Tables of downloads: tokens (stored as hashes) and one row per download (art. 14, 24).

On CKAN's metadata, as the access tables are. Alembic revision ``0a6c4e2f9d13`` creates them.
``govshare_download`` is what the yearly report (issue 8) counts: who downloaded what, for
which department, grant and purpose, how many bytes, from where and by which route.
"""

from __future__ import annotations

import sqlalchemy as sa
from ckan.model import meta
from sqlalchemy.dialects.postgresql import JSONB

from ..access.model import GRANT_TABLE

TOKEN_TABLE = "govshare_download_token"
DOWNLOAD_TABLE = "govshare_download"

# How a download was made: a token (API or browser link), the bulk ZIP, or the one-click
# button on the entry page (a short-lived token behind the scenes).
ROUTE_TOKEN = "token"
ROUTE_BULK = "bulk"
ROUTE_OPEN = "open"
ROUTES = (ROUTE_TOKEN, ROUTE_BULK, ROUTE_OPEN)

_tz = sa.DateTime(timezone=True)

token_table = sa.Table(
    TOKEN_TABLE,
    meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    # sha256 of the secret, hex; the secret itself is shown once and never stored.
    sa.Column("token_hash", sa.UnicodeText, nullable=False, unique=True),
    sa.Column("user_id", sa.UnicodeText, nullable=False),
    sa.Column(
        "grant_id",
        sa.UnicodeText,
        sa.ForeignKey(f"{GRANT_TABLE}.id", ondelete="CASCADE"),
        nullable=False,
    ),
    # The holding department the user downloads for.
    sa.Column("organization_id", sa.UnicodeText, nullable=False),
    # The grant's purpose at issue: the token serves that purpose only (art. 14).
    sa.Column("purpose", sa.UnicodeText, nullable=False),
    # NULL: every resource the grant allows.
    sa.Column("resource_ids", JSONB),
    sa.Column("created_at", _tz, nullable=False),
    sa.Column("expires_at", _tz, nullable=False),
    # NULL: no limit of its own (the grant's max_downloads still applies).
    sa.Column("max_uses", sa.Integer),
    sa.Column("uses", sa.Integer, nullable=False, server_default="0"),
    sa.Column("revoked_at", _tz),
    sa.Column("revoked_by", sa.UnicodeText),
    sa.Column("last_used_at", _tz),
    # How it was made: ``api`` (govshare_token_create) or ``open`` (the entry page's button).
    sa.Column("kind", sa.UnicodeText, nullable=False, server_default="api"),
    extend_existing=True,
)
sa.Index("govshare_download_token_user_idx", token_table.c.user_id, token_table.c.created_at)
sa.Index("govshare_download_token_grant_idx", token_table.c.grant_id)

download_table = sa.Table(
    DOWNLOAD_TABLE,
    meta.metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column("time", _tz, nullable=False),
    sa.Column(
        "token_id",
        sa.UnicodeText,
        sa.ForeignKey(f"{TOKEN_TABLE}.id", ondelete="SET NULL"),
    ),
    sa.Column("user_id", sa.UnicodeText, nullable=False),
    sa.Column("organization_id", sa.UnicodeText, nullable=False),
    sa.Column("grant_id", sa.UnicodeText, nullable=False),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("resource_id", sa.UnicodeText, nullable=False),
    sa.Column("purpose", sa.UnicodeText, nullable=False),
    # Bytes the response carries (a range's length); NULL when not known before sending
    # (a link resource inside a bulk ZIP: its MANIFEST.json has the size).
    sa.Column("bytes", sa.BigInteger),
    sa.Column("client_address", sa.UnicodeText),
    sa.Column("route", sa.UnicodeText, nullable=False),
    extend_existing=True,
)
sa.Index("govshare_download_time_idx", download_table.c.time)
sa.Index("govshare_download_org_time_idx", download_table.c.organization_id, download_table.c.time)
sa.Index("govshare_download_grant_idx", download_table.c.grant_id)

"""The return switch of an entry (issue 17, item 4); Alembic revision ``a4f1c8e2d690``.

The return grants themselves are ordinary grants (``govshare_grant``, source ``return``)."""

from __future__ import annotations

import sqlalchemy as sa
from ckan.model import meta

RETURN_TABLE = "govshare_return"

return_table = sa.Table(
    RETURN_TABLE,
    meta.metadata,
    sa.Column("package_id", sa.UnicodeText, primary_key=True),
    sa.Column("provider_org_id", sa.UnicodeText, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("changed_by", sa.UnicodeText),
)

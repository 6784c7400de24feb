"""The index table: one row per dataset (see ``connection.py`` for how it is used)."""

from __future__ import annotations

import sqlalchemy as sa
from ckan.model import meta
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR

from .connection import TABLE

search_index_table = sa.Table(
    TABLE,
    meta.metadata,
    sa.Column("index_id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("site_id", sa.UnicodeText, nullable=False),
    sa.Column("doc", JSONB, nullable=False),
    sa.Column("terms", JSONB, nullable=False),
    sa.Column("tsv", TSVECTOR, nullable=False),
    sa.Column("title_string", sa.UnicodeText),
    sa.Column("name", sa.UnicodeText),
    sa.Column("metadata_created", sa.DateTime(timezone=True)),
    sa.Column("metadata_modified", sa.DateTime(timezone=True)),
    sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
    extend_existing=True,
)

"""The index tables: one row per dataset (``connection.py``) and the facet dictionary
(``facet_codes.py``)."""

from __future__ import annotations

import sqlalchemy as sa
from ckan.model import meta
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR

from . import facet_codes
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
    sa.Column("tsv_rank", TSVECTOR, nullable=False),
    sa.Column("facet_ids", ARRAY(sa.BigInteger), nullable=False),
    sa.Column("state", sa.UnicodeText),
    sa.Column("capacity", sa.UnicodeText),
    sa.Column("dataset_type", sa.UnicodeText),
    sa.Column("entity_type", sa.UnicodeText),
    sa.Column("permission_labels", ARRAY(sa.UnicodeText), nullable=False),
    sa.Column("title_string", sa.UnicodeText, nullable=False),
    sa.Column("name", sa.UnicodeText, nullable=False),
    sa.Column("metadata_created", sa.DateTime(timezone=True), nullable=False),
    sa.Column("metadata_modified", sa.DateTime(timezone=True), nullable=False),
    sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
    extend_existing=True,
)

facet_field_table = sa.Table(
    facet_codes.FIELD_TABLE,
    meta.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.UnicodeText, nullable=False, unique=True),
    extend_existing=True,
)

facet_value_table = sa.Table(
    facet_codes.VALUE_TABLE,
    meta.metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("field_id", sa.Integer, nullable=False),
    sa.Column("value", sa.UnicodeText, nullable=False),
    sa.UniqueConstraint("field_id", "value"),
    extend_existing=True,
)

"""Create the embedded search index and its facet dictionary.

Revision ID: a1c0e5f3b201
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR

revision = "a1c0e5f3b201"
down_revision = None
branch_labels = None
depends_on = None

TABLE = "govshare_search_index"


def upgrade():
    op.create_table(
        TABLE,
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
    )
    op.create_index("ix_govshare_search_index_package_id", TABLE, ["package_id"])
    op.create_index("ix_govshare_search_index_site_state", TABLE, ["site_id", "state", "capacity"])
    op.execute(
        f"CREATE INDEX ix_govshare_search_index_terms ON {TABLE} USING gin (terms jsonb_path_ops)"
    )
    op.execute(f"CREATE INDEX ix_govshare_search_index_tsv ON {TABLE} USING gin (tsv)")
    op.execute(f"CREATE INDEX ix_govshare_search_index_facets ON {TABLE} USING gin (facet_ids)")
    # Sort keys are never null: (column, index_id) serves both directions, ties included.
    op.create_index("ix_govshare_search_index_modified", TABLE, ["metadata_modified", "index_id"])
    op.create_index("ix_govshare_search_index_created", TABLE, ["metadata_created", "index_id"])
    op.execute(
        f"CREATE INDEX ix_govshare_search_index_title ON {TABLE} "
        '(title_string COLLATE "C", index_id)'
    )
    op.execute(
        f'CREATE INDEX ix_govshare_search_index_name ON {TABLE} (name COLLATE "C", index_id)'
    )
    # Keep the heap narrow: large columns go out of line, so the scans that count and facet
    # read small rows; the arrays those scans read stay in the row.
    op.execute(f"ALTER TABLE {TABLE} SET (toast_tuple_target = 256)")
    op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN facet_ids SET STORAGE MAIN")
    op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN tsv_rank SET STORAGE MAIN")
    op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN permission_labels SET STORAGE MAIN")

    op.create_table(
        "govshare_search_facet_field",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.UnicodeText, nullable=False, unique=True),
    )
    op.create_table(
        "govshare_search_facet_value",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("field_id", sa.Integer, nullable=False),
        sa.Column("value", sa.UnicodeText, nullable=False),
        sa.UniqueConstraint("field_id", "value"),
    )


def downgrade():
    op.drop_table("govshare_search_facet_value")
    op.drop_table("govshare_search_facet_field")
    op.drop_table(TABLE)

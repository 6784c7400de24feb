"""Create the embedded search index table.

Revision ID: a1c0e5f3b201
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR

revision = "a1c0e5f3b201"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "govshare_search_index",
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
    )
    op.create_index("ix_govshare_search_index_package_id", "govshare_search_index", ["package_id"])
    op.execute(
        "CREATE INDEX ix_govshare_search_index_terms ON govshare_search_index "
        "USING gin (terms jsonb_path_ops)"
    )
    op.execute("CREATE INDEX ix_govshare_search_index_tsv ON govshare_search_index USING gin (tsv)")
    op.create_index(
        "ix_govshare_search_index_modified", "govshare_search_index", ["metadata_modified"]
    )
    op.create_index(
        "ix_govshare_search_index_created", "govshare_search_index", ["metadata_created"]
    )
    op.execute(
        "CREATE INDEX ix_govshare_search_index_title ON govshare_search_index "
        '(title_string COLLATE "C")'
    )
    op.execute(
        'CREATE INDEX ix_govshare_search_index_name ON govshare_search_index (name COLLATE "C")'
    )


def downgrade():
    op.drop_table("govshare_search_index")

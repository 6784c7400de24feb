"""Every sort index carries the columns CKAN filters every search by.

Revision ID: 7e3c9b1d2f48
Revises: 4d2a6b8f0c53
Create Date: 2026-12-06

A page deep in a sorted catalogue (ckanext-dcat's ``/catalog.ttl?page=990`` asks for
``metadata_modified desc``, ``start=98900``) skips the rows before it. With the visibility
columns in the sort index, those rows are skipped by an index-only scan (``search/
connection.py``: the page's ids first, then its documents); the modified index has had them
since ``4d2a6b8f0c53``, and now the created, name and title indexes (the other sorts of the
catalogue page) have them too.
"""

from alembic import op

revision = "7e3c9b1d2f48"
down_revision = "4d2a6b8f0c53"
branch_labels = None
depends_on = None

INDEX = "govshare_search_index"
VISIBILITY = "site_id, state, capacity, dataset_type, permission_labels"
#: Index name -> its key columns (as ``a1c0e5f3b201`` made them).
SORT_INDEXES = {
    "ix_govshare_search_index_created": "metadata_created, index_id",
    "ix_govshare_search_index_name": 'name COLLATE "C", index_id',
    "ix_govshare_search_index_title": 'title_string COLLATE "C", index_id',
}


def upgrade():
    for name, key in SORT_INDEXES.items():
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute(f"CREATE INDEX {name} ON {INDEX} ({key}) INCLUDE ({VISIBILITY})")


def downgrade():
    for name, key in SORT_INDEXES.items():
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute(f"CREATE INDEX {name} ON {INDEX} ({key})")

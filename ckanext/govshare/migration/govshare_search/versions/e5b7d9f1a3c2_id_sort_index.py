"""A sort index on the entry's id, carrying the visibility columns as the other sort indexes do.

Revision ID: e5b7d9f1a3c2
Revises: c8f2a4d6e1b9
Create Date: 2026-12-06

An upper platform's CKAN harvester lists every id a lower platform shows, to mirror deletions
(art. 8, 11; ``harvest/plugin.py``): ``package_search`` with ``fl=id``, ``sort=id asc`` and
``start`` stepping 1,000 at a time. Sorted on the document's ``id``, each page read and sorted
every row: 0.5–0.9 s a page at 100,000 entries, 70 s for the whole list. ``id`` now sorts on
the ``package_id`` column (the document's ``id``, ``search/document.py``), in the same "C"
order, through this index, so a page skips the rows before it by an index-only scan.
"""

from alembic import op

revision = "e5b7d9f1a3c2"
down_revision = "c8f2a4d6e1b9"
branch_labels = None
depends_on = None

INDEX = "govshare_search_index"
NAME = "ix_govshare_search_index_id_sort"
VISIBILITY = "site_id, state, capacity, dataset_type, permission_labels"


def upgrade():
    op.execute(
        f'CREATE INDEX IF NOT EXISTS {NAME} ON {INDEX} (package_id COLLATE "C", index_id) '
        f"INCLUDE ({VISIBILITY})"
    )


def downgrade():
    op.execute(f"DROP INDEX IF EXISTS {NAME}")

"""Each entry's DCAT RDF, kept per link-visibility class (issue 20 item 3, dcat/cache.py).

A row is one entry's triples as one class of readers sees its links (``variant``: every link,
none, or the platform's download URLs of the resources a grant covers). ``digest`` is the hash
of what the profile was given (the entry as that reader gets it from the search) and of the
profile's output shape (``dcat.cache.fingerprint``): a row whose digest differs from the one
the reader's entry hashes to now is never served, and is rebuilt in place. Rows are deleted
with their entry, in the transaction that changes it.

Revision ID: 3c1f5a7e9b42
Revises: 8f1d3c5a7b29
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "3c1f5a7e9b42"
down_revision = "8f1d3c5a7b29"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "govshare_dcat_rdf",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("variant", sa.UnicodeText, primary_key=True),
        sa.Column("digest", sa.UnicodeText, nullable=False),
        sa.Column("triples", sa.UnicodeText, nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("govshare_dcat_rdf")

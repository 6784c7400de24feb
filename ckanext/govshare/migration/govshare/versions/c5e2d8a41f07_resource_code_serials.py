"""Serial numbers of resource codes, one counter per provider.

Revision ID: c5e2d8a41f07
Revises: 7c3a9e51d2b4
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "c5e2d8a41f07"
down_revision = "7c3a9e51d2b4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "govshare_resource_code_serial",
        sa.Column("provider_code", sa.UnicodeText, primary_key=True),
        sa.Column("last_serial", sa.Integer, nullable=False),
    )


def downgrade():
    op.drop_table("govshare_resource_code_serial")

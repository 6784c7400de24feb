"""The download list (下载清单, issue 19 item 8): resources a user picked for one ZIP.

Revision ID: 8f1d3c5a7b29
Revises: 5e9b1c7d3f20
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "8f1d3c5a7b29"
down_revision = "5e9b1c7d3f20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "govshare_cart_item",
        sa.Column("user_id", sa.UnicodeText, primary_key=True),
        sa.Column("resource_id", sa.UnicodeText, primary_key=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )


def downgrade():
    op.drop_table("govshare_cart_item")

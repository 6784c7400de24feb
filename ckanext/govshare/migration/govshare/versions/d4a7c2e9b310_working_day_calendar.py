"""Working-day calendar: sysadmin-maintained holidays and adjusted working weekends.

The State Council publishes each year's schedule around November; until a maintained
library covers that year, sysadmins load it into this table (issue 5, part 2).

Revision ID: d4a7c2e9b310
Revises: c5e2d8a41f07
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "d4a7c2e9b310"
down_revision = "c5e2d8a41f07"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "govshare_calendar_day",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("is_workday", sa.Boolean, nullable=False),
        sa.Column("name", sa.UnicodeText),
        sa.Column("note", sa.UnicodeText),
        sa.Column("updated_by", sa.UnicodeText),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
    )


def downgrade():
    op.drop_table("govshare_calendar_day")

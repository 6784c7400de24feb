"""Baseline of the govshare chain: the root that the govshare tables' revisions build on.

Revision ID: 0b5e7c1d2a90
Revises:
Create Date: 2026-11-25
"""

revision = "0b5e7c1d2a90"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    """Nothing to create: the chain's version table records that govshare is installed."""


def downgrade():
    """Nothing to drop."""

"""The audit trail: an append-only, hash-chained table of events (issue 4).

UPDATE and DELETE are refused by a row trigger, TRUNCATE by a statement trigger, unless the
transaction has set ``govshare.audit_maintenance`` to ``on`` (``SET LOCAL``), which only
``ckan govshare audit archive`` does. See docs/audit.md.

Revision ID: 7c3a9e51d2b4
Revises: 0b5e7c1d2a90
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSON

revision = "7c3a9e51d2b4"
down_revision = "0b5e7c1d2a90"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade():
    op.create_table(
        "govshare_audit_event",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.UnicodeText),
        sa.Column("actor_name", sa.UnicodeText),
        sa.Column("actor_department", sa.UnicodeText),
        sa.Column("action", sa.UnicodeText, nullable=False),
        sa.Column("object_type", sa.UnicodeText),
        sa.Column("object_id", sa.UnicodeText),
        sa.Column("object_department", sa.UnicodeText),
        sa.Column("outcome", sa.UnicodeText, nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("client_address", sa.UnicodeText),
        sa.Column("request_id", sa.UnicodeText),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.CheckConstraint("outcome in ('success', 'refused')", name="govshare_audit_outcome"),
    )
    for column in ("time", "actor_id", "object_id", "object_department", "actor_department"):
        op.create_index(f"govshare_audit_event_{column}", "govshare_audit_event", [column])
    op.create_table(
        "govshare_audit_archive",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("path", sa.UnicodeText, nullable=False),
        sa.Column("before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_seq", sa.BigInteger, nullable=False),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
        sa.Column("start_hash", sa.String(64), nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    # The chain's head, one row: appenders serialise on its row lock and read the previous hash
    # from it in the same statement (see audit/store.py). A wrong head cannot hide anything: the
    # next event would not link and verification names it.
    op.create_table(
        "govshare_audit_head",
        sa.Column("id", sa.SmallInteger, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.CheckConstraint("id = 1", name="govshare_audit_head_one_row"),
    )
    op.execute(
        "INSERT INTO govshare_audit_head (id, seq, prev_hash, hash) "
        f"VALUES (1, 0, '{GENESIS}', '{GENESIS}')"
    )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION govshare_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF coalesce(current_setting('govshare.audit_maintenance', true), '') = 'on' THEN
                IF TG_LEVEL = 'ROW' AND TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                IF TG_LEVEL = 'ROW' THEN RETURN NEW; END IF;
                RETURN NULL;
            END IF;
            RAISE EXCEPTION 'govshare_audit_event is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$;
        CREATE TRIGGER govshare_audit_append_only
            BEFORE UPDATE OR DELETE ON govshare_audit_event
            FOR EACH ROW EXECUTE FUNCTION govshare_audit_guard();
        CREATE TRIGGER govshare_audit_no_truncate
            BEFORE TRUNCATE ON govshare_audit_event
            FOR EACH STATEMENT EXECUTE FUNCTION govshare_audit_guard();
        """
    )


def downgrade():
    op.drop_table("govshare_audit_head")
    op.drop_table("govshare_audit_archive")
    op.drop_table("govshare_audit_event")
    op.execute("DROP FUNCTION IF EXISTS govshare_audit_guard()")

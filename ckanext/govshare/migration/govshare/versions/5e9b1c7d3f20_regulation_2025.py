"""The 2025 Regulations' procedures (issue 18): sign-off, extensions, the return list, the
dispute referral and use changes on requests; delivery, suspension, termination and disposal
on grants; usage records and service filings (art. 27, 29); the catalogue review (art. 16,
17) and extensions of catalogue updates.

Revision ID: 5e9b1c7d3f20
Revises: a4f1c8e2d690
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "5e9b1c7d3f20"
down_revision = "a4f1c8e2d690"
branch_labels = None
depends_on = None

_tz = sa.DateTime(timezone=True)
_REQUEST = "govshare_access_request"
_GRANT = "govshare_grant"
_OBLIGATION = "govshare_obligation"


def upgrade():
    # --- requests ------------------------------------------------------------------------
    for column in (
        # A use-change request (kind ``use_change``, art. 25): the grant whose use changes,
        # and what changes ({"kinds": [...], "third_party": ...}).
        sa.Column("grant_id", sa.UnicodeText),
        sa.Column("use_change", JSONB),
        # The departments are of different levels or regions (art. 28).
        sa.Column("cross_level", sa.Boolean, nullable=False, server_default=sa.false()),
        # Art. 20: the requesting department's head signed it off.
        sa.Column("signed_off_by", sa.UnicodeText),
        sa.Column("signed_off_at", _tz),
        # Art. 20: an answer the provider's staff drafted, waiting for the head.
        sa.Column("answer_draft", JSONB),
        sa.Column("answer_signed_off_by", sa.UnicodeText),
        sa.Column("answer_signed_off_at", _tz),
        # Art. 21: working days the authority extended the answer by, in total.
        sa.Column("extended_days", sa.Integer, nullable=False, server_default="0"),
        # Art. 21: every missing material of the latest return, and how often it was returned.
        sa.Column("missing_items", JSONB),
        sa.Column("return_count", sa.Integer, nullable=False, server_default="0"),
        # Art. 28: the referral to the upper platform's authority ({"platform", "reference",
        # "referred_at", "referred_by", "note"}).
        sa.Column("referral", JSONB),
    ):
        op.add_column(_REQUEST, column)
    op.create_index("govshare_access_request_grant_idx", _REQUEST, ["grant_id"])

    op.create_table(
        "govshare_request_extension",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column(
            "request_id",
            sa.UnicodeText,
            sa.ForeignKey(f"{_REQUEST}.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("days", sa.Integer, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=False),
        # ``pending``, ``approved`` or ``rejected``.
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("requested_by", sa.UnicodeText, nullable=False),
        sa.Column("requested_at", _tz, nullable=False),
        sa.Column("decided_by", sa.UnicodeText),
        sa.Column("decided_at", _tz),
        sa.Column("decision_reason", sa.UnicodeText),
        sa.Column("due_before", sa.Date),
        sa.Column("due_after", sa.Date),
    )

    # --- grants ---------------------------------------------------------------------------
    for column in (
        # Art. 22: the data is made available within 20 working days of the approval.
        sa.Column("delivery_due", sa.Date),
        sa.Column("delivered_at", _tz),
        sa.Column("delivered_by", sa.UnicodeText),
        sa.Column("delivery_method", sa.UnicodeText),
        # Art. 27: suspended (every method refuses with the reason), resumed or terminated.
        sa.Column("suspended_at", _tz),
        sa.Column("suspended_by", sa.UnicodeText),
        sa.Column("suspend_reason", sa.UnicodeText),
        sa.Column("rectify_by", sa.Date),
        sa.Column("resumed_at", _tz),
        sa.Column("terminated_at", _tz),
        sa.Column("terminated_by", sa.UnicodeText),
        sa.Column("terminate_reason", sa.UnicodeText),
        # Art. 25: a third party the provider consented to (a use-change grant).
        sa.Column("third_party", sa.UnicodeText),
        # Art. 27: disposal after the grant ends, due by ``disposal_due``.
        sa.Column("disposal_due", sa.Date),
        sa.Column("disposed_at", _tz),
        sa.Column("disposed_by", sa.UnicodeText),
        sa.Column("disposal_note", sa.UnicodeText),
    ):
        op.add_column(_GRANT, column)

    op.create_table(
        "govshare_usage_record",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("grant_id", sa.UnicodeText, sa.ForeignKey(f"{_GRANT}.id"), nullable=False),
        # The holding department that keeps the record.
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        # ``scenario``, ``process``, ``results``, ``storage`` or ``destruction`` (art. 29).
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False),
        sa.Column("recorded_by", sa.UnicodeText, nullable=False),
        sa.Column("recorded_at", _tz, nullable=False),
        # Kept at least until this local date (art. 29: 3 years); archived after, never deleted.
        sa.Column("retain_until", sa.Date, nullable=False),
        sa.Column("archived_at", _tz),
    )
    op.create_index(
        "govshare_usage_record_grant_idx", "govshare_usage_record", ["grant_id", "recorded_at"]
    )

    op.create_table(
        "govshare_service_filing",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("provider_org_id", sa.UnicodeText, nullable=False, index=True),
        # The grants the change touches (their holders were consulted).
        sa.Column("grant_ids", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        # ``end`` or ``change`` (art. 27).
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False),
        # How the holders were consulted, and what they said.
        sa.Column("consultation", sa.UnicodeText, nullable=False),
        sa.Column("effective_date", sa.Date, nullable=False),
        sa.Column("filed_by", sa.UnicodeText, nullable=False),
        sa.Column("filed_at", _tz, nullable=False),
    )

    # --- the catalogue review (art. 16, 17) ----------------------------------------------
    op.create_table(
        "govshare_catalogue_review",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        # ``new`` (never announced) or ``change`` (an announced entry changed).
        sa.Column("kind", sa.UnicodeText, nullable=False),
        # ``pending``, ``approved``, ``returned`` or ``superseded`` (a newer change came).
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("submitted_by", sa.UnicodeText),
        sa.Column("submitted_at", _tz, nullable=False),
        sa.Column("due_date", sa.Date),
        sa.Column("decided_by", sa.UnicodeText),
        sa.Column("decided_at", _tz),
        sa.Column("reasons", JSONB),
        # The catalogue fields the change touched.
        sa.Column("changed_fields", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("announced_at", _tz),
    )
    op.create_index(
        "govshare_catalogue_review_package_idx",
        "govshare_catalogue_review",
        ["package_id", "submitted_at"],
    )
    op.create_index(
        "govshare_catalogue_review_status_idx", "govshare_catalogue_review", ["status", "due_date"]
    )

    # --- catalogue-update extensions (art. 17: +5 with the authority's consent) -----------
    for column in (
        sa.Column("original_due_date", sa.Date),
        sa.Column("extension_days", sa.Integer),
        sa.Column("extension_reason", sa.UnicodeText),
        # ``pending``, ``approved`` or ``rejected``.
        sa.Column("extension_status", sa.UnicodeText),
        sa.Column("extension_requested_by", sa.UnicodeText),
        sa.Column("extension_requested_at", _tz),
        sa.Column("extension_decided_by", sa.UnicodeText),
        sa.Column("extension_decided_at", _tz),
        sa.Column("extension_decision_reason", sa.UnicodeText),
    ):
        op.add_column(_OBLIGATION, column)


def downgrade():
    for column in (
        "original_due_date",
        "extension_days",
        "extension_reason",
        "extension_status",
        "extension_requested_by",
        "extension_requested_at",
        "extension_decided_by",
        "extension_decided_at",
        "extension_decision_reason",
    ):
        op.drop_column(_OBLIGATION, column)
    op.drop_table("govshare_catalogue_review")
    op.drop_table("govshare_service_filing")
    op.drop_table("govshare_usage_record")
    for column in (
        "delivery_due",
        "delivered_at",
        "delivered_by",
        "delivery_method",
        "suspended_at",
        "suspended_by",
        "suspend_reason",
        "rectify_by",
        "resumed_at",
        "terminated_at",
        "terminated_by",
        "terminate_reason",
        "third_party",
        "disposal_due",
        "disposed_at",
        "disposed_by",
        "disposal_note",
    ):
        op.drop_column(_GRANT, column)
    op.drop_table("govshare_request_extension")
    op.drop_index("govshare_access_request_grant_idx", _REQUEST)
    for column in (
        "grant_id",
        "use_change",
        "cross_level",
        "signed_off_by",
        "signed_off_at",
        "answer_draft",
        "answer_signed_off_by",
        "answer_signed_off_at",
        "extended_days",
        "missing_items",
        "return_count",
        "referral",
    ):
        op.drop_column(_REQUEST, column)

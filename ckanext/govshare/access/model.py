"""Tables of access to shared data: requests (and negotiations), their history, and grants.

On CKAN's metadata, as the catalogue's tables are. Alembic revision ``e81f3b6a0c52`` creates
them. Rows are read and written through ``model.Session`` so that every change shares the
action's transaction with its audit event.
"""

from __future__ import annotations

import sqlalchemy as sa
from ckan.model import meta
from sqlalchemy.dialects.postgresql import JSONB

REQUEST_TABLE = "govshare_access_request"
EVENT_TABLE = "govshare_access_request_event"
GRANT_TABLE = "govshare_grant"

_tz = sa.DateTime(timezone=True)

request_table = sa.Table(
    REQUEST_TABLE,
    meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    # ``request`` (a conditional entry, art. 12(2)) or ``negotiation`` (not shared, 12(3)).
    sa.Column("kind", sa.UnicodeText, nullable=False),
    sa.Column("status", sa.UnicodeText, nullable=False),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("provider_org_id", sa.UnicodeText, nullable=False),
    sa.Column("requesting_org_id", sa.UnicodeText, nullable=False),
    sa.Column("requester_id", sa.UnicodeText, nullable=False),
    sa.Column("contact", sa.UnicodeText),
    sa.Column("purpose", sa.UnicodeText, nullable=False),
    sa.Column("purpose_detail", sa.UnicodeText, nullable=False),
    sa.Column("scenario", sa.UnicodeText),
    sa.Column("basis", sa.UnicodeText),
    sa.Column("attachment", JSONB),
    sa.Column("resource_ids", JSONB, nullable=False),
    sa.Column("data_items", JSONB, nullable=False),
    sa.Column("share_method", sa.UnicodeText),
    sa.Column("period_start", sa.Date),
    sa.Column("period_end", sa.Date),
    sa.Column("expected_calls_per_day", sa.Integer),
    sa.Column("pledge", sa.Boolean, nullable=False),
    # Either department is central: a dispute may go on to the joint conference.
    sa.Column("central_involved", sa.Boolean, nullable=False, server_default=sa.false()),
    # The highest body the dispute reached: NULL, ``authority`` or ``joint_conference``
    # (the joint conference sees a request once it reached it).
    sa.Column("escalation_level", sa.UnicodeText),
    sa.Column("submitted_at", _tz, nullable=False),
    sa.Column("last_submitted_at", _tz, nullable=False),
    # The provider's due date (local date); NULL while the clock stands.
    sa.Column("due_date", sa.Date),
    # Working days that were left when the request was returned (the clock stops).
    sa.Column("remaining_workdays", sa.Integer),
    sa.Column("decided_at", _tz),
    sa.Column("decided_by", sa.UnicodeText),
    sa.Column("decision_reason", sa.UnicodeText),
    sa.Column("overdue_since", sa.Date),
    sa.Column("updated_at", _tz, nullable=False),
    # --- issue 18, revision 5e9b1c7d3f20 (the 2025 Regulations) ---
    # A use-change request (kind ``use_change``, art. 25): the grant whose use changes and what
    # changes ({"kinds": [...], "third_party": ...}).
    sa.Column("grant_id", sa.UnicodeText),
    sa.Column("use_change", JSONB),
    # The departments are of different levels or regions (art. 28: the common upper authority).
    sa.Column("cross_level", sa.Boolean, nullable=False, server_default=sa.false()),
    # Art. 20: the requesting department's head signed it off.
    sa.Column("signed_off_by", sa.UnicodeText),
    sa.Column("signed_off_at", _tz),
    # Art. 20: an answer drafted by the provider's staff, waiting for the head
    # ({"decision", "reason", "missing_items", scope…, "drafted_by", "drafted_at"}).
    sa.Column("answer_draft", JSONB),
    sa.Column("answer_signed_off_by", sa.UnicodeText),
    sa.Column("answer_signed_off_at", _tz),
    # Art. 21: working days the authority extended the answer by, in total.
    sa.Column("extended_days", sa.Integer, nullable=False, server_default="0"),
    # Art. 21: every missing material of the latest return; how often it was returned.
    sa.Column("missing_items", JSONB),
    sa.Column("return_count", sa.Integer, nullable=False, server_default="0"),
    # Art. 28: the referral to the upper platform's authority.
    sa.Column("referral", JSONB),
    extend_existing=True,
)
sa.Index("govshare_access_request_provider_idx", request_table.c.provider_org_id)
sa.Index("govshare_access_request_requesting_idx", request_table.c.requesting_org_id)
sa.Index("govshare_access_request_package_idx", request_table.c.package_id)
sa.Index("govshare_access_request_status_due_idx", request_table.c.status, request_table.c.due_date)
sa.Index("govshare_access_request_grant_idx", request_table.c.grant_id)

event_table = sa.Table(
    EVENT_TABLE,
    meta.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "request_id",
        sa.UnicodeText,
        sa.ForeignKey(f"{REQUEST_TABLE}.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("time", _tz, nullable=False),
    sa.Column("actor_id", sa.UnicodeText),
    sa.Column("actor_org_id", sa.UnicodeText),
    sa.Column("role", sa.UnicodeText, nullable=False),
    sa.Column("action", sa.UnicodeText, nullable=False),
    sa.Column("from_state", sa.UnicodeText),
    sa.Column("to_state", sa.UnicodeText, nullable=False),
    sa.Column("message", sa.UnicodeText),
    sa.Column("detail", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    extend_existing=True,
)
sa.Index("govshare_access_request_event_request_idx", event_table.c.request_id, event_table.c.id)

grant_table = sa.Table(
    GRANT_TABLE,
    meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("provider_org_id", sa.UnicodeText, nullable=False),
    # The holder: the department the grant is for (art. 14: for its stated purpose only).
    sa.Column("organization_id", sa.UnicodeText, nullable=False),
    sa.Column("request_id", sa.UnicodeText, sa.ForeignKey(f"{REQUEST_TABLE}.id")),
    # ``self_service`` (unconditional), ``approval`` (conditional), ``escalation``/``negotiation``.
    sa.Column("source", sa.UnicodeText, nullable=False),
    sa.Column("purpose", sa.UnicodeText, nullable=False),
    sa.Column("purpose_detail", sa.UnicodeText, nullable=False),
    # NULL: every resource / data item of the entry.
    sa.Column("resource_ids", JSONB),
    sa.Column("data_items", JSONB),
    sa.Column("share_method", sa.UnicodeText),
    sa.Column("conditions", sa.UnicodeText),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("max_downloads", sa.Integer),
    sa.Column("downloads_used", sa.Integer, nullable=False, server_default="0"),
    # Only rows whose ``column`` holds one of ``values`` ({"column", "values"}); NULL: every
    # row (issue 16; revision 9d2e4f6a1b37).
    sa.Column("row_filter", JSONB),
    # Service-interface calls a day (art. 22, a declared load as PDND asks); NULL: no limit.
    sa.Column("max_calls_per_day", sa.Integer),
    # ``active``, ``expired`` (its period ended) or ``revoked``.
    sa.Column("status", sa.UnicodeText, nullable=False),
    sa.Column("created_at", _tz, nullable=False),
    sa.Column("created_by", sa.UnicodeText),
    sa.Column("revoked_at", _tz),
    sa.Column("revoked_by", sa.UnicodeText),
    sa.Column("revoke_reason", sa.UnicodeText),
    sa.Column("expired_at", _tz),
    # --- issue 18, revision 5e9b1c7d3f20 (the 2025 Regulations) ---
    # Art. 22: made available within the profile's working days of the approval.
    sa.Column("delivery_due", sa.Date),
    sa.Column("delivered_at", _tz),
    sa.Column("delivered_by", sa.UnicodeText),
    sa.Column("delivery_method", sa.UnicodeText),
    # Art. 27: ``suspended`` (every method refuses with the reason), resumed or ``terminated``.
    sa.Column("suspended_at", _tz),
    sa.Column("suspended_by", sa.UnicodeText),
    sa.Column("suspend_reason", sa.UnicodeText),
    sa.Column("rectify_by", sa.Date),
    sa.Column("resumed_at", _tz),
    sa.Column("terminated_at", _tz),
    sa.Column("terminated_by", sa.UnicodeText),
    sa.Column("terminate_reason", sa.UnicodeText),
    # Art. 25: a third party the provider consented to.
    sa.Column("third_party", sa.UnicodeText),
    # Art. 27: the holder disposes of the data after the grant ends, by ``disposal_due``.
    sa.Column("disposal_due", sa.Date),
    sa.Column("disposed_at", _tz),
    sa.Column("disposed_by", sa.UnicodeText),
    sa.Column("disposal_note", sa.UnicodeText),
    extend_existing=True,
)
sa.Index("govshare_grant_holder_idx", grant_table.c.organization_id, grant_table.c.status)
sa.Index("govshare_grant_package_idx", grant_table.c.package_id)
sa.Index("govshare_grant_provider_idx", grant_table.c.provider_org_id)

EXTENSION_TABLE = "govshare_request_extension"

# Art. 21: the provider asks the authority for more time to answer; the authority decides.
extension_table = sa.Table(
    EXTENSION_TABLE,
    meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column(
        "request_id",
        sa.UnicodeText,
        sa.ForeignKey(f"{REQUEST_TABLE}.id", ondelete="CASCADE"),
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
    extend_existing=True,
)

"""Code lists of the request form (共享申请, workflows.md) and of grants."""

from __future__ import annotations

from ..catalogue.codes import Choice

PURPOSES = (
    Choice("administrative_basis", "Basis for an administrative act", "行政依据"),
    Choice("work_reference", "Work reference", "工作参考"),
    Choice("data_verification", "Data verification", "数据校核"),
    Choice("business_collaboration", "Business collaboration", "业务协同"),
    Choice("other", "Other", "其他"),
)
PURPOSE_VALUES = frozenset(c.value for c in PURPOSES)

# Who created a grant: the department itself (unconditional), the provider (approval, or
# agreement in negotiation), the body a dispute was escalated to, or data return (回流, 2025
# Regulations art. 24: a standing grant of an upper-level entry to a lower-level department,
# limited to the rows of its region, without extra conditions).
GRANT_SOURCES = ("self_service", "approval", "negotiation", "escalation", "return")
SOURCE_RETURN = "return"

GRANT_ACTIVE = "active"
GRANT_EXPIRED = "expired"
GRANT_REVOKED = "revoked"
GRANT_STATUSES = (
    Choice(GRANT_ACTIVE, "Active", "有效"),
    Choice(GRANT_EXPIRED, "Expired", "已到期"),
    Choice(GRANT_REVOKED, "Revoked", "已撤销"),
)

KIND_REQUEST = "request"  # conditional entry (art. 12(2))
KIND_NEGOTIATION = "negotiation"  # not-shared entry (art. 12(3))

DECISIONS = ("approve", "reject", "return")
ESCALATION_DECISIONS = ("grant", "deny")

"""The rules of the sharing authority's catalogue review (2025 Regulations art. 16, 17), plain
Python.

A new entry, and a change of an announced entry's catalogue content, wait for the authority's
review (``catalogue_review`` working days). Approved, the entry is announced to every
department; returned, the provider is told the reasons. An entry never approved is seen only
by its own department, the authority and sysadmins; an announced entry whose change waits
stays visible as it is. The review status of an entry is computed from its review rows when
read, never stored on the entry.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from ..core.messages import message

PENDING = "pending"
APPROVED = "approved"
RETURNED = "returned"
SUPERSEDED = "superseded"
NONE = "none"
STATUSES = (PENDING, APPROVED, RETURNED, SUPERSEDED)
#: What an entry's ``review_status`` may be (``none``: it never needed a review).
ENTRY_STATUSES = (PENDING, APPROVED, RETURNED, NONE)

NEW = "new"
CHANGE = "change"
KINDS = (NEW, CHANGE)

APPROVE = "approve"
RETURN = "return"
DECISIONS = (APPROVE, RETURN)

MAX_REASONS = 20
MAX_REASON_LENGTH = 1000

#: The catalogue content of an entry (art. 13): a change of one of these is reviewed; a new
#: resource, a data update or a technical field (exchange keys, capacity) is not.
CATALOGUE_FIELDS = (
    "title",
    "notes",
    "owner_org",
    "resource_category",
    "basic_category",
    "theme",
    "format_type",
    "share_type",
    "share_conditions",
    "use_scope",
    "legal_basis",
    "legal_basis_type",
    "share_methods",
    "usage_requirements",
    "open_to_public",
    "open_conditions",
    "update_cycle",
    "data_items",
    "coverage_region",
    "data_grade",
    "personal_information",
    "confidentiality_assessment",
    "pi_impact_assessment",
    "head_approved_by",
    "head_approved_on",
)

STATUS_LABELS = {
    PENDING: ("Waiting for review", "待审核"),
    APPROVED: ("Approved and announced", "已审核发布"),
    RETURNED: ("Returned", "已退回"),
    SUPERSEDED: ("Superseded by a later change", "已被后续变更取代"),
    NONE: ("No review needed", "无需审核"),
}
KIND_LABELS = {NEW: ("New entry", "新编目录"), CHANGE: ("Change", "目录变更")}

NO_PENDING_REVIEW = message(
    "This entry has no review waiting: only a pending review can be decided",
    "该目录没有待审核的记录，只能审核待审核的目录",
)
REASONS_REQUIRED = message(
    "Returning an entry needs its reasons: list every point the provider must correct",
    "退回目录须写明理由，请逐条列明提供部门须修改的内容",
)
TOO_MANY_REASONS = message(f"At most {MAX_REASONS} reasons", f"理由不得超过{MAX_REASONS}条")
REASON_TOO_LONG = message(
    f"Each reason at most {MAX_REASON_LENGTH} characters",
    f"每条理由不得超过{MAX_REASON_LENGTH}个字符",
)
BLANK_REASON = message("A reason may not be blank", "理由不得为空")


class Viewer(Protocol):
    sysadmin: bool
    authority: bool
    orgs: set[str]
    officer_of: set[str]


def _canonical(value: Any) -> Any:
    """A stored value as compared: JSON text parsed, blanks as ``None``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value] or None
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    return value


def snapshot(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The catalogue content of an entry as stored (core columns and extras), comparable."""
    return {field: _canonical(entry.get(field)) for field in CATALOGUE_FIELDS}


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The catalogue fields whose value differs between two snapshots, in schema order."""
    return [f for f in CATALOGUE_FIELDS if before.get(f) != after.get(f)]


def current(rows: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The review that says where an entry stands: the newest one not superseded (``rows``
    in any order)."""
    live = [r for r in rows if r["status"] != SUPERSEDED]
    return max(live, key=lambda r: (r["submitted_at"], r["id"])) if live else None


def announced(rows: Iterable[Mapping[str, Any]]) -> bool:
    """Whether the entry was ever approved (announced to every department)."""
    return any(r["status"] == APPROVED for r in rows)


def public(rows: Sequence[Mapping[str, Any]]) -> bool:
    """Whether every department may see the entry: it was approved once, or it was public
    before its first review (made before the rule: no review, or its first was a change)."""
    return not rows or announced(rows) or any(r["kind"] == CHANGE for r in rows)


def withheld(rows: Sequence[Mapping[str, Any]]) -> bool:
    """An entry seen only by its department, the authority and sysadmins: it was never
    approved and never public. An entry with no review (made before the rule) is as it was."""
    return not public(rows)


def entry_status(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """``review_status`` (pending | approved | returned | none), ``review_due`` (the pending
    review's due date), ``review_kind`` and whether the entry is ``announced``."""
    row = current(rows)
    return {
        "review_status": row["status"] if row else NONE,
        "review_due": row["due_date"] if row and row["status"] == PENDING else None,
        "review_kind": row["kind"] if row else None,
        "review_id": row["id"] if row else None,
        "announced": announced(rows),
        "change_pending": bool(row and row["status"] == PENDING and public(rows)),
    }


def kind_for(rows: Sequence[Mapping[str, Any]]) -> str:
    """A submission is a ``change`` once the entry was announced (or predates the rule and
    has no review at all: it is already public), else ``new``."""
    return CHANGE if public(rows) else NEW


def may_review(person: Viewer) -> bool:
    """The sharing authority (its members) or a sysadmin decides (art. 16)."""
    return bool(person.sysadmin or person.authority)


def may_see_reviews_of(person: Viewer, organization_id: str | None) -> bool:
    """The department's members see its entries' reviews; the authority and sysadmins all."""
    return bool(person.sysadmin or person.authority or organization_id in person.orgs)


def check_decision(
    review: Mapping[str, Any] | None, decision: str, reasons: Sequence[str]
) -> dict[str, list[str]]:
    """A pending review; a return lists 1..20 non-blank reasons (an approval may give some)."""
    errors: dict[str, list[str]] = {}
    if review is None or review.get("status") != PENDING:
        errors["id"] = [NO_PENDING_REVIEW]
    problems: list[str] = []
    if decision == RETURN and not reasons:
        problems.append(REASONS_REQUIRED)
    if len(reasons) > MAX_REASONS:
        problems.append(TOO_MANY_REASONS)
    if any(not str(r).strip() for r in reasons):
        problems.append(BLANK_REASON)
    if any(len(str(r)) > MAX_REASON_LENGTH for r in reasons):
        problems.append(REASON_TOO_LONG)
    if problems:
        errors["reasons"] = problems
    return errors


def is_overdue(review: Mapping[str, Any], today: dt.date) -> bool:
    """Pending past its due date."""
    due = review.get("due_date")
    return review.get("status") == PENDING and due is not None and due < today

"""The steps on a request: the provider's decision (art. 12(2)), the requester's resubmission,
withdrawal and thread messages, and the platform's expiry.

Each step asks the state machine (``workflow.transition``) through ``transitions.step`` and
is carried out with its history row, audit event and notices in the caller's transaction;
an approval creates the grant (``grants.grant_from_request``) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ckan.plugins.toolkit as tk

from ..core.membership import Person
from ..core.messages import field_errors, message
from . import attachments, deadlines, grants, rules, workflow
from .requests import load_request
from .transitions import apply, step
from .workflow import Action, Role

__all__ = [
    "NEEDS_REASON",
    "comment",
    "decide",
    "expire_request",
    "resubmit",
    "withdraw",
]

NEEDS_REASON = message(
    "Give the reason: a refusal or a return must say why (and, for a return, everything that "
    "is missing at once)",
    "请说明理由：拒绝或退回须说明原因（退回时一次性列明需补充的全部材料）",
)
_DECISIONS = {"approve": Action.APPROVE, "reject": Action.REJECT, "return": Action.RETURN}


def decide(
    request: Mapping[str, Any], person: Person, data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A data officer of the provider approves (narrowing, never widening), rejects or returns
    a request (art. 12(2)); while negotiating, approving means agreeing to share (→ granted).
    An approval of an interface share method sets the grant's daily call quota
    (``max_calls_per_day``, at most the calls the request declared; issue 16, item 6).

    Answers the request as changed and the grant an approval created. A return stops the
    provider's clock; a rejection or a return must say why.
    """
    action = _DECISIONS[data["decision"]]
    if action is not Action.APPROVE and not (data.get("reason") or "").strip():
        raise tk.ValidationError({"reason": [NEEDS_REASON]})
    if action is Action.APPROVE:
        errors = {**rules.check_approval(request, data), **grants.check_quota(request, data)}
        if errors:
            raise field_errors(tk.ValidationError, errors)
    changes = deadlines.clock_stop(request) if action is Action.RETURN else {}
    narrowed = ("resource_ids", "data_items", "max_downloads", "max_calls_per_day")
    detail = {k: data[k] for k in narrowed if data.get(k)}
    updated = step(
        request, action, person, text=data.get("reason"), changes=changes, detail=detail
    )
    grant = None
    if action is Action.APPROVE:
        source = "negotiation" if request["status"] == workflow.NEGOTIATING else "approval"
        grant = grants.grant_from_request(request, person, data, source)
    return updated, grant


def resubmit(
    request: Mapping[str, Any],
    person: Person,
    data: Mapping[str, Any],
    *,
    signoff_required: bool = False,
) -> dict[str, Any]:
    """The requesting department completes a returned request and sends it again; the
    provider's clock restarts with the working days that were left. ``signoff_required``:
    sent by staff under internal sign-off (2025 art. 20), it waits for their head
    (``access.signoff``), and the clock restarts only when the head signs it off."""
    changes = {
        k: data[k] for k in ("purpose_detail", "scenario", "basis", "contact") if data.get(k)
    }
    if not signoff_required:
        changes.update(deadlines.clock_restart(request))
    upload = data.get("attachment")
    if attachments.is_upload(upload):
        changes["attachment"] = attachments.save(upload, request["id"])
    return step(
        request,
        Action.RESUBMIT,
        person,
        text=data.get("reason"),
        changes=changes,
        detail={"changed": sorted(k for k in changes if k not in deadlines.CLOCK_FIELDS)},
        signoff_required=signoff_required,
    )


def withdraw(request: Mapping[str, Any], person: Person, reason: str | None) -> dict[str, Any]:
    """The requesting department withdraws its request or negotiation."""
    return step(request, Action.WITHDRAW, person, text=reason)


def comment(request: Mapping[str, Any], person: Person, text: str) -> dict[str, Any]:
    """A message in the request's thread (the parties; whoever it is escalated to)."""
    return step(request, Action.COMMENT, person, text=text)


def expire_request(request_id: str, *, reason: str) -> dict[str, Any] | None:
    """Expire a submitted or returned request (the platform's own step); else ``None``."""
    request = load_request(request_id, for_update=True)
    if request is None or request["status"] not in (workflow.SUBMITTED, workflow.RETURNED):
        return None
    return apply(request, Action.EXPIRE, None, text=reason, roles={Role.SYSTEM})

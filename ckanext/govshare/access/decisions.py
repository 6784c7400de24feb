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

from .. import profiles
from ..core.membership import Person
from ..core.messages import field_errors, message
from . import attachments, codes, deadlines, grants, rules, workflow
from .requests import load_request
from .transitions import apply, step
from .workflow import Action, Role

__all__ = [
    "NEEDS_REASON",
    "check_answer",
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
LIST_MISSING = message(
    "List every missing material at once (missing_items: the field each concerns and what "
    "is missing; 2025 Regulations art. 21)",
    "请一次性列明需补充的全部材料（missing_items：所涉字段及缺少的内容；《政务数据共享条例》第二十一条）",
)
ONLY_RETURN = message(
    "Missing materials are listed only when a request is returned",
    "仅退回补充材料时列明缺少的材料",
)
ONLY_REJECT = message(
    "Grounds are given only when a request is rejected", "仅拒绝申请时填写拒绝依据"
)
NEEDS_GROUNDS = message(
    "Give the grounds of the refusal (grounds; 2025 Regulations art. 21)",
    "请选择拒绝的依据（grounds；《政务数据共享条例》第二十一条）",
)
RETURN_INSTEAD = message(
    "Missing materials alone are no ground to refuse (2025 Regulations art. 21): return the "
    "request listing what is missing instead",
    "不得仅以材料不全为由拒绝（《政务数据共享条例》第二十一条）：请退回并一次性列明需补充的材料",
)


def check_answer(request: Mapping[str, Any], data: Mapping[str, Any]) -> None:
    """Every error of an answer at once, per field (a 409), before anything is written: a
    rejection or a return says why; an approval narrows, never widens (art. 12(2)).

    Under ``tell_all_at_once`` (2025 art. 21) a return lists what is missing
    (``missing_items``), a rejection gives its ``grounds`` and may not rest on missing
    materials alone. The provider's decision and an answer drafted for sign-off both pass
    here.
    """
    action = _DECISIONS[data["decision"]]
    strict = profiles.on("tell_all_at_once")
    errors: dict[str, list[str]] = {}
    if action is not Action.APPROVE and not (data.get("reason") or "").strip():
        errors["reason"] = [NEEDS_REASON]
    items, grounds = data.get("missing_items") or [], data.get("grounds") or []
    if action is Action.RETURN and strict and not items:
        errors["missing_items"] = [LIST_MISSING]
    if strict and items and action is not Action.RETURN:
        errors["missing_items"] = [ONLY_RETURN]
    if strict and grounds and action is not Action.REJECT:
        errors["grounds"] = [ONLY_REJECT]
    if action is Action.REJECT and strict:
        if not grounds:
            errors["grounds"] = [NEEDS_GROUNDS]
        elif set(grounds) == {codes.GROUND_MISSING_MATERIALS}:
            errors["grounds"] = [RETURN_INSTEAD]
    if action is Action.APPROVE:
        errors.update({**rules.check_approval(request, data), **grants.check_quota(request, data)})
    if errors:
        raise field_errors(tk.ValidationError, errors)


def _answer_changes(
    request: Mapping[str, Any], action: Action, data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a return or a rejection writes beside the step: the row's changes and the
    history's detail (art. 21: the missing items, the grounds)."""
    if action is Action.RETURN:
        items = [dict(item) for item in data.get("missing_items") or []]
        changes = {
            **deadlines.clock_stop(request),
            "missing_items": items or None,
            "return_count": int(request.get("return_count") or 0) + 1,
        }
        return changes, ({"missing_items": items} if items else {})
    if action is Action.REJECT and data.get("grounds"):
        return {}, {"grounds": list(data["grounds"])}
    return {}, {}


def decide(
    request: Mapping[str, Any], person: Person, data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A data officer of the provider approves (narrowing, never widening), rejects or returns
    a request (art. 12(2)); while negotiating, approving means agreeing to share (→ granted).
    An approval of an interface share method sets the grant's daily call quota
    (``max_calls_per_day``, at most the calls the request declared; issue 16, item 6).

    Answers the request as changed and the grant an approval created. A return stops the
    provider's clock; a rejection or a return must say why (``check_answer``), and a return
    keeps its missing items on the request (``missing_items``, ``return_count``).
    """
    action = _DECISIONS[data["decision"]]
    check_answer(request, data)
    changes, detail = _answer_changes(request, action, data)
    narrowed = ("resource_ids", "data_items", "max_downloads", "max_calls_per_day")
    detail.update({k: data[k] for k in narrowed if data.get(k)})
    updated = step(request, action, person, text=data.get("reason"), changes=changes, detail=detail)
    grant = None
    if action is Action.APPROVE:
        source = (
            codes.SOURCE_USE_CHANGE  # 2025 art. 25: a new grant beside the original
            if request.get("kind") == codes.KIND_USE_CHANGE
            else "negotiation"
            if request["status"] == workflow.NEGOTIATING
            else "approval"
        )
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
    """Expire a submitted or returned request, or one waiting for (or returned by) its
    department's head (2025 art. 20) — the platform's own step; else ``None``."""
    request = load_request(request_id, for_update=True)
    expiring = (
        workflow.SUBMITTED,
        workflow.RETURNED,
        workflow.AWAITING_SIGNOFF,
        workflow.SIGNOFF_RETURNED,
    )
    if request is None or request["status"] not in expiring:
        return None
    return apply(request, Action.EXPIRE, None, text=reason, roles={Role.SYSTEM})

"""Internal sign-off (2025 Regulations art. 20, rule ``internal_signoff``): a department's
head (its data officer, the sharing-work unit's head) approves what its staff drafted, before a
request is sent and before an answer is sent.

- Request side: a request a member who is not a data officer sends waits in
  ``awaiting_signoff`` (``requests.create_request``, :func:`resubmit`); a data officer of the
  requesting department signs it off (:func:`sign_off_request`: ``submitted``, the provider's
  clock starts then and its officers are told) or returns it (``signoff_returned``: the drafter
  changes it and sends it again, or withdraws it). A data officer's own request is signed off
  by sending it (``signed_off_by``/``signed_off_at`` are theirs).
- Answer side: the provider's staff answering (:func:`decide`) store a draft
  (``answer_draft``, event ``draft_answer``); the request stays ``submitted`` and its clock
  runs. A data officer of the provider signs the draft off (:func:`sign_off_answer`: the
  drafted decision is taken as theirs, ``answer_signed_off_by``/``answer_signed_off_at``, the
  drafter named in the event) or returns it (the draft is cleared). A data officer answering
  directly signs their own answer off.
- Negotiations need no sign-off.

Every step runs in the caller's transaction with its history row, audit event and notices
(``transitions.apply``). Under a profile without the rule nothing here changes anything:
:func:`decide` and :func:`resubmit` are then ``decisions.decide`` and ``decisions.resubmit``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from ckan import model

from .. import profiles
from ..core import clock
from ..core.membership import Person
from ..core.messages import message
from ..core.serialise import plain
from . import codes, deadlines, decisions, requests, workflow
from .model import event_table, request_table
from .transitions import apply, audit, conditions, notify_request, refusal, step
from .workflow import Action, Refused, Role

__all__ = [
    "allowed_actions",
    "DRAFT_FIELDS",
    "NEEDS_REASON",
    "NO_DRAFT",
    "PROVIDER_SIDE",
    "REQUESTER_SIDE",
    "decide",
    "draft_answer",
    "is_on",
    "resubmit",
    "side_of",
    "sign_off_answer",
    "sign_off_request",
    "sides_of",
    "signoff_conditions",
]

#: What a drafted answer keeps: the input of ``govshare_request_decide``.
DRAFT_FIELDS = (
    "decision",
    "reason",
    "missing_items",
    "grounds",
    "resource_ids",
    "data_items",
    "period_start",
    "period_end",
    "max_downloads",
    "max_calls_per_day",
    "conditions",
)
REQUESTER_SIDE = workflow.REQUEST_SIDE
PROVIDER_SIDE = workflow.ANSWER_SIDE

NEEDS_REASON = message(
    "Say why it goes back: the drafter changes it by what you write",
    "请说明退回理由，拟办人据此修改",
)
NO_DRAFT = message(
    "Nothing on this request waits for your sign-off: neither a request of your department "
    "waiting for its head nor an answer your staff drafted",
    "该申请没有待您审核的内容：既不是本部门待审核的申请，也没有本部门工作人员拟办的答复",
)


def is_on() -> bool:
    """Whether the profile asks for internal sign-off (2025 art. 20)."""
    return profiles.on("internal_signoff")


def side_of(request: Mapping[str, Any]) -> str | None:
    """Which sign-off the request waits for: the requesting department's head's
    (``request``), the provider's head's on a drafted answer (``answer``), or none."""
    if request.get("status") == workflow.AWAITING_SIGNOFF:
        return REQUESTER_SIDE
    if request.get("status") == workflow.SUBMITTED and request.get("answer_draft"):
        return PROVIDER_SIDE
    return None


def signoff_conditions(request: Mapping[str, Any], roles: frozenset[Role]) -> dict[str, Any]:
    """The sign-off condition of the state machine for these roles: whether sending the
    request (again) waits for the head — staff of the requesting department, while the rule
    is on."""
    waits = bool(
        is_on()
        and request.get("kind") != codes.KIND_NEGOTIATION
        and Role.REQUESTER in roles
        and not roles & {Role.REQUESTER_OFFICER, Role.SYSADMIN}
    )
    return {"signoff_required": waits}


def _was_sent(request_id: str) -> bool:
    """Whether the request ever reached the provider (was ``submitted``)."""
    reached = model.Session.execute(
        sa.select(sa.func.count())
        .select_from(event_table)
        .where(event_table.c.request_id == request_id)
        .where(event_table.c.to_state == workflow.SUBMITTED)
    ).scalar_one()
    return bool(reached)


def _sent(request: Mapping[str, Any], person: Person, at: Any) -> dict[str, Any]:
    """The columns of a request its head sends (art. 20): who signed it off and when; the
    first time it reaches the provider is its submission (read before the step)."""
    changes: dict[str, Any] = {"signed_off_by": person.id, "signed_off_at": at}
    if not _was_sent(request["id"]):
        changes["submitted_at"] = at
    return changes


# ---------------------------------------------------------------- the requesting department


def sign_off_request(
    request: Mapping[str, Any], person: Person, decision: str, reason: str | None
) -> dict[str, Any]:
    """A data officer of the requesting department signs off a request its staff drafted
    (``approve``: sent, the provider's clock starts now, or with the working days left after a
    provider's return) or returns it to the drafter (``return``, a reason required)."""
    if decision == "approve":
        changes = {**deadlines.clock_restart(request), **_sent(request, person, clock.now())}
        return step(request, Action.SIGNOFF, person, text=reason, changes=changes)
    return step(request, Action.SIGNOFF_RETURN, person, text=reason)


def resubmit(request: Mapping[str, Any], person: Person, data: Mapping[str, Any]) -> dict[str, Any]:
    """Send a returned request again (``govshare_request_resubmit``): by staff while the rule
    is on it waits for their head (no clock yet); a data officer's resending is their own
    sign-off."""
    roles = person.request_roles(request)
    waits = signoff_conditions(request, roles)["signoff_required"]
    first = request["status"] == workflow.SIGNOFF_RETURNED and not _was_sent(request["id"])
    updated = decisions.resubmit(request, person, data, signoff_required=waits)
    if is_on() and updated["status"] == workflow.SUBMITTED:
        at = updated.get("last_submitted_at") or clock.now()
        changes = {"signed_off_by": person.id, "signed_off_at": at}
        if first:
            changes["submitted_at"] = at  # it reaches the provider for the first time
        model.Session.execute(
            sa.update(request_table).where(request_table.c.id == request["id"]).values(**changes)
        )
        updated = {**updated, **changes}
    return updated


# ---------------------------------------------------------------- the providing department


def _draft_of(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: plain(data[k]) for k in DRAFT_FIELDS if data.get(k) not in (None, "", [])}


def draft_answer(
    request: Mapping[str, Any], person: Person, data: Mapping[str, Any]
) -> dict[str, Any]:
    """The provider's staff answer: the answer is checked as a decision would be and kept as a
    draft for their head (2025 art. 20); nothing is sent to the requester."""
    decisions.check_answer(request, data)
    at = clock.now()
    draft = {**_draft_of(data), "drafted_by": person.id, "drafted_at": plain(at)}
    return step(
        request,
        Action.DRAFT_ANSWER,
        person,
        changes={"answer_draft": draft},
        detail={"decision": draft["decision"]},
    )


def decide(
    request: Mapping[str, Any], person: Person, data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``govshare_request_decide``: the provider's staff draft (while the rule is on); a data
    officer decides, which signs their own answer off (a draft waiting is superseded)."""
    roles = person.request_roles(request)
    answering = request["status"] == workflow.SUBMITTED and is_on()
    if answering and Role.PROVIDER_STAFF in roles and not roles & {Role.PROVIDER, Role.SYSADMIN}:
        return draft_answer(request, person, data), None
    updated, grant = decisions.decide(request, person, data)
    if answering:
        at = updated.get("decided_at") or clock.now()
        changes = {"answer_signed_off_by": person.id, "answer_signed_off_at": at}
        if request.get("answer_draft"):
            changes["answer_draft"] = sa.null()
            _amend_last_event(request["id"], {"superseded_draft": request["answer_draft"]})
        model.Session.execute(
            sa.update(request_table).where(request_table.c.id == request["id"]).values(**changes)
        )
        updated = _reloaded(request["id"])
    return updated, grant


def _reloaded(request_id: str) -> dict[str, Any]:
    """The request as written now (after a step and the sign-off columns beside it)."""
    found = requests.load_request(request_id)
    assert found is not None  # locked by the action, written in this transaction
    return found


def _amend_last_event(request_id: str, detail: Mapping[str, Any]) -> None:
    """Add to the detail of the request's history row just written (same transaction)."""
    row = model.Session.execute(
        sa.select(event_table.c.id, event_table.c.detail)
        .where(event_table.c.request_id == request_id)
        .order_by(event_table.c.id.desc())
        .limit(1)
    ).first()
    if row is not None:
        merged = {**(row.detail or {}), **{k: plain(v) for k, v in detail.items()}}
        model.Session.execute(
            sa.update(event_table).where(event_table.c.id == row.id).values(detail=merged)
        )


def sign_off_answer(
    request: Mapping[str, Any],
    person: Person,
    decision: str,
    reason: str | None,
    draft: Mapping[str, Any] | None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A data officer of the provider signs off the answer its staff drafted: ``approve``
    takes the drafted decision as theirs (``draft``: the drafted input, validated again by the
    action), ``return`` clears the draft (the request stays ``submitted``; its clock never
    stopped)."""
    stored = dict(request.get("answer_draft") or {})
    drafter = stored.get("drafted_by")
    if decision == "return":
        try:
            updated = apply(
                request,
                Action.SIGNOFF_RETURN,
                person,
                text=reason,
                changes={"answer_draft": sa.null()},
                detail={"drafted_by": drafter, "decision": stored.get("decision")},
            )
        except Refused as error:
            raise refusal(error) from None
        notify_request(
            "answer_draft_returned",
            updated,
            [drafter or ""],
            f"draft_returned:{request['id']}:{stored.get('drafted_at')}",
            reason=reason,
        )
        return _reloaded(request["id"]), None
    updated, grant = decisions.decide(request, person, dict(draft or {}))
    at = updated.get("decided_at") or clock.now()
    changes = {
        "answer_signed_off_by": person.id,
        "answer_signed_off_at": at,
        "answer_draft": sa.null(),
    }
    model.Session.execute(
        sa.update(request_table).where(request_table.c.id == request["id"]).values(**changes)
    )
    signed = {"drafted_by": drafter, "drafted_at": stored.get("drafted_at"), "signed_off": True}
    _amend_last_event(request["id"], signed)
    audit(
        "govshare_request_signoff",
        person,
        actor_department=request["provider_org_id"],
        object_type="access_request",
        object_id=request["id"],
        object_department=request["provider_org_id"],
        detail={
            "side": PROVIDER_SIDE,
            "decision": stored.get("decision"),
            **signed,
            **({"reason": reason} if reason else {}),
        },
    )
    return _reloaded(request["id"]), grant


# ---------------------------------------------------------------- what a viewer is shown


def sides_of(roles: frozenset[Role]) -> tuple[str, ...]:
    """The internal sign-off a viewer belongs to (``present.request_dict``'s ``sides``): the
    requesting department (its heads' returns), the provider's officers and staff (drafted
    answers and their returns); sysadmins both."""
    sides: list[str] = []
    if roles & {Role.SYSADMIN, Role.REQUESTER}:
        sides.append(workflow.REQUEST_SIDE)
    if roles & {Role.SYSADMIN, Role.PROVIDER, Role.PROVIDER_STAFF}:
        sides.append(workflow.ANSWER_SIDE)
    return tuple(sides)


def allowed_actions(request: Mapping[str, Any], roles: frozenset[Role]) -> list[str]:
    """What these roles may do next on the request (``govshare_request_show``): the state
    machine under the request's conditions and the sign-off rule; ``signoff`` for the
    provider's head while a drafted answer waits (the drafted decision is then taken);
    drafting only while the rule is on."""
    found = workflow.allowed_actions(
        request["status"],
        roles,
        **conditions(request),
        **signoff_conditions(request, roles),
    )
    result = [a.value for a in found if a is not Action.DRAFT_ANSWER or is_on()]
    if side_of(request) == PROVIDER_SIDE and roles & {Role.PROVIDER, Role.SYSADMIN}:
        result.append(Action.SIGNOFF.value)
    return result

"""Carrying out one step of the state machine: the row, its history, its audit event, its notices.

``access/workflow.py`` answers whether a role may move a request by an action; ``apply`` does
it. Everything is written through ``model.Session`` in the caller's transaction, so a change,
its history row, its audit event and its notices commit together or not at all (workflows.md:
"every transition is recorded").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from .. import notices, profiles
from ..audit import store
from ..core import clock
from ..core.membership import INTERNAL_STATES, Person, authority_org_id, conference_org_id
from ..core.serialise import plain
from . import deadlines, workflow
from .model import event_table, request_table
from .workflow import Action, Refused, Role

__all__ = [
    "ESCALATION_LEVELS",
    "acting_org",
    "conditions",
    "acting_role",
    "apply",
    "audit",
    "notify_request",
    "people",
    "record_event",
    "refusal",
    "step",
]

# Order in which a user's roles are named in the history when several allow an action.
_ROLE_ORDER = (
    Role.REQUESTER,
    Role.REQUESTER_OFFICER,
    Role.PROVIDER,
    Role.PROVIDER_STAFF,
    Role.AUTHORITY,
    Role.CONFERENCE,
    Role.SYSADMIN,
    Role.SYSTEM,
)


def acting_org(request: Mapping[str, Any], role: Role) -> str | None:
    """The department a role acts for on a request."""
    return {
        Role.REQUESTER: request.get("requesting_org_id"),
        Role.REQUESTER_OFFICER: request.get("requesting_org_id"),
        Role.PROVIDER: request.get("provider_org_id"),
        Role.PROVIDER_STAFF: request.get("provider_org_id"),
        Role.AUTHORITY: authority_org_id(),
        Role.CONFERENCE: conference_org_id(),
    }.get(role)


def acting_role(roles: Iterable[Role], allowed: Iterable[Role] | None = None) -> Role:
    """The role a user acts in: the first of theirs that the transition allows."""
    roles, allowed_set = set(roles), set(allowed) if allowed is not None else None
    for role in _ROLE_ORDER:
        if role in roles and (allowed_set is None or role in allowed_set):
            return role
    return Role.SYSTEM


def _transition_roles(state: str | None, action: Action) -> frozenset[Role]:
    for t in workflow.TRANSITIONS:
        if t.source == state and t.action is action:
            return t.roles
    return frozenset({Role.REQUESTER, Role.PROVIDER, Role.AUTHORITY, Role.CONFERENCE})


#: The body a dispute reached, by the state escalating moved it to (``escalation_level``).
ESCALATION_LEVELS = {
    workflow.ESCALATED_AUTHORITY: "authority",
    workflow.ESCALATED_CONFERENCE: "joint_conference",
    workflow.ESCALATED_UPPER: "upper_authority",
    workflow.ESCALATED_GOVERNMENT: "government",
}


def conditions(request: Mapping[str, Any]) -> dict[str, Any]:
    """What the state machine needs to know of a request beyond its state, under the profile
    in force: overdue, which dispute path (2016 art. 12 or 2025 art. 28) and whether it may
    go to the joint conference or the common upper authority."""
    return {
        "overdue": deadlines.is_overdue(request, clock.today()),
        "central_involved": bool(request.get("central_involved")),
        "dispute_path": (
            workflow.UPPER_AUTHORITY_PATH
            if profiles.on("upper_authority")
            else workflow.JOINT_CONFERENCE_PATH
        ),
        "cross_level": bool(request.get("cross_level")),
        # 2025 art. 20: the provider's staff drafted an answer that waits for their head.
        "answer_drafted": bool(request.get("answer_draft")),
    }


def record_event(
    request: Mapping[str, Any],
    *,
    person: Person | None,
    role: Role,
    action: Action,
    from_state: str | None,
    to_state: str,
    text: str | None,
    detail: Mapping[str, Any] | None,
    at: dt.datetime,
) -> int:
    """A history row of the request (its id)."""
    return model.Session.execute(
        sa.insert(event_table)
        .values(
            request_id=request["id"],
            time=at,
            actor_id=person.id if person else None,
            actor_org_id=acting_org(request, role),
            role=role.value,
            action=action.value,
            from_state=from_state,
            to_state=to_state,
            message=text,
            detail=dict(detail or {}),
        )
        .returning(event_table.c.id)
    ).scalar_one()


def audit(
    action: str,
    person: Person | None,
    *,
    actor_department: str | None,
    object_type: str,
    object_id: str,
    object_department: str | None,
    detail: Mapping[str, Any],
) -> None:
    """An audit event of an access change (``person`` None: the platform itself)."""
    store.record(
        action,
        actor_id=person.id if person else None,
        actor_name=person.name if person else "system",
        actor_department=actor_department,
        object_type=object_type,
        object_id=object_id,
        object_department=object_department,
        detail=detail,
    )


def _notice_params(request: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    orgs = model.Session.query(model.Group.id, model.Group.title, model.Group.name).filter(
        model.Group.id.in_([request["provider_org_id"], request["requesting_org_id"]])
    )
    titles = {o.id: o.title or o.name for o in orgs}
    pkg = model.Package.get(request["package_id"])
    params = {
        "request_id": request["id"],
        "package_id": request["package_id"],
        "entry_title": pkg.title if pkg else request["package_id"],
        "requesting_org": titles.get(request["requesting_org_id"]),
        "provider_org": titles.get(request["provider_org_id"]),
        "status": request.get("status"),
        "due_date": plain(request.get("due_date")),
        "link": f"/govshare/requests/{request['id']}",
    }
    params.update({k: plain(v) for k, v in extra.items()})
    return params


def notify_request(
    kind: str, request: Mapping[str, Any], recipients: Iterable[str], key: str, **extra: Any
) -> None:
    """Queue notices about a request (sent by email after the commit; on the dashboard)."""
    recipients_ = sorted({r for r in recipients if r})
    if recipients_:
        params = _notice_params(request, **extra)
        notices.notify(kind, recipients=recipients_, key=key, params=params)


def people(*groups: str | None, officers: bool = False) -> list[str]:
    """The members (or only the data officers) of the departments: who a notice goes to."""
    found: list[str] = []
    for org_id in groups:
        if org_id:
            found += notices.officers_of(org_id) if officers else notices.members_of(org_id)
    return found


def refusal(error: Refused) -> Exception:
    """A refused transition: 403 when the role is the problem, else a field error (409)."""
    if error.forbidden:
        return tk.NotAuthorized(error.message)
    return tk.ValidationError({error.field: [error.message]})


def apply(
    request: Mapping[str, Any],
    action: Action,
    person: Person | None,
    *,
    text: str | None = None,
    changes: Mapping[str, Any] | None = None,
    detail: Mapping[str, Any] | None = None,
    roles: Iterable[Role] | None = None,
    signoff_required: bool = False,
) -> dict[str, Any]:
    """Move ``request`` by ``action`` (raises :class:`workflow.Refused`), recording it all.

    ``person`` is ``None`` for the platform itself (role ``system``). ``signoff_required``:
    submitting waits for the department head's sign-off (2025 art. 20; the caller knows
    whether the profile asks for it and whether the person is the head).
    """
    roles = frozenset(
        roles
        if roles is not None
        else ((person.request_roles(request)) if person else {Role.SYSTEM})
    )
    target = workflow.transition(
        request["status"],
        action,
        roles,
        **conditions(request),
        signoff_required=signoff_required,
    )
    role = acting_role(roles, _transition_roles(request["status"], action))
    at = clock.now()
    values: dict[str, Any] = {"status": target, "updated_at": at, **(changes or {})}
    if action in (Action.APPROVE, Action.REJECT, Action.GRANT, Action.DENY):
        values.update(decided_at=at, decided_by=person.id if person else None, decision_reason=text)
    if action is Action.ESCALATE:
        values["escalation_level"] = ESCALATION_LEVELS[target]
    updated = {**request, **values}
    model.Session.execute(
        sa.update(request_table).where(request_table.c.id == request["id"]).values(**values)
    )
    event_id = record_event(
        updated,
        person=person,
        role=role,
        action=action,
        from_state=request["status"],
        to_state=target,
        text=text,
        detail=detail,
        at=at,
    )
    audit_detail = {
        "from": request["status"],
        "to": target,
        "role": role.value,
        "event": event_id,
        **{k: plain(v) for k, v in (detail or {}).items()},
    }
    if action is Action.COMMENT:
        audit_detail["length"] = len(text or "")  # the thread stays on the request page
    elif text:
        audit_detail["reason"] = text
    audit(
        f"govshare_request_{action.value}",
        person,
        actor_department=acting_org(updated, role),
        object_type="access_request",
        object_id=request["id"],
        object_department=_object_department(request["status"], target, request),
        detail=audit_detail,
    )
    _notify_transition(updated, action, person, text, event_id, source=request["status"])
    return updated


def _object_department(source: str | None, target: str, request: Mapping[str, Any]) -> str:
    """The department an access step's audit event is about: the provider's, except the steps
    of a request its own department's head has not sent (2025 art. 20), which stay with the
    requesting department until it is sent."""
    unsent = target in INTERNAL_STATES or (
        source in INTERNAL_STATES and target != workflow.SUBMITTED
    )
    return request["requesting_org_id"] if unsent else request["provider_org_id"]


def step(
    request: Mapping[str, Any],
    action: Action,
    person: Person,
    *,
    text: str | None = None,
    changes: Mapping[str, Any] | None = None,
    detail: Mapping[str, Any] | None = None,
    signoff_required: bool = False,
) -> dict[str, Any]:
    """A user's step: ``apply``, a refusal raised as the action's 403 or 409."""
    try:
        return apply(
            request,
            action,
            person,
            text=text,
            changes=changes,
            detail=detail,
            signoff_required=signoff_required,
        )
    except Refused as error:
        raise refusal(error) from None


def _notify_transition(
    request: Mapping[str, Any],
    action: Action,
    person: Person | None,
    text: str | None,
    event: int,
    *,
    source: str | None = None,
) -> None:
    """Who hears of a transition: the other party, and whoever must act next."""
    key = f"{action.value}:{request['id']}:{event}"
    requesters = people(request["requesting_org_id"])
    officers = people(request["provider_org_id"], officers=True)
    reason = {"reason": text} if text else {}
    if action in (Action.APPROVE, Action.REJECT):
        notify_request("request_decided", request, requesters, key, **reason)
    elif action is Action.RETURN:
        notify_request("request_returned", request, requesters, key, **reason)
    elif action is Action.RESUBMIT and request["status"] == workflow.AWAITING_SIGNOFF:
        # 2025 art. 20: sent again by staff, it waits for their head, not the provider.
        heads = people(request["requesting_org_id"], officers=True)
        notify_request("request_signoff_needed", request, heads, key)
    elif action is Action.RESUBMIT:
        notify_request("request_resubmitted", request, officers, key)
    elif action is Action.SIGNOFF:
        # Signed off: it reaches the provider now, as a request does when submitted, or as a
        # resubmission does when the provider had returned it (art. 21).
        kind = "request_resubmitted" if request.get("return_count") else "request_received"
        notify_request(kind, request, officers, key)
        notify_request("request_submitted", request, [request["requester_id"]], f"{key}:drafter")
    elif action is Action.SIGNOFF_RETURN and request["status"] == workflow.SIGNOFF_RETURNED:
        notify_request(
            "request_signoff_returned", request, [request["requester_id"]], key, **reason
        )
    elif action is Action.DRAFT_ANSWER:
        notify_request("answer_drafted", request, officers, key)
    elif action is Action.WITHDRAW and source in INTERNAL_STATES:
        pass  # never sent: the provider never heard of it
    elif action is Action.WITHDRAW:
        notify_request("request_withdrawn", request, officers, key)
    elif action is Action.NEGOTIATE:
        notify_request("negotiation_opened", request, [*officers, *requesters], key)
    elif action is Action.ESCALATE:
        body = (
            people(conference_org_id())
            if request["status"] == workflow.ESCALATED_CONFERENCE
            else people(authority_org_id())
        )
        notify_request("request_escalated", request, [*body, *officers, *requesters], key)
    elif action in (Action.GRANT, Action.DENY):
        notify_request("escalation_decided", request, [*officers, *requesters], key, **reason)
    elif action is Action.COMMENT:
        others = set(officers) | set(requesters)
        if request.get("escalation_level"):
            others |= set(people(authority_org_id()))
        others.discard(person.id if person else None)
        notify_request("request_comment", request, others, key)  # the text stays here

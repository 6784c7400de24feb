"""Carrying out access transitions: the rows, their history, the audit event and the notices.

Everything here writes through ``model.Session`` in the caller's transaction, so a change, its
history row, its audit event and its notices commit together or not at all. The actions
(``logic/action/access*.py``) check authorisation and input, then call these; so does
``ckan govshare remind`` for what the platform does on its own (expiry).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from ckan import model

from .. import workdays
from ..audit import store
from ..core import clock
from ..core.serialise import plain
from ..hardening import limits
from . import codes, workflow
from .model import event_table, grant_table, request_table
from .roles import Person, authority_org_id, conference_org_id
from .workflow import Action, Role

# Order in which a user's roles are named in the history when several allow an action.
_ROLE_ORDER = (
    Role.REQUESTER,
    Role.PROVIDER,
    Role.AUTHORITY,
    Role.CONFERENCE,
    Role.SYSADMIN,
    Role.SYSTEM,
)


# ---------------------------------------------------------------------------- reading


def load_request(request_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
    query = sa.select(request_table).where(request_table.c.id == request_id)
    if for_update:
        query = query.with_for_update()
    row = model.Session.execute(query).first()
    return dict(row._mapping) if row else None


def load_grant(grant_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
    query = sa.select(grant_table).where(grant_table.c.id == grant_id)
    if for_update:
        query = query.with_for_update()
    row = model.Session.execute(query).first()
    return dict(row._mapping) if row else None


def history(request_id: str) -> list[dict[str, Any]]:
    rows = model.Session.execute(
        sa.select(event_table)
        .where(event_table.c.request_id == request_id)
        .order_by(event_table.c.id)
    ).all()
    users = _names(model.User, {r.actor_id for r in rows if r.actor_id})
    org_ids = {r.actor_org_id for r in rows if r.actor_org_id}
    orgs = _names(model.Group, org_ids)
    titles = _titles(org_ids)
    result = []
    for r in rows:
        event = {k: plain(v) for k, v in r._mapping.items() if k != "request_id"}
        event["actor"] = users.get(r.actor_id)
        event["actor_org"] = orgs.get(r.actor_org_id)
        event["actor_org_title"] = titles.get(r.actor_org_id)
        result.append(event)
    return result


def _titles(ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return {
        g.id: g.title or g.name
        for g in model.Session.query(model.Group).filter(model.Group.id.in_(list(ids)))
    }


def _names(table: Any, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return {obj.id: obj.name for obj in model.Session.query(table).filter(table.id.in_(list(ids)))}


def working_days_left(request: Mapping[str, Any], on: dt.date | None = None) -> int | None:
    """Working days until the due date (negative once overdue); ``None`` when no clock runs."""
    due = request.get("due_date")
    if not due or request.get("status") not in workflow.CLOCK_RUNNING:
        return None
    on = on or clock.today()
    return workdays.current().workdays_between(on, due)


def is_overdue(request: Mapping[str, Any], on: dt.date | None = None) -> bool:
    due = request.get("due_date")
    running = request.get("status") in workflow.CLOCK_RUNNING
    return bool(due and running and (on or clock.today()) > due)


def central_involved(*org_ids: str) -> bool:
    """Either department is central (organization field ``is_central``)."""
    for org_id in org_ids:
        org = model.Group.get(org_id)
        value = org.extras.get("is_central") if org is not None else None
        if limits.yes_no(value) is True:
            return True
    return False


def request_dict(request: Mapping[str, Any], *, with_history: bool = False) -> dict[str, Any]:
    """The request as the API shows it (JSON types), with organization and entry names."""
    result = {k: plain(v) for k, v in request.items()}
    orgs = _names(model.Group, {request["provider_org_id"], request["requesting_org_id"]})
    pkg = model.Package.get(request["package_id"])
    user = model.User.get(request["requester_id"])
    result.update(
        requesting_org=orgs.get(request["requesting_org_id"]),
        provider_org=orgs.get(request["provider_org_id"]),
        package_name=pkg.name if pkg else None,
        package_title=pkg.title if pkg else None,
        requester=user.name if user else None,
        overdue=is_overdue(request),
        working_days_left=working_days_left(request),
        status_label=list(workflow.STATE_LABELS.get(request["status"], ("", ""))),
    )
    titles = _titles({request["provider_org_id"], request["requesting_org_id"]})
    result["requesting_org_title"] = titles.get(request["requesting_org_id"])
    result["provider_org_title"] = titles.get(request["provider_org_id"])
    if with_history:
        result["history"] = history(request["id"])
        rows = model.Session.execute(
            sa.select(grant_table)
            .where(grant_table.c.request_id == request["id"])
            .order_by(grant_table.c.created_at)
        ).all()
        result["grants"] = [grant_dict(dict(r._mapping)) for r in rows]
    return result


def grant_live(grant: Mapping[str, Any], on: dt.date | None = None) -> bool:
    on = on or clock.today()
    return bool(
        grant.get("status") == codes.GRANT_ACTIVE
        and grant["period_start"] <= on <= grant["period_end"]
    )


def grant_dict(grant: Mapping[str, Any]) -> dict[str, Any]:
    result = {k: plain(v) for k, v in grant.items()}
    orgs = _names(model.Group, {grant["organization_id"], grant["provider_org_id"]})
    pkg = model.Package.get(grant["package_id"])
    result.update(
        organization=orgs.get(grant["organization_id"]),
        provider_org=orgs.get(grant["provider_org_id"]),
        package_name=pkg.name if pkg else None,
        package_title=pkg.title if pkg else None,
        live=grant_live(grant),
        downloads_left=(
            None
            if grant.get("max_downloads") is None
            else max(grant["max_downloads"] - grant["downloads_used"], 0)
        ),
    )
    return result


# ---------------------------------------------------------------------------- writing


def _acting_org(request: Mapping[str, Any], role: Role) -> str | None:
    return {
        Role.REQUESTER: request.get("requesting_org_id"),
        Role.PROVIDER: request.get("provider_org_id"),
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


def _event(
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
    return model.Session.execute(
        sa.insert(event_table)
        .values(
            request_id=request["id"],
            time=at,
            actor_id=person.id if person else None,
            actor_org_id=_acting_org(request, role),
            role=role.value,
            action=action.value,
            from_state=from_state,
            to_state=to_state,
            message=text,
            detail=dict(detail or {}),
        )
        .returning(event_table.c.id)
    ).scalar_one()


def _audit(
    action: str,
    person: Person | None,
    *,
    actor_department: str | None,
    object_type: str,
    object_id: str,
    object_department: str | None,
    detail: Mapping[str, Any],
) -> None:
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
    from .. import notices

    people = sorted({r for r in recipients if r})
    if people:
        notices.notify(kind, recipients=people, key=key, params=_notice_params(request, **extra))


def _people(*groups: str | None, officers: bool = False) -> list[str]:
    from .. import notices

    found: list[str] = []
    for org_id in groups:
        if org_id:
            found += notices.officers_of(org_id) if officers else notices.members_of(org_id)
    return found


def create_request(
    entry: Mapping[str, Any],
    person: Person,
    data: Mapping[str, Any],
    *,
    kind: str,
    request_id: str | None = None,
) -> dict[str, Any]:
    """A new conditional request (``submitted``) or negotiation (``negotiating``)."""
    action = Action.SUBMIT if kind == codes.KIND_REQUEST else Action.NEGOTIATE
    requesting_org = data["requesting_org"]
    roles = {Role.REQUESTER} | ({Role.SYSADMIN} if person.sysadmin else set())
    state = workflow.transition(workflow.NEW, action, roles)
    at = clock.now()
    due = None
    if kind == codes.KIND_REQUEST:
        days = workdays.deadline_days("conditional")
        if days is not None:
            due = workdays.current().add_workdays(clock.local_date(at), days)
    request = {
        "id": request_id or str(uuid.uuid4()),
        "kind": kind,
        "status": state,
        "package_id": entry["id"],
        "provider_org_id": entry["owner_org"],
        "requesting_org_id": requesting_org,
        "requester_id": person.id,
        "contact": data.get("contact"),
        "purpose": data["purpose"],
        "purpose_detail": data["purpose_detail"],
        "scenario": data.get("scenario"),
        "basis": data.get("basis"),
        "attachment": data.get("attachment"),
        "resource_ids": list(data["resource_ids"]),
        "data_items": list(data["data_items"]),
        "share_method": data.get("share_method"),
        "period_start": data.get("period_start"),
        "period_end": data.get("period_end"),
        "expected_calls_per_day": data.get("expected_calls_per_day"),
        "pledge": bool(data.get("pledge")),
        "central_involved": central_involved(entry["owner_org"], requesting_org),
        "submitted_at": at,
        "last_submitted_at": at,
        "due_date": due,
        "updated_at": at,
    }
    model.Session.execute(sa.insert(request_table).values(**request))
    _event(
        request,
        person=person,
        role=Role.REQUESTER,
        action=action,
        from_state=None,
        to_state=state,
        text=None,
        detail={"due_date": plain(due)},
        at=at,
    )
    _audit(
        f"govshare_request_{action.value}",
        person,
        actor_department=requesting_org,
        object_type="access_request",
        object_id=request["id"],
        object_department=entry["owner_org"],
        detail={
            "package_id": entry["id"],
            "status": state,
            "purpose": request["purpose"],
            "due_date": plain(due),
            "resource_ids": request["resource_ids"],
            "data_items": request["data_items"],
        },
    )
    if kind == codes.KIND_REQUEST:
        notify_request("request_submitted", request, [person.id], f"submitted:{request['id']}")
        notify_request(
            "request_received",
            request,
            _people(entry["owner_org"], officers=True),
            f"received:{request['id']}",
        )
    else:
        notify_request(
            "negotiation_opened",
            request,
            [person.id, *_people(entry["owner_org"], officers=True)],
            f"negotiation:{request['id']}",
        )
    return request


CLOCK_FIELDS = frozenset({"due_date", "remaining_workdays", "last_submitted_at"})


def clock_stop(request: Mapping[str, Any]) -> dict[str, Any]:
    """A return stops the provider's clock (art. 12(2)): keep the working days left."""
    due = request.get("due_date")
    if due is None:
        return {"due_date": None, "remaining_workdays": None}
    left = workdays.current().workdays_between(clock.today(), due)
    return {"due_date": None, "remaining_workdays": max(left, 0)}


def clock_restart(request: Mapping[str, Any]) -> dict[str, Any]:
    """Resubmission restarts the clock with what was left (at least one working day)."""
    at = clock.now()
    left = request.get("remaining_workdays")
    if left is None:
        days = workdays.deadline_days("conditional")
        due = None if days is None else workdays.current().add_workdays(clock.today(), days)
    else:
        due = workdays.current().add_workdays(clock.today(), max(left, 1))
    return {"due_date": due, "remaining_workdays": None, "last_submitted_at": at}


def apply(
    request: Mapping[str, Any],
    action: Action,
    person: Person | None,
    *,
    text: str | None = None,
    changes: Mapping[str, Any] | None = None,
    detail: Mapping[str, Any] | None = None,
    roles: Iterable[Role] | None = None,
) -> dict[str, Any]:
    """Move ``request`` by ``action`` (raises :class:`workflow.Refused`), recording it all.

    ``person`` is ``None`` for the platform itself (role ``system``).
    """
    roles = frozenset(
        roles
        if roles is not None
        else ((person.request_roles(request)) if person else {Role.SYSTEM})
    )
    on = clock.today()
    target = workflow.transition(
        request["status"],
        action,
        roles,
        overdue=is_overdue(request, on),
        central_involved=bool(request.get("central_involved")),
    )
    role = acting_role(roles, _transition_roles(request["status"], action))
    at = clock.now()
    values: dict[str, Any] = {"status": target, "updated_at": at, **(changes or {})}
    if action in (Action.APPROVE, Action.REJECT, Action.GRANT, Action.DENY):
        values.update(decided_at=at, decided_by=person.id if person else None, decision_reason=text)
    if action is Action.ESCALATE:
        values["escalation_level"] = (
            "joint_conference" if target == workflow.ESCALATED_CONFERENCE else "authority"
        )
    updated = {**request, **values}
    model.Session.execute(
        sa.update(request_table).where(request_table.c.id == request["id"]).values(**values)
    )
    event_id = _event(
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
    _audit(
        f"govshare_request_{action.value}",
        person,
        actor_department=_acting_org(updated, role),
        object_type="access_request",
        object_id=request["id"],
        object_department=request["provider_org_id"],
        detail=audit_detail,
    )
    _notify_transition(updated, action, person, text, event_id)
    return updated


def _notify_transition(
    request: Mapping[str, Any], action: Action, person: Person | None, text: str | None, event: int
) -> None:
    """Who hears of a transition: the other party, and whoever must act next."""
    key = f"{action.value}:{request['id']}:{event}"
    requesters = _people(request["requesting_org_id"])
    officers = _people(request["provider_org_id"], officers=True)
    reason = {"reason": text} if text else {}
    if action in (Action.APPROVE, Action.REJECT):
        notify_request("request_decided", request, requesters, key, **reason)
    elif action is Action.RETURN:
        notify_request("request_returned", request, requesters, key, **reason)
    elif action is Action.RESUBMIT:
        notify_request("request_resubmitted", request, officers, key)
    elif action is Action.WITHDRAW:
        notify_request("request_withdrawn", request, officers, key)
    elif action is Action.NEGOTIATE:
        notify_request("negotiation_opened", request, [*officers, *requesters], key)
    elif action is Action.ESCALATE:
        body = (
            _people(conference_org_id())
            if request["status"] == workflow.ESCALATED_CONFERENCE
            else _people(authority_org_id())
        )
        notify_request("request_escalated", request, [*body, *officers, *requesters], key)
    elif action in (Action.GRANT, Action.DENY):
        notify_request("escalation_decided", request, [*officers, *requesters], key, **reason)
    elif action is Action.COMMENT:
        others = set(officers) | set(requesters)
        if request.get("escalation_level"):
            others |= set(_people(authority_org_id()))
        others.discard(person.id if person else None)
        notify_request("request_comment", request, others, key)  # the text stays here


def create_grant(
    *,
    package_id: str,
    provider_org_id: str,
    organization_id: str,
    source: str,
    purpose: str,
    purpose_detail: str,
    period_start: dt.date,
    period_end: dt.date,
    person: Person | None,
    acting_org: str | None,
    request_id: str | None = None,
    resource_ids: list[str] | None = None,
    data_items: list[str] | None = None,
    share_method: str | None = None,
    conditions: str | None = None,
    max_downloads: int | None = None,
) -> dict[str, Any]:
    """A grant: department × entry × scope × purpose × period × optional download limit."""
    at = clock.now()
    grant = {
        "id": str(uuid.uuid4()),
        "package_id": package_id,
        "provider_org_id": provider_org_id,
        "organization_id": organization_id,
        "request_id": request_id,
        "source": source,
        "purpose": purpose,
        "purpose_detail": purpose_detail,
        "resource_ids": resource_ids,
        "data_items": data_items,
        "share_method": share_method,
        "conditions": conditions,
        "period_start": period_start,
        "period_end": period_end,
        "max_downloads": max_downloads,
        "downloads_used": 0,
        "status": codes.GRANT_ACTIVE,
        "created_at": at,
        "created_by": person.id if person else None,
    }
    model.Session.execute(sa.insert(grant_table).values(**grant))
    _audit(
        "govshare_grant_create",
        person,
        actor_department=acting_org,
        object_type="grant",
        object_id=grant["id"],
        object_department=provider_org_id,
        detail={
            "package_id": package_id,
            "holder": organization_id,
            "request_id": request_id,
            "source": source,
            "purpose": purpose,
            "period": [plain(period_start), plain(period_end)],
            "resource_ids": resource_ids,
            "data_items": data_items,
            "max_downloads": max_downloads,
        },
    )
    from .. import notices

    notices.notify(
        "grant_created",
        recipients=_people(organization_id),
        key=f"grant_created:{grant['id']}",
        params=_grant_params(grant),
    )
    return grant


def _grant_params(grant: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    pkg = model.Package.get(grant["package_id"])
    orgs = {
        o.id: o.title or o.name
        for o in model.Session.query(model.Group).filter(
            model.Group.id.in_([grant["organization_id"], grant["provider_org_id"]])
        )
    }
    return {
        "grant_id": grant["id"],
        "request_id": grant.get("request_id"),
        "package_id": grant["package_id"],
        "entry_title": pkg.title if pkg else grant["package_id"],
        "requesting_org": orgs.get(grant["organization_id"]),
        "provider_org": orgs.get(grant["provider_org_id"]),
        "status": grant["status"],
        "period_end": plain(grant["period_end"]),
        "link": f"/govshare/grants/{grant['id']}",
        **{k: plain(v) for k, v in extra.items()},
    }


def revoke_grant(grant: Mapping[str, Any], person: Person, reason: str) -> dict[str, Any]:
    at = clock.now()
    values = {
        "status": codes.GRANT_REVOKED,
        "revoked_at": at,
        "revoked_by": person.id,
        "revoke_reason": reason,
    }
    model.Session.execute(
        sa.update(grant_table).where(grant_table.c.id == grant["id"]).values(**values)
    )
    acting = (
        grant["provider_org_id"]
        if grant["provider_org_id"] in person.officer_of
        else authority_org_id()
        if person.authority
        else None
    )
    _audit(
        "govshare_grant_revoke",
        person,
        actor_department=acting,
        object_type="grant",
        object_id=grant["id"],
        object_department=grant["provider_org_id"],
        detail={"holder": grant["organization_id"], "reason": reason},
    )
    updated = {**grant, **values}
    from .. import notices

    notices.notify(
        "grant_revoked",
        recipients=_people(grant["organization_id"]),
        key=f"grant_revoked:{grant['id']}",
        params=_grant_params(updated, reason=reason),
    )
    return updated


def expire_grant(grant_id: str, *, today: dt.date) -> dict[str, Any] | None:
    """End an active grant whose period is over (``ckan govshare remind``); else ``None``."""
    grant = load_grant(grant_id, for_update=True)
    if grant is None or grant["status"] != codes.GRANT_ACTIVE or grant["period_end"] >= today:
        return None
    values = {"status": codes.GRANT_EXPIRED, "expired_at": clock.now()}
    model.Session.execute(
        sa.update(grant_table).where(grant_table.c.id == grant_id).values(**values)
    )
    _audit(
        "govshare_grant_expire",
        None,
        actor_department=None,
        object_type="grant",
        object_id=grant_id,
        object_department=grant["provider_org_id"],
        detail={"holder": grant["organization_id"], "period_end": plain(grant["period_end"])},
    )
    return {**grant, **values}


def expire_request(request_id: str, *, reason: str) -> dict[str, Any] | None:
    """Expire a submitted or returned request (the platform's own step); else ``None``."""
    request = load_request(request_id, for_update=True)
    if request is None or request["status"] not in (workflow.SUBMITTED, workflow.RETURNED):
        return None
    return apply(request, Action.EXPIRE, None, text=reason, roles={Role.SYSTEM})

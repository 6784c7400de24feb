"""Requests for shared data: making one, conditional (art. 12(2)) or a negotiation (12(3)).

A request is checked against its entry (``rules.check_path``, ``rules.check_request``), made
for a department the user belongs to that is not the provider, and written with its first
history row, its audit event and its notices in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from .. import profiles
from ..core import clock
from ..core.membership import Person
from ..core.messages import field_errors, message
from ..core.serialise import plain
from ..hardening import limits
from . import attachments, codes, deadlines, rules, workflow
from .model import request_table
from .transitions import audit, notify_request, people, record_event, step
from .workflow import Action, Role

__all__ = [
    "CHOOSE_DEPARTMENT",
    "NOT_A_DEPARTMENT",
    "OWN_ENTRY",
    "attachment_of",
    "central_involved",
    "create_request",
    "cross_level",
    "entry_errors",
    "load_request",
    "open_requests",
    "requesting_org",
    "scope_defaults",
    "signoff_required",
    "submit",
]

OWN_ENTRY = message(
    "Your department provides this entry: its members use it directly, without applying",
    "该信息资源由本部门提供，无需申请",
)
CHOOSE_DEPARTMENT = message(
    "You belong to several departments: say which one you apply for (requesting_org)",
    "您属于多个部门，请选择申请部门（requesting_org）",
)
NOT_A_DEPARTMENT = message(
    "Not a department you belong to: choose one of yours",
    "不是您所属的部门，请选择您所属的部门",
)


def load_request(request_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
    query = sa.select(request_table).where(request_table.c.id == request_id)
    if for_update:
        query = query.with_for_update()
    row = model.Session.execute(query).first()
    return dict(row._mapping) if row else None


def open_requests(package_id: str, requesting_org_id: str) -> list[dict[str, Any]]:
    """The department's requests on the entry that count as open (``rules.counts_as_open``),
    newest first. Takes a transaction-scoped lock on the (entry, department) pair first, so
    two requests sent at once are checked one after the other: the second sees the first."""
    key = f"govshare_access_request:{package_id}:{requesting_org_id}"
    model.Session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(key))))
    c = request_table.c
    rows = model.Session.execute(
        sa.select(request_table)
        .where(
            c.package_id == package_id,
            c.requesting_org_id == requesting_org_id,
            c.status.in_(sorted(workflow.OPEN_STATES)),
            c.kind.in_(sorted(rules.ONE_OPEN_KINDS)),
        )
        .order_by(c.submitted_at.desc(), c.id)
    ).all()
    return [dict(r._mapping) for r in rows]


def attachment_of(request: Mapping[str, Any]) -> dict[str, Any] | None:
    """The request's attachment as stored (``path`` on the server, ``name``, ``size``,
    ``sha256``), or ``None`` when it has none (or its file is gone)."""
    stored = request.get("attachment")
    path = attachments.path_of(request["id"], stored) if stored else None
    if not stored or path is None:
        return None
    return {**stored, "path": path, "name": stored.get("name") or "attachment"}


def central_involved(*org_ids: str) -> bool:
    """Either department is central (organization field ``is_central``): a dispute may then
    go on to the joint conference (art. 12(3))."""
    for org_id in org_ids:
        org = model.Group.get(org_id)
        extras = org.extras if org is not None else {}  # pyright: ignore[reportAttributeAccessIssue] - not declared on 2.12's Group
        value = extras.get("is_central")
        if limits.yes_no(value) is True:
            return True
    return False


def _region_code(org_id: str) -> str | None:
    org = model.Group.get(org_id)
    extras = org.extras if org is not None else {}  # pyright: ignore[reportAttributeAccessIssue] - not declared on 2.12's Group
    return extras.get("region_code")


def cross_level(provider_org_id: str, requesting_org_id: str) -> bool:
    """The two departments are of different levels or regions (2025 art. 28): their division
    codes (organization field ``region_code``, GB/T 2260) differ; a department without a code
    is not cross-level. Recorded when the request is made (``cross_level``): a dispute over it
    then goes to the common upper authority before the people's government."""
    return rules.cross_level(_region_code(provider_org_id), _region_code(requesting_org_id))


def signoff_required(person: Person, requesting_org_id: str, kind: str) -> bool:
    """Whether what ``person`` sends for ``requesting_org_id`` waits for that department's
    head (2025 art. 20, rule ``internal_signoff``): a request (any kind but a negotiation) by
    a member who is not its data officer. A data officer's own request is signed off by
    sending it; sysadmins take every step themselves."""
    return bool(
        kind != codes.KIND_NEGOTIATION
        and profiles.on("internal_signoff")
        and not person.sysadmin
        and requesting_org_id not in person.officer_of
    )


def requesting_org(person: Person, value: str | None, entry: Mapping[str, Any]) -> str:
    """The department a request is made for: one the user belongs to, not the provider."""
    try:
        org_id = person.acting_for(value)
    except LookupError:
        raise tk.ValidationError({"requesting_org": [NOT_A_DEPARTMENT]}) from None
    if org_id is None:
        raise tk.ValidationError({"requesting_org": [CHOOSE_DEPARTMENT]})
    if org_id == entry["owner_org"]:
        raise tk.ValidationError({"requesting_org": [OWN_ENTRY]})
    return org_id


def _shared_types(negotiation: bool) -> tuple[str, ...]:
    """Data items a request may ask for; a negotiation may ask for not-shared ones too."""
    if negotiation:
        return ("unconditional", "conditional", "not_shared")
    return ("unconditional", "conditional")


def scope_defaults(entry: Mapping[str, Any], data: dict[str, Any], *, negotiation: bool) -> None:
    """Resources and data items default to all the request may ask for."""
    if not data.get("resource_ids"):
        data["resource_ids"] = rules.resource_ids(entry)
    if not data.get("data_items"):
        data["data_items"] = rules.item_names(entry, _shared_types(negotiation))


def entry_errors(
    entry: Mapping[str, Any], data: Mapping[str, Any], *, expected: str, negotiation: bool
) -> dict[str, list[str]]:
    """The request against its entry: the path its share type opens (only that error when it
    is the wrong one), then its scope, pledge, method and period (art. 12, 14)."""
    path = rules.check_path(entry, expected)
    if path:
        return path
    errors = rules.check_request(entry, data, today=clock.today(), negotiation=negotiation)
    if not data.get("resource_ids") and "resource_ids" not in errors:
        errors["resource_ids"] = [rules.NO_RESOURCES]
    return errors


def create_request(
    entry: Mapping[str, Any],
    person: Person,
    data: Mapping[str, Any],
    *,
    kind: str,
    request_id: str | None = None,
) -> dict[str, Any]:
    """A new conditional request (``submitted``) or negotiation (``negotiating``)."""
    conditional = kind in (codes.KIND_REQUEST, codes.KIND_USE_CHANGE)  # 2025 art. 25
    action = Action.SUBMIT if conditional else Action.NEGOTIATE
    requesting = data["requesting_org"]
    roles = {Role.REQUESTER} | ({Role.SYSADMIN} if person.sysadmin else set())
    waits = signoff_required(person, requesting, kind)
    state = workflow.transition(workflow.NEW, action, roles, signoff_required=waits)
    at = clock.now()
    due = deadlines.due_date(at) if conditional else None
    # 2025 art. 20: a request waiting for its department's head is not yet sent (no clock);
    # one a data officer sends is signed off by them.
    waiting = state == workflow.AWAITING_SIGNOFF
    signed = action is Action.SUBMIT and not waiting and profiles.on("internal_signoff")
    if waiting:
        due = None
    request = {
        "id": request_id or str(uuid.uuid4()),
        "kind": kind,
        "status": state,
        "package_id": entry["id"],
        "provider_org_id": entry["owner_org"],
        "requesting_org_id": requesting,
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
        # A use change (2025 art. 25): the grant whose use changes, and what changes.
        "grant_id": data.get("grant_id"),
        "use_change": data.get("use_change"),
        "central_involved": central_involved(entry["owner_org"], requesting),
        "cross_level": cross_level(entry["owner_org"], requesting),
        "submitted_at": at,
        "last_submitted_at": at,
        "due_date": due,
        "updated_at": at,
        "signed_off_by": person.id if signed else None,
        "signed_off_at": at if signed else None,
    }
    model.Session.execute(sa.insert(request_table).values(**request))
    record_event(
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
    audit(
        f"govshare_request_{action.value}",
        person,
        actor_department=requesting,
        object_type="access_request",
        object_id=request["id"],
        # Not sent yet (2025 art. 20): its department's own record until its head sends it.
        object_department=requesting if waiting else entry["owner_org"],
        detail={
            "package_id": entry["id"],
            "status": state,
            "purpose": request["purpose"],
            "due_date": plain(due),
            "resource_ids": request["resource_ids"],
            "data_items": request["data_items"],
        },
    )
    officers = people(entry["owner_org"], officers=True)
    requester, key = person.id or "", request["id"]
    if waiting:
        heads = people(requesting, officers=True)
        notify_request("request_signoff_needed", request, heads, f"signoff_needed:{key}:0")
    elif conditional:
        notify_request("request_submitted", request, [requester], f"submitted:{key}")
        notify_request("request_received", request, officers, f"received:{key}")
    else:
        notify_request("negotiation_opened", request, [requester, *officers], f"negotiation:{key}")
    return request


def submit(
    entry: Mapping[str, Any],
    person: Person,
    data: Mapping[str, Any],
    *,
    kind: str,
    commit: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Make the request (or negotiation) the form asked for, with its attachment and, for a
    negotiation, its first message in the thread (``data["reason"]``).

    ``commit`` (the action's commit) runs before the attachment is kept: when anything fails,
    the rows are rolled back and the stored file is removed.
    """
    values = dict(data)
    values["requesting_org"] = requesting_org(person, values.get("requesting_org"), entry)
    # One open request per entry and department (issue 19, item 3): the first is followed up.
    duplicate = rules.duplicate_errors(open_requests(entry["id"], values["requesting_org"]))
    if duplicate:
        raise field_errors(tk.ValidationError, duplicate)
    scope_defaults(entry, values, negotiation=kind == codes.KIND_NEGOTIATION)
    upload = values.pop("attachment", None)
    request_id: str | None = None
    try:
        if attachments.is_upload(upload):
            request_id = str(uuid.uuid4())
            values["attachment"] = attachments.save(upload, request_id)
        request = create_request(entry, person, values, kind=kind, request_id=request_id)
        if values.get("reason") and kind == codes.KIND_NEGOTIATION:
            request = step(request, Action.COMMENT, person, text=values["reason"])
        if commit is not None:
            commit()
    except Exception:
        model.Session.rollback()
        if request_id:
            attachments.discard(request_id)
        raise
    return request

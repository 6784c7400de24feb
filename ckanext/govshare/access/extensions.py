"""Extensions of the time to answer a request (2025 Regulations art. 21).

The provider's data officer asks the sharing authority for more working days while the
request is ``submitted`` and not yet overdue (one pending extension at a time; in all at most
``profiles.number("extension_max")`` working days); the authority approves or rejects. An
approval moves the due date by the days asked, counted in working days from the current due
date, adds them to the request's ``extended_days`` and keeps ``due_before``/``due_after`` on
the extension; the requesting department and the provider are told (art. 21: an extension is
told to the requester).

Both steps are steps of the state machine (``extend``, ``extension_decide``; the state stays
``submitted``), so each has its history row and audit event in the caller's transaction.
Under a profile without extensions (``profiles.on("extensions")`` off) both are refused with
a 409 naming the profile.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from .. import notices, profiles
from ..core import clock, paging
from ..core.membership import Person
from ..core.messages import message
from ..core.serialise import label, plain
from . import codes, deadlines, present, workflow
from .model import extension_table, request_table
from .requests import load_request
from .transitions import conditions, notify_request, people, refusal, step
from .workflow import Action, Refused

__all__ = [
    "NO_SUCH_EXTENSION",
    "check_enabled",
    "decide",
    "extension_dicts",
    "list_extensions",
    "load_extension",
    "of_request",
    "request_extension",
]

NO_SUCH_EXTENSION = message("No such extension", "延期申请不存在")
PENDING_ALREADY = message(
    "An extension of this request is already waiting for the sharing authority: one at a time",
    "该申请已有一项延期申请待共享主管部门决定，不能同时提出多项",
)
OVERDUE = message(
    "The request is already overdue: an extension must be asked for before the due date",
    "该申请已超过答复期限，延期须在答复期限届满前申请",
)
DECIDED_ALREADY = message("This extension has already been decided", "该延期申请已作出决定")
NEEDS_REASON = message(
    "Give the reason: an extension, and its refusal, must say why",
    "请说明理由：申请延期及不同意延期均须说明理由",
)
NO_DUE_DATE = message("The request has no due date to extend", "该申请没有可延长的答复期限")


def check_enabled() -> None:
    """A 409 on ``id`` naming the profile when it has no extensions (2016 Measures)."""
    if not profiles.on("extensions"):
        raise tk.ValidationError(
            {"id": [deadlines.not_in_profile("Extending the time to answer", "延长答复期限")]}
        )


def _too_many(left: int, most: int) -> str:
    return message(
        f"At most {most} working days in all (art. 21): {left} are left for this request",
        f"延长期限累计不得超过{most}个工作日（第二十一条），本申请尚可延长{left}个工作日",
    )


def load_extension(extension_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
    query = sa.select(extension_table).where(extension_table.c.id == extension_id)
    if for_update:
        query = query.with_for_update()
    row = model.Session.execute(query).first()
    return dict(row._mapping) if row else None


def _pending_of(request_id: str) -> dict[str, Any] | None:
    e = extension_table.c
    row = model.Session.execute(
        sa.select(extension_table).where(
            e.request_id == request_id, e.status == codes.EXTENSION_PENDING
        )
    ).first()
    return dict(row._mapping) if row else None


def _check_step(request: Mapping[str, Any], person: Person, action: Action) -> None:
    """The state machine's answer first: the role (403) and the state (409)."""
    try:
        workflow.transition(
            request["status"], action, person.request_roles(request), **conditions(request)
        )
    except Refused as error:
        raise refusal(error) from None


def request_extension(
    request: Mapping[str, Any], person: Person, data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The provider's data officer asks for ``days`` more working days (art. 21); answers the
    request (with its history row) and the pending extension."""
    check_enabled()
    _check_step(request, person, Action.EXTEND)
    reason = (data.get("reason") or "").strip()
    if not reason:
        raise tk.ValidationError({"reason": [NEEDS_REASON]})
    if request.get("due_date") is None:
        raise tk.ValidationError({"id": [NO_DUE_DATE]})
    if deadlines.is_overdue(request, clock.today()):
        raise tk.ValidationError({"id": [OVERDUE]})
    if _pending_of(request["id"]) is not None:
        raise tk.ValidationError({"id": [PENDING_ALREADY]})
    most = profiles.number("extension_max") or 0
    left = most - int(request.get("extended_days") or 0)
    days = int(data["days"])
    if days > left:
        raise tk.ValidationError({"days": [_too_many(max(left, 0), most)]})
    at = clock.now()
    extension = {
        "id": str(uuid.uuid4()),
        "request_id": request["id"],
        "days": days,
        "reason": reason,
        "status": codes.EXTENSION_PENDING,
        "requested_by": person.id,
        "requested_at": at,
        "due_before": request["due_date"],
    }
    model.Session.execute(sa.insert(extension_table).values(**extension))
    updated = step(
        request,
        Action.EXTEND,
        person,
        text=reason,
        detail={
            "extension_id": extension["id"],
            "days": days,
            "due_date": plain(request["due_date"]),
        },
    )
    notify_request(
        "extension_requested",
        updated,
        notices.authority_members(),
        f"extension_requested:{extension['id']}",
        days=days,
    )
    return updated, extension


def decide(
    extension: Mapping[str, Any], person: Person, data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The sharing authority approves or rejects a pending extension (art. 21). An approval
    moves the request's due date by the extension's working days from the current due date.
    Answers the request and the extension as changed."""
    check_enabled()
    request = load_request(extension["request_id"], for_update=True)
    if request is None:  # the extension's foreign key makes this a race with a deletion
        raise tk.ObjectNotFound(NO_SUCH_EXTENSION)
    _check_step(request, person, Action.EXTENSION_DECIDE)
    if extension["status"] != codes.EXTENSION_PENDING:
        raise tk.ValidationError({"id": [DECIDED_ALREADY]})
    approve = data["decision"] == "approve"
    reason = (data.get("reason") or "").strip() or None
    if not approve and reason is None:
        raise tk.ValidationError({"reason": [NEEDS_REASON]})
    due_before = request.get("due_date")
    if due_before is None:
        raise tk.ValidationError({"id": [NO_DUE_DATE]})
    changes: dict[str, Any] = {}
    due_after = None
    if approve:
        due_after = deadlines.extended_due(due_before, extension["days"])
        changes = {
            "due_date": due_after,
            "extended_days": int(request.get("extended_days") or 0) + extension["days"],
        }
    values = {
        "status": codes.EXTENSION_APPROVED if approve else codes.EXTENSION_REJECTED,
        "decided_by": person.id,
        "decided_at": clock.now(),
        "decision_reason": reason,
        "due_before": due_before,
        "due_after": due_after,
    }
    model.Session.execute(
        sa.update(extension_table).where(extension_table.c.id == extension["id"]).values(**values)
    )
    updated = step(
        request,
        Action.EXTENSION_DECIDE,
        person,
        text=reason,
        changes=changes,
        detail={
            "extension_id": extension["id"],
            "decision": data["decision"],
            "days": extension["days"],
            "due_before": plain(due_before),
            "due_after": plain(due_after),
        },
    )
    recipients = [
        *people(request["requesting_org_id"]),
        *people(request["provider_org_id"], officers=True),
    ]
    notify_request(
        "extension_decided",
        updated,
        recipients,
        f"extension_decided:{extension['id']}",
        days=extension["days"],
        due_before=due_before,
        reason=reason,
        outcome_en=(
            f"approved: the due date moves from {due_before} to {due_after}"
            if approve
            else f"rejected: the due date stays {due_before}"
        ),
        outcome_zh=(
            f"同意延期，答复期限由{due_before}延至{due_after}"
            if approve
            else f"不同意延期，答复期限仍为{due_before}"
        ),
    )
    return updated, {**extension, **values}


# ---------------------------------------------------------------------------- reading

_LABELS = {c.value: (c.en, c.zh) for c in codes.EXTENSION_STATUSES}


def extension_dicts(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Extensions as the API shows them, each with its request's entry, departments, status
    and due date (one query for the page's requests)."""
    ids = sorted({r["request_id"] for r in rows})
    found = (
        model.Session.execute(sa.select(request_table).where(request_table.c.id.in_(ids))).all()
        if ids
        else []
    )
    requests = {r["id"]: r for r in present.request_dicts([dict(f._mapping) for f in found])}
    result = []
    for row in rows:
        item = {k: plain(v) for k, v in row.items()}
        request = requests.get(row["request_id"]) or {}
        item.update(
            status_label=label(*_LABELS.get(row["status"], ("", ""))),
            package_id=request.get("package_id"),
            package_title=request.get("package_title"),
            requesting_org_id=request.get("requesting_org_id"),
            requesting_org=request.get("requesting_org"),
            requesting_org_title=request.get("requesting_org_title"),
            provider_org_id=request.get("provider_org_id"),
            provider_org=request.get("provider_org"),
            provider_org_title=request.get("provider_org_title"),
            request_status=request.get("status"),
            request_due_date=request.get("due_date"),
            created=plain(row.get("requested_at")),
            modified=plain(row.get("decided_at") or row.get("requested_at")),
        )
        result.append(item)
    return result


def of_request(request_id: str) -> list[dict[str, Any]]:
    """Every extension of a request, oldest first (the request page)."""
    rows = model.Session.execute(
        sa.select(extension_table)
        .where(extension_table.c.request_id == request_id)
        .order_by(extension_table.c.requested_at, extension_table.c.id)
    ).all()
    return extension_dicts([dict(r._mapping) for r in rows])


def _visible(person: Person, direction: str) -> sa.sql.ColumnElement[sa.Boolean]:
    """Extensions of the requests ``person`` may see: ``incoming``, those of requests
    addressed to the departments they are a data officer of (every extension for the
    authority, who decides them, and sysadmins); ``outgoing``, those of their departments'
    requests; ``all``, both."""
    r = request_table.c
    sees_all = person.sysadmin or person.authority
    incoming = sa.true() if sees_all else r.provider_org_id.in_(sorted(person.officer_of))
    outgoing = r.requesting_org_id.in_(sorted(person.orgs))
    if direction == "incoming":
        return incoming
    if direction == "outgoing":
        return outgoing
    return sa.true() if sees_all else sa.or_(incoming, outgoing)


def _ref(table: Any, reference: str) -> str:
    found = table.get(reference)
    return found.id if found is not None else reference


def list_extensions(person: Person, query: Mapping[str, Any]) -> dict[str, Any]:
    """One page of the extensions ``person`` sees (``govshare_extension_list``): pending ones
    first (oldest first: the authority decides them in turn), then the rest, newest first.

    ``query``: ``direction``, ``status`` (a list), ``request_id``, ``requesting_org``,
    ``provider_org``, ``limit``, ``offset``.
    """
    e, r = extension_table.c, request_table.c
    where: list[Any] = [
        e.request_id.in_(sa.select(r.id).where(_visible(person, query.get("direction") or "all")))
    ]
    if query.get("status"):
        where.append(e.status.in_(list(query["status"])))
    if query.get("request_id"):
        where.append(e.request_id == query["request_id"])
    for key, column in (
        ("requesting_org", r.requesting_org_id),
        ("provider_org", r.provider_org_id),
    ):
        if query.get(key):
            org_id = _ref(model.Group, query[key])
            where.append(e.request_id.in_(sa.select(r.id).where(column == org_id)))
    pending_first = sa.case((e.status == codes.EXTENSION_PENDING, 0), else_=1)
    newest = sa.case(
        (e.status == codes.EXTENSION_PENDING, sa.func.extract("epoch", e.requested_at)),
        else_=-sa.func.extract("epoch", e.requested_at),
    )
    return paging.page(
        extension_table, sa.and_(*where), [pending_first, newest, e.id], query, extension_dicts
    )

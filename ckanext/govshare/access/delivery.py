"""Answers and deliveries after the decision (2025 Regulations art. 21, 22).

- An unconditional entry obtained by self-service is an immediate answer (art. 21: within
  one working day): under ``answer_unconditional`` :func:`obtain` records it as a request
  answered at once (kind ``request``, ``approved``, submitted and decided at the same moment,
  due one working day later, decided by the platform), linked to the grant, so the reports
  count it as answered on time.
- An approved grant's data must be available within ``profiles.number("delivery")`` working
  days of the approval (art. 22; ``grants.grant_from_request`` sets ``delivery_due``).
  :func:`mark_delivered` records the first delivery (``delivered_at``/``_by``,
  ``delivery_method``), by the provider marking it or by the first successful delivery by
  any method: a file download or bulk ZIP (``downloads.service.record``), a service
  interface call (``interface.service.answered``), a batch exchange run
  (``exchange.runs``). A preview is not a delivery. Only the first counts (idempotent);
  each is audited (``govshare_grant_deliver``) in the caller's transaction.

Under a profile without these rules (2016 Measures) nothing here writes anything.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from .. import profiles, workdays
from ..core import clock
from ..core.membership import Person
from ..core.messages import message
from ..core.serialise import plain
from . import codes, deadlines, grants, rules, workflow
from .model import grant_table, request_table
from .transitions import audit, record_event
from .workflow import Action, Role

__all__ = [
    "ENDED",
    "SELF_SERVICE_REASON",
    "check_enabled",
    "deliver",
    "method_for",
    "mark_delivered",
    "obtain",
]

ENDED = message(
    "The grant has ended: there is nothing left to deliver",
    "该授权已终止或到期，无需再提供数据",
)
#: The decision text of a self-service obtain's immediate answer.
SELF_SERVICE_REASON = message(
    "Unconditionally shared: obtained at once by self-service",
    "无条件共享：自助获取，即时答复",
)
#: Grant statuses in which the data may still be (or have been) delivered.
_DELIVERABLE = (codes.GRANT_ACTIVE, codes.GRANT_SUSPENDED)  # delivered, then paused
#: The delivery method a grant's share method stands for (art. 22).
_BY_SHARE_METHOD = {
    "file_download": "file_download",
    "bulk_download": "file_download",
    "api": "service_interface",
    "online_query": "service_interface",
    "exchange_node": "batch_exchange",
    "database": "batch_exchange",
}


def check_enabled() -> None:
    """A 409 on ``id`` naming the profile when it has no delivery deadline (2016)."""
    if not profiles.on("delivery_deadline"):
        raise tk.ValidationError(
            {"id": [deadlines.not_in_profile("Recording the delivery of data", "记录数据提供")]}
        )


def method_for(grant: Mapping[str, Any]) -> str:
    """The delivery method a grant's share method stands for; ``other`` for the rest."""
    return _BY_SHARE_METHOD.get(str(grant.get("share_method") or ""), "other")


def mark_delivered(
    grant_id: str,
    *,
    method: str,
    person: Person | None = None,
    user_id: str | None = None,
    note: str | None = None,
) -> dict[str, Any] | None:
    """Record the grant's first delivery (art. 22), audited; ``None`` when there is nothing
    to record: the rule is off, or the grant was already delivered (only the first counts).

    One conditional UPDATE: of concurrent first deliveries exactly one records it. ``person``
    (or only ``user_id``, for a delivery method that has no ``Person``) is who delivered or
    marked it; ``None``: the platform (a batch exchange run)."""
    if not profiles.on("delivery_deadline"):
        return None
    at = clock.now()
    by = person.id if person is not None else user_id
    g = grant_table.c
    row = model.Session.execute(
        sa.update(grant_table)
        .where(g.id == grant_id, g.delivered_at.is_(None))
        .values(delivered_at=at, delivered_by=by, delivery_method=method)
        .returning(grant_table)
    ).first()
    if row is None:
        return None
    grant = dict(row._mapping)
    due = grant.get("delivery_due")
    audit(
        "govshare_grant_deliver",
        person,
        actor_department=grant["provider_org_id"] if person is not None else None,
        object_type="grant",
        object_id=grant_id,
        object_department=grant["provider_org_id"],
        detail={
            "holder": grant["organization_id"],
            "method": method,
            "by": by,
            "delivery_due": plain(due),
            "on_time": None if due is None else clock.local_date(at) <= due,
            **({"note": note} if note else {}),
        },
    )
    return grant


def deliver(grant: Mapping[str, Any], person: Person, data: Mapping[str, Any]) -> dict[str, Any]:
    """The provider's data officer marks a grant delivered (``govshare_grant_deliver``): the
    first delivery is recorded, a later call answers the grant as it is."""
    check_enabled()
    if grant["status"] not in _DELIVERABLE:
        raise tk.ValidationError({"id": [ENDED]})
    marked = mark_delivered(
        grant["id"],
        method=data.get("method") or method_for(grant),
        person=person,
        note=(data.get("reason") or "").strip() or None,
    )
    return marked or grants.load_grant(grant["id"]) or dict(grant)


# ---------------------------------------------------------------------------- self-service


def _answered_request(
    entry: Mapping[str, Any],
    person: Person,
    requesting_org: str,
    data: Mapping[str, Any],
    period: tuple[Any, Any],
) -> dict[str, Any]:
    """The request a self-service obtain stands for, answered at once (art. 21): written with
    its history (submitted by the user, approved by the platform) and audit events."""
    at = clock.now()
    days = profiles.number("unconditional")
    due = workdays.current().add_workdays(clock.local_date(at), days) if days is not None else None
    request = {
        "id": str(uuid.uuid4()),
        "kind": codes.KIND_REQUEST,
        "status": workflow.APPROVED,
        "package_id": entry["id"],
        "provider_org_id": entry["owner_org"],
        "requesting_org_id": requesting_org,
        "requester_id": person.id,
        "purpose": data["purpose"],
        "purpose_detail": data["purpose_detail"],
        "resource_ids": rules.resource_ids(entry),
        "data_items": rules.item_names(entry, ("unconditional",)),
        "period_start": period[0],
        "period_end": period[1],
        "pledge": bool(data.get("pledge")),
        "submitted_at": at,
        "last_submitted_at": at,
        "due_date": due,
        "decided_at": at,
        "decided_by": None,
        "decision_reason": SELF_SERVICE_REASON,
        "updated_at": at,
    }
    model.Session.execute(sa.insert(request_table).values(**request))
    steps = (
        (Action.SUBMIT, Role.REQUESTER, person, None, workflow.SUBMITTED, None),
        (
            Action.APPROVE,
            Role.SYSTEM,
            None,
            workflow.SUBMITTED,
            workflow.APPROVED,
            SELF_SERVICE_REASON,
        ),
    )
    for action, role, actor, before, after, text in steps:
        event = record_event(
            request,
            person=actor,
            role=role,
            action=action,
            from_state=before,
            to_state=after,
            text=text,
            detail={"self_service": True, "due_date": plain(due)},
            at=at,
        )
        audit(
            f"govshare_request_{action.value}",
            actor,
            actor_department=requesting_org if actor is not None else None,
            object_type="access_request",
            object_id=request["id"],
            object_department=entry["owner_org"],
            detail={
                "package_id": entry["id"],
                "from": before,
                "to": after,
                "role": role.value,
                "event": event,
                "self_service": True,
                "due_date": plain(due),
            },
        )
    return request


def obtain(
    entry: Mapping[str, Any], person: Person, requesting_org: str, data: Mapping[str, Any]
) -> dict[str, Any]:
    """An unconditional entry at once (art. 12(1) of 2016, 21 of 2025): the live grant the
    department already holds for this purpose, else a new one; under
    ``answer_unconditional`` the new one comes with the request it answers at once."""
    held = grants.held_self_service(entry["id"], requesting_org, data["purpose"])
    if held is not None:
        return held
    request_id = None
    if profiles.on("answer_unconditional"):
        period = grants.self_service_period()
        request_id = _answered_request(entry, person, requesting_org, data, period)["id"]
    return grants.obtain(entry, person, requesting_org, data, request_id=request_id)

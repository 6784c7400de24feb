"""Negotiation and escalation (art. 12(3)): not-shared data, and requests the provider refused.

A negotiation is opened on a not-shared entry (a new request of kind ``negotiation``) or on
a rejected request (which keeps its history). Either party may take it to the sharing
authority, and from there to the joint conference when a central department is involved;
the body it reached grants (creating the grant) or denies, with a reason. Under the 2025
Regulations (art. 28) the authority's next step is the common upper authority, reached through
a recorded referral, for disputes across levels or regions, and the people's government;
the authority enters both bodies' decisions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk

from .. import profiles
from ..core import clock
from ..core.membership import Person
from ..core.messages import field_errors
from ..core.serialise import plain
from . import codes, grants, requests, rules, workflow
from .transitions import conditions, step
from .workflow import Action

__all__ = [
    "decide_escalation",
    "escalate",
    "escalation_target",
    "open_negotiation",
    "reopen_as_negotiation",
]


def open_negotiation(
    entry: Mapping[str, Any],
    person: Person,
    data: Mapping[str, Any],
    *,
    commit: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """A negotiation with the provider of a not-shared entry; ``data["reason"]`` (optional)
    is its first message in the thread."""
    return requests.submit(entry, person, data, kind=codes.KIND_NEGOTIATION, commit=commit)


def reopen_as_negotiation(
    request: Mapping[str, Any], person: Person, reason: str | None
) -> dict[str, Any]:
    """A rejected request goes on to negotiation, keeping its history; not while the
    department has applied again and that request is still open (one open request per entry
    and department, issue 19 item 3)."""
    others = requests.open_requests(request["package_id"], request["requesting_org_id"])
    duplicate = rules.duplicate_errors(r for r in others if r["id"] != request["id"])
    if duplicate:
        raise field_errors(tk.ValidationError, duplicate)
    return step(request, Action.NEGOTIATE, person, text=reason)


def escalate(
    request: Mapping[str, Any],
    person: Person,
    reason: str,
    referral: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Take a dispute up: from negotiation (or an overdue request) to the sharing authority;
    from the authority to the joint conference when a central department is involved (2016
    art. 12(3)), or (2025 art. 28) to the common upper authority when the departments are of
    different levels or regions, else to the people's government; from the upper authority to
    the people's government.

    ``referral`` (2025): ``upper_platform``, ``reference``, ``note`` — required when the step
    goes to the common upper authority, which is reached through the upper platform; the
    request keeps it as ``referral`` (with ``referred_at`` and ``referred_by``) and the
    history row and audit event carry it.
    """
    referral = referral or {}
    if not profiles.on("upper_authority"):
        return step(request, Action.ESCALATE, person, text=reason)
    target = escalation_target(request, person)
    if target is None:  # the step says why it may not go up
        return step(request, Action.ESCALATE, person, text=reason)
    errors = rules.referral_errors(referral, to_upper=target == workflow.ESCALATED_UPPER)
    if errors:
        raise field_errors(tk.ValidationError, errors)
    if target != workflow.ESCALATED_UPPER:
        return step(request, Action.ESCALATE, person, text=reason)
    record = {
        "platform": referral["upper_platform"],
        "reference": referral["reference"],
        "note": referral.get("note") or None,
        "referred_at": plain(clock.now()),
        "referred_by": person.id,
        "referred_by_name": person.name,
    }
    return step(
        request,
        Action.ESCALATE,
        person,
        text=reason,
        changes={"referral": record},
        detail={"referral": record},
    )


def escalation_target(request: Mapping[str, Any], person: Person) -> str | None:
    """Where escalating would take the request under the profile in force (``None``: the
    person may not take it up; the step then says why)."""
    try:
        return workflow.transition(
            request["status"],
            Action.ESCALATE,
            person.request_roles(request),
            **conditions(request),
        )
    except workflow.Refused:
        return None


def decide_escalation(
    request: Mapping[str, Any], person: Person, data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The body the dispute reached grants (a grant, narrowed as an approval may be) or
    denies; either way with a reason.

    2025 art. 28: the authority enters the outcome of the common upper authority and the
    decision of the people's government; the history row records which body decided
    (``decided_by_body``, given or taken from the level the dispute reached; a body it is
    not before is refused) and the decision's document number (``reference``).
    """
    action = Action.GRANT if data["decision"] == "grant" else Action.DENY
    detail: dict[str, Any] | None = None
    if profiles.on("upper_authority"):
        level = request.get("escalation_level")
        errors = rules.body_errors(data.get("decided_by_body"), level)
        if errors:
            raise field_errors(tk.ValidationError, errors)
        detail = {"decided_by_body": level}
        if data.get("reference"):
            detail["reference"] = data["reference"]
    updated = step(request, action, person, text=data["reason"], detail=detail)
    grant = (
        grants.grant_from_request(request, person, data, "escalation")
        if action is Action.GRANT
        else None
    )
    return updated, grant

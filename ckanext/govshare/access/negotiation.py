"""Negotiation and escalation (art. 12(3)): not-shared data, and requests the provider refused.

A negotiation is opened on a not-shared entry (a new request of kind ``negotiation``) or on
a rejected request (which keeps its history). Either party may take it to the sharing
authority, and from there to the joint conference when a central department is involved;
the body it reached grants (creating the grant) or denies, with a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..core.membership import Person
from . import codes, grants, requests
from .transitions import step
from .workflow import Action

__all__ = ["decide_escalation", "escalate", "open_negotiation", "reopen_as_negotiation"]


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
    """A rejected request goes on to negotiation, keeping its history."""
    return step(request, Action.NEGOTIATE, person, text=reason)


def escalate(request: Mapping[str, Any], person: Person, reason: str) -> dict[str, Any]:
    """Take a dispute up: from negotiation (or an overdue request) to the sharing authority;
    from the authority to the joint conference when a central department is involved."""
    return step(request, Action.ESCALATE, person, text=reason)


def decide_escalation(
    request: Mapping[str, Any], person: Person, data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The body the dispute reached grants (a grant, narrowed as an approval may be) or
    denies; either way with a reason."""
    action = Action.GRANT if data["decision"] == "grant" else Action.DENY
    updated = step(request, action, person, text=data["reason"])
    grant = (
        grants.grant_from_request(request, person, data, "escalation")
        if action is Action.GRANT
        else None
    )
    return updated, grant

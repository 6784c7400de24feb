"""Who did it, for which department, and recording refused authorisation."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from . import store

# The action's user, for events recorded where no context reaches (SQLAlchemy flush events).
_acting: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "govshare_audit_acting", default=None
)


@contextlib.contextmanager
def acting_as(context: Mapping[str, Any]) -> Iterator[None]:
    """Make the context's user the actor of events recorded inside the block."""
    token = _acting.set(context.get("user") or None)
    try:
        yield
    finally:
        _acting.reset(token)


def current_user_name() -> str | None:
    """The logged-in user's name when there is a request, else ``None``."""
    try:
        user = tk.current_user
        return None if user.is_anonymous else user.name
    except (RuntimeError, AttributeError):
        return None


def actor(context: Mapping[str, Any] | None = None) -> tuple[str | None, str | None]:
    """(user id, user name) of the action's user: the context's, else the logged-in user."""
    name = (context or {}).get("user") or _acting.get() or current_user_name()
    if not name:
        return None, None
    user = model.User.get(name)
    return (user.id, user.name) if user else (None, name)


def organizations_of(user_id: str | None, capacities: tuple[str, ...] | None = None) -> list[str]:
    """Ids of the organizations the user is an active member of (optionally in a capacity)."""
    if not user_id:
        return []
    query = (
        model.Session.query(model.Member.group_id)
        .join(model.Group, model.Group.id == model.Member.group_id)
        .filter(
            model.Member.table_name == "user",
            model.Member.table_id == user_id,
            model.Member.state == "active",
            model.Group.is_organization.is_(True),
            model.Group.state == "active",
        )
    )
    if capacities:
        query = query.filter(model.Member.capacity.in_(capacities))
    return sorted({row[0] for row in query})


def acting_department(user_id: str | None, hint: str | None = None) -> str | None:
    """The department (organization id) the user acts for.

    A user acts for one department at a time (workflows.md). Until requests carry it
    explicitly, it is the object's department when the user belongs to it, else the user's only
    department, else unknown (``None``) rather than a guess among several.
    """
    orgs = organizations_of(user_id)
    if hint and hint in orgs:
        return hint
    return orgs[0] if len(orgs) == 1 else None


@contextlib.contextmanager
def recording_refusals(
    action: str,
    context: Mapping[str, Any],
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    object_department: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> Iterator[None]:
    """Record a ``refused`` event when the block raises ``NotAuthorized``, then re-raise.

    Wrap a govshare action's ``check_access`` with it. The refusal is committed on its own
    (the action that was refused changes nothing), after rolling back whatever the action had
    started, so the evidence survives the error response.
    """
    try:
        yield
    except tk.NotAuthorized as error:
        model.Session.rollback()
        user_id, user_name = actor(context)
        store.record(
            action,
            actor_id=user_id,
            actor_name=user_name,
            actor_department=acting_department(user_id, object_department),
            object_type=object_type,
            object_id=object_id,
            object_department=object_department,
            outcome="refused",
            detail={**(detail or {}), "reason": str(error) or None},
        )
        model.Session.commit()
        raise

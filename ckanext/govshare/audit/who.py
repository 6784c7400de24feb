"""Who did it, and recording refused authorisation (for which department: ``core.membership``)."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ..core import membership
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
            actor_department=membership.acting_department(user_id, object_department),
            object_type=object_type,
            object_id=object_id,
            object_department=object_department,
            outcome="refused",
            detail={**(detail or {}), "reason": str(error) or None},
        )
        model.Session.commit()
        raise

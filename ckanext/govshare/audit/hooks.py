"""What the platform records on its own: catalogue changes, logins, API tokens.

- Entries, resources, views, departments, groups, memberships and users: ``changes`` (session
  listeners and a frame around every state-changing CKAN action), in the committing transaction.
- API tokens: CKAN's actions commit *inside* the action, so a chained action could only record
  after the commit. A session ``after_flush`` listener records them instead, in the flush that
  writes the change, whichever action (or code) made it.
- Logins and failed logins: CKAN signals; nothing else is being written, so the event is
  committed on its own.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model, plugins
from ckan.lib import signals as ckan_signals
from sqlalchemy import event

from ..core import membership
from . import changes, store, who


def _user_name(conn: sa.engine.Connection, user_id: str | None) -> str | None:
    if not user_id:
        return None
    return conn.execute(
        sa.select(model.user_table.c.name).where(model.user_table.c.id == user_id)
    ).scalar()


def _api_token(conn: sa.engine.Connection, token: Any, action: str) -> None:
    user_id, user_name = who.actor()
    store.record(
        action,
        actor_id=user_id,
        actor_name=user_name,
        actor_department=membership.acting_department(user_id),
        object_type="api_token",
        # The token's id (jti) names it in CKAN's token list; the token itself is never kept.
        object_id=token.id,
        detail={
            "token_name": token.name,
            "owner_id": token.user_id,
            "owner_name": _user_name(conn, token.user_id),
        },
        connection=conn,
    )


def after_flush(session: Any, flush_context: Any) -> None:
    """Record API-token changes in the transaction that writes them."""
    interesting = [
        (obj, kind)
        for objs, kind in ((session.new, "new"), (session.deleted, "del"))
        for obj in objs
        if isinstance(obj, model.ApiToken)
    ]
    # The listener outlives the plugin (tests unload plugins): record only while it is loaded.
    if not interesting or not plugins.plugin_loaded("govshare"):
        return
    conn = session.connection()
    for obj, kind in interesting:
        _api_token(conn, obj, "api_token_create" if kind == "new" else "api_token_revoke")


def install() -> None:
    """Listen to CKAN's session (idempotent)."""
    if not event.contains(model.Session, "after_flush", after_flush):
        event.listen(model.Session, "after_flush", after_flush)
    changes.install()


# --- logins: CKAN signals ----------------------------------------------------------------


def logged_in(sender: Any, **kwargs: Any) -> None:
    user = kwargs.get("user")
    if user is None or getattr(user, "is_anonymous", False):
        return
    store.record(
        "user_login",
        actor_id=user.id,
        actor_name=user.name,
        actor_department=membership.acting_department(user.id),
        object_type="user",
        object_id=user.id,
    )
    model.Session.commit()


def login_failed(sender: Any, **kwargs: Any) -> None:
    """``sender`` is the login that was tried (a name or an e-mail address), never the password."""
    login = str(sender) if sender is not None else None
    user = model.User.by_name(login) or model.User.by_email(login) if login else None
    store.record(
        "user_login_failed",
        actor_id=None,
        actor_name=login,
        object_type="user",
        object_id=user.id if user else None,
        outcome="refused",
        detail={"login": login},
    )
    model.Session.commit()


def subscriptions() -> dict[Any, list[Any]]:
    install()
    return {
        ckan_signals.user_logged_in: [logged_in],
        ckan_signals.failed_login: [login_failed],
    }

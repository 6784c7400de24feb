"""What the platform records on its own: catalogue entries, memberships, logins, API tokens.

- Catalogue entries: the plugin's ``IPackageController`` hooks call ``dataset_*`` below; they run
  inside the action's transaction, before its commit. ``package_update``'s previous share-type
  fields are captured by a chained ``package_update`` (``logic/action/audit.py``).
- Memberships and API tokens: CKAN's actions commit *inside* the action, so a chained action
  could only record after the commit. A session ``after_flush`` listener records them instead,
  in the flush that writes the change, whichever action (or code) made it.
- Logins and failed logins: CKAN signals; nothing else is being written, so the event is
  committed on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from ckan import model, plugins
from ckan.lib import signals as ckan_signals

from . import store, who

#: Share-type fields recorded before and after a catalogue entry changes (issue 2 adds them to
#: the schema; whichever exist are recorded).
SHARE_FIELDS = ("share_type", "share_conditions", "legal_basis", "open_to_public")

BEFORE_KEY = "govshare_audit_before"


def share_fields(values: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: values[k] for k in SHARE_FIELDS if values and k in values}


def stored_share_fields(package_id: str | None) -> dict[str, Any] | None:
    """The entry's share-type fields as stored now (``None`` for a new entry)."""
    pkg = model.Package.get(package_id) if package_id else None
    if pkg is None:
        return None
    return {"owner_org": pkg.owner_org, **share_fields(pkg.extras)}


def _record_dataset(action: str, context: Mapping[str, Any], pkg: Mapping[str, Any], **kw: Any):
    user_id, user_name = who.actor(context)
    owner = pkg.get("owner_org")
    store.record(
        action,
        actor_id=user_id,
        actor_name=user_name,
        actor_department=who.acting_department(user_id, owner),
        object_type="package",
        object_id=pkg.get("id"),
        object_department=owner,
        detail={"name": pkg.get("name"), **kw},
    )


def dataset_created(context: Mapping[str, Any], pkg: Mapping[str, Any]) -> None:
    _record_dataset("package_create", context, pkg, before=None, after=share_fields(pkg))


def dataset_updated(context: Mapping[str, Any], pkg: Mapping[str, Any]) -> None:
    before = dict(context.get(BEFORE_KEY) or {})
    before_owner = before.pop("owner_org", None)
    extra = {"owner_org_before": before_owner} if before_owner != pkg.get("owner_org") else {}
    _record_dataset("package_update", context, pkg, before=before, after=share_fields(pkg), **extra)


def dataset_deleted(context: Mapping[str, Any], data_dict: Mapping[str, Any]) -> None:
    pkg = model.Package.get(data_dict.get("id"))
    if pkg is None:
        return
    before = share_fields(pkg.extras)
    _record_dataset(
        "package_delete",
        context,
        {"id": pkg.id, "name": pkg.name, "owner_org": pkg.owner_org},
        before=before,
        after=None,
    )


# --- memberships and API tokens: in the flush that writes them ------------------------------


def _user_name(conn: sa.engine.Connection, user_id: str | None) -> str | None:
    if not user_id:
        return None
    return conn.execute(
        sa.select(model.user_table.c.name).where(model.user_table.c.id == user_id)
    ).scalar()


def _organization(conn: sa.engine.Connection, group_id: str | None) -> bool:
    if not group_id:
        return False
    return bool(
        conn.execute(
            sa.select(model.group_table.c.is_organization).where(model.group_table.c.id == group_id)
        ).scalar()
    )


def _history(obj: Any, name: str) -> tuple[Any, Any, bool]:
    hist = sa.inspect(obj).attrs[name].history
    before = hist.deleted[0] if hist.deleted else getattr(obj, name)
    return before, getattr(obj, name), hist.has_changes()


def _membership(conn: sa.engine.Connection, member: Any, new: bool) -> None:
    if member.table_name != "user" or not _organization(conn, member.group_id):
        return
    if new:
        action, before = "member_create", None
    else:
        state_before, state, state_changed = _history(member, "state")
        capacity_before, _, capacity_changed = _history(member, "capacity")
        if not (state_changed or capacity_changed):
            return
        if state_changed and state == "deleted":
            action = "member_delete"
        elif state_changed and state == "active":
            action = "member_create"
        else:
            action = "member_update"
        before = {"capacity": capacity_before, "state": state_before}
    user_id, user_name = who.actor()
    store.record(
        action,
        actor_id=user_id,
        actor_name=user_name,
        actor_department=who.acting_department(user_id, member.group_id),
        object_type="organization",
        object_id=member.group_id,
        object_department=member.group_id,
        detail={
            "user_id": member.table_id,
            "user_name": _user_name(conn, member.table_id),
            "capacity": member.capacity,
            "state": member.state,
            "before": before,
        },
        connection=conn,
    )


def _api_token(conn: sa.engine.Connection, token: Any, action: str) -> None:
    user_id, user_name = who.actor()
    store.record(
        action,
        actor_id=user_id,
        actor_name=user_name,
        actor_department=who.acting_department(user_id),
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
    """Record membership and API-token changes in the transaction that writes them."""
    interesting = [
        (obj, kind)
        for objs, kind in ((session.new, "new"), (session.dirty, "dirty"), (session.deleted, "del"))
        for obj in objs
        if isinstance(obj, model.Member | model.ApiToken)
    ]
    # The listener outlives the plugin (tests unload plugins): record only while it is loaded.
    if not interesting or not plugins.plugin_loaded("govshare"):
        return
    conn = session.connection()
    for obj, kind in interesting:
        if isinstance(obj, model.Member) and kind in ("new", "dirty"):
            _membership(conn, obj, new=kind == "new")
        elif isinstance(obj, model.ApiToken) and kind in ("new", "del"):
            _api_token(conn, obj, "api_token_create" if kind == "new" else "api_token_revoke")


def install() -> None:
    """Listen to CKAN's session (idempotent)."""
    if not sa.event.contains(model.Session, "after_flush", after_flush):
        sa.event.listen(model.Session, "after_flush", after_flush)


# --- logins: CKAN signals ----------------------------------------------------------------


def logged_in(sender: Any, **kwargs: Any) -> None:
    user = kwargs.get("user")
    if user is None or getattr(user, "is_anonymous", False):
        return
    store.record(
        "user_login",
        actor_id=user.id,
        actor_name=user.name,
        actor_department=who.acting_department(user.id),
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

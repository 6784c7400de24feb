"""Every state change of catalogue entries, resources, views, departments, groups, memberships
and users in the audit trail, in the transaction that makes it (issue 14 item 5).

One mechanism, not one patch per action:

- **Frames.** Every CKAN action whose name says it changes one of those objects
  (:func:`is_state_change`) is chained (``logic/action/audit.py``) so that it runs inside a
  frame naming it and its caller. Nested actions (``resource_create`` calls ``package_update``,
  ``bulk_update_private`` calls ``package_patch`` on CKAN 2.12) belong to the outermost frame:
  the event names the action the caller asked for.
- **What changed** is read off the session, whichever code changed it: ``before_flush`` keeps
  each touched object's state as stored before the frame touched it (so a purge keeps a record
  of what was purged), ``after_flush`` notes the rows written, ``do_orm_execute`` notes bulk
  ``UPDATE``/``DELETE`` statements (CKAN 2.11's ``bulk_update_*`` bypass the flush).
- **When it is written.** ``before_commit`` turns the notes into events, one per object and
  frame, through the committing transaction's connection: the events commit with the change
  or not at all; a rolled-back change leaves no event (``after_transaction_end`` drops notes).

Objects (``object_type``): ``package``, ``resource``, ``resource_view``, ``organization``,
``group`` and ``user``; a membership is an event on its organization or group naming the user.
Details never hold a link to data, a password hash, an e-mail address or a token: changed
fields are named, their values are kept only for the fields in the snapshots below.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import logging
from collections.abc import Iterator, Mapping
from typing import Any

import sqlalchemy as sa
from ckan import model, plugins
from sqlalchemy import event

from ..core.membership import acting_department, organizations_of
from . import store, who
from .model import head_table

#: Objects the trail follows and the words of CKAN action names that change them.
SUBJECTS = ("package", "dataset", "resource", "organization", "group", "member", "user", "bulk")
VERBS = frozenset(
    {"create", "update", "patch", "delete", "purge", "revise", "reorder", "clear", "invite"}
)

#: Share-type fields kept before and after an entry changes (issue 2's schema, by name).
SHARE_FIELDS = ("share_type", "share_conditions", "legal_basis", "open_to_public")

#: Columns whose change alone is no state change worth an event (bookkeeping).
IGNORED_FIELDS = frozenset({"metadata_modified", "last_active", "modified"})

log = logging.getLogger(__name__)

_PENDING = "govshare_audit_pending"
_BEFORE = "govshare_audit_before"


def is_state_change(action: str) -> bool:
    """An action named ``<subject>_…_<verb>…`` changes a catalogue object (item 5's list)."""
    words = action.split("_")
    return words[0] in SUBJECTS and any(w in VERBS for w in words[1:])


def core_state_changes() -> list[str]:
    """CKAN's own state-changing actions, found as CKAN finds its actions (by module)."""
    import importlib

    from ckan.authz import get_local_functions

    names: set[str] = set()
    for part in ("create", "update", "patch", "delete"):
        module = importlib.import_module(f"ckan.logic.action.{part}")
        names.update(name for name, _ in get_local_functions(module) if is_state_change(name))
    return sorted(names)


# --- frames: which action, for whom --------------------------------------------------------


@dataclasses.dataclass(eq=False)
class Frame:
    action: str
    context: Mapping[str, Any]
    #: Objects' stored states before the frame first touched them, by key.
    before: dict[tuple[str, str], Any] = dataclasses.field(default_factory=dict)
    #: Keys already recorded for this frame (an action committing twice records an object once).
    recorded: set[tuple[str, ...]] = dataclasses.field(default_factory=set)
    #: The actor and the organizations they belonged to when the action began: the department
    #: acted for is judged on those, not on what the action left (it may drop the membership).
    actor: tuple[str | None, str | None] = (None, None)
    departments: list[str] = dataclasses.field(default_factory=list)


_frames: contextvars.ContextVar[tuple[Frame, ...]] = contextvars.ContextVar(
    "govshare_audit_frames", default=()
)


@contextlib.contextmanager
def frame(action: str, context: Mapping[str, Any]) -> Iterator[Frame]:
    current = Frame(action, context)
    if not _frames.get():  # only the outermost frame names the event
        current.actor = who.actor(context)
        current.departments = organizations_of(current.actor[0])
    token = _frames.set((*_frames.get(), current))
    try:
        with who.acting_as(context):
            yield current
    finally:
        _frames.reset(token)


def _outer() -> Frame | None:
    frames = _frames.get()
    return frames[0] if frames else None


def _family(action: str) -> str:
    """Which object an action is about, from its name: its other writes are part of it."""
    if "resource_views" in action or action.startswith("resource_view_"):
        return "resource_view"
    for prefix, family in (
        ("resource_", "resource"),
        ("package_", "package"),
        ("dataset_", "package"),
        ("bulk_", "package"),
        ("organization_", "group"),
        ("group_", "group"),
        ("member_", "group"),
        ("user_", "user"),
    ):
        if action.startswith(prefix):
            return family
    return ""


# --- stored states ------------------------------------------------------------------------


def _rows(conn: sa.engine.Connection, query: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(query)]


def _share_fields(conn: sa.engine.Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {i: {} for i in ids}
    p = model.package_table
    if "extras" in p.c:  # CKAN 2.12: extras are a JSONB column of the package
        for row in conn.execute(sa.select(p.c.id, p.c.extras).where(p.c.id.in_(ids))):
            extras = row.extras or {}
            found[row.id] = {k: extras[k] for k in SHARE_FIELDS if k in extras}
    else:
        e = model.package_extra_table  # pyright: ignore[reportAttributeAccessIssue] - CKAN 2.11 only
        for row in conn.execute(
            sa.select(e.c.package_id, e.c.key, e.c.value).where(
                e.c.package_id.in_(ids), e.c.key.in_(SHARE_FIELDS), e.c.state == "active"
            )
        ):
            found[row.package_id][row.key] = row.value
    return found


def _package(conn: sa.engine.Connection, ident: str) -> dict[str, Any] | None:
    p = model.package_table
    rows = _rows(
        conn,
        sa.select(
            p.c.id, p.c.name, p.c.title, p.c.type, p.c.owner_org, p.c.private, p.c.state
        ).where(p.c.id == ident),
    )
    if not rows:
        return None
    state = rows[0]
    state.update(_share_fields(conn, [ident])[ident])
    return state


def _resource(conn: sa.engine.Connection, ident: str) -> dict[str, Any] | None:
    r, p = model.resource_table, model.package_table
    rows = _rows(
        conn,
        sa.select(r.c.id, r.c.name, r.c.package_id, r.c.state, r.c.position, p.c.owner_org)
        .select_from(r.outerjoin(p, p.c.id == r.c.package_id))
        .where(r.c.id == ident),
    )
    return rows[0] if rows else None


def _resource_view(conn: sa.engine.Connection, ident: str) -> dict[str, Any] | None:
    v, r, p = model.resource_view_table, model.resource_table, model.package_table
    rows = _rows(
        conn,
        sa.select(v.c.id, v.c.title, v.c.view_type, v.c.resource_id, v.c.order, p.c.owner_org)
        .select_from(
            v.outerjoin(r, r.c.id == v.c.resource_id).outerjoin(p, p.c.id == r.c.package_id)
        )
        .where(v.c.id == ident),
    )
    return rows[0] if rows else None


def _group(conn: sa.engine.Connection, ident: str) -> dict[str, Any] | None:
    g = model.group_table
    rows = _rows(
        conn,
        sa.select(g.c.id, g.c.name, g.c.title, g.c.type, g.c.is_organization, g.c.state).where(
            g.c.id == ident
        ),
    )
    return rows[0] if rows else None


def _user(conn: sa.engine.Connection, ident: str) -> dict[str, Any] | None:
    u = model.user_table
    rows = _rows(conn, sa.select(u.c.id, u.c.name, u.c.state, u.c.sysadmin).where(u.c.id == ident))
    return rows[0] if rows else None


_READERS = {
    "package": _package,
    "resource": _resource,
    "resource_view": _resource_view,
    "group": _group,
    "user": _user,
}


def purge_record(conn: sa.engine.Connection, kind: str, ident: str) -> dict[str, Any] | None:
    """What a purge takes away, kept in its event: never a link to data."""
    state = _READERS[kind](conn, ident)
    if state is not None and kind == "package":
        r = model.resource_table
        state["resources"] = _rows(
            conn,
            sa.select(r.c.id, r.c.name).where(r.c.package_id == ident).order_by(r.c.position),
        )
    return state


# --- notes: which objects a flush or a statement changed ---------------------------------


@dataclasses.dataclass(eq=False)
class Note:
    frame: Frame | None
    kind: str  # a key of _READERS, or "membership"
    ident: str
    sub: str = ""  # the member (user) of a membership
    fields: set[str] = dataclasses.field(default_factory=set)
    parts: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    membership: dict[str, Any] | None = None
    created: bool = False

    @property
    def key(self) -> tuple[str, ...]:
        return (self.kind, self.ident, self.sub)


def _pending(session: Any) -> dict[tuple[Any, ...], Note]:
    return session.info.setdefault(_PENDING, {})


def _befores(session: Any, current: Frame | None) -> dict[tuple[str, str], Any]:
    return current.before if current is not None else session.info.setdefault(_BEFORE, {})


def _note(session: Any, current: Frame | None, kind: str, ident: str | None, **kw: Any) -> Note:
    sub = kw.pop("sub", "")
    pending = _pending(session)
    key = (id(current), kind, ident, sub)
    note = pending.get(key)
    if note is None:
        note = pending[key] = Note(current, kind, str(ident), sub)
    note.fields.update(kw.pop("fields", ()))
    if part := kw.pop("part", None):
        note.parts.append(part)
    if kw.pop("created", False):
        note.created = True
    if (membership := kw.pop("membership", None)) is not None:
        if note.membership is None:
            note.membership = membership
        else:  # a later flush of the same membership: keep the first "before"
            note.membership.update({k: v for k, v in membership.items() if k != "before"})
    return note


def _changed_fields(obj: Any) -> set[str]:
    state = sa.inspect(obj)
    return {
        attr.key.lstrip("_")  # User keeps its hash in ``_password``: the name says "password"
        for attr in state.mapper.column_attrs
        if state.attrs[attr.key].history.has_changes()
    }


def _history(obj: Any, name: str) -> tuple[Any, Any, bool]:
    hist = sa.inspect(obj).attrs[name].history
    before = hist.deleted[0] if hist.deleted else getattr(obj, name)
    return before, getattr(obj, name), hist.has_changes()


def _principals(obj: Any, family: str) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(kind, id, extra note arguments) of the objects a written row is part of."""
    in_resource = family in ("resource", "resource_view")
    if isinstance(obj, model.Package):
        return [] if in_resource else [("package", obj.id, {})]
    if isinstance(obj, model.Resource):
        if family == "package":
            return [("package", obj.package_id, {"part": {"resource": obj.id, "name": obj.name}})]
        return [] if family == "resource_view" else [("resource", obj.id, {})]
    if isinstance(obj, model.ResourceView):
        return [("resource_view", obj.id, {})] if family in ("resource_view", "") else []
    if isinstance(obj, model.Group):
        return [("group", obj.id, {})]
    if isinstance(obj, model.User):
        return [("user", obj.id, {})]
    if isinstance(obj, model.PackageMember):
        part = {"collaborator": obj.user_id, "capacity": obj.capacity}
        return [("package", obj.package_id, {"part": part})]
    if isinstance(obj, model.PackageRelationship):
        part = {"relationship": obj.type, "object_package_id": obj.object_package_id}
        return [("package", obj.subject_package_id, {"part": part})]
    extra = getattr(model, "PackageExtra", None)
    if extra is not None and isinstance(obj, extra):
        return [] if in_resource else [("package", obj.package_id, {})]
    group_extra = getattr(model, "GroupExtra", None)
    if group_extra is not None and isinstance(obj, group_extra):
        return [("group", obj.group_id, {})]
    if isinstance(obj, model.PackageTag):
        return [] if in_resource else [("package", obj.package_id, {"fields": {"tags"}})]
    if isinstance(obj, model.Member) and obj.table_name == "package":
        part = {"package": obj.table_id, "capacity": obj.capacity, "state": obj.state}
        if family == "package" or obj.capacity == "organization":
            return [("package", obj.table_id, {"fields": {"groups"}})]
        return [("group", obj.group_id, {"part": part})]
    return []


def _membership(obj: Any, kind: str) -> dict[str, Any] | None:
    """A user's membership of an organization or group: what changed, by name."""
    if kind == "new":
        change, before = "member_create", None
    else:
        state_before, state, state_changed = _history(obj, "state")
        capacity_before, _, capacity_changed = _history(obj, "capacity")
        if kind == "deleted":
            change, state = "member_delete", "deleted"
        elif not (state_changed or capacity_changed):
            return None
        elif state_changed and state == "deleted":
            change = "member_delete"
        elif state_changed and state == "active":
            change = "member_create"
        else:
            change = "member_update"
        before = {"capacity": capacity_before, "state": state_before}
    return {
        "change": change,
        "user_id": obj.table_id,
        "capacity": obj.capacity,
        "state": "deleted" if kind == "deleted" else obj.state,
        "before": before,
    }


def _written(session: Any) -> Iterator[tuple[Any, str]]:
    for obj in session.new:
        yield obj, "new"
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            yield obj, "dirty"
    for obj in session.deleted:
        yield obj, "deleted"


def _enabled() -> bool:
    # The listeners outlive the plugin (tests unload plugins): record only while it is loaded.
    return plugins.plugin_loaded("govshare")


def before_flush(session: Any, flush_context: Any, instances: Any) -> None:
    """Keep the stored state of every object about to change, once per frame."""
    if not _enabled():
        return
    current = _outer()
    family = _family(current.action) if current else ""
    befores = _befores(session, current)
    wanted: set[tuple[str, str]] = set()
    for obj, kind in _written(session):
        if kind == "new":
            continue
        for principal, ident, _ in _principals(obj, family):
            if ident and (principal, ident) not in befores:
                wanted.add((principal, ident))
    if wanted:
        conn = session.connection()
        for principal, ident in wanted:
            befores[(principal, ident)] = purge_record(conn, principal, ident)


def after_flush(session: Any, flush_context: Any) -> None:
    """Note the objects the flush wrote (memberships each on their own)."""
    if not _enabled():
        return
    current = _outer()
    family = _family(current.action) if current else ""
    befores = _befores(session, current)
    for obj, kind in _written(session):
        if isinstance(obj, model.Member) and obj.table_name == "user":
            membership = _membership(obj, kind)
            if membership is not None:
                _note(
                    session,
                    current,
                    "membership",
                    obj.group_id,
                    sub=obj.table_id,
                    membership=membership,
                )
            continue
        fields = _changed_fields(obj) if kind == "dirty" else set()
        if kind == "dirty" and not fields - IGNORED_FIELDS:
            continue
        for principal, ident, extra in _principals(obj, family):
            if not ident:
                continue
            if kind == "new" and principal == _kind_of(obj):
                befores.setdefault((principal, ident), None)
            part = extra.get("part")
            if part is not None:
                part = {**part, "change": {"new": "create", "deleted": "purge"}.get(kind, "update")}
            _note(
                session,
                current,
                principal,
                ident,
                fields=(fields - IGNORED_FIELDS) | extra.get("fields", set()),
                part=part,
                created=kind == "new" and principal == _kind_of(obj),
            )


def _kind_of(obj: Any) -> str:
    for kind, cls in (
        ("package", model.Package),
        ("resource", model.Resource),
        ("resource_view", model.ResourceView),
        ("group", model.Group),
        ("user", model.User),
    ):
        if isinstance(obj, cls):
            return kind
    return ""


_BULK_TABLES = {
    "package": "package",
    "resource": "resource",
    "resource_view": "resource_view",
    "group": "group",
    "user": "user",
}


def do_orm_execute(state: Any) -> None:
    """Bulk ``UPDATE``/``DELETE`` statements on followed tables: the rows they will change."""
    if not (state.is_update or state.is_delete) or not _enabled():
        return
    table = getattr(state.statement, "table", None)
    kind = _BULK_TABLES.get(getattr(table, "name", ""))
    if kind is None or table is None:
        return
    session = state.session
    current = _outer()
    befores = _befores(session, current)
    query = sa.select(table.c.id)
    if state.statement.whereclause is not None:
        query = query.where(state.statement.whereclause)
    conn = session.connection()
    if state.is_update:
        values = getattr(state.statement, "_values", None) or {}
        fields = {getattr(k, "key", getattr(k, "name", str(k))) for k in values}
    else:
        fields = {"purged"}
    for (ident,) in conn.execute(query).all():
        befores.setdefault((kind, ident), purge_record(conn, kind, ident))
        _note(session, current, kind, ident, fields=fields)


# --- events, written as the transaction commits -----------------------------------------


def _department(kind: str, state: Mapping[str, Any] | None) -> str | None:
    if not state:
        return None
    if kind in ("package", "resource", "resource_view"):
        return state.get("owner_org")
    if kind == "group":
        return state["id"] if state.get("is_organization") else None
    return None


def _action_name(note: Note, change: str) -> str:
    if note.frame is not None:
        return note.frame.action
    if note.kind == "membership":
        return (note.membership or {}).get("change", "member_update")
    word = {"create": "create", "purge": "purge", "delete": "delete"}.get(change, "update")
    return f"{note.kind}_{word}"


def _change(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> str:
    if before is None:
        return "create"
    if after is None:
        return "purge"
    if after.get("state") == "deleted" and before.get("state") != "deleted":
        return "delete"
    return "update"


def _plain(state: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if state is None:
        return None
    return {k: v for k, v in state.items() if k != "resources"}


def _event(conn: sa.engine.Connection, note: Note, session: Any) -> dict[str, Any] | None:
    befores = _befores(session, note.frame)
    detail: dict[str, Any]
    if note.kind == "membership":
        group = _group(conn, note.ident)
        kind = "organization" if group is None or group.get("is_organization") else "group"
        membership = dict(note.membership or {})
        membership["user_name"] = _user_name(conn, membership.get("user_id"))
        department = note.ident if kind == "organization" else None
        detail = membership
        object_type, object_id, change = kind, note.ident, membership.get("change", "")
    else:
        before = befores.get((note.kind, note.ident))
        after = _READERS[note.kind](conn, note.ident)
        change = _change(before, after)
        if note.created and before is None:
            change = "create"
        if change == "update" and not note.parts and not note.fields and before == after:
            return None
        state = after or before or {}
        department = _department(note.kind, after) or _department(note.kind, before)
        object_type = note.kind
        if note.kind == "group":
            object_type = "organization" if state.get("is_organization") else "group"
        object_id = note.ident
        detail = {
            "name": state.get("name") or state.get("title"),
            "change": change,
            "before": _plain(before),
            "after": _plain(after),
            "fields": sorted(note.fields),
        }
        if note.parts:
            detail["parts"] = note.parts
        if change == "purge":
            detail["purged"] = before
        if (
            note.kind == "package"
            and before
            and after
            and before.get("owner_org") != after.get("owner_org")
        ):
            detail["owner_org_before"] = before.get("owner_org")
    actor_id, actor_name = note.frame.actor if note.frame is not None else who.actor()
    return {
        "action": _action_name(note, change),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "actor_department": _acting_department(note, actor_id, department),
        "object_type": object_type,
        "object_id": object_id,
        "object_department": department,
        "detail": detail,
    }


def _acting_department(note: Note, user_id: str | None, department: str | None) -> str | None:
    """The department acted for (``membership.acting_department``), judged on the memberships the
    actor had when the action began."""
    if note.frame is None:
        return acting_department(user_id, department)
    orgs = note.frame.departments
    if department and department in orgs:
        return department
    return orgs[0] if len(orgs) == 1 else None


def _user_name(conn: sa.engine.Connection, user_id: str | None) -> str | None:
    if not user_id:
        return None
    u = model.user_table
    return conn.execute(sa.select(u.c.name).where(u.c.id == user_id)).scalar()


_trail_seen = False


def _trail_exists(conn: sa.engine.Connection) -> bool:
    """Whether the trail's tables exist; once seen, for the rest of the process."""
    global _trail_seen
    if not _trail_seen:
        _trail_seen = sa.inspect(conn).has_table(head_table.name)
    return _trail_seen


def before_commit(session: Any) -> None:
    """Write the events of the notes in the transaction that commits their changes."""
    if not _enabled():
        return
    if session.new or session.dirty or session.deleted:
        session.flush()  # the commit would flush next: its notes belong to this transaction
    if not session.info.get(_PENDING):
        return
    conn = session.connection()
    if not _trail_exists(conn):
        # A new site being set up: CKAN makes its site user before `ckan db upgrade -p
        # govshare` has created the trail. There is nothing to write to yet.
        log.warning("audit trail tables missing (run ckan db upgrade -p govshare): not recorded")
        session.info.pop(_PENDING, None)
        return
    while session.info.get(_PENDING):
        pending = session.info.pop(_PENDING)
        for note in pending.values():
            if note.frame is not None and note.key in note.frame.recorded:
                continue
            event = _event(conn, note, session)
            if note.frame is not None:
                note.frame.recorded.add(note.key)
            if event is not None:
                store.record(event.pop("action"), connection=conn, **event)


def after_transaction_end(session: Any, transaction: Any) -> None:
    """A transaction that ended (committed or rolled back) leaves no notes behind."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_BEFORE, None)


_LISTENERS = (
    ("before_flush", before_flush),
    ("after_flush", after_flush),
    ("do_orm_execute", do_orm_execute),
    ("before_commit", before_commit),
    ("after_transaction_end", after_transaction_end),
)


def install() -> None:
    """Listen to CKAN's session (idempotent)."""
    for name, listener in _LISTENERS:
        if not event.contains(model.Session, name, listener):
            event.listen(model.Session, name, listener)

"""A department's exchange targets (前置机, 2016 Measures art. 12; batch exchange, 2025
Regulations art. 22): where its subscriptions deliver, a PostgreSQL database or a directory
under ``ckanext.govshare.exchange.root``.

Saving a target tests it (:func:`test`): the database accepts the connection within
``ckanext.govshare.exchange.timeout`` seconds and lets its user create tables in its schema;
the directory exists or can be made under the root and takes a file. A failing test refuses
the save (409 on ``dsn`` or ``path``, saying why, never the password). The connection string
is stored encrypted (``secrets``); what is shown is ``dsn_display``
(``postgresql://user@host:port/db``). Every change is audited in the caller's transaction.

Runs take a target through :func:`resolve`: the connection string decrypted, the directory
absolute and checked against the root again.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
import psycopg2
import sqlalchemy as sa
from ckan import model

from ..access.transitions import audit
from ..core import clock, config, paging
from ..core.membership import Person
from ..core.messages import message
from ..core.serialise import plain
from . import locations, secrets
from .locations import DIRECTORY, POSTGRESQL, LocationError
from .model import subscription_table, target_table

__all__ = [
    "Location",
    "Tested",
    "create",
    "delete",
    "list_targets",
    "load_target",
    "present",
    "rekey",
    "resolve",
    "test",
    "update",
]

OBJECT_TYPE = "exchange_target"
NO_SUCH_TARGET = message("No such exchange target", "交换目标不存在")
NO_SUCH_DEPARTMENT = message("No such department", "部门不存在")
NAME_TAKEN = message(
    "The department already has an exchange target of this name",
    "本部门已有同名的交换目标",
)
PATH_TAKEN = message(
    "Another department's exchange target uses this directory, or one inside or around it",
    "该目录（或其上级、下级目录）已被其他部门的交换目标使用",
)
KIND_FIXED = message(
    "A target's kind cannot change: delete it and register a new one",
    "交换目标的类型不可更改，请删除后重新登记",
)
NO_SCHEMA = message(
    "The database user has no schema to create tables in (check search_path)",
    "数据库用户没有可建表的模式（请检查 search_path）",
)
NO_CREATE = message(
    "The database user may not create tables in its schema: grant it CREATE on the schema",
    "数据库用户无权在其模式中建表，请授予该模式的 CREATE 权限",
)
NOT_WRITABLE = message(
    "The directory cannot be written by the platform", "平台无法写入该目录"
)


def in_use(names: list[str]) -> str:
    listed = ", ".join(names)
    return message(
        f"The target is used by subscriptions ({listed}): delete them first",
        f"该交换目标正被订阅使用（{listed}），请先删除这些订阅",
    )


def cannot_connect(reason: str) -> str:
    return message(
        f"Cannot connect to the exchange database: {reason}", f"无法连接交换数据库：{reason}"
    )


def cannot_make(reason: str) -> str:
    return message(
        f"The directory cannot be created: {reason}", f"无法创建该目录：{reason}"
    )


@dataclass(frozen=True)
class Location:
    """Where a run delivers: ``dsn`` (decrypted) for a PostgreSQL target, ``path`` (absolute,
    under the exchange root) for a directory target."""

    id: str
    organization_id: str
    kind: str
    dsn: str | None
    path: str | None


@dataclass(frozen=True)
class Tested:
    """A test's outcome: ``error`` is a bilingual message without the password."""

    ok: bool
    error: str | None = None


# --- reading ---------------------------------------------------------------------------------


def load_target(target_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
    """The target's row (with ``dsn_encrypted``: never answer it), or ``None``."""
    if not target_id:
        return None
    query = sa.select(target_table).where(target_table.c.id == target_id)
    if for_update:
        query = query.with_for_update()
    row = model.Session.execute(query).first()
    return dict(row._mapping) if row else None


def present(row: Mapping[str, Any]) -> dict[str, Any]:
    """A target as actions answer it (docs/api.md, "Conventions"): ``organization_id``, the
    department owning it (the issue's input ``organization``), ``created`` and ``modified``,
    the last test's ``last_test_at``, ``last_test_ok``, ``last_test_error``; no connection
    string, no password (``dsn_display``)."""
    org = model.Group.get(row["organization_id"])
    return {
        "id": row["id"],
        "organization_id": row["organization_id"],
        "organization": org.name if org is not None else None,
        "organization_title": (org.title or org.name) if org is not None else None,
        "name": row["name"],
        "kind": row["kind"],
        "dsn_display": row.get("dsn_display"),
        "path": row.get("path"),
        "description": row.get("description") or "",
        "last_test_at": plain(row.get("last_test_at")),
        "last_test_ok": row.get("last_test_ok"),
        "last_test_error": row.get("last_test_error"),
        "created": plain(row.get("created_at")),
        "created_by": row.get("created_by"),
        "modified": plain(row.get("updated_at")),
    }


def organization_id(value: str) -> str:
    """The id of the department ``value`` names (id or name); 409 on ``organization``."""
    group = model.Group.get(value) if value else None
    if group is None or not group.is_organization or group.state != "active":
        raise tk.ValidationError({"organization": [NO_SUCH_DEPARTMENT]})
    return group.id


def list_targets(person: Person, org_id: str | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """The targets of ``org_id``, or of every department the caller is a data officer of
    (every target for a sysadmin), by name."""
    table = target_table
    if org_id is not None:
        where: Any = table.c.organization_id == org_id
    elif person.sysadmin:
        where = sa.true()
    else:
        where = table.c.organization_id.in_(sorted(person.officer_of))
    return paging.page(
        table,
        where,
        [table.c.organization_id, table.c.name, table.c.id],
        data,
        lambda rows: [present(r) for r in rows],
    )


# --- testing ---------------------------------------------------------------------------------


def _test_database(dsn: str) -> Tested:
    """Connect within the timeout; the user may create tables in its current schema."""
    timeout = max(1, int(config.exchange_timeout()))
    try:
        conn = psycopg2.connect(
            dsn, connect_timeout=timeout, application_name="govshare exchange test"
        )
    except psycopg2.Error as error:
        return Tested(False, cannot_connect(_reason(error, dsn)))
    try:
        with conn.cursor() as cur:
            cur.execute("SET statement_timeout = %s", (timeout * 1000,))
            cur.execute(
                "SELECT current_schema(), "
                "coalesce(has_schema_privilege(current_schema(), 'CREATE'), false)"
            )
            found = cur.fetchone()
        schema, may_create = found if found is not None else (None, False)
        if schema is None:
            return Tested(False, NO_SCHEMA)
        if not may_create:
            return Tested(False, NO_CREATE)
        return Tested(True)
    except psycopg2.Error as error:
        return Tested(False, cannot_connect(_reason(error, dsn)))
    finally:
        with contextlib.suppress(psycopg2.Error):
            conn.rollback()
            conn.close()


def _reason(error: BaseException, dsn: str) -> str:
    """The server's or libpq's words, first line, without the password."""
    text = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return locations.scrub(text, dsn)[:500]


def _test_directory(absolute: str) -> Tested:
    """Make the directory if needed; it stays under the root (links) and takes a file."""
    try:
        os.makedirs(absolute, mode=0o750, exist_ok=True)
    except OSError as error:
        return Tested(False, cannot_make(error.strerror or type(error).__name__))
    if not os.path.isdir(absolute):
        return Tested(False, NOT_WRITABLE)
    try:
        with tempfile.NamedTemporaryFile(dir=absolute, prefix=".govshare-test-"):
            pass
    except OSError:
        return Tested(False, NOT_WRITABLE)
    return Tested(True)


def test(kind: str, *, dsn: str | None = None, path: str | None = None) -> Tested:
    """Test where a target delivers (``path`` relative to the root); ``LocationError`` when
    the connection string or path is malformed."""
    if kind == POSTGRESQL:
        locations.parse_dsn(dsn)
        return _test_database(str(dsn))
    absolute = locations.resolve(config.exchange_root(), path)
    tested = _test_directory(absolute)
    if tested.ok:  # made now: a link swapped in meanwhile still may not lead out
        locations.resolve(config.exchange_root(), path)
    return tested


# --- changing --------------------------------------------------------------------------------


def _refuse(field: str, text: str) -> tk.ValidationError:
    return tk.ValidationError({field: [text]})


def _check_name(org_id: str, name: str, target_id: str | None = None) -> None:
    query = sa.select(target_table.c.id).where(
        target_table.c.organization_id == org_id, target_table.c.name == name
    )
    if target_id is not None:
        query = query.where(target_table.c.id != target_id)
    if model.Session.execute(query).first() is not None:
        raise _refuse("name", NAME_TAKEN)


def _check_path(org_id: str, path: str) -> None:
    """No two departments share a directory, or one inside the other's."""
    rows = model.Session.execute(
        sa.select(target_table.c.path).where(
            target_table.c.kind == DIRECTORY,
            target_table.c.organization_id != org_id,
            target_table.c.path.isnot(None),
        )
    ).all()
    mine = path + "/"
    for (other,) in rows:
        theirs = other + "/"
        if mine.startswith(theirs) or theirs.startswith(mine):
            raise _refuse("path", PATH_TAKEN)


def _location_fields(
    kind: str, data: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The location columns for ``data`` (an omitted ``dsn`` keeps the stored one), tested;
    409 on ``dsn`` or ``path`` when malformed or the test fails."""
    if kind == POSTGRESQL:
        dsn = data.get("dsn") or None
        if dsn is None and stored is not None and stored.get("dsn_encrypted"):
            try:
                dsn = secrets.decrypt(stored["dsn_encrypted"])
            except secrets.SecretError as error:
                raise _refuse("dsn", error.text) from None
        try:
            shown = locations.display(str(dsn) if dsn else "")
            encrypted = secrets.encrypt(str(dsn))
        except LocationError as error:
            raise _refuse(error.field, error.text) from None
        except secrets.SecretError as error:
            raise _refuse("dsn", error.text) from None
        fields: dict[str, Any] = {"dsn_encrypted": encrypted, "dsn_display": shown, "path": None}
        tested = _test_or_refuse(kind, dsn=str(dsn))
    else:
        path = data.get("path")
        if path is None and stored is not None:
            path = stored.get("path")
        try:
            locations.resolve(config.exchange_root(), path)
        except LocationError as error:
            raise _refuse(error.field, error.text) from None
        path = locations.normalise(str(path))
        fields = {"dsn_encrypted": None, "dsn_display": None, "path": path}
        tested = _test_or_refuse(kind, path=path)
    fields.update(last_test_at=clock.now(), last_test_ok=tested.ok, last_test_error=tested.error)
    return fields


def _test_or_refuse(kind: str, **where: Any) -> Tested:
    field = "dsn" if kind == POSTGRESQL else "path"
    try:
        tested = test(kind, **where)
    except LocationError as error:
        raise _refuse(error.field, error.text) from None
    if not tested.ok:
        raise _refuse(field, tested.error or NOT_WRITABLE)
    return tested


def _detail(row: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """What an audit event says of a target: never the connection string."""
    return {
        "name": row["name"],
        "kind": row["kind"],
        "dsn_display": row.get("dsn_display"),
        "path": row.get("path"),
        **extra,
    }


def _audit(action: str, person: Person, row: Mapping[str, Any], **extra: Any) -> None:
    audit(
        action,
        person,
        actor_department=row["organization_id"],
        object_type=OBJECT_TYPE,
        object_id=row["id"],
        object_department=row["organization_id"],
        detail=_detail(row, **extra),
    )


def create(person: Person, org_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Register and test a target for the department ``org_id`` (validated ``data``:
    ``name``, ``kind``, ``dsn`` or ``path``, ``description``)."""
    name = str(data["name"]).strip()
    kind = data["kind"]
    _check_name(org_id, name)
    fields = _location_fields(kind, data, None)
    if kind == DIRECTORY:
        _check_path(org_id, fields["path"])
    now = clock.now()
    row = {
        "id": str(uuid.uuid4()),
        "organization_id": org_id,
        "name": name,
        "kind": kind,
        "description": data.get("description") or None,
        "created_at": now,
        "created_by": person.id,
        "updated_at": now,
        **fields,
    }
    model.Session.execute(sa.insert(target_table).values(**row))
    _audit("govshare_exchange_target_create", person, row)
    return present(row)


def update(person: Person, target_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Change a target's name, description or location and test it again (``dsn`` omitted:
    the stored one is kept)."""
    stored = load_target(target_id, for_update=True)
    if stored is None:
        raise tk.ObjectNotFound(NO_SUCH_TARGET)
    if data.get("kind") not in (None, stored["kind"]):
        raise _refuse("kind", KIND_FIXED)
    values: dict[str, Any] = {}
    if "name" in data and str(data["name"]).strip() != stored["name"]:
        values["name"] = str(data["name"]).strip()
        _check_name(stored["organization_id"], values["name"], target_id)
    if "description" in data:
        values["description"] = data.get("description") or None
    values.update(_location_fields(stored["kind"], data, stored))
    if stored["kind"] == DIRECTORY:
        _check_path(stored["organization_id"], values["path"])
    values["updated_at"] = clock.now()
    model.Session.execute(
        sa.update(target_table).where(target_table.c.id == target_id).values(**values)
    )
    row = {**stored, **values}
    changed = sorted(
        k
        for k in ("name", "description", "dsn_display", "path")
        if row.get(k) != stored.get(k)
    )
    if data.get("dsn"):
        changed = sorted({*changed, "dsn"})
    _audit("govshare_exchange_target_update", person, row, changed=changed)
    return present(row)


def delete(person: Person, target_id: str) -> dict[str, Any]:
    """Delete a target no subscription uses (409 naming the ones that do)."""
    stored = load_target(target_id, for_update=True)
    if stored is None:
        raise tk.ObjectNotFound(NO_SUCH_TARGET)
    users = model.Session.execute(
        sa.select(subscription_table.c.id, subscription_table.c.table_name)
        .where(subscription_table.c.target_id == target_id)
        .order_by(subscription_table.c.created_at, subscription_table.c.id)
        .limit(21)
    ).all()
    if users:
        names = [f"{r.table_name} ({r.id})" for r in users[:20]]
        if len(users) > 20:
            names.append("…")
        raise _refuse("id", in_use(names))
    model.Session.execute(sa.delete(target_table).where(target_table.c.id == target_id))
    _audit("govshare_exchange_target_delete", person, stored)
    return present(stored)


# --- for runs --------------------------------------------------------------------------------


def resolve(target_id: str) -> Location:
    """Where the target delivers, for a run: ``dsn`` decrypted, ``path`` absolute and under
    the root. ``tk.ObjectNotFound`` when there is no such target; ``secrets.SecretError`` when
    the key no longer decrypts the connection string; ``LocationError`` when the path now
    leads outside the root (both with a bilingual ``text``)."""
    row = load_target(target_id)
    if row is None:
        raise tk.ObjectNotFound(NO_SUCH_TARGET)
    if row["kind"] == POSTGRESQL:
        dsn = secrets.decrypt(row["dsn_encrypted"] or "")
        return Location(row["id"], row["organization_id"], POSTGRESQL, dsn, None)
    absolute = locations.resolve(config.exchange_root(), row["path"])
    return Location(row["id"], row["organization_id"], DIRECTORY, None, absolute)


def rekey() -> int:
    """Encrypt every stored connection string again with the first configured key (key
    rotation: the new key first in ``ckanext.govshare.exchange.key``, the old one after it);
    the number re-encrypted. The caller commits."""
    rows = model.Session.execute(
        sa.select(target_table.c.id, target_table.c.dsn_encrypted).where(
            target_table.c.dsn_encrypted.isnot(None)
        )
    ).all()
    for row in rows:
        model.Session.execute(
            sa.update(target_table)
            .where(target_table.c.id == row.id)
            .values(dsn_encrypted=secrets.rotate(row.dsn_encrypted))
        )
    return len(rows)

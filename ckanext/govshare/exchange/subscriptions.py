"""Subscriptions: a granted resource delivered to the holder's exchange target on a schedule
(2025 Regulations art. 22: 批量交换; 2016 Measures art. 12: 前置机).

The holder department's data officer subscribes one resource of a live grant to one of the
department's targets, as a table (PostgreSQL) or file (directory) name, ``full`` or
``incremental``, daily at a local time or every N hours. A subscription is ``active`` or
``stopped`` (with a reason): a grant that is revoked, expires or is suspended stops its
subscriptions (art. 14: no use beyond the period granted), and no further run starts.

Everything is written through ``model.Session`` in the caller's transaction with its audit
event and notices. ``exchange/runs.py`` calls :func:`load`, :func:`stop`, :func:`due` and
:func:`after_run`; the actions call the rest.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from .. import notices
from ..access import codes as access_codes
from ..access import grants as access_grants
from ..access import rules as access_rules
from ..access.model import grant_table
from ..access.scope import OutOfScope, Scope
from ..access.transitions import audit
from ..core import clock, paging
from ..core.membership import Person
from ..core.messages import field_errors, message
from ..core.serialise import label, plain
from ..dataplane import service as dataplane
from . import rules
from .model import run_table, subscription_table, target_table

__all__ = [
    "BUSY",
    "DUE_LIMIT",
    "NO_SUCH_SUBSCRIPTION",
    "after_run",
    "create",
    "delete",
    "due",
    "last_runs",
    "list_subscriptions",
    "load",
    "may_manage",
    "may_see",
    "present",
    "present_all",
    "for_viewer",
    "run_history",
    "stop",
    "stop_counted",
    "stop_for_grant",
    "ungranted",
    "update",
]

#: At most this many subscriptions are handed out by one :func:`due` call.
DUE_LIMIT = 500

NO_SUCH_SUBSCRIPTION = message("No such subscription", "交换订阅不存在")
NO_SUCH_GRANT = message("No such grant", "授权不存在")
GRANT_NOT_LIVE = message(
    "The grant is not live (revoked, expired, suspended or not begun): nothing may be "
    "exchanged under it",
    "该授权当前无效（已撤销、已到期、已暂停或尚未生效），不能据此交换数据",
)
NOT_EXCHANGE = message(
    "The grant's share method is not batch exchange: subscribe under a grant whose method is "
    "exchange_node, database or bulk_download (art. 22)",
    "该授权的共享方式不是批量交换，仅共享方式为前置机交换、数据库对接或批量下载的授权可订阅（第二十二条）",
)
NOT_IN_DATASTORE = message(
    "The resource is not loaded into the DataStore: batch exchange delivers a table of the "
    "granted columns. Ask the provider to load it",
    "该资源尚未导入数据表，批量交换按授权的列交换数据表，请联系提供部门导入",
)
NO_SUCH_TARGET = message(
    "No such exchange target of the receiving department", "使用部门没有该交换目标"
)
TABLE_TAKEN = message(
    "The target already receives another subscription under this name: choose another",
    "该交换目标已有同名的订阅表（文件），请更换名称",
)
NEEDS_KEY = message(
    "Incremental exchange needs the entry's key data item (key_item) and change watermark "
    "data item (watermark_item), each a granted column of this resource: ask the provider, or "
    "choose full",
    "增量交换需要信息资源的主键信息项（key_item）和变更时间信息项（watermark_item），且均在本资源授权的列中；请联系提供部门填写，或选择全量交换",
)
STILL_STOPPED = message(
    "The subscription can be resumed only while its grant is live and the resource in its scope",
    "仅当授权有效且资源仍在授权范围内时才能恢复该订阅",
)
BUSY = message(
    "A run of this subscription is queued or running: wait until it ends",
    "该订阅正在排队或执行交换，请待其结束后再操作",
)

_TEXT_FIELDS = ("table", "target_id", "mode")


# ---------------------------------------------------------------------------- reading


def load(subscription_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
    """The subscription's row, or ``None`` (``for_update``: locked until the transaction ends)."""
    query = sa.select(subscription_table).where(subscription_table.c.id == subscription_id)
    if for_update:
        query = query.with_for_update()
    row = model.Session.execute(query).first()
    return dict(row._mapping) if row else None


def may_see(person: Person, subscription: Mapping[str, Any]) -> bool:
    """The holder's and the provider's data officers, the sharing authority (supervision,
    art. 39) and sysadmins."""
    return bool(
        person.sysadmin
        or person.authority
        or subscription.get("organization_id") in person.officer_of
        or subscription.get("provider_org_id") in person.officer_of
    )


def may_manage(person: Person, holder_org_id: str | None) -> bool:
    """The holder department's data officers and sysadmins subscribe, change, run and delete."""
    return bool(person.sysadmin or (holder_org_id and holder_org_id in person.officer_of))


def _visible(person: Person) -> sa.sql.ColumnElement[sa.Boolean]:
    c = subscription_table.c
    if person.sysadmin or person.authority:
        return sa.true()
    officer = sorted(person.officer_of)
    return sa.or_(c.organization_id.in_(officer), c.provider_org_id.in_(officer))


def _org_id(reference: str) -> str:
    group = model.Group.get(reference)
    return group.id if group is not None else reference


def _own(person: Person, direction: str) -> sa.sql.ColumnElement[sa.Boolean]:
    """The subscriptions of the caller's departments (as data officer) in ``direction``:
    ``outgoing``, those they receive (hold); ``incoming``, those of their data (provider);
    ``all``, both (every one the caller sees)."""
    c = subscription_table.c
    officer = sorted(person.officer_of)
    if direction == "outgoing":
        return c.organization_id.in_(officer)
    if direction == "incoming":
        return c.provider_org_id.in_(officer)
    return sa.true()


def list_subscriptions(person: Person, query: Mapping[str, Any]) -> dict[str, Any]:
    """One page of the subscriptions ``person`` sees, newest first.

    ``query``: ``direction`` (``outgoing``: the caller's departments receive; ``incoming``:
    they give, as provider; ``all``, the default), ``requesting_org`` (the receiving
    department, id or name), ``provider_org``, ``grant_id``, ``status``, paging."""
    c = subscription_table.c
    conditions = [_visible(person), _own(person, query.get("direction") or "all")]
    if query.get("requesting_org"):
        conditions.append(c.organization_id == _org_id(query["requesting_org"]))
    if query.get("provider_org"):
        conditions.append(c.provider_org_id == _org_id(query["provider_org"]))
    if query.get("grant_id"):
        conditions.append(c.grant_id == query["grant_id"])
    if query.get("status"):
        conditions.append(c.status == query["status"])
    order = [c.created_at.desc(), c.id]
    return paging.page(subscription_table, sa.and_(*conditions), order, query, present_all)


def _titles(table: Any, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = model.Session.query(table.id, table.name, table.title).filter(table.id.in_(wanted))
    return {r.id: (r.name, r.title or r.name) for r in rows}


def _targets(ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    t = target_table.c
    rows = model.Session.execute(
        sa.select(t.id, t.name, t.kind, t.dsn_display, t.path).where(t.id.in_(wanted))
    ).all()
    return {r.id: dict(r._mapping) for r in rows}


def _resources(ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = model.Session.query(model.Resource.id, model.Resource.name).filter(
        model.Resource.id.in_(wanted)
    )
    return {r.id: r.name or r.id for r in rows}


def present_all(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Subscriptions as the API shows them (docs/api.md, "Conventions"): the receiving
    department ``requesting_org_id`` and the provider ``provider_org_id`` with their names and
    titles, ``table``, ``status`` and ``stop_reason`` with their labels, ``created`` and
    ``modified``, other moments ``<verb>_at``; the target's name and ``dsn_display`` — never
    its connection string; a few queries for the whole list."""
    parties = (o for r in rows for o in (r["organization_id"], r["provider_org_id"]))
    orgs = _titles(model.Group, parties)
    entries = _titles(model.Package, (r["package_id"] for r in rows))
    targets = _targets(r["target_id"] for r in rows)
    resources = _resources(r["resource_id"] for r in rows)
    last = last_runs(r["id"] for r in rows)
    out = []
    for row in rows:
        holder, provider = row["organization_id"], row["provider_org_id"]
        reason = rules.stop_reason_label(row.get("stop_reason"))
        target = targets.get(row["target_id"]) or {}
        out.append(
            {
                "id": row["id"],
                "grant_id": row["grant_id"],
                "package_id": row["package_id"],
                "package_name": entries.get(row["package_id"], ("", ""))[0],
                "package_title": entries.get(row["package_id"], ("", ""))[1],
                "resource_id": row["resource_id"],
                "resource_name": resources.get(row["resource_id"], row["resource_id"]),
                "requesting_org_id": holder,
                "requesting_org": orgs.get(holder, (holder, holder))[0],
                "requesting_org_title": orgs.get(holder, (holder, holder))[1],
                "provider_org_id": provider,
                "provider_org": orgs.get(provider, (provider, provider))[0],
                "provider_org_title": orgs.get(provider, (provider, provider))[1],
                "target_id": row["target_id"],
                "target": {
                    "id": row["target_id"],
                    "name": target.get("name"),
                    "kind": target.get("kind"),
                    "dsn_display": target.get("dsn_display"),
                    "path": target.get("path"),
                },
                "table": row["table_name"],
                "mode": row["mode"],
                "schedule": plain(row["schedule"]),
                "schedule_label": label(*rules.describe_schedule(row.get("schedule"))),
                "status": row["status"],
                "status_label": label(*rules.status_label(row["status"])),
                "stop_reason": row.get("stop_reason"),
                "stop_reason_label": label(*reason) if row.get("stop_reason") else None,
                "stopped_at": plain(row.get("stopped_at")),
                "watermark": row.get("watermark"),
                "next_run_at": plain(row.get("next_run_at")),
                "created": plain(row.get("created_at")),
                "created_by": row.get("created_by"),
                "modified": plain(row.get("updated_at")),
                "last_run": last.get(row["id"]),
            }
        )
    return out


def present(row: Mapping[str, Any]) -> dict[str, Any]:
    return present_all([row])[0]


RUN_FAILED_ELSEWHERE = message(
    "The delivery failed; the receiving department's data officers see why",
    "交换失败，具体原因仅接收部门的数据管理员可见",
)


def sees_target(person: Person, subscription: Mapping[str, Any]) -> bool:
    """Only the receiving department's data officers and sysadmins see its exchange target
    (issue 17, item 1) — the providing department and the authority see that a subscription
    delivers, not where."""
    holder = subscription.get("requesting_org_id") or subscription.get("organization_id")
    return person.sysadmin or holder in person.officer_of


def for_viewer(answer: dict[str, Any], person: Person) -> dict[str, Any]:
    """A subscription's answer as ``person`` may read it, applied when it is read: for anyone
    but the holder's officers and sysadmins, the target's name, address and path and a failed
    run's reason (which may name the target's host) are left out; the target's kind stays."""
    if sees_target(person, answer):
        return answer
    out = dict(answer)
    target = answer.get("target") or {}
    out["target"] = {"kind": target.get("kind")}
    out.pop("target_id", None)

    def run(r: Any) -> Any:
        if isinstance(r, dict) and r.get("error"):
            return {**r, "error": RUN_FAILED_ELSEWHERE}
        return r

    if "last_run" in out:
        out["last_run"] = run(out["last_run"])
    if isinstance(out.get("runs"), list):
        out["runs"] = [run(r) for r in out["runs"]]
    return out


#: Runs a subscription's answer lists at most (newest first).
RECENT_RUNS = 20
_FINISHED = ("success", "failed")


def _run(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "trigger": row["trigger"],
        "queued": plain(row["queued_at"]),
        "started": plain(row["started_at"]),
        "finished": plain(row["finished_at"]),
        "outcome": row["outcome"],
        "rows": row["rows"],
        "bytes": row["bytes"],
        "sha256": row["sha256"],
        "watermark_from": row["watermark_from"],
        "watermark_to": row["watermark_to"],
        "milliseconds": row["milliseconds"],
        "error": row["error"],
    }


def run_history(subscription_id: str, limit: int = RECENT_RUNS) -> dict[str, Any]:
    """``{"last_run", "runs"}``: the last finished run (``started``, ``finished``, ``outcome``
    success | failed, ``rows``, ``sha256``, ``bytes``, ``error``) or None, and the recent runs
    (queued and running ones too), newest first, at most ``limit``."""
    r = run_table.c
    newest = [r.queued_at.desc(), r.id.desc()]
    recent = model.Session.execute(
        sa.select(run_table)
        .where(r.subscription_id == subscription_id)
        .order_by(*newest)
        .limit(max(1, min(limit, RECENT_RUNS)))
    ).all()
    last = model.Session.execute(
        sa.select(run_table)
        .where(r.subscription_id == subscription_id, r.outcome.in_(_FINISHED))
        .order_by(r.finished_at.desc().nulls_last(), *newest)
        .limit(1)
    ).first()
    return {
        "last_run": _run(dict(last._mapping)) if last is not None else None,
        "runs": [_run(dict(row._mapping)) for row in recent],
    }


def last_runs(subscription_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The last finished run of each subscription (for lists), by subscription id."""
    wanted = sorted(set(subscription_ids))
    if not wanted:
        return {}
    r = run_table.c
    rows = model.Session.execute(
        sa.select(run_table)
        .where(r.subscription_id.in_(wanted), r.outcome.in_(_FINISHED))
        .order_by(
            r.subscription_id, r.finished_at.desc().nulls_last(), r.queued_at.desc(), r.id.desc()
        )
        .distinct(r.subscription_id)
    ).all()
    return {row.subscription_id: _run(dict(row._mapping)) for row in rows}


# ---------------------------------------------------------------------------- checking


def _target(target_id: str | None) -> dict[str, Any] | None:
    if not target_id:
        return None
    row = model.Session.execute(
        sa.select(target_table).where(target_table.c.id == target_id)
    ).first()
    return dict(row._mapping) if row else None


def _table_taken(target_id: str, table: str, except_id: str | None) -> bool:
    c = subscription_table.c
    query = sa.select(c.id).where(c.target_id == target_id, c.table_name == table)
    if except_id:
        query = query.where(c.id != except_id)
    return model.Session.execute(query.limit(1)).first() is not None


def _scope_problem(
    grant: Mapping[str, Any], entry: Mapping[str, Any], resource_id: str
) -> tuple[Scope | None, str | None]:
    """The grant's scope on the resource now (``dataplane.service.scope_for``: the one scope
    rule), or why there is none to exchange."""
    found = dataplane.scope_for(grant, resource_id, entry)
    if isinstance(found, OutOfScope):
        return None, message(*found.texts)
    if found.whole or not found.columns:
        return None, NOT_IN_DATASTORE
    return found, None


def _incremental_problem(entry: Mapping[str, Any], scope: Scope | None) -> str | None:
    """Incremental exchange needs the entry's ``key_item`` and ``watermark_item``, each a data
    item whose column is granted on this resource."""
    columns = {
        str(i.get("name") or "").strip(): str(i.get("column") or i.get("name") or "").strip()
        for i in entry.get("data_items") or []
    }
    granted = set(scope.columns) if scope is not None else set()
    for field in ("key_item", "watermark_item"):
        item = str(entry.get(field) or "").strip()
        if not item or item not in columns or columns[item] not in granted:
            return NEEDS_KEY
    return None


def _check(
    grant: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    except_id: str | None = None,
    grant_field: str = "grant_id",
) -> tuple[dict[str, list[str]], Scope | None]:
    """Every problem of subscribing ``values`` (``resource_id``, ``target_id``, ``table``,
    ``mode``) under ``grant``, by field, and the scope."""
    errors: dict[str, list[str]] = {}
    if not access_rules.grant_live(grant, clock.today()):
        return {grant_field: [GRANT_NOT_LIVE]}, None
    entry = dataplane.entry(grant["package_id"])
    if not rules.exchange_allowed(grant, entry.get("share_methods") or ()):
        return {grant_field: [NOT_EXCHANGE]}, None
    scope, problem = _scope_problem(grant, entry, values["resource_id"])
    if problem:
        errors["resource_id"] = [problem]
    target = _target(values.get("target_id"))
    if target is None or target["organization_id"] != grant["organization_id"]:
        errors["target_id"] = [NO_SUCH_TARGET]
    table_problem = rules.table_problem(values.get("table"))
    if table_problem:
        errors["table"] = [table_problem]
    elif target is not None and _table_taken(target["id"], values["table"], except_id):
        errors["table"] = [TABLE_TAKEN]
    mode_problem = rules.mode_problem(values.get("mode"))
    if mode_problem:
        errors["mode"] = [mode_problem]
    elif values["mode"] == rules.INCREMENTAL and scope is not None:
        incremental = _incremental_problem(entry, scope)
        if incremental:
            errors["mode"] = [incremental]
    return errors, scope


def _schedule(value: Any) -> dict[str, Any]:
    schedule, problem = rules.parse_schedule(value)
    if problem or schedule is None:
        raise tk.ValidationError({"schedule": [problem or rules.NOT_A_SCHEDULE]})
    return schedule


def _acting(person: Person | None, org_id: str) -> str | None:
    if person is None:
        return None
    return org_id if org_id in person.orgs else None


# ---------------------------------------------------------------------------- writing


def create(person: Person, data: Mapping[str, Any]) -> dict[str, Any]:
    """Subscribe a resource of a live grant to one of the holder's targets (art. 22), audited.

    ``data``: ``grant_id``, ``resource_id``, ``target_id``, ``table``, ``mode``, ``schedule``.
    Every refused field comes in one 409."""
    grant = access_grants.load_grant(data["grant_id"])
    if grant is None:
        raise tk.ObjectNotFound(NO_SUCH_GRANT)
    schedule, schedule_problem = rules.parse_schedule(data.get("schedule"))
    errors, _scope = _check(grant, data)
    if schedule_problem:
        errors["schedule"] = [schedule_problem]
    if errors or schedule is None:
        raise field_errors(tk.ValidationError, errors)
    now = clock.now()
    row = {
        "id": str(uuid.uuid4()),
        "grant_id": grant["id"],
        "resource_id": data["resource_id"],
        "target_id": data["target_id"],
        "package_id": grant["package_id"],
        "organization_id": grant["organization_id"],
        "provider_org_id": grant["provider_org_id"],
        "table_name": data["table"],
        "mode": data["mode"],
        "schedule": schedule,
        "status": rules.ACTIVE,
        "stop_reason": None,
        "stopped_at": None,
        "watermark": None,
        "next_run_at": rules.first_run(schedule, now, clock.timezone()),
        "created_at": now,
        "created_by": person.id,
        "updated_at": now,
    }
    model.Session.execute(sa.insert(subscription_table).values(**row))
    _audit("govshare_subscription_create", person, row, _detail(row))
    return row


def _detail(row: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "grant_id": row["grant_id"],
        "resource_id": row["resource_id"],
        "target_id": row["target_id"],
        "holder": row["organization_id"],
        "table": row["table_name"],
        "mode": row["mode"],
        "schedule": row["schedule"],
        **{k: plain(v) for k, v in extra.items()},
    }


def _audit(
    action: str, person: Person | None, row: Mapping[str, Any], detail: Mapping[str, Any]
) -> None:
    audit(
        action,
        person,
        actor_department=_acting(person, row["organization_id"]),
        object_type="exchange_subscription",
        object_id=row["id"],
        object_department=row["organization_id"],
        detail=detail,
    )


def _write(subscription_id: str, values: Mapping[str, Any]) -> None:
    model.Session.execute(
        sa.update(subscription_table)
        .where(subscription_table.c.id == subscription_id)
        .values(**values)
    )


def _busy(subscription_id: str) -> bool:
    """A run of the subscription is queued or running."""
    r = run_table.c
    return (
        model.Session.execute(
            sa.select(r.id)
            .where(r.subscription_id == subscription_id, r.outcome.in_(("queued", "running")))
            .limit(1)
        ).first()
        is not None
    )


def update(person: Person, subscription: Mapping[str, Any], data: Mapping[str, Any]) -> dict:
    """Change a subscription's ``schedule``, ``mode``, ``table`` or ``target_id``, stop it
    (``status`` = ``stopped``) or resume it (``status`` = ``active``: only while its grant is
    live and the resource in its scope), audited.

    A new table, target or mode starts the target's copy afresh (the watermark is cleared);
    a new schedule or a resume sets the next run from now."""
    current = {
        "resource_id": subscription["resource_id"],
        "target_id": subscription["target_id"],
        "table": subscription["table_name"],
        "mode": subscription["mode"],
    }
    wanted = {**current, **{k: data[k] for k in _TEXT_FIELDS if data.get(k) not in (None, "")}}
    status = data.get("status") or subscription["status"]
    if status == rules.STOPPED and subscription["status"] == rules.ACTIVE:
        stopped = stop(subscription, "stopped_by_holder", person=person)
        subscription = stopped
    schedule = subscription["schedule"]
    if data.get("schedule") not in (None, ""):
        schedule = _schedule(data["schedule"])
    changed = {k for k in wanted if wanted[k] != current[k]}
    resuming = status == rules.ACTIVE and subscription["status"] == rules.STOPPED
    if changed or resuming:
        grant = access_grants.load_grant(subscription["grant_id"])
        if grant is None:
            raise tk.ValidationError({"status": [STILL_STOPPED]})
        field = "status" if resuming else "id"
        errors, _scope = _check(grant, wanted, except_id=subscription["id"], grant_field=field)
        if errors:
            raise field_errors(tk.ValidationError, errors)
    if changed and _busy(subscription["id"]):
        raise tk.ValidationError({"id": [BUSY]})
    now = clock.now()
    values: dict[str, Any] = {}
    if changed:
        values.update(
            target_id=wanted["target_id"],
            table_name=wanted["table"],
            mode=wanted["mode"],
            watermark=None,
        )
    if schedule != subscription["schedule"]:
        values["schedule"] = schedule
    if resuming:
        values.update(status=rules.ACTIVE, stop_reason=None, stopped_at=None)
    if "schedule" in values or resuming:
        values["next_run_at"] = rules.first_run(schedule, now, clock.timezone())
    if not values:
        return dict(subscription)
    values["updated_at"] = now
    _write(subscription["id"], values)
    updated = {**subscription, **values}
    before = {k: plain(subscription.get(k)) for k in values if k != "updated_at"}
    after = {k: plain(v) for k, v in values.items() if k != "updated_at"}
    action = "govshare_subscription_resume" if resuming else "govshare_subscription_update"
    _audit(action, person, updated, {"before": before, "after": after})
    return updated


def delete(person: Person, subscription: Mapping[str, Any]) -> None:
    """Delete a subscription, audited. Its runs are kept (they carry the grant's and the
    departments' ids for the yearly report, art. 18); refused while a run is queued or
    running."""
    if _busy(subscription["id"]):
        raise tk.ValidationError({"id": [BUSY]})
    model.Session.execute(
        sa.delete(subscription_table).where(subscription_table.c.id == subscription["id"])
    )
    _audit("govshare_subscription_delete", person, subscription, _detail(subscription))


def stop(
    subscription: Mapping[str, Any], reason: str, *, person: Person | None = None
) -> dict[str, Any]:
    """Stop a subscription (``status`` stopped, ``stop_reason``, ``stopped_at``), audited
    (``govshare_subscription_stop``), both departments' data officers told. Already stopped:
    unchanged, nothing recorded or sent. ``person`` None: the platform itself."""
    return _stop(subscription, reason, person)[0]


def stop_counted(subscription: Mapping[str, Any], reason: str) -> int | None:
    """:func:`stop` by the platform; the notices it queued, ``None`` when already stopped."""
    stopped, sent = _stop(subscription, reason, None)
    return sent


def _stop(
    subscription: Mapping[str, Any], reason: str, person: Person | None
) -> tuple[dict[str, Any], int | None]:
    current = load(subscription["id"], for_update=True)
    if current is None or current["status"] == rules.STOPPED:
        return (current if current is not None else dict(subscription)), None
    now = clock.now()
    values = {"status": rules.STOPPED, "stop_reason": reason, "stopped_at": now, "updated_at": now}
    _write(current["id"], values)
    stopped = {**current, **values}
    _audit("govshare_subscription_stop", person, stopped, _detail(stopped, reason=reason))
    return stopped, _notify_stopped(stopped)


def _notify_stopped(subscription: Mapping[str, Any]) -> int:
    en, zh = rules.stop_reason_label(subscription["stop_reason"])
    titles = _titles(
        model.Group, (subscription["organization_id"], subscription["provider_org_id"])
    )
    entry = _titles(model.Package, [subscription["package_id"]])
    recipients = notices.officers_of(subscription["organization_id"]) + notices.officers_of(
        subscription["provider_org_id"]
    )
    return notices.notify(
        "exchange_subscription_stopped",
        recipients=recipients,
        key=(
            f"exchange_subscription_stopped:{subscription['id']}:"
            f"{plain(subscription['stopped_at'])}"
        ),
        params={
            "grant_id": subscription["grant_id"],
            "package_id": subscription["package_id"],
            "entry_title": entry.get(subscription["package_id"], ("", ""))[1],
            "requesting_org": titles.get(subscription["organization_id"], ("", ""))[1],
            "provider_org": titles.get(subscription["provider_org_id"], ("", ""))[1],
            "table": subscription["table_name"],
            "stop_reason_en": en,
            "stop_reason_zh": zh,
            "status": rules.STOPPED,
            "link": f"/govshare/exchange/subscriptions/{subscription['id']}",
        },
    )


def stop_for_grant(grant_id: str, reason: str, *, person: Person | None = None) -> int:
    """Stop every active subscription of the grant (it was revoked, expired or suspended);
    how many were stopped."""
    c = subscription_table.c
    ids = model.Session.execute(
        sa.select(c.id)
        .where(c.grant_id == grant_id, c.status == rules.ACTIVE)
        .order_by(c.id)
        .with_for_update()
    ).scalars()
    stopped = 0
    for subscription_id in list(ids):
        row = load(subscription_id)
        if row is not None and row["status"] == rules.ACTIVE:
            stop(row, reason, person=person)
            stopped += 1
    return stopped


# ---------------------------------------------------------------------------- scheduling


def due(now: dt.datetime, limit: int = DUE_LIMIT) -> list[str]:
    """Ids of the active subscriptions whose next run is due at ``now``, longest waiting
    first (at most ``limit``)."""
    c = subscription_table.c
    return list(
        model.Session.execute(
            sa.select(c.id)
            .where(c.status == rules.ACTIVE, c.next_run_at <= now)
            .order_by(c.next_run_at, c.id)
            .limit(max(1, min(limit, DUE_LIMIT)))
        ).scalars()
    )


def after_run(subscription_id: str, *, success: bool, watermark: str | None) -> None:
    """After a run: on success keep the watermark delivered up to (incremental mode), then
    set the next run from the schedule, from now, in the platform's timezone."""
    current = load(subscription_id, for_update=True)
    if current is None:
        return
    now = clock.now()
    values: dict[str, Any] = {"updated_at": now}
    if success and watermark is not None:
        values["watermark"] = watermark
    if current["status"] == rules.ACTIVE:
        values["next_run_at"] = rules.next_run(current["schedule"], now, clock.timezone())
    _write(subscription_id, values)


def ungranted(today: dt.date, limit: int = DUE_LIMIT) -> list[str]:
    """Ids of active subscriptions whose grant is no longer live (revoked, expired,
    terminated, or past its period before ``ckan govshare remind`` marked it expired). A
    suspended grant's are kept (2025 art. 27: resumed, they run again; meanwhile each run
    fails with the suspension's reason)."""
    c = subscription_table.c
    g = grant_table.c
    suspended = sa.and_(
        g.status == access_codes.GRANT_SUSPENDED,
        g.period_start <= today,
        g.period_end >= today,
    )
    live = (
        sa.select(g.id)
        .where(sa.or_(access_grants.live_condition(today), suspended))
        .where(g.id == c.grant_id)
    )
    return list(
        model.Session.execute(
            sa.select(c.id)
            .where(c.status == rules.ACTIVE, ~sa.exists(live))
            .order_by(c.id)
            .limit(limit)
        ).scalars()
    )

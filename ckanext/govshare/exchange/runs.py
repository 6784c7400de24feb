"""One run of a subscription: the grant's scope of a resource delivered into its exchange
target (批量交换, 2025 Regulations art. 22; 前置机, 2016 Measures art. 12; issue 17, item 3).

:func:`execute` is what the jobs queue and ``ckan govshare exchange run`` call:

1. One run of a subscription at a time: a session-level advisory lock on a key derived from
   the subscription id, on a connection of its own, held until the run ends. A second run of
   the same subscription while one is running fails at once with the reason "busy" (no data
   moves, no notice; the schedule is left as it was so the next ``exchange run`` tries again).
2. The run row is marked ``running`` and committed before any data moves; bookkeeping is done
   in short transactions of its own, the data moves in the target's transaction.
3. The subscription and its grant are read afresh, and the scope comes from the one scope
   function every delivery uses (``dataplane.service.scope_for``). A grant that is no longer
   live, or a resource out of its scope, stops the subscription (``subscriptions.stop``) and
   the run fails with that reason: no data moves. A resource that is not in the DataStore
   cannot be cut or made a table, so it is refused (the run fails; the subscription stays).
4. The rows (``dataplane.store.copy_csv``, incremental: only those whose watermark column lies
   between the last run's watermark and the highest value at this run's start) go to the
   target through ``sinks`` (atomic for readers; a rerun adds no duplicate row).
5. The run row's outcome, rows, bytes, sha256, watermarks, duration and error, the audit event
   (``govshare_exchange_run``), the failure notices to both departments' data officers and
   the subscription's next run (``subscriptions.after_run``) are written in one transaction.

Every error rolls ``model.Session`` back before the failure is recorded; errors recorded or
shown are bilingual and never hold a connection string or password.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from .. import notices
from ..access import delivery as access_delivery
from ..access import grants as access_grants
from ..access.rules import SUSPENDED
from ..access.scope import GRANT_ENDED, OutOfScope
from ..audit import store as audit_store
from ..catalogue import columns as item_columns
from ..core import clock, config
from ..core.messages import halves, message
from ..core.serialise import plain
from ..dataplane import service as dataplane
from ..dataplane import store
from . import rules, sinks, subscriptions, targets
from .model import run_table

__all__ = [
    "BUSY",
    "FAILED",
    "QUEUED",
    "RUNNING",
    "SUCCESS",
    "execute",
    "is_running",
    "last_run",
    "lock_key",
    "new_run",
    "present",
    "runs_of",
]

log = logging.getLogger(__name__)

QUEUED = "queued"
RUNNING = "running"
SUCCESS = "success"
FAILED = "failed"
OUTCOMES = (QUEUED, RUNNING, SUCCESS, FAILED)

BUSY = message(
    "busy: another run of this subscription is in progress",
    "忙：该订阅的另一次交换正在进行",
)
NOT_ACTIVE = message(
    "The subscription is stopped: no run starts",
    "该订阅已停止，不再执行交换",
)
NO_SUBSCRIPTION = message("No such subscription", "订阅不存在")
NO_RUN = message("No such exchange run", "交换记录不存在")
NOT_IN_DATASTORE = message(
    "The resource is not loaded into the DataStore: batch exchange delivers tables only. Ask "
    "the provider to load it (a CSV or XLSX file) into the DataStore",
    "该资源尚未导入数据表，批量交换仅能交换数据表。请联系提供部门将其（CSV或XLSX文件）导入数据表",
)
NO_KEY = message(
    "Incremental exchange needs the entry's key and change-watermark data items, both "
    "within the grant's columns",
    "增量交换需要信息资源的主键信息项和变更时间信息项，且二者均在授权范围内",
)
UNKNOWN_KIND = message("Unknown kind of exchange target", "未知的交换目标类型")


def _internal(error: BaseException) -> str:
    return message(
        f"The run failed unexpectedly ({error.__class__.__name__}); see the server log",
        f"交换意外失败（{error.__class__.__name__}），详见服务器日志",
    )


# ---------------------------------------------------------------------------- reading


def _load(run_id: str) -> dict[str, Any] | None:
    row = model.Session.execute(sa.select(run_table).where(run_table.c.id == run_id)).first()
    return dict(row._mapping) if row else None


def present(run: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A run as the API gives it: ``started``, ``finished``, ``outcome``, ``rows``,
    ``sha256`` (issue 17, item 2) and the rest of the record."""
    if run is None:
        return None
    return {
        "id": run["id"],
        "subscription_id": run["subscription_id"],
        "trigger": run["trigger"],
        "mode": run["mode"],
        "queued": plain(run.get("queued_at")),
        "started": plain(run.get("started_at")),
        "finished": plain(run.get("finished_at")),
        "outcome": run["outcome"],
        "rows": run.get("rows"),
        "bytes": run.get("bytes"),
        "sha256": run.get("sha256"),
        "watermark_from": run.get("watermark_from"),
        "watermark_to": run.get("watermark_to"),
        "milliseconds": run.get("milliseconds"),
        "error": run.get("error"),
    }


def last_run(subscription_id: str) -> dict[str, Any] | None:
    """The subscription's latest finished run (``success`` or ``failed``), or None."""
    c = run_table.c
    row = model.Session.execute(
        sa.select(run_table)
        .where(c.subscription_id == subscription_id, c.outcome.in_((SUCCESS, FAILED)))
        .order_by(c.finished_at.desc(), c.id.desc())
        .limit(1)
    ).first()
    return present(dict(row._mapping)) if row else None


def runs_of(subscription_id: str, limit: int = 20, offset: int = 0) -> dict[str, Any]:
    """The subscription's runs, newest first (queued and running ones too):
    ``{"count", "results"}``."""
    c = run_table.c
    where = c.subscription_id == subscription_id
    count = model.Session.execute(sa.select(sa.func.count()).where(where)).scalar_one()
    rows = model.Session.execute(
        sa.select(run_table)
        .where(where)
        .order_by(c.queued_at.desc(), c.id.desc())
        .limit(max(0, min(limit, 1000)))
        .offset(max(0, offset))
    )
    return {"count": int(count), "results": [present(dict(r._mapping)) for r in rows]}


def new_run(
    subscription: Mapping[str, Any], *, trigger: str, requested_by: str | None
) -> dict[str, Any]:
    """Insert a ``queued`` run of the subscription in the caller's transaction."""
    run = {
        "id": str(uuid.uuid4()),
        "subscription_id": subscription["id"],
        "grant_id": subscription["grant_id"],
        "organization_id": subscription["organization_id"],
        "provider_org_id": subscription["provider_org_id"],
        "mode": subscription["mode"],
        "trigger": trigger,
        "requested_by": requested_by,
        "queued_at": clock.now(),
        "outcome": QUEUED,
    }
    model.Session.execute(sa.insert(run_table).values(**run))
    user = model.User.get(requested_by) if requested_by else None
    audit_store.record(
        "govshare_exchange_run_queue",
        actor_id=user.id if user else None,
        actor_name=user.name if user else "system",
        actor_department=subscription["organization_id"] if user else None,
        object_type="exchange_subscription",
        object_id=subscription["id"],
        object_department=subscription["organization_id"],
        detail={"run_id": run["id"], "trigger": trigger, "mode": subscription["mode"]},
    )
    return run


def fail_stale(run: Mapping[str, Any], error: str) -> None:
    """Mark a run that will never finish (its worker died, its job was lost) failed, audited,
    in the caller's transaction."""
    model.Session.execute(
        sa.update(run_table)
        .where(run_table.c.id == run["id"], run_table.c.outcome == run["outcome"])
        .values(outcome=FAILED, finished_at=clock.now(), error=error)
    )
    audit_store.record(
        "govshare_exchange_run",
        actor_id=None,
        actor_name="system",
        actor_department=None,
        object_type="exchange_subscription",
        object_id=run["subscription_id"],
        object_department=run["organization_id"],
        outcome="refused",
        detail={"run_id": run["id"], "outcome": FAILED, "was": run["outcome"], "error": error},
    )


# ---------------------------------------------------------------------------- the lock


def lock_key(subscription_id: str) -> int:
    """The advisory lock key of a subscription (64 bits of a hash of its id)."""
    digest = hashlib.sha256(f"govshare-exchange:{subscription_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class _Lock:
    """A session-level advisory lock on a connection of its own (not the ORM session's, which
    commits and rolls back during the run)."""

    def __init__(self, subscription_id: str) -> None:
        self.key = lock_key(subscription_id)
        self.conn: sa.engine.Connection | None = None

    def acquire(self) -> bool:
        engine = model.meta.engine
        assert engine is not None, "set up with CKAN's configuration"
        # Autocommit: no transaction is left open on the lock's connection during the run.
        conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key})
            taken = bool(got.scalar())
        except Exception:
            conn.close()
            raise
        if not taken:
            conn.close()
            return False
        self.conn = conn
        return True

    def release(self) -> None:
        conn, self.conn = self.conn, None
        if conn is None:
            return
        try:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
        except Exception:
            # The lock lives as long as the connection: never hand a locked one back to the pool.
            log.warning("Releasing an exchange lock failed; dropping its connection")
            conn.invalidate()
        finally:
            conn.close()


def is_running(subscription_id: str) -> bool:
    """Whether a run of the subscription holds its lock now (in any process)."""
    lock = _Lock(subscription_id)
    if lock.acquire():
        lock.release()
        return False
    return True


# ---------------------------------------------------------------------------- the run


class _Stop(Exception):
    """The grant no longer covers the subscription: stop it (``code``), move nothing."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code = code
        self.text = text


class _Refused(Exception):
    """The run cannot deliver (a lasting condition, the subscription stays): ``text``."""


class _Suspended(_Refused):
    """The grant is suspended (2025 Regulations art. 27): the run fails with the suspension's
    reason and date, the subscription stays (resumed, the grant runs it again)."""


@dataclass
class _Result:
    outcome: str
    error: str | None = None
    rows: int | None = None
    bytes: int | None = None
    sha256: str | None = None
    watermark_from: str | None = None
    watermark_to: str | None = None
    stopped: bool = False
    notify: bool = True
    reschedule: bool = True
    reason: str | None = None


def execute(run_id: str) -> dict[str, Any]:
    """Carry out a queued run (above) and answer its record (``present``). A run that is no
    longer queued (a job delivered twice) is answered as it is, untouched."""
    run = _load(run_id)
    if run is None:
        raise tk.ObjectNotFound(NO_RUN)
    model.Session.rollback()
    if run["outcome"] != QUEUED:
        return present(run) or {}
    lock = _Lock(run["subscription_id"])
    started = clock.now()
    if not lock.acquire():
        return _finish(
            run,
            started,
            time.monotonic(),
            _Result(FAILED, error=BUSY, notify=False, reschedule=False),
        )
    try:
        return _execute(run, started)
    finally:
        lock.release()


def _execute(run: dict[str, Any], started: Any) -> dict[str, Any]:
    began = time.monotonic()
    model.Session.execute(
        sa.update(run_table)
        .where(run_table.c.id == run["id"])
        .values(outcome=RUNNING, started_at=started)
    )
    model.Session.commit()
    run.update(outcome=RUNNING, started_at=started)
    try:
        result = _deliver(run)
    except _Stop as stop:
        model.Session.rollback()
        try:
            subscription = subscriptions.load(run["subscription_id"])
            if subscription is not None:
                subscriptions.stop(subscription, stop.code)
        except Exception:
            model.Session.rollback()
            log.exception("Stopping exchange subscription %s failed", run["subscription_id"])
        result = _Result(FAILED, error=stop.text, stopped=True, notify=False, reschedule=False)
    except _Refused as refused:
        model.Session.rollback()
        reason = SUSPENDED if isinstance(refused, _Suspended) else None
        result = _Result(FAILED, error=str(refused), reason=reason)
    except sinks.DeliveryError as error:
        model.Session.rollback()
        result = _Result(FAILED, error=str(error))
    except (tk.ValidationError, tk.ObjectNotFound, tk.NotAuthorized) as error:
        model.Session.rollback()
        result = _Result(FAILED, error=_said(error))
    except Exception as error:
        model.Session.rollback()
        # The targets' own errors (a key that no longer decrypts, a path now outside the
        # root) carry a bilingual ``text``.
        text = getattr(error, "text", None)
        if isinstance(text, str) and text:
            result = _Result(FAILED, error=sinks.scrub(text))
        else:
            log.exception("Exchange run %s failed", run["id"])
            result = _Result(FAILED, error=_internal(error))
    return _finish(run, started, began, result)


def _said(error: Exception) -> str:
    """What a CKAN refusal says, one line (a field error's messages joined)."""
    found = getattr(error, "error_dict", None)
    if isinstance(found, Mapping) and found:
        parts = []
        for value in found.values():
            parts += [str(v) for v in (value if isinstance(value, list) else [value])]
        text = "; ".join(parts)
    else:
        text = str(getattr(error, "message", "") or error)
    return sinks.scrub(text)


def _stop_reason(grant: Mapping[str, Any] | None, scope: OutOfScope) -> str:
    if scope.reason != GRANT_ENDED:
        return "out_of_scope"
    status = (grant or {}).get("status")
    return rules.reason_for_grant(str(status) if status else None)


def _entry_item(package_id: str, field_name: str) -> str | None:
    pkg = model.Package.get(package_id)
    if pkg is None:
        return None
    value = (pkg.extras or {}).get(field_name)
    return str(value).strip() or None if value else None


def _incremental_columns(
    subscription: Mapping[str, Any], columns: tuple[str, ...]
) -> tuple[str, str]:
    """The key and watermark columns of an incremental run: the entry's ``key_item`` and
    ``watermark_item`` data items' columns, both in the scope (else :class:`_Refused`)."""
    entry = dataplane.scope_entry(subscription["package_id"])
    mapping = item_columns.columns_of(entry)
    key_item = _entry_item(subscription["package_id"], "key_item")
    mark_item = _entry_item(subscription["package_id"], "watermark_item")
    key, mark = mapping.get(key_item or ""), mapping.get(mark_item or "")
    if not key or not mark or key not in columns or mark not in columns:
        raise _Refused(NO_KEY)
    return key, mark


def _deliver(run: Mapping[str, Any]) -> _Result:
    subscription = subscriptions.load(run["subscription_id"])
    if subscription is None:
        raise _Refused(NO_SUBSCRIPTION)
    if subscription.get("status") != "active":
        raise _Refused(NOT_ACTIVE)
    grant = access_grants.load_grant(subscription["grant_id"])
    resource_id = subscription["resource_id"]
    scope = (
        dataplane.scope_for(grant, resource_id) if grant is not None else OutOfScope(GRANT_ENDED)
    )
    if isinstance(scope, OutOfScope):
        en, zh = scope.texts
        if scope.reason == SUSPENDED:
            raise _Suspended(message(en, zh))
        raise _Stop(_stop_reason(grant, scope), message(en, zh))
    if scope.whole:
        raise _Refused(NOT_IN_DATASTORE)
    columns = scope.columns
    mode = subscription["mode"]
    key: str | None = None
    changed: store.Changed | None = None
    mark_from = subscription.get("watermark")
    mark_to: str | None = None
    if mode == "incremental":
        key, mark = _incremental_columns(subscription, columns)
        upto = store.max_value(resource_id, mark, scope.rows)
        # No row with a watermark: nothing to deliver, the watermark stays.
        changed = store.Changed(mark, mark_from, upto) if upto is not None else None
        mark_to = upto if upto is not None else mark_from
    location = targets.resolve(subscription["target_id"])
    # Nothing is written to the platform's database while the data moves.
    model.Session.rollback()
    chunks = (
        store.copy_csv(resource_id, columns, scope.rows, changed)
        if mode == "full" or changed is not None
        else iter(())
    )
    table = subscription["table_name"]
    if location.kind == "postgresql":
        with store.engine().connect() as conn:
            types = store.column_types(resource_id, columns, conn)
        delivered = sinks.to_postgresql(
            location.dsn or "",
            table,
            columns,
            types,
            chunks,
            mode=mode,
            key=key,
            timeout=config.exchange_timeout(),
        )
    elif location.kind == "directory":
        delivered = sinks.to_directory(
            location.path or "",
            table,
            columns,
            chunks,
            mode=mode,
            manifest={
                "run_id": run["id"],
                "subscription_id": subscription["id"],
                "grant_id": subscription["grant_id"],
                "resource_id": resource_id,
                "watermark_from": mark_from,
                "watermark": mark_to,
            },
            now=clock.now,
        )
    else:
        raise _Refused(UNKNOWN_KIND)
    return _Result(
        SUCCESS,
        rows=delivered.rows,
        bytes=delivered.bytes,
        sha256=delivered.sha256,
        watermark_from=mark_from,
        watermark_to=mark_to,
    )


def _finish(run: dict[str, Any], started: Any, began: float, result: _Result) -> dict[str, Any]:
    """The run's record, its audit event, failure notices and the next run: one transaction."""
    values = {
        "started_at": run.get("started_at") or started,
        "finished_at": clock.now(),
        "outcome": result.outcome,
        "rows": result.rows,
        "bytes": result.bytes,
        "sha256": result.sha256,
        "watermark_from": result.watermark_from,
        "watermark_to": result.watermark_to,
        "milliseconds": int((time.monotonic() - began) * 1000),
        "error": result.error,
    }
    run = {**run, **values}
    try:
        subscription = subscriptions.load(run["subscription_id"]) or {}
        model.Session.execute(
            sa.update(run_table).where(run_table.c.id == run["id"]).values(**values)
        )
        audit_store.record(
            "govshare_exchange_run",
            actor_id=None,
            actor_name="system",
            actor_department=None,
            object_type="exchange_subscription",
            object_id=run["subscription_id"],
            object_department=run["organization_id"],
            # The trail's outcomes are success | refused: a failed run is recorded as refused.
            outcome="success" if result.outcome == SUCCESS else "refused",
            detail={
                "run_id": run["id"],
                "grant_id": run["grant_id"],
                "resource_id": subscription.get("resource_id"),
                "target_id": subscription.get("target_id"),
                "trigger": run["trigger"],
                "requested_by": run.get("requested_by"),
                "mode": run["mode"],
                "outcome": result.outcome,
                "rows": result.rows,
                "bytes": result.bytes,
                "sha256": result.sha256,
                "watermark_from": result.watermark_from,
                "watermark_to": result.watermark_to,
                "error": result.error,
                **({"reason": result.reason} if result.reason else {}),
            },
        )
        if result.outcome == FAILED and result.notify:
            _notify_failure(run, subscription, result.error or "")
        if result.outcome == SUCCESS and run.get("grant_id"):
            # 2025 art. 22: the first successful run delivers the grant's data.
            access_delivery.mark_delivered(run["grant_id"], method="batch_exchange")
        if result.reschedule:
            subscriptions.after_run(
                run["subscription_id"],
                success=result.outcome == SUCCESS,
                watermark=result.watermark_to if result.outcome == SUCCESS else None,
            )
        model.Session.commit()
    except Exception:
        model.Session.rollback()
        log.exception("Recording exchange run %s failed", run["id"])
        raise
    return present(run) or {}


def _notify_failure(run: Mapping[str, Any], subscription: Mapping[str, Any], error: str) -> None:
    """Tell both departments' data officers that a run failed (``exchange_run_failed``). The
    reason may name the receiving department's exchange target (its host, its table): only
    that department's officers get it; the provider's get that the delivery failed."""
    orgs = {
        o.id: o.title or o.name
        for o in model.Session.query(model.Group).filter(
            model.Group.id.in_([run["organization_id"], run["provider_org_id"]])
        )
    }
    package_id = subscription.get("package_id")
    pkg = model.Package.get(package_id) if package_id else None
    holders = notices.officers_of(run["organization_id"])
    providers = [u for u in notices.officers_of(run["provider_org_id"]) if u not in holders]
    common = {
        "subscription_id": run["subscription_id"],
        "grant_id": run["grant_id"],
        "package_id": package_id,
        "entry_title": pkg.title if pkg else package_id,
        "requesting_org": orgs.get(run["organization_id"]),
        "provider_org": orgs.get(run["provider_org_id"]),
        "table": subscription.get("table_name"),
        "link": f"/govshare/exchange/subscriptions/{run['subscription_id']}",
    }
    for recipients, reason, suffix in (
        (holders, error, ""),
        (providers, subscriptions.RUN_FAILED_ELSEWHERE, ":provider"),
    ):
        en, zh = halves(reason)
        notices.notify(
            "exchange_run_failed",
            recipients=recipients,
            key=f"exchange_run_failed:{run['id']}{suffix}",
            params={**common, "error_en": en[:500], "error_zh": zh[:500]},
        )

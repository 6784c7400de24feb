"""Queueing exchange runs (批量交换, 2025 Regulations art. 22; issue 17, item 3).

``queue`` inserts a ``queued`` run in the caller's transaction and hands it to CKAN's jobs
queue (``tk.enqueue_job`` on :data:`QUEUE`, served first by ``ckan govshare worker``) only
after that transaction commits: a rolled-back action queues nothing, and the worker never
looks for a run row that is not there yet. The job calls ``runs.execute``. ``run_due`` is
``ckan govshare exchange run``'s work: every subscription whose next run is due is queued and
run in the calling process, one after the other.

One run per subscription at a time: ``queue`` refuses while one is queued or running. A run
left behind by a worker that died (``running`` with no process holding its lock) or a job lost
with Redis (``queued`` for longer than ``STALE_QUEUED``) is marked failed first, so a
subscription is never blocked for ever.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from sqlalchemy import event

from ..core import clock
from ..core.messages import message
from . import runs, subscriptions
from .model import run_table

__all__ = ["ALREADY", "STALE_QUEUED", "job", "queue", "run_due"]

log = logging.getLogger(__name__)

ALREADY = message(
    "A run of this subscription is already queued or running",
    "该订阅已有一次交换在排队或正在进行",
)
STOPPED = message(
    "The subscription is stopped: resume it before running it",
    "该订阅已停止，请先恢复再执行",
)
NO_SUBSCRIPTION = message("No such subscription", "订阅不存在")
INTERRUPTED = message(
    "The run was interrupted (its process ended before it finished); the target was left as it was",
    "交换被中断（执行进程在完成前结束），交换目标保持原状",
)
LOST = message(
    "The run never started (its job was lost); queue it again",
    "交换未能开始（任务丢失），请重新执行",
)
#: A queued run not started within this time is taken as lost.
STALE_QUEUED = dt.timedelta(hours=6)
#: Seconds a run's job may take in the worker (RQ's default of 180 s is too short for a
#: million rows over a slow link).
JOB_TIMEOUT = 6 * 3600
#: The jobs queue of exchange runs: ``ckan govshare worker`` serves it before CKAN's default
#: queue (a run a department asked for does not wait behind a day's DataStore loads); a site
#: may run a worker of its own for it (``ckan govshare worker govshare_exchange``).
QUEUE = "govshare_exchange"

_PENDING = "govshare_exchange_jobs"


def job(run_id: str) -> dict[str, Any]:
    """The jobs worker's entry point: carry out the run."""
    try:
        return runs.execute(run_id)
    finally:
        model.Session.remove()


def _clear_stale(subscription_id: str) -> None:
    """Fail runs that will never finish (see the module's text), in the caller's transaction."""
    c = run_table.c
    now = clock.now()
    rows = model.Session.execute(
        sa.select(run_table).where(
            c.subscription_id == subscription_id, c.outcome.in_((runs.QUEUED, runs.RUNNING))
        )
    ).all()
    for row in rows:
        run = dict(row._mapping)
        if run["outcome"] == runs.RUNNING and not runs.is_running(subscription_id):
            runs.fail_stale(run, INTERRUPTED)
        elif run["outcome"] == runs.QUEUED and run["queued_at"] < now - STALE_QUEUED:
            runs.fail_stale(run, LOST)


def queue(
    subscription_id: str,
    *,
    trigger: str,
    requested_by: str | None,
    enqueue: bool = True,
) -> dict[str, Any]:
    """A ``queued`` run of the subscription (``runs.present``), inserted in the caller's
    transaction; with ``enqueue`` its job is queued once that transaction commits. Refuses
    (409 on ``id``) a stopped subscription and one with a run queued or running."""
    subscription = subscriptions.load(subscription_id, for_update=True)
    if subscription is None:
        raise tk.ObjectNotFound(NO_SUBSCRIPTION)
    if subscription.get("status") != "active":
        raise tk.ValidationError({"id": [STOPPED]})
    _clear_stale(subscription_id)
    c = run_table.c
    busy = model.Session.execute(
        sa.select(sa.func.count()).where(
            c.subscription_id == subscription_id, c.outcome.in_((runs.QUEUED, runs.RUNNING))
        )
    ).scalar_one()
    if busy:
        raise tk.ValidationError({"id": [ALREADY]})
    run = runs.new_run(subscription, trigger=trigger, requested_by=requested_by)
    if enqueue:
        _pending(model.Session()).append(run["id"])
    return runs.present(run) or {}


def run_due(now: dt.datetime | None = None) -> dict[str, Any]:
    """Queue and carry out, in this process, every subscription due at ``now``: the summary
    ``{"due", "succeeded", "failed", "skipped", "runs"}`` (skipped: a run already queued or
    running, or the subscription stopped meanwhile)."""
    moment = now or clock.now()
    due = subscriptions.due(moment)
    summary: dict[str, Any] = {"due": len(due), "succeeded": 0, "failed": 0, "skipped": 0}
    done: list[dict[str, Any]] = []
    for subscription_id in due:
        try:
            run = queue(subscription_id, trigger="schedule", requested_by=None, enqueue=False)
            model.Session.commit()
        except (tk.ValidationError, tk.ObjectNotFound):
            model.Session.rollback()
            summary["skipped"] += 1
            continue
        result = runs.execute(run["id"])
        summary["succeeded" if result.get("outcome") == runs.SUCCESS else "failed"] += 1
        done.append(result)
    summary["runs"] = done
    return summary


# ---------------------------------------------------------------------------- after commit


def _pending(session: Any) -> list[str]:
    return session.info.setdefault(_PENDING, [])


def _enqueue(run_ids: Iterable[str]) -> None:
    for run_id in run_ids:
        try:
            tk.enqueue_job(
                job,
                [run_id],
                title=f"govshare exchange run {run_id}",
                queue=QUEUE,
                rq_kwargs={"timeout": JOB_TIMEOUT},
            )
        except Exception:  # Redis away: the run stays queued and is failed as lost later
            log.exception("Queueing exchange run %s failed", run_id)


def _after_commit(session: Any) -> None:
    ids = session.info.pop(_PENDING, None)
    if ids:
        _enqueue(ids)


def _after_soft_rollback(session: Any, previous: Any) -> None:
    # The outermost transaction rolled back: its runs are gone, their jobs must not be
    # queued (a savepoint's rollback leaves them).
    if getattr(previous, "parent", None) is None:
        session.info.pop(_PENDING, None)


def listen() -> None:
    """Hook the after-commit enqueueing on CKAN's session (once per process)."""
    if not event.contains(model.Session, "after_commit", _after_commit):
        event.listen(model.Session, "after_commit", _after_commit)
        event.listen(model.Session, "after_soft_rollback", _after_soft_rollback)


listen()

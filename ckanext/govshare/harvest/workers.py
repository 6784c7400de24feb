"""A job's records imported by several processes (``ckan govshare harvest run --workers N``).

An entry's import is CPU in CKAN's per-entry create (validation, the ORM, the dictionaries of
the activity and the index: docs/benchmarks.md), so one process uses one core; ckanext-harvest
scales the same way, with several fetch consumers. Each worker is a fork of the job's process
(CKAN is loaded once) with database connections of its own, and imports its share of the
records as ``jobs.py`` does. Workers do not wait for one another for long: an entry's audit
events are appended while its transaction commits (``audit/changes.py``), so the trail's head
row is locked only then.

Two records of one job may race to create the same row: a new free tag both carry, or one
name. The loser's import fails on the unique key and is recorded as an error like any other;
once the workers are done, the records that ended in error are imported once more, one after
the other, in the job's process (``retry_errored``). A record whose data is wrong fails again
with the same error.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import sqlalchemy as sa
from ckan import model

# ckanext-harvest's model is imported where it is used: defining its tables on CKAN's metadata
# is for a harvesting platform only (and ``shares`` is plain Python).

#: A share of the records -> the report statuses it produced, counted.
Work = Callable[[list[str]], dict[str, int]]

_work: Work | None = None


def shares(object_ids: Sequence[str], workers: int) -> list[list[str]]:
    """The records dealt out in turn to at most ``workers`` shares, none empty."""
    count = max(1, min(workers, len(object_ids)))
    return [list(object_ids[i::count]) for i in range(count) if object_ids[i::count]]


def _engine() -> Any:
    engine = model.meta.engine
    if engine is None:
        raise RuntimeError("CKAN's database engine is not configured")
    return engine


def _fresh_connections() -> None:
    # A forked child must not use the connections of its parent (close=False: nor close them
    # under it); it opens its own.
    model.Session.remove()
    _engine().dispose(close=False)


def _run_share(share: list[str]) -> dict[str, int]:
    if _work is None:
        raise RuntimeError("no harvest work set before the workers started")
    try:
        return _work(share)
    finally:
        model.Session.remove()
        _engine().dispose()


def run(work: Work, parts: list[list[str]]) -> list[dict[str, int]]:
    """``work`` on each share, at the same time in ``len(parts)`` forked processes; the
    statuses of each, in order.

    A worker that dies (killed, out of memory) fails the job with ``BrokenProcessPool``
    rather than leaving it waiting for a share that will never end."""
    global _work
    model.Session.remove()
    _engine().dispose()  # no pooled connection may cross the fork
    _work = work
    try:
        with ProcessPoolExecutor(
            max_workers=len(parts),
            mp_context=multiprocessing.get_context("fork"),
            initializer=_fresh_connections,
        ) as pool:
            return list(pool.map(_run_share, parts))
    finally:
        _work = None


def retry_errored(job_id: str) -> list[str]:
    """The job's records that ended in error, made ready to import again: their errors
    removed, their state back to waiting. Committed."""
    from ckanext.harvest.model import HarvestObject, HarvestObjectError

    objects = HarvestObject.__table__
    ids = [
        row[0]
        for row in model.Session.execute(
            sa.select(objects.c.id)
            .where(objects.c.harvest_job_id == job_id, objects.c.state == "ERROR")
            .order_by(objects.c.id)
        )
    ]
    if ids:
        errors = HarvestObjectError.__table__
        model.Session.execute(errors.delete().where(errors.c.harvest_object_id.in_(ids)))
        model.Session.execute(
            objects.update()
            .where(objects.c.id.in_(ids))
            .values(state="WAITING", report_status=None, current=False)
        )
    model.Session.commit()
    return ids


def statuses(job_id: str) -> dict[str, int]:
    """The job's records counted by report status (their state where they have none)."""
    from ckanext.harvest.model import HarvestObject

    objects = HarvestObject.__table__
    status = sa.func.coalesce(objects.c.report_status, objects.c.state, "?")
    query = sa.select(status, sa.func.count()).where(objects.c.harvest_job_id == job_id)
    rows = model.Session.execute(query.group_by(status))
    return {str(name): int(count) for name, count in rows}

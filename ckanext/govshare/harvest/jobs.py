"""Run one harvest job in this process: gather, then fetch and import its records in batches.

What ``ckan harvester run-test`` does, made for an upper platform's scheduled harvests of each
lower platform (art. 8, 11; federation.md): no queue, so a cron line per source runs the job
to its end, and

- each record is fetched and imported as ckanext-harvest's fetch consumer does it
  (``queue.fetch_and_import_stages``: every rule, origin stamp and audit event of an entry's
  import, in its own transactions), without ``run-test``'s extra ``package_show`` of every
  entry;
- the import's commits do not wait for the disk (``commits.relaxed``);
- a batch shows the harvest source once, not once a record (``reuse.py``);
- the session is closed after every batch: objects a long import leaves in it (harvest
  records, activities) made every later commit slower (the activity views' reload walks the
  whole identity map, ``datalinks/stored.py``);
- with ``workers`` above 1 the records are imported by that many forked processes
  (``workers.py``), and those that ended in error are imported once more, one at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject

from . import commits, reuse
from . import workers as import_workers

log = logging.getLogger(__name__)

DEFAULT_BATCH = 500


@dataclass
class Outcome:
    """What a job did: its id and its records' report statuses, counted."""

    job_id: str
    gathered: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


def run(
    source: str,
    *,
    batch: int = DEFAULT_BATCH,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Outcome:
    """Run a new job of the harvest source ``source`` (id or name) to its end, its records
    imported by ``workers`` processes."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context: Context = {"model": model, "session": model.Session, "user": site_user}
    system: Context = {**context, "ignore_auth": True}
    source_dict = tk.get_action("harvest_source_show")(context, {"id": source})
    harvester = queue.get_harvester(source_dict["source_type"])
    if harvester is None:
        raise tk.ObjectNotFound(f"No harvester for the source type {source_dict['source_type']}")
    job_dict = tk.get_action("harvest_job_create")(
        system, {"source_id": source_dict["id"], "run": False}
    )
    job = HarvestJob.get(job_dict["id"])
    if job is None:
        raise tk.ObjectNotFound(f"The harvest job {job_dict['id']} vanished")
    job.status = "Running"
    job.save()
    object_ids = queue.gather_stage(harvester, job)
    job_id = job.id
    outcome = Outcome(job_id=job_id)
    if isinstance(object_ids, list):
        outcome.gathered = len(object_ids)
        step = max(batch, 1)

        def import_all(ids: list[str]) -> dict[str, int]:
            done = Outcome(job_id=job_id)
            for start in range(0, len(ids), step):
                with reuse.batch(source_dict["id"]):
                    _import(harvester, ids[start : start + step], done)
                if progress:
                    progress(min(start + step, len(ids)), len(ids))
            return done.statuses

        if workers > 1 and len(object_ids) > 1:
            import_workers.run(import_all, import_workers.shares(object_ids, workers))
            again = import_workers.retry_errored(job_id)
            if again:
                log.warning("%d records ended in error: importing them once more", len(again))
                import_all(again)
            outcome.statuses = import_workers.statuses(job_id)
        else:
            outcome.statuses = import_all(object_ids)
    tk.get_action("harvest_jobs_run")(system, {"source_id": source_dict["id"]})
    return outcome


def _import(harvester: Any, object_ids: list[str], outcome: Outcome) -> None:
    try:
        with commits.relaxed(model.Session):
            for object_id in object_ids:
                harvest_object = HarvestObject.get(object_id)
                if harvest_object is None:
                    continue
                queue.fetch_and_import_stages(harvester, harvest_object)
                status = harvest_object.report_status or harvest_object.state or "?"
                outcome.statuses[status] = outcome.statuses.get(status, 0) + 1
    finally:
        model.Session.remove()

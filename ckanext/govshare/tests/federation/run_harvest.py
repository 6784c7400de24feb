"""Run harvest sources synchronously in one process (``harvest/jobs.py``).

``python -m ckanext.govshare.tests.federation.run_harvest <ini> <source>...``: the sources
run one after the other, as ``ckan govshare harvest run`` runs one, but CKAN starts once.
Prints one JSON line per source with the seconds its job took, the CPU seconds this process
and its import workers spent on it (the upper platform's import, whatever else the machine
runs; the source's server and PostgreSQL are other processes) and its records' statuses
(``bench/harvest.py`` reads them).

``<source>:stock[:K]`` runs the job as ckanext-harvest's own consumers would (gather, then
``fetch_and_import_stages`` for each record in one long session, nothing of ``jobs.py``), and
with ``K`` imports only its first K records (a sample, to time a harvester too slow to wait for).
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any


def _stock(source: str, sample: int | None) -> dict[str, int]:
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestJob, HarvestObject

    system: Any = {"model": model, "session": model.Session, "ignore_auth": True}
    system["user"] = tk.get_action("get_site_user")(system, {})["name"]
    source_dict = tk.get_action("harvest_source_show")(system, {"id": source})
    job_id = tk.get_action("harvest_job_create")(
        system, {"source_id": source_dict["id"], "run": False}
    )["id"]
    job: Any = HarvestJob.get(job_id)
    job.status = "Running"
    job.save()
    harvester = queue.get_harvester(source_dict["source_type"])
    object_ids = queue.gather_stage(harvester, job) or []
    statuses: dict[str, int] = {}
    for object_id in object_ids[:sample]:
        harvest_object: Any = HarvestObject.get(object_id)
        queue.fetch_and_import_stages(harvester, harvest_object)
        status = harvest_object.report_status or harvest_object.state
        statuses[status] = statuses.get(status, 0) + 1
    tk.get_action("harvest_jobs_run")(system, {"source_id": source_dict["id"]})
    return statuses


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the import workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main(ini: str, sources: list[str]) -> None:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    from ckanext.govshare.harvest import jobs

    batch = int(os.environ.get("GOVSHARE_HARVEST_BATCH", jobs.DEFAULT_BATCH))
    workers = int(os.environ.get("GOVSHARE_HARVEST_WORKERS", "1"))
    if os.environ.get("GOVSHARE_HARVEST_STRICT_COMMITS"):
        # For the bench's comparison only: every commit waits for the disk, as before.
        import contextlib

        from ckanext.govshare.harvest import commits

        commits.relaxed = lambda _session: contextlib.nullcontext()  # type: ignore[assignment]
    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        for spec in sources:
            source, _, mode = spec.partition(":")
            started = time.perf_counter()
            cpu = _cpu()
            if mode.startswith("stock"):
                sample = mode.partition(":")[2]
                statuses = _stock(source, int(sample) if sample else None)
            else:
                statuses = jobs.run(source, batch=batch, workers=workers).statuses
            took = time.perf_counter() - started
            line = {
                "source": source,
                "seconds": round(took, 3),
                "cpu_seconds": round(_cpu() - cpu, 3),
                "statuses": statuses,
            }
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])

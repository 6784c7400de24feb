"""The call log's cost per interface call: a log row alone, a log row with an audit event, and
the quota's counter (issue 16, item 7: "an audit event per call, or a chained digest per
minute — say which and why, with numbers").

    python bench/api_calls.py --ckan-ini config/test-interface.ini --writers 8 --calls 500

``--writers`` processes (spawned, as CKAN's web workers are), each with its own database
connection, make ``--calls`` calls' writes each, one transaction a call, in three ways:

1. ``row``: the ``govshare_api_call`` row, committed (what an answered call writes);
2. ``row+audit``: the row and an audit event in one transaction (``audit.store.record``),
   committed: every audited transaction waits on the chain's head row until the one before it
   commits, so concurrent callers form a queue;
3. ``quota``: one unit of a grant's quota (``interface.quota``'s statement), committed.

Prints calls per second over all writers and each call's p50/p95 in milliseconds. It writes
rows and audit events (a valid chain) into the database it is given: use a test or bench
database, never a site's.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time
import uuid
from typing import Any


def _writer(url: str, mode: str, n: int, calls: int, grant_id: str, start: Any, out: Any) -> None:
    import datetime as dt

    import sqlalchemy as sa

    from ckanext.govshare.audit import store
    from ckanext.govshare.interface.model import call_table

    engine = sa.create_engine(url)
    take = sa.text(
        "INSERT INTO govshare_api_quota (grant_id, day, calls) VALUES (:g, :d, 1) "
        "ON CONFLICT (grant_id, day) DO UPDATE SET calls = govshare_api_quota.calls + 1 "
        "WHERE govshare_api_quota.calls < :limit RETURNING calls"
    )
    times: list[float] = []
    with engine.connect() as conn:
        start.wait()
        for _ in range(calls):
            began = time.perf_counter()
            with conn.begin():
                if mode == "quota":
                    conn.execute(take, {"g": grant_id, "d": dt.date.today(), "limit": 10**9})
                    times.append(time.perf_counter() - began)
                    continue
                row = {
                    "time": dt.datetime.now(dt.timezone.utc),
                    "user_id": f"bench-{n}",
                    "organization_id": "bench-org",
                    "grant_id": grant_id,
                    "purpose": "work_reference",
                    "resource_id": "bench-resource",
                    "method": "query",
                    "fields": ["a", "b"],
                    "rows": 100,
                    "outcome": "answered",
                    "status_code": 200,
                    "milliseconds": 5,
                    "client_address": "127.0.0.1",
                }
                conn.execute(sa.insert(call_table).values(**row))
                if mode == "row+audit":
                    store.record(
                        "govshare_data_query",
                        actor_id=row["user_id"],
                        actor_department="bench-org",
                        object_type="resource",
                        object_id="bench-resource",
                        detail={"grant_id": grant_id, "rows": 100, "fields": ["a", "b"]},
                        client_address="127.0.0.1",
                        connection=conn,
                    )
            times.append(time.perf_counter() - began)
    engine.dispose()
    out.put(times)


def run(url: str, mode: str, writers: int, calls: int, grant_id: str) -> dict[str, float]:
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Barrier(writers + 1), ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(url, mode, n, calls, grant_id, start, out))
        for n in range(writers)
    ]
    for p in procs:
        p.start()
    start.wait()
    began = time.perf_counter()
    times: list[float] = []
    for _ in procs:
        times += out.get()
    elapsed = time.perf_counter() - began
    for p in procs:
        p.join()
    times.sort()
    return {
        "per_second": len(times) / elapsed,
        "p50_ms": statistics.median(times) * 1000,
        "p95_ms": times[int(len(times) * 0.95)] * 1000,
    }


def _a_grant(url: str) -> str:
    """A grant row to count against (the quota's foreign key): the first one, or a new one."""
    import datetime as dt

    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        found = conn.execute(sa.text("SELECT id FROM govshare_grant LIMIT 1")).scalar()
        if found is None:
            found = str(uuid.uuid4())
            today = dt.date.today()
            conn.execute(
                sa.text(
                    "INSERT INTO govshare_grant (id, package_id, provider_org_id, "
                    "organization_id, source, purpose, purpose_detail, period_start, "
                    "period_end, downloads_used, status, created_at) VALUES (:id, 'p', 'o', "
                    "'o', 'self_service', 'work_reference', 'bench', :d, :d, 0, 'active', now())"
                ),
                {"id": found, "d": today},
            )
    engine.dispose()
    return str(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--ckan-ini", required=True)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()

    from ckan.cli import load_config

    url = str(load_config(args.ckan_ini)["sqlalchemy.url"])
    grant_id = _a_grant(url)
    print(f"{args.writers} writers x {args.calls} calls, one transaction a call")
    print(f"{'writes':<12}{'calls/s':>10}{'p50 ms':>10}{'p95 ms':>10}")
    for mode in ("row", "row+audit", "quota"):
        result = run(url, mode, args.writers, args.calls, grant_id)
        print(
            f"{mode:<12}{result['per_second']:>10.0f}{result['p50_ms']:>10.2f}"
            f"{result['p95_ms']:>10.2f}"
        )


if __name__ == "__main__":
    main()

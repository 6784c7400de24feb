"""Batch exchange benchmark: exchange runs into a PostgreSQL target beside PostgreSQL's COPY.

    python bench/exchange.py --ckan-ini config/bench-exchange.ini                 # 1,000,000 rows
    python bench/exchange.py --ckan-ini config/bench-exchange.ini --rows 100000 \
        --changed 2000                                                             # a quick run

Issue 17, item 6. One run, in this process, against a second database on the same server
(``<bench database>_exchange``, created if missing) standing for a department's exchange node:

1. full push: a ``full`` subscription's run (``runs.execute``: scope read afresh, the rows
   COPYed out of the DataStore in keyset batches, COPYed into a staging table, swapped in one
   transaction, recorded and audited) of ``--rows`` rows × 9 columns; rows/s beside the floor,
   ``COPY (SELECT <the same columns> FROM "<rid>" ORDER BY _id) TO STDOUT`` piped straight
   into ``COPY <new table> FROM STDIN`` on the target (created in the same transaction, as
   the staging table is). Best of ``--repeat`` (2) each, interleaved; ratio run / COPY
   (target ≥ 0.5).
2. incremental pushes into the same target: an ``incremental`` subscription first delivers every
   row into its new, empty table (timed, shown); that table, with its unique index on the key,
   is the target both cases below write into, and both land in a 1,000,000-row table:

   a. ``--changed`` (10,000) **updated** rows: existing rows (spread over the table) get a
      newer watermark and a changed ``status``; the run upserts them. Plain ``COPY`` cannot
      put a changed row into a table whose key it already holds (the unique index refuses
      it), so the floor is the cheapest way to get the same rows into the same table with
      ``COPY``: in one transaction, ``DELETE`` the rows of those keys, then ``COPY`` the rows
      in (piped from the DataStore's ``COPY … TO STDOUT WHERE updated > <last watermark>``).
      The ratio against the ``COPY`` part alone (the ``DELETE`` not counted) is printed too.
   b. ``--changed`` (10,000) **new** rows (new keys, spread over the key's index): appended to
      the DataStore with a newer watermark, the common case of a growing register; the floor
      is ``COPY`` of the same rows into the same table (1,000,000 rows, its unique index).

   The run goes first, then its floor, on the same table: in (a) the floor's DELETE and COPY
   replace the rows the run has just changed with the same rows; in (b) the rows the run
   added are deleted and the table vacuumed (not timed) before the floor COPYs them again.
   Either way the floor gets the warmer caches and ends with the table the run left. Each of
   these four timed steps starts right after a ``CHECKPOINT`` of the server, the state a
   daily run meets: the first change of a page after a checkpoint writes the whole page to
   the WAL (a full-page image), for the run and the floor alike. One run each; the delta is
   read from the DataStore by its watermark column, indexed as a provider marking a change
   watermark would index it. The rows appended for (b) are removed from the DataStore at
   the end.

Each delivery is checked: the target table's row count, and the run's sha256 equals the
SHA-256 of the floor's CSV (the same bytes).

The table (the registrations of ``bench/query.py``'s generator plus an ``updated`` timestamp)
is built once per ``--rows`` and reused (ids in ``var/bench-exchange/``). Use a database of
its own, e.g. ``CKAN_INI=$PWD/config/bench-exchange.ini DB_NAME=govshare_bench_exchange
REDIS_DB=10 bash scripts/setup.sh services database config migrate datastore``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import os
import secrets
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench-exchange"
DATA_VERSION = 1
sys.path.insert(0, str(ROOT / "bench"))

import query  # noqa: E402  bench/query.py: the generated registrations

COLUMNS = [*query.COLUMNS, ("updated", "timestamp", "更新时间", "datetime")]
EPOCH = dt.datetime(2026, 1, 1)


# ---------------------------------------------------------------------------- the table


def copy_rows(write_url: str, resource_id: str, n: int) -> float:
    """The generated rows, each with an ``updated`` time, COPYed into the table."""
    import psycopg2

    started = time.perf_counter()
    conn = psycopg2.connect(write_url)
    try:
        with conn, conn.cursor() as cur:
            cols = ", ".join(f'"{c}"' for c, *_ in COLUMNS)
            sql = f'COPY "{resource_id}" ({cols}) FROM STDIN WITH (FORMAT csv)'
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            for i, row in enumerate(query.generated_rows(n), 1):
                updated = EPOCH + dt.timedelta(seconds=i)
                writer.writerow((*row, updated.isoformat(sep=" ")))
                if i % 50_000 == 0 or i == n:
                    buffer.seek(0)
                    cur.copy_expert(sql, buffer)
                    buffer = io.StringIO()
                    writer = csv.writer(buffer, lineterminator="\n")
                    print(f"\r  copied {i:,}/{n:,} rows", end="", flush=True)
            print()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'VACUUM ANALYZE "{resource_id}"')
    finally:
        conn.close()
    return time.perf_counter() - started


def ensure_table(rows: int) -> dict[str, Any]:
    """The entry (key and watermark items marked) and its DataStore table of ``rows`` rows:
    reused when an earlier run built it. Call inside a request context of the site's app."""
    import sqlalchemy as sa
    from ckan.plugins import toolkit as tk

    from ckanext.govshare.tests import factories as gs

    query.ensure_admin()
    write_url = tk.config["ckan.datastore.write_url"]
    db = tk.config["sqlalchemy.url"].rsplit("/", 1)[-1]
    marker = CACHE / f"{db}-{rows}-v{DATA_VERSION}.json"
    if marker.exists():
        known = json.loads(marker.read_text())
        try:
            tk.get_action("package_show")(query.admin_ctx(), {"id": known["package_id"]})
            engine = sa.create_engine(write_url)
            with engine.connect() as c:
                count = c.execute(sa.text(f'SELECT count(*) FROM "{known["resource_id"]}"'))
                if count.scalar() == rows:
                    print(f"reusing the table of {rows:,} rows ({known['resource_id']})")
                    return known
        except (tk.ObjectNotFound, sa.exc.ProgrammingError):
            pass
    print(f"building a DataStore table of {rows:,} rows …", flush=True)
    suffix = secrets.token_hex(3)
    provider = tk.get_action("organization_create")(
        query.admin_ctx(),
        {
            "name": f"bench-exchange-provider-{suffix}",
            "title": "市场监督管理局（交换基准）",
            "provider_code": gs.provider_code(),
            "department_level": "provincial",
        },
    )
    entry = tk.get_action("package_create")(
        query.admin_ctx(),
        {
            **query.entry_fields("enterprises.csv"),
            "name": f"bench-exchange-{suffix}",
            "share_methods": ["exchange_node", "file_download"],
            "data_items": [
                {"name": item, "data_type": kind, "column": column}
                for column, _, item, kind in COLUMNS
            ],
            "key_item": "统一社会信用代码",
            "watermark_item": "更新时间",
            "owner_org": provider["id"],
        },
    )
    resource_id = entry["resources"][0]["id"]
    tk.get_action("datastore_create")(
        query.admin_ctx(),
        {
            "resource_id": resource_id,
            "force": True,
            "fields": [{"id": c, "type": t} for c, t, *_ in COLUMNS],
            "records": [],
            "indexes": "credit_code,updated",
        },
    )
    seconds = copy_rows(write_url, resource_id, rows)
    print(f"  {rows:,} rows in {seconds:.1f} s")
    known = {"package_id": entry["id"], "resource_id": resource_id, "provider": provider["id"]}
    CACHE.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(known))
    return known


# ---------------------------------------------------------------------------- the target


def exchange_dsn() -> str:
    """``postgresql://postgres@127.0.0.1/<bench database>_exchange`` (created if missing)."""
    import psycopg2
    from ckan.plugins import toolkit as tk
    from sqlalchemy.engine import make_url

    name = f"{make_url(tk.config['sqlalchemy.url']).database}_exchange"
    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    return f"postgresql://postgres@127.0.0.1/{name}"


def set_up(table: dict[str, Any], dsn: str) -> dict[str, Any]:
    """A holding department, a live grant of every column and row (share method
    exchange_node), a PostgreSQL target and two subscriptions (full, incremental)."""
    import sqlalchemy as sa
    from ckan import model

    from ckanext.govshare.access import grants
    from ckanext.govshare.core import clock
    from ckanext.govshare.exchange import secrets as exchange_secrets
    from ckanext.govshare.exchange.model import subscription_table, target_table

    suffix = secrets.token_hex(3)
    _, org = query.holder(suffix)
    today = clock.today()
    grant = grants.create_grant(
        package_id=table["package_id"],
        provider_org_id=table["provider"],
        organization_id=org["id"],
        source="approval",
        purpose="administrative_basis",
        purpose_detail="基准",
        period_start=today,
        period_end=today + dt.timedelta(days=30),
        person=None,
        acting_org=None,
        share_method="exchange_node",
    )
    now = clock.now()
    target_id = str(uuid.uuid4())
    model.Session.execute(
        sa.insert(target_table).values(
            id=target_id,
            organization_id=org["id"],
            name=f"bench-{suffix}",
            kind="postgresql",
            dsn_encrypted=exchange_secrets.encrypt(dsn),
            dsn_display=dsn,
            created_at=now,
            updated_at=now,
        )
    )
    subs = {}
    for mode in ("full", "incremental"):
        sid = str(uuid.uuid4())
        subs[mode] = (sid, f"bench_{mode}_{suffix}")
        model.Session.execute(
            sa.insert(subscription_table).values(
                id=sid,
                grant_id=grant["id"],
                resource_id=table["resource_id"],
                target_id=target_id,
                package_id=table["package_id"],
                organization_id=org["id"],
                provider_org_id=table["provider"],
                table_name=subs[mode][1],
                mode=mode,
                schedule={"kind": "daily", "at": "02:00"},
                status="active",
                created_at=now,
                updated_at=now,
            )
        )
    model.Session.commit()
    return {"grant": grant["id"], "subs": subs}


# ---------------------------------------------------------------------------- measuring


def run(subscription_id: str, dsn: str | None = None) -> tuple[dict[str, Any], float]:
    """One run of the subscription (queued, then executed here), timed; with ``dsn``, right
    after a CHECKPOINT of that server."""
    from ckan import model

    from ckanext.govshare.exchange import jobs, runs

    queued = jobs.queue(subscription_id, trigger="cli", requested_by=None, enqueue=False)
    model.Session.commit()
    if dsn:
        checkpoint(dsn)
    started = time.perf_counter()
    result = runs.execute(queued["id"])
    seconds = time.perf_counter() - started
    if result["outcome"] != "success":
        raise RuntimeError(f"run failed: {result['error']}")
    return result, seconds


def checkpoint(dsn: str) -> None:
    """A CHECKPOINT of the server (every dirty page written; the next change of a page
    writes it whole to the WAL), as before a daily run."""
    import psycopg2

    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("CHECKPOINT")
    finally:
        conn.close()


def copy_floor(
    read_url: str,
    dsn: str,
    resource_id: str,
    types: dict[str, str],
    where: str = "",
    into: str | None = None,
    delete: tuple[str, list[str]] | None = None,
) -> tuple[int, float, str, float]:
    """COPY out of the DataStore piped into COPY into a table on the target: a new one
    created in the same transaction, or the existing table ``into`` (after a ``DELETE`` of
    the rows whose ``delete[0]`` is in ``delete[1]``, in the same transaction). Rows, seconds
    (all of it, commit included), the SHA-256 of the CSV that went through and the seconds
    of the DELETE (in the total). With ``into``, right after a CHECKPOINT."""
    import psycopg2

    columns = [c for c, *_ in COLUMNS]
    cols = ", ".join(f'"{c}"' for c in columns)
    table = into or f"floor_{secrets.token_hex(4)}"
    definition = ", ".join(f'"{c}" {types[c]}' for c in columns)
    source = psycopg2.connect(read_url)
    target = psycopg2.connect(dsn)
    digest = hashlib.sha256()
    r, w = os.pipe()
    failure: list[BaseException] = []

    class Hashing(io.RawIOBase):
        def __init__(self, fd: int) -> None:
            self.out = os.fdopen(fd, "wb", buffering=1 << 20)

        def write(self, data: Any) -> int:
            raw = bytes(data)
            digest.update(raw)
            self.out.write(raw)
            return len(raw)

    def produce() -> None:
        sink = Hashing(w)
        try:
            with source.cursor() as cur:
                cur.copy_expert(
                    f'COPY (SELECT {cols} FROM "{resource_id}"{where} ORDER BY "_id") '
                    "TO STDOUT WITH (FORMAT csv)",
                    sink,
                )
        except BaseException as error:  # reported below
            failure.append(error)
        finally:
            sink.out.close()

    if into:
        checkpoint(dsn)
    deleted = 0.0
    started = time.perf_counter()
    thread = threading.Thread(target=produce)
    thread.start()
    with os.fdopen(r, "rb") as pipe, target.cursor() as cur:
        if into is None:
            cur.execute(f'CREATE TABLE "{table}" ({definition})')
        if delete:
            cur.execute(f'DELETE FROM "{table}" WHERE "{delete[0]}" = ANY(%s)', (delete[1],))
            deleted = time.perf_counter() - started
        cur.copy_expert(f'COPY "{table}" ({cols}) FROM STDIN WITH (FORMAT csv)', pipe, 1 << 20)
        rows = cur.rowcount
        target.commit()
    thread.join()
    seconds = time.perf_counter() - started
    if failure:
        raise failure[0]
    if into is None:
        with target.cursor() as cur:
            cur.execute(f'DROP TABLE "{table}"')
        target.commit()
    source.close()
    target.close()
    return rows, seconds, digest.hexdigest(), deleted


def target_count(dsn: str, table: str) -> int:
    import psycopg2

    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(f'SELECT count(*) FROM "{table}"')
        return int(cur.fetchone()[0])


def bump(write_url: str, resource_id: str, n: int) -> tuple[str, list[str]]:
    """A newer watermark and another status on ``n`` rows spread over the table; the old
    highest watermark and the keys of the changed rows."""
    import psycopg2

    with psycopg2.connect(write_url) as conn, conn.cursor() as cur:
        cur.execute(f'SELECT max("updated")::text, count(*) FROM "{resource_id}"')
        before, total = cur.fetchone()
        step = max(1, total // n)
        cur.execute(
            f'UPDATE "{resource_id}" SET "updated" = %s::timestamp + interval \'1 day\', '
            f'"status" = \'变更\' WHERE "_id" IN (SELECT "_id" FROM "{resource_id}" '
            f'WHERE "_id" %% %s = 0 ORDER BY "_id" LIMIT %s) RETURNING "credit_code"',
            (before, step, n),
        )
        keys = [k for (k,) in cur.fetchall()]
    conn.close()
    return before, keys


def append(write_url: str, resource_id: str, n: int) -> tuple[str, list[str]]:
    """``n`` new registrations (keys not in the table, spread over the key's order) appended
    with watermarks above the highest; that highest watermark and the new keys."""
    import psycopg2

    with psycopg2.connect(write_url) as conn, conn.cursor() as cur:
        cur.execute(f'SELECT max("updated") FROM "{resource_id}"')
        (latest,) = cur.fetchone()
        fresh = list(query.generated_rows(n + n // 10, seed=query.SEED + 1))
        cur.execute(
            f'SELECT "credit_code" FROM "{resource_id}" WHERE "credit_code" = ANY(%s)',
            ([row[0] for row in fresh],),
        )
        taken = {k for (k,) in cur.fetchall()}
        chosen: dict[str, tuple[str, ...]] = {}
        for row in fresh:
            if row[0] not in taken and len(chosen) < n:
                chosen.setdefault(row[0], row)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for i, row in enumerate(chosen.values(), 1):
            writer.writerow((*row, (latest + dt.timedelta(seconds=i)).isoformat(sep=" ")))
        buffer.seek(0)
        cols = ", ".join(f'"{c}"' for c, *_ in COLUMNS)
        cur.copy_expert(f'COPY "{resource_id}" ({cols}) FROM STDIN WITH (FORMAT csv)', buffer)
        cur.execute(f'ANALYZE "{resource_id}"')
    conn.close()
    return latest.isoformat(sep=" "), list(chosen)


def remove(url: str, table: str, keys: list[str], vacuum: bool = False) -> None:
    """The rows of ``keys`` deleted from ``table`` (a DataStore table or the target's)."""
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(f'DELETE FROM "{table}" WHERE "credit_code" = ANY(%s)', (keys,))
        conn.commit()
        if vacuum:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'VACUUM "{table}"')
    finally:
        conn.close()


def line(label: str, rows: int, seconds: float) -> None:
    print(f"   {label:40}{rows / seconds:>12,.0f}{seconds:>10.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--ckan-ini", default="config/bench-exchange.ini")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--changed", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=2, help="full pushes of each kind")
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from ckan.plugins import toolkit as tk

    app = make_app(load_config(args.ckan_ini))
    with app._wsgi_app.test_request_context():
        from ckanext.govshare.dataplane import store

        table = ensure_table(args.rows)
        dsn = exchange_dsn()
        world = set_up(table, dsn)
        rid = table["resource_id"]
        read_url = tk.config["ckan.datastore.read_url"]
        write_url = tk.config["ckan.datastore.write_url"]
        with store.engine().connect() as conn:
            types = store.column_types(rid, [c for c, *_ in COLUMNS], conn)
        full_sid, full_table = world["subs"]["full"]
        inc_sid, inc_table = world["subs"]["incremental"]

        print(f"\n1. full push of {args.rows:,} rows × {len(COLUMNS)} columns")
        floors, pushes = [], []
        for _ in range(args.repeat):
            rows, seconds, digest, _ = copy_floor(read_url, dsn, rid, types)
            floors.append((rows / seconds, seconds, digest))
            result, seconds = run(full_sid)
            pushes.append((result["rows"] / seconds, seconds, result))
        floor = max(floors, key=lambda f: f[0])
        push = max(pushes, key=lambda p: p[0])
        assert push[2]["rows"] == args.rows == target_count(dsn, full_table)
        assert push[2]["sha256"] == floor[2], "the run's sha256 differs from COPY's bytes"
        print(f"   {'':22}{'rows/s':>12}{'seconds':>10}   (best of {args.repeat})")
        print(f"   {'COPY | COPY (floor)':22}{floor[0]:>12,.0f}{floor[1]:>10.2f}")
        print(f"   {'exchange run':22}{push[0]:>12,.0f}{push[1]:>10.2f}")
        print(f"   ratio run / COPY: {push[0] / floor[0]:.2f} (target ≥ 0.5)")
        print(f"   runs: {', '.join(f'{s:.2f}' for _, s, _ in pushes)} s; sha256 equal: yes")

        print(f"\n2. incremental pushes of {args.changed:,} rows into the same target")
        initial, initial_s = run(inc_sid)
        print(
            f"   first incremental run (every row, into its new table): {initial['rows']:,} "
            f"rows in {initial_s:.2f} s ({initial['rows'] / initial_s:,.0f} rows/s)"
        )
        key = "credit_code"
        header = f"   {'':40}{'rows/s':>12}{'seconds':>10}"

        before, keys = bump(write_url, rid, args.changed)
        where = f" WHERE \"updated\" > '{before}'"
        result, seconds = run(inc_sid, dsn)
        assert result["rows"] == args.changed == len(keys), (result["rows"], len(keys))
        assert target_count(dsn, inc_table) == initial["rows"]
        rows, floor_s, digest, delete_s = copy_floor(
            read_url, dsn, rid, types, where, into=inc_table, delete=(key, keys)
        )
        assert rows == args.changed and digest == result["sha256"]
        assert target_count(dsn, inc_table) == initial["rows"]
        copy_s = floor_s - delete_s
        size = f"{initial['rows']:,}-row table"
        print(f"\n   a. {args.changed:,} updated rows (existing keys) in a {size}")
        print(header)
        line("floor: DELETE those keys + COPY, one tx", rows, floor_s)
        line("  (its COPY alone, DELETE not counted)", rows, copy_s)
        line("exchange run (upsert)", result["rows"], seconds)
        print(f"   ratio run / floor: {floor_s / seconds:.2f} (target ≥ 0.5)")
        print(f"   ratio run / the COPY alone: {copy_s / seconds:.2f}")
        print(f"   watermark {result['watermark_from']} -> {result['watermark_to']}")

        before, new_keys = append(write_url, rid, args.changed)
        try:
            where = f" WHERE \"updated\" > '{before}'"
            result, seconds = run(inc_sid, dsn)
            assert result["rows"] == args.changed == len(new_keys), result["rows"]
            total = initial["rows"] + args.changed
            assert target_count(dsn, inc_table) == total
            remove(dsn, inc_table, new_keys, vacuum=True)  # the table as before the run
            rows, floor_s, digest, _ = copy_floor(read_url, dsn, rid, types, where, inc_table)
            assert rows == args.changed and digest == result["sha256"]
            assert target_count(dsn, inc_table) == total
        finally:
            remove(write_url, rid, new_keys)
        print(f"\n   b. {args.changed:,} new rows (new keys) into a {size}")
        print(header)
        line("floor: COPY into the same table", rows, floor_s)
        line("exchange run (upsert)", result["rows"], seconds)
        print(f"   ratio run / floor: {floor_s / seconds:.2f} (target ≥ 0.5)")
        print(f"   watermark {result['watermark_from']} -> {result['watermark_to']}")
        print(
            "\n   sha256 of each run equals the SHA-256 of its floor's CSV (the same bytes); "
            "each floor and run began right after a CHECKPOINT"
        )


if __name__ == "__main__":
    main()

"""Audit-trail benchmark: appends per second by concurrent writers, and verify time.

    python bench/audit.py --ckan-ini config/bench-audit.ini -n 1000000

1. ``--writers`` threads (default 8), each with its own database connection, append events
   through ``record`` one transaction per event (lock, read head, insert, commit), as actions do.
2. The table is then filled to ``-n`` events (a valid chain, loaded with COPY) and the whole chain
   is verified with the code behind ``ckan govshare audit verify``.

It empties the audit tables of the database it is given first: use its own database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import multiprocessing
import threading
import time


def _writer(url: str, n: int, per_writer: int, start, done) -> None:
    """One writer: its own engine and connection, one transaction per event."""
    import sqlalchemy as sa

    from ckanext.govshare.audit import store

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        start.wait()
        for i in range(per_writer):
            with conn.begin():
                store.record(
                    "bench_append",
                    actor_name=f"writer-{n}",
                    object_type="package",
                    object_id=f"{n}-{i}",
                    detail={"i": i, "share_type": "conditional"},
                    connection=conn,
                )
    engine.dispose()
    done.put(n)


def append(url: str, writers: int, per_writer: int, threads: bool) -> float:
    """Events per second appended by ``writers`` concurrent writers (processes by default, as
    CKAN's web workers are; ``--threads`` to share one interpreter)."""
    if threads:
        import queue

        barrier, done = threading.Barrier(writers + 1), queue.Queue()
        workers = [
            threading.Thread(target=_writer, args=(url, n, per_writer, barrier, done))
            for n in range(writers)
        ]
    else:
        ctx = multiprocessing.get_context("spawn")
        barrier, done = ctx.Barrier(writers + 1), ctx.Queue()
        workers = [
            ctx.Process(target=_writer, args=(url, n, per_writer, barrier, done))
            for n in range(writers)
        ]
    for w in workers:
        w.start()
    barrier.wait()
    started = time.perf_counter()
    finished = [done.get(timeout=600) for _ in workers]
    elapsed = time.perf_counter() - started
    for w in workers:
        w.join()
    if len(finished) != writers:
        raise RuntimeError("a writer failed")
    return writers * per_writer / elapsed


def fill(engine, total: int) -> None:
    """Extend the chain to ``total`` events with COPY (hashes computed as ``record`` does)."""
    from ckanext.govshare.audit import chain, store

    with engine.begin() as conn:
        head = store.head(conn)
    seq, prev = (head[0], head[1]) if head else (0, chain.GENESIS)
    before = prev
    start = dt.datetime.now(dt.timezone.utc)
    columns = ("seq", "time", "actor_name", "action", "object_type", "object_id", "outcome")
    while seq < total:
        buf = io.StringIO()
        for _ in range(min(100_000, total - seq)):
            seq += 1
            event = {
                "seq": seq,
                "time": start + dt.timedelta(microseconds=seq),
                "actor_name": "bench",
                "action": "bench_fill",
                "object_type": "package",
                "object_id": f"p{seq}",
                "outcome": "success",
                "detail": {"n": seq},
            }
            digest = chain.link_hash(event, prev)
            before = prev
            values = [
                str(event[c]) if c != "time" else chain.format_time(event["time"]) for c in columns
            ]
            buf.write("\t".join([*values, chain.dumps(event["detail"]), prev, digest]) + "\n")
            prev = digest
        buf.seek(0)
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cur:
                cur.copy_expert(
                    "COPY govshare_audit_event ("
                    + ", ".join(columns)
                    + ", detail, prev_hash, hash) FROM STDIN",
                    buf,
                )
                cur.execute(
                    "UPDATE govshare_audit_head SET seq = %s, prev_hash = %s, hash = %s",
                    (seq, before, prev),
                )
            raw.commit()
        finally:
            raw.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ckan-ini", default="config/bench-audit.ini")
    parser.add_argument("-n", type=int, default=1_000_000, help="events to verify")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--per-writer", type=int, default=500, help="events each writer appends")
    parser.add_argument("--threads", action="store_true", help="writers as threads, not processes")
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    make_app(load_config(args.ckan_ini))

    import sqlalchemy as sa
    from ckan import model

    from ckanext.govshare.audit import archive, chain, store
    from ckanext.govshare.audit.model import archive_table, event_table, head_table

    engine = model.meta.engine
    with engine.begin() as conn, store.maintenance(conn):
        conn.execute(sa.delete(event_table))
        conn.execute(sa.delete(archive_table))
        conn.execute(
            sa.update(head_table).values(seq=0, prev_hash=chain.GENESIS, hash=chain.GENESIS)
        )

    rate = append(
        engine.url.render_as_string(hide_password=False),
        args.writers,
        args.per_writer,
        args.threads,
    )
    kind = "threads" if args.threads else "processes"
    print(
        f"append: {rate:,.0f} events/s ({args.writers} concurrent writers ({kind}) x "
        f"{args.per_writer} events, one transaction each)"
    )

    fill(engine, args.n)
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(event_table)).scalar()
        started = time.perf_counter()
        result, _ = archive.verify_all(conn)
        elapsed = time.perf_counter() - started
    assert result.ok and result.count == count, result
    print(f"verify: {count:,} events in {elapsed:.1f} s ({count / elapsed:,.0f} events/s)")


if __name__ == "__main__":
    main()

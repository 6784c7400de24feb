"""Exchange runs deliver exactly the grant's scope, idempotently, atomically, resumably, one at
a time, recorded and audited (issue 17, items 3 and 5; 2025 Regulations art. 22).

A second local PostgreSQL database (``exchange_db``) is the department's exchange node.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
import psycopg2
import pytest
import sqlalchemy as sa
from ckan import model
from click.testing import CliRunner

from ckanext.govshare.audit.model import event_table
from ckanext.govshare.core import config
from ckanext.govshare.dataplane import store
from ckanext.govshare.exchange import cli, jobs, runs, subscriptions
from ckanext.govshare.exchange.model import run_table
from ckanext.govshare.notices.model import notice_table
from ckanext.govshare.outages import worker
from ckanext.govshare.tests.datastore_tables import load_table
from ckanext.govshare.tests.exchange import run_world as rwm
from ckanext.govshare.tests.exchange.run_world import RunWorld


@pytest.fixture
def rw(module_world: Any) -> RunWorld:
    return module_world(rwm.build)


@pytest.fixture
def target_db(exchange_db: str) -> Iterator[Any]:
    """A connection to the exchange database (autocommit), for reading what a run wrote."""
    conn = psycopg2.connect(exchange_db)
    conn.autocommit = True
    try:
        yield conn
    finally:
        conn.close()


def table_name() -> str:
    return f"t_{uuid.uuid4().hex[:12]}"


def run_now(subscription_id: str) -> dict[str, Any]:
    queued = jobs.queue(subscription_id, trigger="manual", requested_by=None, enqueue=False)
    model.Session.commit()
    return runs.execute(queued["id"])


def target_rows(conn: Any, table: str) -> list[tuple[Any, ...]]:
    with conn.cursor() as cur:
        cur.execute(f'SELECT * FROM "{table}" ORDER BY 1')
        return cur.fetchall()


def target_copy(conn: Any, table: str) -> bytes:
    """The table as COPY writes it, in its physical order (a fresh table: insertion order)."""
    import io

    buffer = io.BytesIO()
    with conn.cursor() as cur:
        cur.copy_expert(f'COPY "{table}" TO STDOUT WITH (FORMAT csv)', buffer)
    return buffer.getvalue()


def target_columns(conn: Any, table: str) -> list[str]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "ORDER BY ordinal_position",
            (table,),
        )
        return [r[0] for r in cur.fetchall()]


def table_exists(conn: Any, table: str) -> bool:
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", (f'"{table}"',))
        return cur.fetchone()[0] is not None


def audit_events(subscription_id: str) -> list[dict[str, Any]]:
    rows = model.Session.execute(
        sa.select(event_table).where(
            event_table.c.action == "govshare_exchange_run",
            event_table.c.object_id == subscription_id,
        )
    )
    return [dict(r._mapping) for r in rows]


def notices_of(kind: str) -> list[dict[str, Any]]:
    rows = model.Session.execute(sa.select(notice_table).where(notice_table.c.kind == kind))
    return [dict(r._mapping) for r in rows]


# ---------------------------------------------------------------------------- full


def test_full_run_delivers_the_scope_and_a_rerun_adds_nothing(
    rw: RunWorld, exchange_db: str, target_db: Any
) -> None:
    table = table_name()
    sid = rwm.subscribe(rw, rwm.add_target(rw, dsn=exchange_db), table)
    expected = rwm.expected_rows(rw.records)
    csv_bytes = rwm.expected_csv(expected)

    first = run_now(sid)

    assert first["outcome"] == "success", first["error"]
    assert first["rows"] == len(expected) == 20
    assert first["bytes"] == len(csv_bytes)
    assert first["sha256"] == rwm.sha256(csv_bytes)
    assert target_columns(target_db, table) == rwm.GRANTED_COLUMNS
    assert sorted(target_rows(target_db, table)) == sorted(expected)
    assert rwm.sha256(target_copy(target_db, table)) == first["sha256"]
    assert first["started"] and first["finished"] and first["milliseconds"] is not None

    second = run_now(sid)

    assert second["outcome"] == "success"
    assert second["sha256"] == first["sha256"]
    assert len(target_rows(target_db, table)) == len(expected)
    assert not table_exists(target_db, table + "__gs_staging")
    events = audit_events(sid)
    assert len(events) == 2
    assert {e["outcome"] for e in events} == {"success"}
    detail = events[0]["detail"]
    assert detail["grant_id"] == rw.grant["id"]
    assert detail["resource_id"] == rw.resource_id
    assert detail["sha256"] == first["sha256"]
    assert detail["rows"] == 20
    # Recorded and scheduled: the subscription's next run moved on.
    sub = subscriptions.load(sid)
    assert sub is not None and sub["next_run_at"] > runs.clock.now()
    assert runs.last_run(sid)["id"] == second["id"]
    assert runs.runs_of(sid)["count"] == 2


def test_a_run_killed_midway_leaves_the_target_as_before_and_the_next_completes(
    rw: RunWorld, exchange_db: str, target_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = table_name()
    sid = rwm.subscribe(rw, rwm.add_target(rw, dsn=exchange_db), table)
    assert run_now(sid)["outcome"] == "success"
    before = target_rows(target_db, table)
    real = store.copy_csv
    monkeypatch.setattr(store, "COPY_BATCH", 5)

    def dies_after_one_batch(*args: Any, **kwargs: Any) -> Iterator[tuple[bytes, int]]:
        pieces = real(*args, **kwargs)
        yield next(pieces)
        raise ConnectionResetError("the worker was killed")

    monkeypatch.setattr(store, "copy_csv", dies_after_one_batch)

    killed = run_now(sid)

    assert killed["outcome"] == "failed"
    assert "ConnectionResetError" in killed["error"]
    assert target_rows(target_db, table) == before
    assert not table_exists(target_db, table + "__gs_staging")
    # Both departments' data officers are told, with a link to the subscription.
    told = notices_of("exchange_run_failed")
    users = {n["user_id"] for n in told}
    assert rw.world.users["requester_officer"]["id"] in users
    assert rw.world.users["provider_officer"]["id"] in users
    assert rw.world.users["requester"]["id"] not in users
    assert {n["link"] for n in told} == {f"/govshare/exchange/subscriptions/{sid}"}
    # The reason (it may name the receiving department's target) is the holder's only.
    by_user = {n["user_id"]: n for n in told}
    holder_notice = by_user[rw.world.users["requester_officer"]["id"]]
    provider_notice = by_user[rw.world.users["provider_officer"]["id"]]
    assert "ConnectionResetError" in holder_notice["body"]
    assert "ConnectionResetError" not in str(provider_notice["params"]) + provider_notice["body"]
    assert [e["outcome"] for e in audit_events(sid)] == ["success", "refused"] or [
        e["outcome"] for e in audit_events(sid)
    ] == ["refused", "success"]

    monkeypatch.setattr(store, "copy_csv", real)
    again = run_now(sid)

    assert again["outcome"] == "success"
    assert sorted(target_rows(target_db, table)) == sorted(rwm.expected_rows(rw.records))


def test_a_target_connection_killed_midway_leaves_it_unchanged(
    rw: RunWorld, exchange_db: str, target_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The target's backend terminated during COPY (pg_terminate_backend from another
    connection): the server rolls back; the error names no password."""
    table = table_name()
    sid = rwm.subscribe(rw, rwm.add_target(rw, dsn=exchange_db), table)
    assert run_now(sid)["outcome"] == "success"
    before = target_rows(target_db, table)
    real = store.copy_csv
    monkeypatch.setattr(store, "COPY_BATCH", 5)

    def terminates(*args: Any, **kwargs: Any) -> Iterator[tuple[bytes, int]]:
        pieces = real(*args, **kwargs)
        yield next(pieces)
        with target_db.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s AND pid <> pg_backend_pid()",
                ("ckanext-govshare exchange",),
            )
        yield from pieces

    monkeypatch.setattr(store, "copy_csv", terminates)

    killed = run_now(sid)

    assert killed["outcome"] == "failed"
    assert "postgres@" not in killed["error"]
    assert target_rows(target_db, table) == before
    monkeypatch.setattr(store, "copy_csv", real)
    assert run_now(sid)["outcome"] == "success"


# ---------------------------------------------------------------------------- incremental


def test_incremental_runs_upsert_the_changed_rows_only(
    rw: RunWorld, exchange_db: str, target_db: Any
) -> None:
    # A table of its own: this test changes rows.
    resource_id = rw.entry["resources"][1]["id"]
    rows = rwm.records(12)
    load_table(resource_id, fields=rwm.FIELDS, records=rows)
    table = table_name()
    sid = rwm.subscribe(
        rw,
        rwm.add_target(rw, dsn=exchange_db),
        table,
        mode="incremental",
        resource_id=resource_id,
    )

    first = run_now(sid)

    assert first["outcome"] == "success", first["error"]
    assert first["rows"] == 8
    assert first["watermark_from"] is None
    # The highest watermark among the granted rows (row 11 is in another district).
    assert first["watermark_to"] == "2026-01-05 09:10:00"
    assert sorted(target_rows(target_db, table)) == sorted(rwm.expected_rows(rows))

    rerun = run_now(sid)

    assert rerun["outcome"] == "success"
    assert rerun["rows"] == 0
    assert rerun["watermark_from"] == rerun["watermark_to"] == first["watermark_to"]
    assert len(target_rows(target_db, table)) == 8

    # Two rows change (one granted district, one not), two granted rows are added.
    changed = [dict(rows[0], 企业名称="更名公司", updated="2026-02-01T00:00:00")]
    changed.append(dict(rows[2], 企业名称="不在范围", updated="2026-02-01T00:00:00"))
    added = rwm.records(3, start=12, base=rwm.BASE.replace(month=3))
    helpers_upsert(resource_id, changed + added)
    now_rows = [changed[0], rows[1], changed[1], *rows[3:], *added]

    third = run_now(sid)

    assert third["outcome"] == "success"
    assert third["rows"] == 1 + 2  # the changed granted row, the two added granted rows
    assert sorted(target_rows(target_db, table)) == sorted(rwm.expected_rows(now_rows))
    assert subscriptions.load(sid)["watermark"] == third["watermark_to"]
    assert run_now(sid)["rows"] == 0
    assert len(target_rows(target_db, table)) == 10


def helpers_upsert(resource_id: str, records: list[dict[str, Any]]) -> None:
    """Replace the table's rows with the same credit codes and add the others."""
    from ckanext.govshare.tests.datastore_tables import write_engine

    engine = write_engine()
    try:
        with engine.begin() as conn:
            for r in records:
                conn.execute(
                    sa.text(f'DELETE FROM "{resource_id}" WHERE credit_code = :c'),
                    {"c": r["credit_code"]},
                )
    finally:
        engine.dispose()
    load_table(resource_id, fields=rwm.FIELDS, records=records, replace=False)


# ---------------------------------------------------------------------------- stopping


def test_a_revoked_grant_stops_the_subscription_and_moves_nothing(
    rw: RunWorld, exchange_db: str, target_db: Any
) -> None:
    table = table_name()
    sid = rwm.subscribe(rw, rwm.add_target(rw, dsn=exchange_db), table)
    model.Session.execute(
        sa.text("UPDATE govshare_grant SET status = 'revoked' WHERE id = :id"),
        {"id": rw.grant["id"]},
    )
    model.Session.commit()

    run = run_now(sid)

    assert run["outcome"] == "failed"
    assert "revoked" in run["error"]
    assert not table_exists(target_db, table)
    sub = subscriptions.load(sid)
    assert sub is not None
    assert sub["status"] == "stopped" and sub["stop_reason"] == "grant_revoked"
    with pytest.raises(tk.ValidationError):
        jobs.queue(sid, trigger="manual", requested_by=None, enqueue=False)


# ---------------------------------------------------------------------------- directory


def test_directory_target_gets_csv_and_manifest(rw: RunWorld) -> None:
    folder = f"runs-{uuid.uuid4().hex[:8]}"
    target = rwm.add_target(rw, path=folder)
    where = os.path.join(config.exchange_root(), folder)
    full = rwm.subscribe(rw, target, "companies")
    delta = rwm.subscribe(rw, target, "companies_delta", mode="incremental")
    expected = rwm.expected_csv(rwm.expected_rows(rw.records))

    run = run_now(full)

    assert run["outcome"] == "success", run["error"]
    with open(os.path.join(where, "companies.csv"), "rb") as f:
        header, _, data = f.read().partition(b"\n")
    assert header.decode() == ",".join(rwm.GRANTED_COLUMNS)
    assert data == expected
    assert rwm.sha256(data) == run["sha256"]
    with open(os.path.join(where, "companies.manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    assert manifest["rows"] == 20 and manifest["sha256"] == run["sha256"]
    assert manifest["columns"] == rwm.GRANTED_COLUMNS
    assert manifest["run_id"] == run["id"] and manifest["files"] == ["companies.csv"]
    assert not [n for n in os.listdir(where) if n.endswith(".tmp")]

    first = run_now(delta)
    second = run_now(delta)

    assert first["rows"] == 20 and second["rows"] == 0
    deltas = sorted(n for n in os.listdir(where) if n.startswith("companies_delta."))
    assert len([n for n in deltas if n.endswith(".csv")]) == 1
    with open(os.path.join(where, "companies_delta.manifest.json"), encoding="utf-8") as f:
        latest = json.load(f)
    assert latest["files"] == [] and latest["watermark"] == first["watermark_to"]


# ---------------------------------------------------------------------------- one at a time


def test_a_second_concurrent_run_is_refused(rw: RunWorld, exchange_db: str) -> None:
    sid = rwm.subscribe(rw, rwm.add_target(rw, dsn=exchange_db), table_name())
    queued = jobs.queue(sid, trigger="manual", requested_by=None, enqueue=False)
    model.Session.commit()
    # Queued or running: a second one is refused.
    with pytest.raises(tk.ValidationError) as refused:
        jobs.queue(sid, trigger="manual", requested_by=None, enqueue=False)
    assert "id" in refused.value.error_dict
    model.Session.rollback()
    # Another process holds the subscription's lock: this execute fails as busy, moves nothing.
    engine = model.meta.engine
    with engine.connect() as holder:
        holder.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": runs.lock_key(sid)})
        assert runs.is_running(sid)
        busy = runs.execute(queued["id"])
        holder.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": runs.lock_key(sid)})
    assert busy["outcome"] == "failed" and busy["error"] == runs.BUSY
    assert busy["rows"] is None
    assert not notices_of("exchange_run_failed")
    # A run row left "running" by a dead worker does not block the subscription for ever.
    model.Session.execute(
        sa.update(run_table).where(run_table.c.id == queued["id"]).values(outcome="running")
    )
    model.Session.commit()
    assert run_now(sid)["outcome"] == "success"
    stale = model.Session.execute(
        sa.select(run_table.c.outcome, run_table.c.error).where(run_table.c.id == queued["id"])
    ).one()
    assert stale.outcome == "failed" and stale.error == jobs.INTERRUPTED
    # Both state changes are in the audit trail: each run queued, the stale one failed.
    failed = [e for e in audit_events(sid) if e["detail"].get("run_id") == queued["id"]]
    assert ("refused", "running") in [(e["outcome"], e["detail"].get("was")) for e in failed]
    queued_events = model.Session.execute(
        sa.select(event_table.c.detail).where(
            event_table.c.action == "govshare_exchange_run_queue",
            event_table.c.object_id == sid,
        )
    ).all()
    assert queued["id"] in {e.detail["run_id"] for e in queued_events}


def test_an_executed_run_is_not_run_again(rw: RunWorld, exchange_db: str) -> None:
    sid = rwm.subscribe(rw, rwm.add_target(rw, dsn=exchange_db), table_name())
    done = run_now(sid)
    assert runs.execute(done["id"]) == done
    assert len(audit_events(sid)) == 1


# ---------------------------------------------------------------------------- the command


def test_the_command_runs_due_subscriptions(rw: RunWorld, exchange_db: str) -> None:
    table = table_name()
    sid = rwm.subscribe(rw, rwm.add_target(rw, dsn=exchange_db), table)

    result = CliRunner().invoke(cli.exchange, ["run"], catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert "1 due, 1 succeeded, 0 failed, 0 skipped" in result.output
    assert runs.last_run(sid)["trigger"] == "schedule"
    # Not due any more: the next invocation does nothing.
    again = CliRunner().invoke(cli.exchange, ["run"], catch_exceptions=False)
    assert "0 due" in again.output

    by_id = CliRunner().invoke(cli.exchange, ["run", "--id", sid], catch_exceptions=False)

    assert by_id.exit_code == 0, by_id.output
    assert "success, 20 rows" in by_id.output
    assert runs.last_run(sid)["trigger"] == "cli"
    unknown = CliRunner().invoke(cli.exchange, ["run", "--id", "nope"], catch_exceptions=False)
    assert unknown.exit_code == 1


def test_queue_hands_the_run_to_the_jobs_queue_after_commit(
    rw: RunWorld, exchange_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = rwm.subscribe(rw, rwm.add_target(rw, dsn=exchange_db), table_name())
    queued: list[Any] = []
    queues: list[Any] = []

    def enqueue(fn: Any, args: Any, **kw: Any) -> None:
        queued.append((fn, args))
        queues.append(kw.get("queue"))

    monkeypatch.setattr(tk, "enqueue_job", enqueue)

    run = jobs.queue(sid, trigger="manual", requested_by=rw.world.users["requester_officer"]["id"])
    assert queued == []
    model.Session.rollback()
    assert queued == []  # rolled back: nothing queued, no run row
    run = jobs.queue(sid, trigger="manual", requested_by=rw.world.users["requester_officer"]["id"])
    model.Session.commit()

    assert queued == [(jobs.job, [run["id"]])]
    # On the exchange queue, which a worker started without queues serves first.
    assert queues == [jobs.QUEUE] and worker.DEFAULT_QUEUES[0] == jobs.QUEUE
    assert "default" in worker.DEFAULT_QUEUES
    done = jobs.job(run["id"])
    assert done["outcome"] == "success"

"""Delivery into exchange targets (issue 17, item 3): counted and hashed as streamed, atomic
for readers, errors without the password. No CKAN world needed: plain pieces of CSV."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from ckanext.govshare.exchange import sinks

PIECES = [(b"1,a\n2,b\n", 2), (b'3,"c,d"\n', 1), (b"4,\n", 1)]
DATA = b"".join(p for p, _ in PIECES)
NOW = dt.datetime(2026, 12, 5, 8, 30, tzinfo=dt.timezone.utc)


def breaking(after: int) -> Iterator[tuple[bytes, int]]:
    yield from PIECES[:after]
    raise RuntimeError("source died")


def test_tally_counts_and_hashes_what_streams_past() -> None:
    tally = sinks.Tally(PIECES)
    assert b"".join(tally) == DATA
    assert (tally.rows, tally.bytes) == (4, len(DATA))
    assert tally.sha256 == hashlib.sha256(DATA).hexdigest()


@pytest.mark.parametrize(
    "dsn, text",
    [
        ("postgresql://ex:s3cr3t@db.example:5432/x", "bad thing in postgresql://ex:s3cr3t@db"),
        ("host=db user=ex password=s3cr3t dbname=x", 'missing "=" after "password=s3cr3t"'),
        ("host=db user=ex password='s3 cr3t' dbname=x", "could not use 's3 cr3t'\nsecond line"),
    ],
)
def test_scrub_removes_the_dsn_and_password(dsn: str, text: str) -> None:
    out = sinks.scrub(f"{text} in {dsn}", dsn)
    assert "s3cr3t" not in out and "s3 cr3t" not in out
    assert "\n" not in out


def test_scrub_removes_credentials_it_was_not_told_about() -> None:
    out = sinks.scrub("failed: postgresql://u:hunter2@h/db and password=hunter2 more")
    assert "hunter2" not in out


def test_a_bad_connection_string_is_refused_without_its_password() -> None:
    dsn = "postgresql://ex:s3cr3t@127.0.0.1:1/nowhere"
    with pytest.raises(sinks.DeliveryError) as failed:
        sinks.to_postgresql(dsn, "t", ["a"], {"a": "text"}, iter(PIECES), mode="full", timeout=2)
    assert "s3cr3t" not in str(failed.value)
    assert " | " in str(failed.value)  # English | 中文


def test_incremental_needs_a_key() -> None:
    with pytest.raises(ValueError):
        sinks.to_postgresql("x", "t", ["a"], {}, iter(()), mode="incremental")


def test_staging_name_stays_within_postgresql_limits() -> None:
    assert sinks.staging_name("companies") == "companies__gs_staging"
    assert len(sinks.staging_name("x" * 63)) == 63


def test_directory_full_writes_file_then_manifest(tmp_path: Path) -> None:
    done = sinks.to_directory(
        str(tmp_path),
        "t",
        ["a", "b"],
        iter(PIECES),
        mode="full",
        manifest={"run_id": "r1"},
        now=lambda: NOW,
    )
    assert done.rows == 4 and done.sha256 == hashlib.sha256(DATA).hexdigest()
    assert (tmp_path / "t.csv").read_bytes() == b"a,b\n" + DATA
    manifest = json.loads((tmp_path / "t.manifest.json").read_text("utf-8"))
    assert manifest["run_id"] == "r1" and manifest["files"] == ["t.csv"]
    assert manifest["bytes"] == len(DATA) and manifest["rows"] == 4
    assert sorted(os.listdir(tmp_path)) == ["t.csv", "t.manifest.json"]


def test_directory_failure_midway_leaves_the_old_file(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_bytes(b"a,b\nold\n")
    with pytest.raises(RuntimeError):
        sinks.to_directory(
            str(tmp_path),
            "t",
            ["a", "b"],
            breaking(1),
            mode="full",
            manifest={},
            now=lambda: NOW,
        )
    assert (tmp_path / "t.csv").read_bytes() == b"a,b\nold\n"
    assert os.listdir(tmp_path) == ["t.csv"]


def test_directory_incremental_writes_a_delta_only_when_rows_changed(tmp_path: Path) -> None:
    done = sinks.to_directory(
        str(tmp_path),
        "t",
        ["a"],
        iter(PIECES),
        mode="incremental",
        manifest={},
        now=lambda: NOW,
    )
    assert done.files == ["t.20261205T083000000000Z.csv"]
    empty = sinks.to_directory(
        str(tmp_path),
        "t",
        ["a"],
        iter(()),
        mode="incremental",
        manifest={},
        now=lambda: NOW + dt.timedelta(hours=1),
    )
    assert empty.files == [] and empty.rows == 0
    assert sorted(os.listdir(tmp_path)) == ["t.20261205T083000000000Z.csv", "t.manifest.json"]


@pytest.fixture
def target(exchange_db: str) -> Iterator[tuple[str, Any]]:
    conn = psycopg2.connect(exchange_db)
    conn.autocommit = True
    try:
        yield exchange_db, conn
    finally:
        conn.close()


def rows(conn: Any, table: str) -> list[tuple[Any, ...]]:
    with conn.cursor() as cur:
        cur.execute(f'SELECT * FROM "{table}" ORDER BY 1')
        return cur.fetchall()


def test_postgresql_full_swaps_and_a_failure_leaves_the_old_table(
    target: tuple[str, Any],
) -> None:
    dsn, conn = target
    table = f"s_{uuid.uuid4().hex[:10]}"
    types = {"a": "integer", "b": "text"}
    sinks.to_postgresql(dsn, table, ["a", "b"], types, iter(PIECES), mode="full")
    assert rows(conn, table) == [(1, "a"), (2, "b"), (3, "c,d"), (4, None)]
    with pytest.raises(RuntimeError):
        sinks.to_postgresql(dsn, table, ["a", "b"], types, breaking(1), mode="full")
    assert rows(conn, table) == [(1, "a"), (2, "b"), (3, "c,d"), (4, None)]
    with pytest.raises(sinks.DeliveryError):  # a value the column cannot take
        sinks.to_postgresql(dsn, table, ["a", "b"], types, iter([(b"x,y\n", 1)]), mode="full")
    assert len(rows(conn, table)) == 4


def test_postgresql_incremental_upserts_the_last_version_of_a_key(
    target: tuple[str, Any],
) -> None:
    dsn, conn = target
    table = f"s_{uuid.uuid4().hex[:10]}"
    types = {"a": "integer", "b": "text"}
    pieces = [(b"1,a\n2,b\n1,a2\n", 3), (b",nokey\n", 1)]
    sinks.to_postgresql(dsn, table, ["a", "b"], types, iter(pieces), mode="incremental", key="a")
    assert rows(conn, table) == [(1, "a2"), (2, "b")]
    sinks.to_postgresql(dsn, table, ["a", "b"], types, iter(pieces), mode="incremental", key="a")
    assert rows(conn, table) == [(1, "a2"), (2, "b")]


def test_postgresql_incremental_first_run_indexes_after_loading_and_failures_leave_the_table(
    target: tuple[str, Any],
) -> None:
    dsn, conn = target
    table = f"s_{uuid.uuid4().hex[:10]}"
    types = {"a": "integer", "b": "text"}
    deliver = lambda pieces: sinks.to_postgresql(  # noqa: E731
        dsn, table, ["a", "b"], types, pieces, mode="incremental", key="a"
    )
    with pytest.raises(RuntimeError):  # the first run dies midway: no table at all
        deliver(breaking(1))
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", (table,))
        assert cur.fetchone() == (None,)
    deliver(iter(PIECES))
    assert rows(conn, table) == [(1, "a"), (2, "b"), (3, "c,d"), (4, None)]
    with conn.cursor() as cur:
        cur.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass", (table,))
        assert cur.fetchone() == ([f"fillfactor={sinks.INCREMENTAL_FILLFACTOR}"],)
        cur.execute(
            "SELECT i.indisunique, a.attname FROM pg_index i JOIN pg_attribute a "
            "ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] WHERE i.indrelid = %s::regclass",
            (table,),
        )
        assert cur.fetchall() == [(True, "a")]
    deliver(iter([(b"2,b2\n5,e\n", 2)]))
    assert rows(conn, table) == [(1, "a"), (2, "b2"), (3, "c,d"), (4, None), (5, "e")]
    def dying() -> Iterator[tuple[bytes, int]]:
        yield b"1,changed\n6,f\n", 2
        raise RuntimeError("source died")

    with pytest.raises(RuntimeError):  # a later run dies midway: the table as it was
        deliver(dying())
    assert rows(conn, table) == [(1, "a"), (2, "b2"), (3, "c,d"), (4, None), (5, "e")]

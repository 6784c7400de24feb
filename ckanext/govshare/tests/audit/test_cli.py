"""``ckan govshare audit verify|anchor|archive``."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from typing import Any

import ckan.cli.cli
import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.audit import record, store
from ckanext.govshare.audit.model import event_table, head_table

from .conftest import events

pytestmark = pytest.mark.usefixtures("audit_db")


def run(cli: Any, *args: str):
    return cli.invoke(ckan.cli.cli.ckan, ["govshare", "audit", *args])


def write(n: int) -> None:
    for i in range(n):
        record("test_action", object_id=f"o{i}", detail={"i": i})
    model.Session.commit()


def backdate(seqs: range, when: dt.datetime) -> None:
    """Move events into the past, re-hashing so the chain stays intact (test only)."""
    from ckanext.govshare.audit import chain

    with model.meta.engine.begin() as conn, store.maintenance(conn):
        prev = None
        for event in store.iter_events(conn):
            if prev is None:
                prev = event["prev_hash"]
            if event["seq"] in seqs:
                event["time"] = when + dt.timedelta(seconds=event["seq"])
            event["prev_hash"] = prev
            event["hash"] = prev = chain.link_hash(event, prev)
            conn.execute(
                sa.update(event_table)
                .where(event_table.c.seq == event["seq"])
                .values(time=event["time"], prev_hash=event["prev_hash"], hash=event["hash"])
            )
        conn.execute(sa.update(head_table).values(prev_hash=event["prev_hash"], hash=prev))


def test_verify_an_intact_chain(cli):
    write(3)
    result = run(cli, "verify")
    assert result.exit_code == 0, result.output
    assert "OK: 3 events" in result.output


def test_verify_names_the_first_broken_link(cli):
    write(5)
    with model.meta.engine.begin() as conn, store.maintenance(conn):
        conn.execute(
            sa.update(event_table).where(event_table.c.seq == 3).values(actor_name="mallory")
        )
    result = run(cli, "verify")
    assert result.exit_code == 1
    assert "BROKEN at event 3" in result.output
    assert "2 events verified" in result.output


def test_anchor_prints_the_head_of_each_day(cli):
    write(4)
    backdate(range(1, 3), dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    result = run(cli, "anchor")
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.output.strip().splitlines()]
    heads = {e["seq"]: e["hash"] for e in events()}
    assert lines[0] == ["2026-01-01", "2", heads[2]]
    assert lines[-1][1:] == ["4", heads[4]]


def test_archive_moves_old_events_and_verification_spans_the_archive(cli, tmp_path):
    write(5)
    backdate(range(1, 4), dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    head_at_cut = events()[2]["hash"]
    result = run(cli, "archive", "--before", "2026-02-01", "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.glob("*.jsonl.gz")
    assert [e["seq"] for e in events()] == [4, 5]
    with gzip.open(path, "rt") as f:
        lines = [json.loads(line) for line in f]
    assert [e["seq"] for e in lines[1:-1]] == [1, 2, 3]
    assert lines[-1]["trailer"]["head_hash"] == head_at_cut

    # The table alone verifies from the recorded head; with the archive, from the genesis.
    assert "OK: 2 events" in run(cli, "verify").output
    spanning = run(cli, "verify", "--archive", str(path))
    assert spanning.exit_code == 0, spanning.output
    assert "OK: 5 events" in spanning.output

    # New events continue the chain after an archive, even one that emptied the table.
    assert run(cli, "archive", "--before", "2099-01-01", "--dir", str(tmp_path)).exit_code == 0
    write(1)
    assert events()[0]["seq"] == 6
    assert run(cli, "verify").exit_code == 0


def test_a_tampered_archive_fails_verification(cli, tmp_path):
    write(3)
    backdate(range(1, 3), dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    assert run(cli, "archive", "--before", "2026-02-01", "--dir", str(tmp_path)).exit_code == 0
    (path,) = tmp_path.glob("*.jsonl.gz")
    with gzip.open(path, "rt") as f:
        lines = f.read().splitlines()
    lines[2] = lines[2].replace('"test_action"', '"forged"')
    with gzip.open(path, "wt") as f:
        f.write("\n".join(lines) + "\n")
    result = run(cli, "verify", "--archive", str(path))
    assert result.exit_code == 1
    assert "BROKEN at event 2" in result.output


def test_archive_refuses_a_broken_chain_and_deletes_nothing(cli, tmp_path):
    write(3)
    backdate(range(1, 3), dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    with model.meta.engine.begin() as conn, store.maintenance(conn):
        conn.execute(sa.update(event_table).where(event_table.c.seq == 1).values(action="forged"))
    result = run(cli, "archive", "--before", "2026-02-01", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "chain broken at event 1" in result.output
    assert len(events()) == 3
    assert not list(tmp_path.glob("*.jsonl.gz"))

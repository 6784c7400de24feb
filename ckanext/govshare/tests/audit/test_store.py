"""Appending in the caller's transaction; append-only in the database; one linear chain."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.audit import chain, record, store
from ckanext.govshare.audit.model import event_table

from .conftest import events

pytestmark = pytest.mark.usefixtures("audit_db")


def test_a_rolled_back_transaction_leaves_no_event():
    record("test_action", object_id="x")
    model.Session.rollback()
    assert events() == []
    # ... and the head did not move: the next event is the first.
    assert record("test_action")["seq"] == 1
    model.Session.commit()
    assert [e["seq"] for e in events()] == [1]


def test_a_committed_transaction_leaves_exactly_one_event():
    written = record("test_action", object_id="x", detail={"n": 1, "token": "secret"})
    model.Session.commit()
    (event,) = events()
    assert event["hash"] == written["hash"]
    assert event["prev_hash"] == chain.GENESIS
    assert event["detail"] == {"n": 1, "token": "[removed]"}
    assert chain.verify(events()).ok


@pytest.mark.parametrize(
    "statement",
    [
        sa.update(event_table).values(actor_name="someone else"),
        sa.delete(event_table),
        sa.text("TRUNCATE govshare_audit_event"),
    ],
    ids=["update", "delete", "truncate"],
)
def test_the_database_refuses_to_change_or_remove_events(statement):
    record("test_action")
    model.Session.commit()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), model.meta.engine.begin() as conn:
        conn.execute(statement)
    assert len(events()) == 1


def test_the_maintenance_escape_lasts_one_transaction():
    record("test_action")
    model.Session.commit()
    with model.meta.engine.begin() as conn, store.maintenance(conn):
        conn.execute(sa.update(event_table).values(actor_name="tampered"))
    with pytest.raises(sa.exc.DBAPIError), model.meta.engine.begin() as conn:
        conn.execute(sa.delete(event_table))
    assert events()[0]["actor_name"] == "tampered"


def test_eight_parallel_writers_form_one_linear_chain():
    per_writer, errors = 25, []
    barrier = threading.Barrier(8)

    def writer(n: int) -> None:
        try:
            with model.meta.engine.connect() as conn:
                barrier.wait()
                for i in range(per_writer):
                    with conn.begin():
                        store.record("parallel", object_id=f"{n}-{i}", connection=conn)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    written = events()
    assert [e["seq"] for e in written] == list(range(1, 8 * per_writer + 1))
    assert len({e["object_id"] for e in written}) == 8 * per_writer
    result = chain.verify(written)
    assert result.ok and result.count == 200

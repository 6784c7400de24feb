"""A harvest import's transactions do not wait for the disk; nothing else's do
(harvest/commits.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.harvest import commits


def _setting() -> str:
    return model.Session.execute(sa.text("SHOW synchronous_commit")).scalar()


def _wait_for_the_disk(dbapi_connection: Any, _record: Any) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = on")
    dbapi_connection.commit()  # a rollback of the first transaction would take it back


@pytest.fixture(autouse=True)
def durable_connections() -> Iterator[None]:
    """Connections that wait for the disk, as a site's do: the test databases commit without
    waiting (scripts/setup.sh), which would leave these tests nothing to tell apart."""
    engine = model.meta.engine
    model.Session.remove()
    engine.dispose()
    sa.event.listen(engine, "connect", _wait_for_the_disk)
    try:
        yield
    finally:
        model.Session.remove()
        sa.event.remove(engine, "connect", _wait_for_the_disk)
        engine.dispose()


def test_only_the_transactions_begun_inside_are_relaxed() -> None:
    model.Session.remove()
    before = _setting()
    assert before != "off"
    with commits.relaxed(model.Session):
        assert _setting() == "off"  # the transaction open when it began
        model.Session.commit()
        assert _setting() == "off"  # one begun inside
        model.Session.rollback()
        assert _setting() == "off"
    model.Session.commit()
    assert _setting() == before  # SET LOCAL: the pooled connection keeps its own setting
    model.Session.remove()
    assert _setting() == before


def test_a_relaxed_block_left_by_an_error_relaxes_nothing_after() -> None:
    model.Session.remove()
    before = _setting()
    try:
        with commits.relaxed(model.Session):
            raise RuntimeError("import failed")
    except RuntimeError:
        model.Session.rollback()
    assert _setting() == before

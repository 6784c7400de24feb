"""A page of requests or grants costs the same number of queries whatever its length (issue 15).

The statements are counted on the database engine while the list action runs: the names and
titles of departments, entries and requesters are read for the whole page at once, not row
by row (before: 4 queries a request, 2 a grant).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.access.model import grant_table, request_table
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

from .conftest import World, request_form

# Under both rule profiles (issue 18, item 11); where they differ the test says so for each.
pytestmark = pytest.mark.usefixtures("with_request_context", "rule_profile")


@contextmanager
def counted() -> Iterator[Callable[[], int]]:
    """The number of statements sent to the database inside the block."""
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = model.Session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield lambda: len(statements)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _copies(table: sa.Table, row: dict[str, Any], n: int) -> None:
    """``n`` more rows like ``row`` (fast: one INSERT, no action, no notice)."""
    rows = [{**row, "id": str(uuid.uuid4())} for _ in range(n)]
    model.Session.execute(sa.insert(table), rows)
    model.Session.commit()


def _row(table: sa.Table, row_id: str) -> dict[str, Any]:
    found = model.Session.execute(sa.select(table).where(table.c.id == row_id)).first()
    assert found is not None
    return dict(found._mapping)


def _queries(world: World, who: str, action: str, limit: int) -> tuple[int, int]:
    model.Session.remove()
    with counted() as statements:
        result = world.call(who, action, limit=limit)
    return statements(), len(result["results"])


def test_a_page_of_requests_costs_the_same_queries_for_5_or_50_rows(world: World):
    first = world.submit(**request_form(world))
    _copies(request_table, _row(request_table, first["id"]), 59)
    small, rows_small = _queries(world, "provider_officer", "govshare_request_list", 5)
    large, rows_large = _queries(world, "provider_officer", "govshare_request_list", 50)
    print(f"govshare_request_list: {small} queries for {rows_small} rows, {large} for {rows_large}")
    assert (rows_small, rows_large) == (5, 50)
    assert large == small


def test_a_page_of_grants_costs_the_same_queries_for_5_or_50_rows(world: World):
    request = world.submit(**request_form(world))
    decided = world.call(
        "provider_officer", "govshare_request_decide", id=request["id"], decision="approve"
    )
    _copies(grant_table, _row(grant_table, decided["grant"]["id"]), 59)
    small, rows_small = _queries(world, "requester", "govshare_grant_list", 5)
    large, rows_large = _queries(world, "requester", "govshare_grant_list", 50)
    print(f"govshare_grant_list: {small} queries for {rows_small} rows, {large} for {rows_large}")
    assert (rows_small, rows_large) == (5, 50)
    assert large == small

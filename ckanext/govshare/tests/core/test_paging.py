"""One paging for every list action: one default, one maximum, one answer shape (issue 15)."""

from __future__ import annotations

from collections.abc import Iterator

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.core import paging
from ckanext.govshare.logic.schema.fields import paging_fields


def test_bounds_default_and_cap_the_limit():
    assert paging.bounds({}) == (paging.DEFAULT_LIMIT, 0) == (50, 0)
    assert paging.bounds({"limit": 5000, "offset": 7}) == (paging.MAX_LIMIT, 7) == (1000, 7)


def test_the_schema_fields_use_the_same_numbers():
    data, errors = tk.navl_validate(
        {"limit": "5000"}, paging_fields(), {}
    )
    assert not errors
    assert data == {"limit": paging.MAX_LIMIT, "offset": 0}


@pytest.fixture
def numbers() -> Iterator[sa.Table]:
    """A temporary table of 120 numbers, gone with the transaction."""
    table = sa.Table(
        "govshare_paging_probe",
        sa.MetaData(),
        sa.Column("n", sa.Integer, primary_key=True),
        prefixes=["TEMPORARY"],
    )
    connection = model.Session.connection()
    table.create(connection)
    model.Session.execute(table.insert(), [{"n": n} for n in range(120)])
    yield table
    model.Session.rollback()


def test_a_page_counts_every_match_and_serves_the_slice(numbers: sa.Table):
    odd = numbers.c.n % 2 == 1
    last = paging.page(numbers, odd, [numbers.c.n.desc()], {"limit": 25, "offset": 50})
    assert last["count"] == 60
    assert [r["n"] for r in last["results"]] == list(range(19, 0, -2))
    assert (last["limit"], last["offset"]) == (25, 50)
    first = paging.page(numbers, sa.true(), [numbers.c.n], {}, lambda rows: [r["n"] for r in rows])
    assert first == paging.answer(120, list(range(50)), 50, 0)

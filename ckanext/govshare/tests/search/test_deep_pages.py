"""Pages of a sorted catalogue, found by their ids first (``connection._page``), are Solr's pages.

A DCAT walk (``/catalog.ttl?page=N``) asks ``metadata_modified desc`` with ``start`` deep in the
catalogue; the backend finds the page's ids by one index and reads only the page's documents.
These tests walk every page of every sort on an index column, in both directions, with ties
(entries modified at the same millisecond), and compare each page with the order computed here
from the rows: the sort column, then ``index_id`` in the sort's last direction, as the backend
breaks ties, on both paths (ids first from ``IDS_FIRST_FROM`` page lengths deep; here also
from the first page). Private entries must never appear on an anonymous reader's page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.govshare.search import connection
from ckanext.govshare.search.connection import PostgresSearchConnection, _on_columns
from ckanext.govshare.tests import factories as gs_factories

pytestmark = pytest.mark.ckan_config("ckanext.govshare.search.cache_ttl", 0)

SORTS = ["metadata_modified", "metadata_created", "name", "title_string", "id"]
#: The index column a sort field is kept in, where it is not the field's own name.
COLUMNS = {"id": "package_id"}
#: Titles whose byte order differs from a linguistic order (the index sorts them as "C").
TITLES = ["b entry", "B entry", "人口 entry", "a entry", "Äpfel", "户籍", "a entry", "z"]


def build() -> dict[str, Any]:
    dept = gs_factories.Department(name="health")
    for i, title in enumerate(TITLES):
        gs_factories.CatalogueEntry(name=f"entry-{i}", title=title, owner_org=dept["id"])
    gs_factories.CatalogueEntry(name="private-entry", owner_org=dept["id"], private=True)
    # Ties: half the entries modified (and a third created) at the same instant.
    tie = dt.datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=dt.timezone.utc)
    model.Session.execute(
        sa.text("UPDATE govshare_search_index SET metadata_modified = :t WHERE name = ANY(:names)"),
        {"t": tie, "names": [f"entry-{i}" for i in range(0, len(TITLES), 2)] + ["private-entry"]},
    )
    model.Session.execute(
        sa.text("UPDATE govshare_search_index SET metadata_created = :t WHERE name = ANY(:names)"),
        {"t": tie, "names": [f"entry-{i}" for i in range(0, len(TITLES), 3)]},
    )
    model.Session.commit()
    return {"dept": dept}


@pytest.fixture(params=[0, connection.IDS_FIRST_FROM], ids=["ids-first", "as-deployed"])
def ids_first_from(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Pages from this many page lengths deep find their ids first (0: every page)."""
    monkeypatch.setattr(connection, "IDS_FIRST_FROM", request.param)
    return request.param


@pytest.fixture
def world(module_world: Any) -> dict[str, Any]:
    return module_world(build)


def expected(field: str, direction: str) -> list[str]:
    """The public entries in the backend's order, computed from the rows."""
    rows = model.Session.execute(
        sa.text(
            f"SELECT name, index_id, {COLUMNS.get(field, field)} AS v FROM govshare_search_index "
            "WHERE capacity = 'public' AND state = 'active'"
        )
    ).all()
    reverse = direction == "desc"
    # Python compares str by code point: the byte order of UTF-8, PostgreSQL's "C" collation.
    ordered = sorted(rows, key=lambda r: (r.v, r.index_id), reverse=reverse)
    return [r.name for r in ordered]


@pytest.mark.usefixtures("world", "ids_first_from")
@pytest.mark.parametrize("field", SORTS)
@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize("per_page", [1, 3, 100])
def test_every_page_of_an_indexed_sort_is_in_the_rows_order(
    field: str, direction: str, per_page: int
):
    want = expected(field, direction)
    assert len(want) == len(TITLES)
    got: list[str] = []
    for start in range(0, len(want) + per_page, per_page):
        result = call_action(
            "package_search",
            q="*:*",
            sort=f"{field} {direction}",
            rows=per_page,
            start=start,
            fq_list=["-dataset_type:harvest", "-dataset_type:showcase"],
        )
        assert result["count"] == len(want)
        got += [d["name"] for d in result["results"]]
    assert got == want
    assert "private-entry" not in got


@pytest.mark.usefixtures("world", "ids_first_from")
def test_two_index_columns_sort_as_one_order():
    """``metadata_modified desc, name asc``: ties on the first broken by the second."""
    rows = model.Session.execute(
        sa.text(
            "SELECT name, index_id, metadata_modified AS m FROM govshare_search_index "
            "WHERE capacity = 'public' AND state = 'active'"
        )
    ).all()
    ordered = sorted(rows, key=lambda r: r.index_id)  # ties of both: index_id asc (last dir)
    ordered = sorted(ordered, key=lambda r: r.name)
    ordered = sorted(ordered, key=lambda r: r.m, reverse=True)
    got = [
        d["name"]
        for start in range(0, len(rows), 2)
        for d in call_action(
            "package_search", sort="metadata_modified desc, name asc", rows=2, start=start
        )["results"]
    ]
    assert got == [r.name for r in ordered]


@pytest.mark.usefixtures("world")
def test_a_text_query_sorted_by_date_keeps_its_scores(monkeypatch: pytest.MonkeyPatch):
    """The ids-first page still returns each document's score when ``fl`` asks for it."""
    monkeypatch.setattr(connection, "IDS_FIRST_FROM", 0)
    conn = PostgresSearchConnection()
    params = {"fq": ["+capacity:public"], "sort": "metadata_modified desc", "fl": "name score"}
    by_date = conn.search(q="entry", rows=3, start=2, **params)
    by_score = conn.search(q="entry", rows=100, **{**params, "sort": "score desc"})
    scores = {d["name"]: d["score"] for d in by_score.docs}
    assert len(by_date.docs) == 3
    assert all(d["score"] == scores[d["name"]] for d in by_date.docs)
    assert any(d["score"] != 1.0 for d in by_date.docs)


def test_only_orders_on_index_columns_find_ids_first():
    assert _on_columns("i.metadata_modified DESC, i.index_id DESC")
    assert _on_columns('i.package_id COLLATE "C" ASC, i.index_id ASC')
    assert _on_columns('i.name COLLATE "C" ASC, i.index_id ASC')
    assert not _on_columns("ts_rank(i.tsv_rank, CAST(:p0 AS tsquery)) DESC, i.index_id DESC")
    assert not _on_columns('(i.doc->>:p0) COLLATE "C" ASC NULLS LAST, i.index_id ASC')


@pytest.mark.usefixtures("world", "ids_first_from")
@pytest.mark.parametrize("fl", ["id", "id score", ["id"]])
@pytest.mark.parametrize(
    ("q", "sort"), [("*:*", "id asc"), ("*:*", "metadata_modified desc"), ("entry", "score desc")]
)
def test_a_page_of_ids_alone_is_read_from_the_index_column_and_is_the_same_page(
    fl: Any, q: str, sort: str, monkeypatch: pytest.MonkeyPatch
):
    """``fl=id`` (the CKAN harvester lists every id a lower platform shows) reads each match's
    id from ``package_id``, not its stored document: the same ids, scores and order as reading
    the documents, on every page path (ids first, direct, ranked), and ``package_search``
    answers the same to ``fl=id`` either way."""
    assert connection._doc_sql(["id"]) != "i.doc"
    conn = PostgresSearchConnection()
    params = {"fq": ["+capacity:public", "+state:active"], "sort": sort, "fl": fl}
    for rows, start in ((3, 0), (3, 3), (100, 0), (2, 6)):
        fast = conn.search(q=q, rows=rows, start=start, **params)
        with monkeypatch.context() as patched:
            patched.setattr(connection, "_doc_sql", lambda _fl: "i.doc")
            slow = conn.search(q=q, rows=rows, start=start, **params)
        assert fast.docs == slow.docs, (rows, start)
        assert fast.hits == slow.hits
        assert all(set(d) <= {"id", "score"} and d["id"] for d in fast.docs)
    listed = call_action("package_search", q=q, sort=sort, fl="id", rows=100)
    with monkeypatch.context() as patched:
        patched.setattr(connection, "_doc_sql", lambda _fl: "i.doc")
        assert call_action("package_search", q=q, sort=sort, fl="id", rows=100) == listed
    assert len(listed["results"]) == len(TITLES)

"""Solr's answers the embedded backend gives too (issue 20, item 6 (b)-(e)): malformed queries
are errors, local params of the allowed parsers work, dates come back as Solr returns them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from ckan.lib.search import common as search_common
from ckan.tests.helpers import call_action

from ckanext.govshare.search import backend, compiler
from ckanext.govshare.search.compiler import SqlQuery
from ckanext.govshare.search.connection import PostgresSearchConnection
from ckanext.govshare.search.document import date_term, solr_date_text, stored_document


@pytest.mark.unit
class TestSyntax:
    @pytest.mark.parametrize("text", ["--included", "+-included", "a --b", "-+x"])
    def test_two_modifiers_in_a_row_do_not_parse(self, text: str):
        with pytest.raises(compiler.QuerySyntaxError):
            compiler.compile_dismax(SqlQuery(), text)
        with pytest.raises(compiler.QuerySyntaxError):
            compiler.compile_lucene(SqlQuery(), text)

    @pytest.mark.parametrize("text", ["-included", "+a -b", 'a "b', "a -", "AND"])
    def test_what_solr_accepts_still_parses(self, text: str):
        compiler.compile_dismax(SqlQuery(), text)

    @pytest.mark.parametrize(
        ("header", "parser", "params"),
        [
            ("bool must=bees", "bool", {"must": ["bees"]}),
            ("type=bool must=beetles", "bool", {"must": ["beetles"]}),
            ("must=bees type=bool", "bool", {"must": ["bees"]}),
            ("lucene q.op=AND", "lucene", {"q.op": ["AND"]}),
            ("bool must='a b' must_not=\"c\"", "bool", {"must": ["a b"], "must_not": ["c"]}),
        ],
    )
    def test_local_params_as_solr_reads_them(self, header, parser, params):
        assert compiler._parse_local_params(header) == (parser, params)

    @pytest.mark.parametrize("text", ["{!knn f=vector topK=10}[1,2]", "{!bool must=$x}"])
    def test_unsupported_local_params_are_errors(self, text: str):
        with pytest.raises(compiler.QuerySyntaxError):
            compiler.compile_lucene(SqlQuery(), text)


@pytest.mark.unit
class TestDates:
    def test_solr_form_utc_z_and_milliseconds(self):
        micro = dt.datetime(2014, 6, 10, 8, 24, 12, 782257)
        assert solr_date_text(micro) == "2014-06-10T08:24:12.782Z"
        assert solr_date_text(dt.datetime(2014, 3, 22)) == "2014-03-22T00:00:00Z"
        shanghai = dt.timezone(dt.timedelta(hours=8))
        assert solr_date_text(dt.datetime(2019, 10, 10, 9, 15, tzinfo=shanghai)) == (
            "2019-10-10T01:15:00Z"
        )
        # Compared as text, so of one width.
        assert date_term(dt.datetime(2014, 3, 22)) == "2014-03-22T00:00:00.000Z"

    def test_only_date_fields_are_rewritten(self):
        doc = stored_document(
            {
                "metadata_modified": "2014-06-10T08:24:12.782257Z",
                "release_date": "2019-10-10T01:15:00+00:00",
                "title": "2019-10-10T01:15:00+00:00",
                "other_date": "not a date",
            }
        )
        assert doc["metadata_modified"] == "2014-06-10T08:24:12.782Z"
        assert doc["release_date"] == "2019-10-10T01:15:00Z"
        assert doc["title"] == "2019-10-10T01:15:00+00:00"
        assert doc["other_date"] == "not a date"


def _doc(name: str, title: str, **extra: Any) -> dict[str, Any]:
    return {
        "index_id": name,
        "id": name,
        "name": name,
        "site_id": "govshare",
        "title": title,
        "metadata_created": "2014-06-10T08:24:12.782257Z",
        "metadata_modified": "2014-06-10T08:24:12.782257Z",
        **extra,
    }


@pytest.fixture
def conn(clean_db: Any) -> PostgresSearchConnection:
    conn = PostgresSearchConnection()
    conn.add(
        [
            _doc("bees", "A dataset about bees", release_date="2014-03-22T00:00:00Z"),
            _doc("butterflies", "A dataset about butterflies", release_date="2015-01-01"),
        ]
    )
    return conn


def _names(conn: PostgresSearchConnection, q: str = "*:*", **params: Any) -> set[str]:
    return {d["name"] for d in conn.search(q=q, rows=100, **params).docs}


class TestIndex:
    def test_local_params(self, conn: PostgresSearchConnection):
        assert _names(conn, "{!bool must=bees}") == {"bees"}
        assert _names(conn, " {!type=bool must=beetles}") == set()
        assert _names(conn, "{!bool should=bees should=butterflies}") == {"bees", "butterflies"}
        assert _names(conn, "{!bool must=dataset must_not=bees}") == {"butterflies"}
        assert _names(conn, fq="{!lucene q.op=AND}bees butterflies") == set()
        assert _names(conn, fq="{!lucene q.op=OR}bees butterflies") == {"bees", "butterflies"}
        assert _names(conn, "{!field f=title}about bees") == {"bees"}

    def test_dates_come_back_as_solr_returns_them(self, conn: PostgresSearchConnection):
        doc = conn.search(q="name:bees", rows=1).docs[0]
        assert doc["metadata_modified"] == "2014-06-10T08:24:12.782Z"
        assert doc["release_date"] == "2014-03-22T00:00:00Z"
        decoded = backend.DateDecodingConnection().search(q="name:bees", rows=1).docs[0]
        assert decoded["release_date"] == dt.datetime(2014, 3, 22)
        assert decoded["metadata_modified"] == dt.datetime(2014, 6, 10, 8, 24, 12)

    def test_date_ranges_compare_at_millisecond_precision(self, conn: PostgresSearchConnection):
        assert _names(conn, "release_date:[2014-03-22T00:00:00Z TO 2014-12-31T00:00:00Z]") == {
            "bees"
        }
        assert _names(conn, "release_date:[* TO 2014-03-22T00:00:00.001Z}") == {"bees"}
        assert _names(conn, "release_date:{2014-03-22T00:00:00Z TO *]") == {"butterflies"}
        assert _names(conn, "metadata_modified:[2014-06-10T08:24:12.782Z TO NOW]") == {
            "bees",
            "butterflies",
        }


def test_malformed_query_is_a_search_error_as_with_solr(clean_db: Any, app: Any):
    with pytest.raises(search_common.SearchError):
        call_action("package_search", q="--included")
    response = app.get("/api/3/action/package_search", query_string={"q": "--included"})
    assert response.status_code == 409
    assert response.json["error"]["__type"] == "Search Error"

"""A quoted phrase matches its words next to each other and in order, as Solr's phrase query
(issue 20, item 6 (a)): in English, in Chinese (bigrams), in ``q`` and in fielded queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ckanext.govshare.search import analysis, compiler
from ckanext.govshare.search.connection import PostgresSearchConnection
from ckanext.govshare.search.document import tsvector_literal


@pytest.mark.unit
class TestLayout:
    def test_a_cjk_run_takes_one_position_per_character(self):
        # 人口数据: bigrams at 0, 1, 2; characters at 0..3; the next word after the run.
        terms, width = analysis.positioned_terms("人口数据 data", unigrams=True)
        assert width == 5
        assert ("人口", 0) in terms and ("口数", 1) in terms and ("数据", 2) in terms
        assert ("人", 0) in terms and ("据", 3) in terms
        assert ("data", 4) in terms

    def test_the_phrase_keeps_the_document_distances(self):
        assert compiler.phrase_tsquery("Government Expenditure") == ("('govern' <-> 'expenditur')")
        assert compiler.phrase_tsquery("人口数据") == "(('人口' <-> '口数') <-> '数据')"
        assert compiler.phrase_tsquery("人口 data") == "('人口' <2> 'data')"
        assert compiler.phrase_tsquery("...") is None

    def test_values_are_a_position_apart(self):
        vector = tsvector_literal([("A", ["alpha beta", "gamma"])])
        assert vector == "'alpha':1A 'beta':2A 'gamma':4A"


def _doc(name: str, title: str, **extra: Any) -> dict[str, Any]:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).isoformat()
    return {
        "index_id": name,
        "id": name,
        "name": name,
        "site_id": "govshare",
        "title": title,
        "state": "active",
        "metadata_created": now,
        "metadata_modified": now,
        **extra,
    }


@pytest.fixture
def conn(clean_db: Any) -> PostgresSearchConnection:
    conn = PostgresSearchConnection()
    conn.add(
        [
            _doc("plain", "Government Expenditure"),
            _doc("extra", "Government Extra Expenditure"),
            _doc("tags", "Budget", tags=["government", "expenditure"]),
            _doc("zh-contiguous", "全市人口数据汇总"),
            _doc("zh-apart", "人口与经济数据"),
            _doc("zh-reversed", "数据人口"),
            _doc("notes", "Other", notes="yearly government expenditure report"),
        ]
    )
    return conn


def _names(conn: PostgresSearchConnection, q: str, def_type: str = "dismax") -> set[str]:
    return {d["name"] for d in conn.search(q=q, defType=def_type, rows=100).docs}


class TestPhrases:
    def test_dismax_phrase_needs_adjacency_and_order(self, conn: PostgresSearchConnection):
        assert _names(conn, '"Government Expenditure"') == {"plain", "notes"}
        assert _names(conn, '"Expenditure Government"') == set()
        # Unquoted, the words match anywhere (and in any value of a multi-valued field).
        assert _names(conn, "Government Expenditure") == {"plain", "extra", "tags", "notes"}

    def test_a_phrase_does_not_span_two_values(self, conn: PostgresSearchConnection):
        assert "tags" not in _names(conn, '"government expenditure"')

    def test_chinese_phrase_matches_only_contiguous_text(self, conn: PostgresSearchConnection):
        assert _names(conn, '"人口数据"') == {"zh-contiguous"}
        assert _names(conn, "人口数据", "lucene") >= {"zh-contiguous"}
        assert _names(conn, 'text:"人口数据"', "lucene") == {"zh-contiguous"}

    def test_fielded_phrase(self, conn: PostgresSearchConnection):
        assert _names(conn, 'title:"Government Expenditure"', "lucene") == {"plain"}
        assert _names(conn, 'title:"Expenditure Government"', "lucene") == set()
        assert _names(conn, 'notes:"government expenditure"', "lucene") == {"notes"}
        assert _names(conn, 'title:"数据人口"', "lucene") == {"zh-reversed"}

    def test_a_sloppy_phrase_matches_the_words_apart(self, conn: PostgresSearchConnection):
        found = _names(conn, 'title:"Government Expenditure"~2', "lucene")
        assert found == {"plain", "extra"}

    def test_phrase_with_required_and_prohibited_words(self, conn: PostgresSearchConnection):
        assert _names(conn, '+"Government Expenditure" -report') == {"plain"}
        assert _names(conn, '-"Government Expenditure" +government') == {"extra", "tags"}

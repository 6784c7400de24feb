"""Solr query semantics that need no database: date math, minimum match, syntax errors."""

import datetime as dt

import pytest

from ckanext.govshare.search import compiler

pytestmark = pytest.mark.unit

NOW = dt.datetime(2026, 11, 25, 13, 45, 10, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("NOW", NOW),
        ("NOW/DAY", dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)),
        ("NOW-1DAY", NOW - dt.timedelta(days=1)),
        ("NOW-7DAYS/DAY", dt.datetime(2026, 11, 18, tzinfo=dt.timezone.utc)),
        ("NOW+2MONTHS/MONTH", dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)),
        ("NOW-1YEAR", NOW.replace(year=2025)),
        ("2024-02-29T00:00:00Z", dt.datetime(2024, 2, 29, tzinfo=dt.timezone.utc)),
        ("2024-01-31T00:00:00Z+1MONTH", None),
    ],
)
def test_solr_date_math(expr, expected):
    if expected is None:
        with pytest.raises(ValueError):
            compiler.solr_date(expr, NOW)
    else:
        assert compiler.solr_date(expr, NOW) == expected


def test_invalid_date_is_a_syntax_error():
    with pytest.raises(compiler.QuerySyntaxError):
        compiler.solr_date("yesterday", NOW)
    with pytest.raises(compiler.QuerySyntaxError):
        compiler.solr_date("NOW-1FORTNIGHT", NOW)


@pytest.mark.parametrize(("clauses", "required"), [(1, 1), (2, 2), (3, 2), (5, 4), (6, 4), (10, 8)])
def test_minimum_match_follows_ckan_mm(clauses, required):
    assert compiler.minimum_match(clauses) == required


def test_unparseable_lucene_query_is_a_syntax_error():
    with pytest.raises(compiler.QuerySyntaxError):
        compiler.compile_lucene(compiler.SqlQuery(), "title:(unbalanced")


def test_regex_queries_are_refused():
    with pytest.raises(compiler.QuerySyntaxError):
        compiler.compile_lucene(compiler.SqlQuery(), "name:/ab.*/")


def test_match_all_compiles_to_true():
    assert compiler.compile_lucene(compiler.SqlQuery(), "*:*") == compiler.TRUE


def test_string_fields_match_exactly_and_text_fields_by_terms():
    q = compiler.SqlQuery()
    exact = compiler.compile_lucene(q, 'creator_user_id:"u1"')
    coded = compiler.compile_lucene(q, 'organization:"health"')
    text = compiler.compile_lucene(q, "title:人口")
    assert "i.terms @>" in exact and '{"creator_user_id": ["u1"]}' in q.params.values()
    assert coded.startswith("(i.facet_ids @>") and "health" in q.params.values()
    assert '{"t:title": ["人口"]}' in q.params.values()
    assert text.startswith("(i.terms @>")


@pytest.mark.parametrize(("field", "column"), [("id", "package_id"), ("name", 'name COLLATE "C"')])
def test_an_entry_is_looked_up_by_its_indexed_column(field, column):
    """package_show reads ``+id:X OR name:X`` from the index: a btree column, not ``terms``."""
    query = compiler.SqlQuery()
    condition = compiler.term_condition(query, field, "Entry-1")
    assert condition == f"(i.{column} = :p0)"
    assert query.params == {"p0": "Entry-1"}

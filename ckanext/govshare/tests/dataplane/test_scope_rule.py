"""The one scope rule (issue 16, item 2): ``access.scope.scope`` and the data item ↔ column
mapping it stands on (``catalogue.columns``), unit-tested without a database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ckanext.govshare.access import scope as s
from ckanext.govshare.catalogue import columns, rules

TODAY = dt.date(2026, 12, 7)
ENTRY: dict[str, Any] = {
    "id": "pkg",
    "resources": [{"id": "r1"}, {"id": "r2"}],
    "data_items": [
        {"name": "统一社会信用代码", "column": "credit_code"},
        {"name": "企业名称"},
        {"name": "法定代表人", "column": "legal_rep"},
        {"name": "注册资本"},
    ],
}
TABLE = ["企业名称", "credit_code", "legal_rep", "注册资本", "内部备注"]


def grant(**over: Any) -> dict[str, Any]:
    base = {
        "id": "g1",
        "package_id": "pkg",
        "status": "active",
        "period_start": TODAY - dt.timedelta(days=1),
        "period_end": TODAY + dt.timedelta(days=30),
        "resource_ids": None,
        "data_items": None,
        "row_filter": None,
    }
    return {**base, **over}


@pytest.mark.unit
def test_item_column_defaults_to_the_name() -> None:
    assert columns.item_column({"name": " 企业名称 "}) == "企业名称"
    assert columns.item_column({"name": "a", "column": "col_a"}) == "col_a"
    assert columns.columns_of(ENTRY, ["企业名称"]) == {"企业名称": "企业名称"}


@pytest.mark.unit
def test_match_reports_both_sides() -> None:
    m = columns.match(ENTRY, ["企业名称", "credit_code", "内部备注"])
    assert m.pairs == (("企业名称", "企业名称"), ("统一社会信用代码", "credit_code"))
    assert m.unmatched_columns == ("内部备注",)
    assert m.unmatched_items == ("法定代表人", "注册资本")


@pytest.mark.unit
def test_a_narrowed_grant_gets_only_its_columns_in_table_order() -> None:
    got = s.scope(grant(data_items=["注册资本", "统一社会信用代码"]), ENTRY, "r1", TABLE, TODAY)
    assert isinstance(got, s.Scope)
    assert got.columns == ("credit_code", "注册资本")
    assert got.rows is None and not got.whole


@pytest.mark.unit
def test_a_full_grant_never_gets_a_column_that_matches_no_data_item() -> None:
    got = s.scope(grant(), ENTRY, "r1", TABLE, TODAY)
    assert isinstance(got, s.Scope)
    assert got.columns == ("企业名称", "credit_code", "legal_rep", "注册资本")
    assert "内部备注" not in got.columns


@pytest.mark.unit
def test_row_filter_is_carried_and_may_use_an_ungranted_column() -> None:
    rf = {"column": "内部备注", "values": ["浦东新区", "黄浦区"]}
    got = s.scope(grant(data_items=["企业名称"], row_filter=rf), ENTRY, "r1", TABLE, TODAY)
    assert isinstance(got, s.Scope)
    assert got.rows == s.RowFilter("内部备注", ("浦东新区", "黄浦区"))
    assert got.columns == ("企业名称",)


@pytest.mark.unit
def test_a_prefix_row_filter_is_carried_as_a_prefix() -> None:
    """A return grant (issue 17, 2025 Regulations art. 24): the rows of its region."""
    rf = {"column": "内部备注", "prefix": "3301"}
    got = s.scope(grant(row_filter=rf), ENTRY, "r1", TABLE, TODAY)
    assert isinstance(got, s.Scope)
    assert got.rows == s.RowFilter("内部备注", prefix="3301") and got.rows.as_dict() == rf
    # The whole country's prefix is every row; a missing column delivers nothing.
    assert s.row_filter({"column": "内部备注", "prefix": ""}) is None
    elsewhere = grant(row_filter={"column": "region", "prefix": "33"})
    missing = s.scope(elsewhere, ENTRY, "r1", TABLE, TODAY)
    assert missing == s.OutOfScope(s.NOT_CUTTABLE)
    outside = s.scope(grant(row_filter=rf), ENTRY, "r1", None, TODAY)
    assert outside == s.OutOfScope(s.NOT_CUTTABLE)


@pytest.mark.unit
def test_row_filter_on_a_missing_column_delivers_nothing() -> None:
    rf = {"column": "region", "value": "310115"}
    got = s.scope(grant(row_filter=rf), ENTRY, "r1", TABLE, TODAY)
    assert got == s.OutOfScope(s.NOT_CUTTABLE)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("over", "reason"),
    [
        ({"status": "revoked"}, s.GRANT_ENDED),
        ({"status": "expired"}, s.GRANT_ENDED),
        ({"period_end": TODAY - dt.timedelta(days=1)}, s.GRANT_ENDED),
        ({"period_start": TODAY + dt.timedelta(days=1)}, s.GRANT_ENDED),
        ({"resource_ids": ["r2"]}, s.WRONG_RESOURCE),
        ({"package_id": "other"}, s.WRONG_RESOURCE),
    ],
)
def test_no_scope(over: dict[str, Any], reason: str) -> None:
    assert s.scope(grant(**over), ENTRY, "r1", TABLE, TODAY) == s.OutOfScope(reason)


@pytest.mark.unit
def test_a_resource_outside_the_grants_entry_is_refused() -> None:
    assert s.scope(grant(), ENTRY, "r9", TABLE, TODAY) == s.OutOfScope(s.WRONG_RESOURCE)


@pytest.mark.unit
def test_not_in_datastore_whole_only_for_a_full_grant() -> None:
    whole = s.scope(grant(), ENTRY, "r1", None, TODAY)
    assert isinstance(whole, s.Scope) and whole.whole and whole.columns == ()
    narrowed = s.scope(grant(data_items=["企业名称"]), ENTRY, "r1", None, TODAY)
    assert narrowed == s.OutOfScope(s.NOT_CUTTABLE)
    rows = s.scope(grant(row_filter={"column": "a", "values": [1]}), ENTRY, "r1", None, TODAY)
    assert rows == s.OutOfScope(s.NOT_CUTTABLE)


@pytest.mark.unit
def test_no_granted_column_in_the_table() -> None:
    got = s.scope(grant(data_items=["法定代表人"]), ENTRY, "r1", ["企业名称"], TODAY)
    assert got == s.OutOfScope(s.NO_COLUMNS)
    assert s.REASONS[s.NO_COLUMNS][1]  # says why in Chinese too


@pytest.mark.unit
@pytest.mark.parametrize(
    "bad",
    [
        "x",
        {"column": "a"},
        {"column": "a", "values": []},
        {"column": "_id", "values": [1]},
        {"column": "a", "values": [{"x": 1}]},
        {"column": "a", "values": list(range(1001))},
        {"column": "a", "prefix": 33},
        {"column": "a", "prefix": "3" * 65},
        {"column": "a", "prefix": "33", "values": ["330100"]},
        {"column": "_id", "prefix": "33"},
    ],
)
def test_malformed_row_filters(bad: Any) -> None:
    with pytest.raises(ValueError):
        s.row_filter(bad)


@pytest.mark.unit
@given(
    chosen=st.lists(st.sampled_from([i["name"] for i in ENTRY["data_items"]]), unique=True),
    table=st.lists(st.sampled_from(TABLE + ["extra"]), unique=True),
)
def test_a_scope_never_holds_a_column_outside_the_grant(
    chosen: list[str], table: list[str]
) -> None:
    got = s.scope(grant(data_items=chosen or None), ENTRY, "r1", table, TODAY)
    allowed = set(columns.columns_of(ENTRY, chosen or None).values())
    if isinstance(got, s.Scope):
        assert set(got.columns) <= allowed & set(table)
        assert list(got.columns) == [c for c in table if c in got.columns]
    else:
        assert not (allowed & set(table))


@pytest.mark.unit
def test_catalogue_rules_check_column_names() -> None:
    entry = {
        "share_type": "unconditional",
        "share_methods": ["api"],
        "data_items": [
            {"name": "a", "data_type": "C", "column": "_id"},
            {"name": "b", "data_type": "C", "column": "x" * 64},
            {"name": "c", "data_type": "C", "column": "dup"},
            {"name": "d", "data_type": "C", "column": "dup"},
            {"name": "dup", "data_type": "C"},
        ],
    }
    errors = rules.check_entry(entry)
    assert ("data_items", 0, "column") in errors
    assert "_" in errors[("data_items", 0, "column")][0]
    assert ("data_items", 1, "column") in errors
    assert ("data_items", 2, "column") not in errors
    assert ("data_items", 3, "column") in errors
    assert ("data_items", 4, "column") in errors  # its name is the column "dup" already taken


@pytest.mark.unit
@given(prefix=st.text(max_size=64), column=st.sampled_from(TABLE))
def test_a_prefix_row_filter_reads_back_as_stored(prefix: str, column: str) -> None:
    """Any prefix text (LIKE's wildcards included: the store escapes them) is kept as given;
    the grant's scope carries it whatever data items the grant covers."""
    stored = {"column": column, "prefix": prefix}
    rows = s.row_filter(stored)
    if not prefix:
        assert rows is None
        return
    assert rows is not None and rows.as_dict() == stored and rows.values == ()
    got = s.scope(grant(data_items=["企业名称"], row_filter=stored), ENTRY, "r1", TABLE, TODAY)
    assert isinstance(got, s.Scope) and got.rows == rows

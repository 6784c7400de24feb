"""The bounds every input is held to (issue 14, item 4): the plain rules, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.govshare.hardening import limits
from ckanext.govshare.hardening import search as search_rules

pytestmark = pytest.mark.unit


def bilingual(text: str | None) -> bool:
    en, _, zh = (text or "").partition(" | ")
    return bool(en.strip()) and bool(zh.strip())


@pytest.mark.parametrize("text", ["a\x00b", "\x01", "x\x1b[31m", "\x7f", "\x85", "\x0b"])
def test_control_characters_are_refused_in_text_and_references(text):
    assert bilingual(limits.text_problem(text, 100))
    assert bilingual(limits.reference_problem(text))


def test_tabs_and_new_lines_are_text_but_not_references():
    assert limits.text_problem("first line\r\nsecond\tline", 100) is None
    assert limits.text_problem("one\nline", 100, multiline=False) is not None
    assert limits.reference_problem("an\nid") is not None


def test_unpaired_surrogates_are_refused():
    assert limits.text_problem("a\udcffb", 100) == limits.NOT_UNICODE
    assert limits.reference_problem("\ud800") == limits.NOT_UNICODE
    assert limits.text_problem("中文 😀", 100) is None


@pytest.mark.parametrize("value", [["a"], {"a": 1}, 5, None, True, 1.5])
def test_text_and_references_are_strings(value):
    assert limits.text_problem(value, 100) == limits.NOT_TEXT
    assert limits.reference_problem(value) == limits.NOT_A_REFERENCE


def test_lengths():
    assert limits.text_problem("长" * 4000, 4000) is None
    assert "4000" in (limits.text_problem("长" * 4001, 4000) or "")
    assert limits.reference_problem("x" * limits.MAX_REFERENCE) is None
    assert limits.reference_problem("x" * (limits.MAX_REFERENCE + 1)) is not None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5, 5),
        ("5", 5),
        (" 7 ", 7),
        ("+3", 3),
        ("-2", -2),
        (True, None),
        (1.0, None),
        ("1e3", None),
        ("٣", None),  # an Arabic-Indic digit: int() takes it, a count should not
        ("0x10", None),
        ([1], None),
        ("9" * 2000, None),
    ],
)
def test_integer(value, expected):
    assert limits.integer(value) == expected


def test_whole_number_bounds():
    assert limits.whole_number(10**20, 0, limits.MAX_COUNT) is None
    assert limits.whole_number(limits.MAX_COUNT, 0, limits.MAX_COUNT) == limits.MAX_COUNT
    assert limits.whole_number(-1, 0, 10) is None


def test_a_period_of_use_lasts_at_most_the_configured_years():
    start = dt.date(2026, 3, 1)
    assert limits.period_problems(start, dt.date(2031, 2, 28), 5) == {}
    assert set(limits.period_problems(start, dt.date(2031, 3, 1), 5)) == {"period_end"}
    assert limits.period_problems(dt.date(1, 1, 1), dt.date(9999, 12, 31), 5) != {}
    assert limits.period_problems(start, dt.date(2027, 3, 1), 1) != {}
    # Order is the access rules' to say.
    assert limits.period_problems(start, dt.date(2020, 1, 1), 5) == {}


def test_leap_days():
    assert limits.add_years(dt.date(2028, 2, 29), 1) == dt.date(2029, 2, 28)


def test_dates_lie_in_the_calendar_years():
    assert limits.date_problem(dt.date(2026, 1, 1)) is None
    assert bilingual(limits.date_problem(dt.date(1, 1, 1)))
    assert bilingual(limits.date_problem(dt.date(9999, 12, 31)))


def test_any_input():
    problems = limits.input_problems(
        {
            "fine": ["text\n", {"n": 2**63 - 1, "x": 1.5, "b": True, "none": None}],
            "nul": {"deep": ["a\x00b"]},
            "big": 10**20,
            "nan": float("nan"),
            "inf": [float("inf")],
            "long": "x" * (limits.MAX_STRING + 1),
            "deep": [[[[[[["too deep"]]]]]]],
            "bad\x00key": 1,
        }
    )
    assert set(problems) == {"nul", "big", "nan", "inf", "long", "deep", "__key"}
    assert all(bilingual(text) for text in problems.values())


def test_what_no_database_stores_is_refused_on_any_route():
    assert limits.input_problems({"q": "a\x01b", "n": 10**30}, strict=False) == {}
    assert set(limits.input_problems({"q": "a\x00b", "t": ["\udcff"]}, strict=False)) == {
        "q",
        "t",
    }


# --------------------------------------------------------------------------- search


@pytest.mark.parametrize(
    "params",
    [
        {"q": "a" * 2048},
        {"q": "title:" + "长" * 700},  # 2,100 bytes in one term
        {"q": "x " * 6000},
        {"fq": "name:\x00"},
        {"facet.field": '["share_type\\u0000"]'},
        {"facet.field": ["a\x00"]},
        {"facet.field": "not json"},
        {"facet.field": [1, 2]},
        {"sort": "\x00"},
        {"fl": "id,\x00"},
        {"fl": [{"a": 1}]},
        {"fq_list": ["a" * 3000]},
        {"fq_list": [["nested"]]},
        {"rows": 10**20},
        {"rows": "-1"},
        {"start": 10**20},
        {"start": search_rules.MAX_START + 1},
        {"facet.limit": "many"},
        {"facet.mincount": 1.5},
        {"include_private": "\x1f"},
        {"include_private": "maybe"},
        {"q": ["a list"]},
        {"q": {"a": "dict"}},
        {"defType": "\udcff"},
    ],
)
def test_searches_no_backend_should_see(params):
    problems = search_rules.problems(params)
    assert set(problems) == set(params), problems
    assert all(bilingual(text) for text in problems.values())


@pytest.mark.parametrize(
    "params",
    [
        {"q": "数据 共享", "fq": 'share_type:"conditional"', "rows": "20", "start": 0},
        {"facet.field": '["share_type", "organization"]', "facet.limit": -1},
        {"facet.field": ["share_type"], "fl": "id,name", "sort": "title_string asc"},
        {"fl": ["id", "data_dict"], "include_private": "True", "include_drafts": False},
        {"q": "a" * 2000, "fq_list": ["+state:active", "owner_org:x"], "facet.mincount": "1"},
        {"q": 123},
        {"q": None, "sort": None, "fq": "", "rows": "", "facet.field": None},
        {"ext_bbox": "1,2,3,4", "extras": {"ext_a": "b"}},
    ],
)
def test_searches_as_clients_and_ckan_send_them(params):
    assert search_rules.problems(params) == {}


@pytest.mark.parametrize(
    ("sort", "refused"),
    [
        ("title_string asc", False),
        ("title_string asc, metadata_modified desc", False),
        ("score desc,metadata_modified desc", False),
        ("title_string asc,", True),
        ("a, , b", True),
        (" ", True),
        (",", True),
    ],
)
def test_a_sort_clause_names_a_field(sort, refused):
    assert (search_rules.sort_problem(sort) is not None) is refused
    assert ("sort" in search_rules.problems({"sort": sort})) is refused


def test_numbers_and_yes_no_sent_empty_are_left_out_as_absent():
    sent = {"q": "", "rows": "", "start": "", "facet.mincount": "", "facet.limit": "", "fq": ""}
    sent.update({"include_private": "", "include_drafts": "", "use_default_schema": ""})
    assert search_rules.as_sent(sent) == {"q": "", "fq": ""}
    kept = {"start": 0, "rows": "5", "include_private": False, "include_deleted": "false"}
    assert search_rules.as_sent(kept) == kept


@pytest.mark.parametrize(
    ("data", "bad"),
    [
        ({"offset": "100000000000000000000"}, {"offset"}),
        ({"limit": ["5", "-100000000000000000000"]}, {"limit"}),
        ({"rows": 2**63}, {"rows"}),
        ({"start": str(2**63 - 1), "page": "-9223372036854775808"}, set()),
        ({"q": "100000000000000000000", "offset": "abc"}, set()),
    ],
)
def test_paging_numbers_past_64_bits_are_refused(data, bad):
    """CKAN's own list actions hand paging numbers to PostgreSQL as they come."""
    assert set(limits.paging_problems(data)) == bad

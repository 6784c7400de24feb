"""The interface's rules without a database (``interface/rules.py``): input parsing and its
bounds, the columns outside a grant, the grants it serves, the seconds to midnight, the
digest's lines."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest

from ckanext.govshare.interface import rules

pytestmark = pytest.mark.unit

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_columns_read_a_list_or_a_comma_separated_text_once_each() -> None:
    assert rules.columns("a, 企业名称,a") == ["a", "企业名称"]
    assert rules.columns(["b", "a"]) == ["b", "a"]
    for bad in ("", ",", 5, ["a", 3], ["x" * 64], [f"c{i}" for i in range(201)], {"a": 1}):
        with pytest.raises(ValueError) as error:
            rules.columns(bad)
        assert " | " in str(error.value)
    assert rules.columns(["名" * 21]) == ["名" * 21]  # 63 bytes
    with pytest.raises(ValueError):
        rules.columns(["名" * 22])  # 66 bytes: no PostgreSQL column


def test_filters_take_values_or_lists_bounded() -> None:
    assert rules.filters('{"a": 1, "b": ["x", true]}') == {"a": [1], "b": ["x", True]}
    assert rules.filters({"a": "x"}) == {"a": ["x"]}
    bad = [
        "{not json",
        "[1]",
        {"a": []},
        {"a": {"b": 1}},
        {"a": [[1]]},
        {"a": None},
        {"a": "x" * 1001},
        {"a": float("nan")},
        {"a": list(range(101))},
        {f"c{i}": 1 for i in range(21)},
        "9" * 70000,
    ]
    for value in bad:
        with pytest.raises(ValueError):
            rules.filters(value)


def test_sort_reads_directions() -> None:
    assert rules.sort("a desc, b,c ASC") == [("a", True), ("b", False), ("c", False)]
    assert rules.sort("企业 名称") == [("企业 名称", False)]  # a space inside a name
    for bad in ("", ",", ["a"], ",".join("abcdefghijk")):
        with pytest.raises(ValueError):
            rules.sort(bad)


def test_verification_values_are_one_value_a_column() -> None:
    assert rules.values(json.dumps({"a": "x"}), limit=1) == {"a": "x"}
    assert rules.values({"a": None}, limit=1, null=True) == {"a": None}
    for bad in ({}, {"a": None}, {"a": [1]}, {"a": 1, "b": 2}, "x"):
        with pytest.raises(ValueError):
            rules.values(bad, limit=1)


def test_outside_names_the_first_column_not_granted() -> None:
    assert rules.outside(["a", "x", "y"], ["a", "b"]) == "x"
    assert rules.outside(["a"], ["a", "b"]) is None
    en, zh = rules.column_not_granted("x" * 500)
    assert len(en) < 250 and "x" * 100 in en and "x" * 100 in zh


def test_the_interface_serves_api_and_online_query_grants() -> None:
    assert rules.serves({"share_method": "api"})
    assert rules.serves({"share_method": "online_query"})
    assert not rules.serves({"share_method": "file_download"})
    assert not rules.serves({"share_method": None})
    # A return or self-service grant has no method of its own: every one the entry offers
    # (access.rules.grant_methods; 2025 Regulations art. 24).
    offered = ["file_download", "api"]
    assert rules.serves({"share_method": None, "source": "return"}, offered)
    assert rules.serves({"share_method": None, "source": "self_service"}, offered)
    assert not rules.serves({"share_method": None, "source": "return"}, ["file_download"])
    assert not rules.serves({"share_method": None, "source": "approval"}, offered)
    assert not rules.serves({"share_method": "file_download", "source": "return"}, offered)
    assert rules.verifies({"purpose": "data_verification"})
    assert not rules.verifies({"purpose": "work_reference"})


@pytest.mark.parametrize(
    ("utc", "seconds"),
    [
        (dt.datetime(2026, 12, 5, 15, 0, tzinfo=dt.timezone.utc), 3600),  # 23:00 in Shanghai
        (dt.datetime(2026, 12, 5, 16, 0, tzinfo=dt.timezone.utc), 86400),  # midnight itself
        (dt.datetime(2026, 12, 5, 15, 59, 59, 500000, tzinfo=dt.timezone.utc), 1),
    ],
)
def test_seconds_to_the_next_local_midnight(utc: dt.datetime, seconds: int) -> None:
    assert rules.seconds_to_midnight(utc, SHANGHAI) == seconds


def test_seconds_to_midnight_across_a_clock_change() -> None:
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    # 2026-03-29: clocks go forward at 02:00; from 00:00 local the day has 23 hours
    start = dt.datetime(2026, 3, 29, 0, 0, tzinfo=berlin).astimezone(dt.timezone.utc)
    assert rules.seconds_to_midnight(start, berlin) == 23 * 3600


def test_minute_keys_and_digest_lines() -> None:
    moment = dt.datetime(2026, 12, 5, 21, 9, 30, tzinfo=SHANGHAI)
    assert rules.minute_key(moment) == "2026-12-05T13:09Z"
    assert rules.minute_start("2026-12-05T13:09Z") == dt.datetime(
        2026, 12, 5, 13, 9, tzinfo=dt.timezone.utc
    )
    with pytest.raises(ValueError):
        rules.minute_start("13:09")
    row = {"id": 1, "time": moment, "fields": ["a"], "outcome": "answered"}
    line = rules.row_line(row)
    assert line.endswith(b"\n")
    values = json.loads(line)
    assert len(values) == len(rules.DIGESTED)
    assert values[0] == 1 and values[1] == "2026-12-05T13:09:30+00:00"
    assert rules.row_line({**row, "rows": 2}) != line

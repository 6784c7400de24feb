"""What a DCAT re-harvest reads (harvest/incremental.py): plain rules."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.govshare.harvest import incremental

pytestmark = pytest.mark.unit

MONDAY = dt.datetime(2026, 11, 30, 0, 0)


@pytest.mark.parametrize(
    ("previous", "now", "config", "expected"),
    [
        (None, MONDAY, {}, True),  # no complete job yet
        (MONDAY, MONDAY + dt.timedelta(days=1), {}, False),  # same week
        (MONDAY - dt.timedelta(minutes=1), MONDAY, {}, True),  # first job of a new week
        (MONDAY, MONDAY + dt.timedelta(days=1), {"force_all": True}, True),
        (MONDAY, MONDAY + dt.timedelta(hours=1), {"full_walk_days": 0}, True),  # always
        (MONDAY, MONDAY + dt.timedelta(days=1), {"full_walk_days": "x"}, False),  # default
        (
            MONDAY + dt.timedelta(hours=23),
            MONDAY + dt.timedelta(days=1),
            {"full_walk_days": 1},
            True,
        ),
    ],
)
def test_full_walk_due(
    previous: dt.datetime | None, now: dt.datetime, config: dict, expected: bool
) -> None:
    assert incremental.full_walk_due(previous, now, config) is expected


def test_since_goes_back_by_the_margin_in_naive_utc() -> None:
    started = dt.datetime(2026, 12, 6, 2, 30, 15, 123456)
    assert incremental.since(started, {}) == "2026-12-06T01:30:15"
    assert incremental.since(started, {"modified_since_margin_minutes": 0}) == "2026-12-06T02:30:15"
    assert (
        incremental.since(started, {"modified_since_margin_minutes": -5}) == "2026-12-06T01:30:15"
    )


def test_with_param_keeps_the_query_and_replaces_the_key() -> None:
    url = "http://low.example/catalog.ttl?q=a+b&modified_since=old"
    assert (
        incremental.with_param(url, "modified_since", "2026-12-06T01:30:15")
        == "http://low.example/catalog.ttl?q=a+b&modified_since=2026-12-06T01%3A30%3A15"
    )
    assert incremental.with_param("http://l/c.ttl", "page", "2") == "http://l/c.ttl?page=2"


@pytest.mark.parametrize(
    ("total", "known", "expected"),
    [
        (3, ["a", "b", "c"], True),
        (3, ["a", "b", "c", "c"], True),  # a guid gathered now and imported before counts once
        (2, ["a", "b", "c"], False),  # one of them left the source
        (4, ["a", "b", "c"], False),  # one the upper platform never imported
        (None, ["a"], False),  # no count: nothing proven
    ],
)
def test_none_deleted(total: int | None, known: list[str], expected: bool) -> None:
    assert incremental.none_deleted(total, known) is expected

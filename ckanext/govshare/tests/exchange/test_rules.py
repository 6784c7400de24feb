"""Rules of batch exchange subscriptions (``exchange/rules.py``; 2025 Regulations art. 22):
schedules, modes, table names, stop reasons — unit-tested without a database."""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ckanext.govshare.exchange import rules

UTC = dt.timezone.utc
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
ZONES = st.sampled_from([SHANGHAI, NEW_YORK, zoneinfo.ZoneInfo("Europe/London"), UTC])
MOMENTS = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2090, 12, 31), timezones=st.just(UTC)
)
TIMES = st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]:02d}:{t[1]:02d}")


# ---------------------------------------------------------------------------- schedules


@given(at=TIMES)
def test_daily_parses_in_one_shape(at: str) -> None:
    schedule = {"kind": "daily", "at": at, "extra": 1}
    assert rules.parse_schedule(schedule) == ({"kind": "daily", "at": at}, None)
    assert rules.parse_schedule(json.dumps(schedule)) == ({"kind": "daily", "at": at}, None)


@given(every=st.integers(1, 168), as_text=st.booleans())
def test_hourly_parses(every: int, as_text: bool) -> None:
    value = str(every) if as_text else every
    assert rules.parse_schedule({"kind": "hourly", "every": value}) == (
        {"kind": "hourly", "every": every},
        None,
    )


@pytest.mark.parametrize(
    "value, problem",
    [
        ({"kind": "hourly", "every": 0}, rules.NOT_HOURS),
        ({"kind": "hourly", "every": 169}, rules.NOT_HOURS),
        ({"kind": "hourly", "every": True}, rules.NOT_HOURS),
        ({"kind": "hourly", "every": 2.5}, rules.NOT_HOURS),
        ({"kind": "hourly", "every": "٣"}, rules.NOT_HOURS),  # an Arabic-Indic digit
        ({"kind": "hourly"}, rules.NOT_HOURS),
        ({"kind": "daily", "at": "24:00"}, rules.NOT_A_TIME),
        ({"kind": "daily", "at": "2:30"}, rules.NOT_A_TIME),
        ({"kind": "daily", "at": "02:60"}, rules.NOT_A_TIME),
        ({"kind": "daily", "at": "02:30\n"}, rules.NOT_A_TIME),
        ({"kind": "daily"}, rules.NOT_A_TIME),
        ({"kind": "weekly", "at": "02:30"}, rules.NOT_A_SCHEDULE),
        ("not json", rules.NOT_A_SCHEDULE),
        ("x" * 500, rules.NOT_A_SCHEDULE),
        ([1, 2], rules.NOT_A_SCHEDULE),
        (None, rules.NOT_A_SCHEDULE),
    ],
)
def test_bad_schedules_say_why_in_both_languages(value: object, problem: str) -> None:
    assert rules.parse_schedule(value) == (None, problem)
    assert " | " in problem


@given(value=st.one_of(st.text(max_size=300), st.dictionaries(st.text(max_size=10), st.text())))
def test_parser_never_raises(value: object) -> None:
    schedule, problem = rules.parse_schedule(value)
    assert (schedule is None) != (problem is None)


@given(after=MOMENTS, at=TIMES, zone=ZONES)
def test_daily_next_run_is_the_next_local_time(
    after: dt.datetime, at: str, zone: dt.tzinfo
) -> None:
    nxt = rules.next_run({"kind": "daily", "at": at}, after, zone)
    assert nxt.tzinfo is not None and nxt.utcoffset() == dt.timedelta(0)
    assert after < nxt <= after + dt.timedelta(hours=26)
    local = nxt.astimezone(zone)
    # On the stated local time, unless a DST change skipped it (then an hour off at most).
    wanted = dt.datetime.combine(local.date(), dt.time(*map(int, at.split(":"))))
    assert abs(local.replace(tzinfo=None) - wanted) <= dt.timedelta(hours=1)


def test_daily_next_run_in_shanghai() -> None:
    schedule = {"kind": "daily", "at": "02:30"}
    # 20:00 UTC is 04:00 next day in Shanghai: 02:30 has passed, the next is the day after.
    after = dt.datetime(2026, 1, 1, 20, 0, tzinfo=UTC)
    assert rules.next_run(schedule, after, SHANGHAI) == dt.datetime(2026, 1, 2, 18, 30, tzinfo=UTC)
    # Exactly at the time: the next day's (strictly after).
    at = dt.datetime(2026, 1, 2, 18, 30, tzinfo=UTC)
    assert rules.next_run(schedule, at, SHANGHAI) == dt.datetime(2026, 1, 3, 18, 30, tzinfo=UTC)


def test_daily_next_run_across_dst_keeps_the_local_time() -> None:
    schedule = {"kind": "daily", "at": "09:00"}
    # New York springs forward on 2026-03-08: 09:00 is 14:00 UTC before, 13:00 UTC after.
    before = dt.datetime(2026, 3, 7, 14, 0, tzinfo=UTC)
    assert rules.next_run(schedule, before, NEW_YORK) == dt.datetime(2026, 3, 8, 13, 0, tzinfo=UTC)
    # 02:30 does not exist on 2026-03-08 in New York: the run is still that day, once.
    gap = rules.next_run(
        {"kind": "daily", "at": "02:30"}, dt.datetime(2026, 3, 8, 5, 0, tzinfo=UTC), NEW_YORK
    )
    assert gap.astimezone(NEW_YORK).date() == dt.date(2026, 3, 8)


@given(after=MOMENTS, every=st.integers(1, 168))
def test_hourly_next_run_is_every_hours_after(after: dt.datetime, every: int) -> None:
    nxt = rules.next_run({"kind": "hourly", "every": every}, after, SHANGHAI)
    assert nxt - after == dt.timedelta(hours=every)


def test_first_run_hourly_at_once_daily_at_its_time() -> None:
    now = dt.datetime(2026, 1, 1, 20, 0, tzinfo=UTC)
    assert rules.first_run({"kind": "hourly", "every": 6}, now, SHANGHAI) == now
    assert rules.first_run({"kind": "daily", "at": "05:00"}, now, SHANGHAI) == dt.datetime(
        2026, 1, 1, 21, 0, tzinfo=UTC
    )


def test_next_run_wants_an_aware_moment() -> None:
    with pytest.raises(ValueError):
        rules.next_run({"kind": "hourly", "every": 1}, dt.datetime(2026, 1, 1), SHANGHAI)


def test_describe_schedule() -> None:
    assert rules.describe_schedule({"kind": "daily", "at": "02:30"}) == (
        "Daily at 02:30",
        "每天 02:30",
    )
    assert rules.describe_schedule({"kind": "hourly", "every": 1}) == ("Every hour", "每1小时")
    assert rules.describe_schedule({"kind": "hourly", "every": 6})[0] == "Every 6 hours"


# ---------------------------------------------------------------------------- table names

IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@given(name=st.from_regex(IDENTIFIER, fullmatch=True))
def test_identifiers_are_accepted_unless_reserved(name: str) -> None:
    problem = rules.table_problem(name)
    reserved = name.startswith("pg_") or rules.PLATFORM_MARK in name
    assert (problem is None) != reserved


@given(name=st.text(max_size=80))
def test_every_accepted_name_is_a_safe_identifier_and_file_name(name: str) -> None:
    if rules.table_problem(name) is None:
        assert IDENTIFIER.fullmatch(name)
        assert len(name.encode()) <= 63
        assert "/" not in name and "." not in name
        assert not name.endswith(rules.STAGING_SUFFIX)


@pytest.mark.parametrize(
    "name, problem",
    [
        ("", rules.TABLE_EMPTY),
        (None, rules.TABLE_EMPTY),
        (42, rules.TABLE_EMPTY),
        ("a" * 64, rules.TABLE_TOO_LONG),
        ("Population", rules.TABLE_CHARACTERS),
        ("1st", rules.TABLE_CHARACTERS),
        ("人口", rules.TABLE_CHARACTERS),
        ("a-b", rules.TABLE_CHARACTERS),
        ("../etc", rules.TABLE_CHARACTERS),
        ("a b", rules.TABLE_CHARACTERS),
        ("pg_stat", rules.TABLE_PG),
        ("people__gs_staging", rules.TABLE_PLATFORM),
        ("people__gs_old", rules.TABLE_PLATFORM),
    ],
)
def test_bad_table_names(name: object, problem: str) -> None:
    assert rules.table_problem(name) == problem


@given(name=st.from_regex(IDENTIFIER, fullmatch=True))
def test_staging_name_fits_and_is_reserved(name: str) -> None:
    staging = rules.staging_name(name)
    assert len(staging) <= 63 and staging.endswith(rules.STAGING_SUFFIX)
    assert rules.table_problem(staging) is not None


# ---------------------------------------------------------------------------- modes, reasons


def test_modes() -> None:
    assert rules.mode_problem("full") is None
    assert rules.mode_problem("incremental") is None
    assert rules.mode_problem("delta") == rules.NOT_A_MODE


def test_stop_reasons() -> None:
    assert rules.reason_for_grant("revoked") == "grant_revoked"
    assert rules.reason_for_grant("expired") == "grant_expired"
    assert rules.reason_for_grant("suspended") == "grant_not_live"
    for code in ("grant_revoked", "grant_expired", "grant_not_live", "out_of_scope"):
        en, zh = rules.stop_reason_label(code)
        assert en and zh and en != zh
    assert rules.stop_reason_label("odd") == ("odd", "odd")
    assert rules.stop_reason_label(None) == ("", "")


@pytest.mark.parametrize(
    "grant, methods, allowed",
    [
        ({"share_method": "exchange_node"}, [], True),
        ({"share_method": "database"}, ["api"], True),
        ({"share_method": "api"}, ["exchange_node"], False),
        ({"source": "self_service"}, ["bulk_download", "api"], True),
        ({"source": "return"}, ["api"], False),
        ({"source": "approval"}, ["exchange_node"], False),
        ({"source": "self_service"}, "exchange_node", False),  # not a list: nothing offered
    ],
)
def test_exchange_allowed(grant: dict, methods: object, allowed: bool) -> None:
    assert rules.exchange_allowed(grant, methods) is allowed

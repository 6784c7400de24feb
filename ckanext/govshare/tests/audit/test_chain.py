"""The hashing rules, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.govshare.audit import chain

pytestmark = pytest.mark.unit


def make_chain(n: int) -> list[dict]:
    events, prev = [], chain.GENESIS
    for seq in range(1, n + 1):
        event = {
            "seq": seq,
            "time": dt.datetime(2026, 11, 25, 3, 0, seq, 123456, tzinfo=dt.timezone.utc),
            "actor_id": "u1",
            "actor_name": "张三",
            "action": "package_update",
            "outcome": "success",
            "detail": {"before": {"share_type": "conditional"}, "n": seq},
            "prev_hash": prev,
        }
        event["hash"] = prev = chain.link_hash(event, prev)
        events.append(event)
    return events


def test_canonical_form_is_sorted_compact_utc_json():
    event = make_chain(1)[0]
    text = chain.canonical(event, chain.GENESIS).decode()
    assert text.startswith('{"action":"package_update","actor_department":null')
    assert '"time":"2026-11-25T03:00:01.123456Z"' in text
    assert '"actor_name":"张三"' in text
    assert f'"prev_hash":"{chain.GENESIS}"' in text


def test_a_naive_or_zoned_time_hashes_as_the_same_utc_instant():
    china = dt.timezone(dt.timedelta(hours=8))
    aware = dt.datetime(2026, 11, 25, 11, 0, tzinfo=china)
    naive_utc = dt.datetime(2026, 11, 25, 3, 0)
    assert chain.format_time(aware) == chain.format_time(naive_utc) == "2026-11-25T03:00:00.000000Z"


def test_an_intact_chain_verifies():
    result = chain.verify(make_chain(5))
    assert result.ok and result.count == 5 and result.head == make_chain(5)[-1]["hash"]


def test_changed_content_breaks_its_own_link():
    events = make_chain(5)
    events[2]["detail"] = {"before": {"share_type": "unconditional"}, "n": 3}
    result = chain.verify(events)
    assert (result.ok, result.broken_seq, result.count) == (False, 3, 2)
    assert "content" in result.reason


def test_a_removed_event_breaks_the_next_link():
    events = make_chain(5)
    del events[1]
    result = chain.verify(events)
    assert result.broken_seq == 3


def test_a_rehashed_event_breaks_the_next_link():
    events = make_chain(5)
    events[1]["actor_name"] = "李四"
    events[1]["hash"] = chain.link_hash(events[1], events[1]["prev_hash"])
    assert chain.verify(events).broken_seq == 3


def test_verification_continues_from_an_archived_head():
    events = make_chain(6)
    result = chain.verify(events[3:], start_hash=events[2]["hash"], start_seq=4)
    assert result.ok and result.count == 3
    assert chain.verify(events[3:]).broken_seq == 4
    assert chain.verify(events[4:], start_hash=events[2]["hash"], start_seq=4).broken_seq == 5

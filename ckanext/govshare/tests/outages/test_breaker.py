"""The breaker and the backoff: plain rules (issue 14, item 9)."""

from __future__ import annotations

import pytest

from ckanext.govshare.outages.breaker import Breaker, backoff

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_failure_pauses_calls_then_lets_one_through():
    clock = Clock()
    breaker = Breaker(5, clock)
    assert breaker.allow()
    assert breaker.failure() is True  # the outage starts: log it
    assert not breaker.allow()
    clock.now += 4.9
    assert not breaker.allow()
    clock.now += 0.2
    assert breaker.allow()


def test_an_outage_is_announced_once_and_its_end_once():
    clock = Clock()
    breaker = Breaker(5, clock)
    assert breaker.failure() is True
    clock.now += 6
    assert breaker.failure() is False  # still the same outage
    assert breaker.in_outage
    clock.now += 6
    assert breaker.success() is True  # the outage ends: catch up
    assert not breaker.in_outage
    assert breaker.success() is False
    assert breaker.allow()


def test_backoff_doubles_up_to_its_cap():
    assert [backoff(n) for n in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff(10_000) == 30
    assert backoff(0, first=0.5, cap=3) == 0.5

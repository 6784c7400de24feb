"""Searches are answered from the index when Redis is refused or frozen, and the cache catches
up when Redis is back (issue 14, item 9). Redis is pointed at a closed port, or at a socket
that accepts connections and never answers (a frozen Redis); no server is stopped."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from ckan.common import config
from ckan.tests.helpers import call_action

from ckanext.govshare.outages.breaker import Breaker
from ckanext.govshare.search import connection, result_cache
from ckanext.govshare.tests import factories as gs_factories


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """A breaker of the test's own (the process's is left as it was), on a clock it moves."""
    clock = Clock()
    monkeypatch.setattr(result_cache, "_breaker", Breaker(result_cache.PAUSE, clock))
    return clock


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once it is closed


@pytest.fixture
def frozen_redis() -> Iterator[int]:
    """A port that accepts connections and never answers, as a SIGSTOPped Redis does."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        yield s.getsockname()[1]


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Queries that reached the index (not the cache)."""
    calls: list[str] = []
    original = connection.PostgresSearchConnection._search

    def spy(self: Any, q: str, **params: Any) -> Any:
        calls.append(q)
        return original(self, q, **params)

    monkeypatch.setattr(connection.PostgresSearchConnection, "_search", spy)
    return calls


@pytest.fixture
def redis_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One item per time the cache opened a Redis client."""
    calls: list[int] = []
    original = result_cache._client

    def counted() -> Any:
        calls.append(1)
        return original()

    monkeypatch.setattr(result_cache, "_client", counted)
    return calls


@pytest.fixture
def entries(clean_db: Any) -> list[dict[str, Any]]:
    org = gs_factories.Department()
    return [
        gs_factories.CatalogueEntry(title="人口基础信息", owner_org=org["id"]),
        gs_factories.CatalogueEntry(title="户籍人口统计", owner_org=org["id"]),
        gs_factories.CatalogueEntry(title="Hospital beds", owner_org=org["id"]),
    ]


def redis_at(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    monkeypatch.setitem(config, "ckan.redis.url", f"redis://127.0.0.1:{port}/0")


def test_searches_are_answered_from_the_index_while_redis_is_refused(
    entries: Any, clock: Clock, closed_port: int, monkeypatch: pytest.MonkeyPatch, searches: Any
):
    redis_at(monkeypatch, closed_port)
    first = call_action("package_search", q="人口", **{"facet.field": ["organization"]})
    again = call_action("package_search", q="人口", **{"facet.field": ["organization"]})
    assert first["count"] == again["count"] == 2
    assert searches == ["人口", "人口"]  # both from the index
    assert result_cache._breaker.in_outage


def test_a_frozen_redis_costs_one_attempt_then_none_until_the_pause_ends(
    entries: Any,
    clock: Clock,
    frozen_redis: int,
    monkeypatch: pytest.MonkeyPatch,
    redis_calls: list[int],
):
    redis_at(monkeypatch, frozen_redis)
    assert call_action("package_search", q="人口")["count"] == 2  # timed out, then the index
    assert len(redis_calls) == 1
    for _ in range(5):
        assert call_action("package_search", q="人口")["count"] == 2
    assert len(redis_calls) == 1  # paused: Redis left alone
    clock.now += result_cache.PAUSE + 0.1
    call_action("package_search", q="人口")
    assert len(redis_calls) == 2  # one new attempt after the pause


def test_changes_made_while_redis_was_away_move_the_generation_on_when_it_is_back(
    entries: Any, clock: Clock, closed_port: int, monkeypatch: pytest.MonkeyPatch, searches: Any
):
    call_action("package_search", q="人口")  # cached at the current generation
    generation = int(result_cache._client().get(result_cache._generation_key()) or 0)
    with monkeypatch.context() as away:
        redis_at(away, closed_port)
        result_cache.bump()  # a change could not be announced
        assert result_cache._breaker.in_outage
    clock.now += result_cache.PAUSE + 0.1
    call_action("package_search", q="人口")
    assert int(result_cache._client().get(result_cache._generation_key())) == generation + 1
    assert not result_cache._breaker.in_outage
    assert searches == ["人口", "人口"]  # the answer cached before the outage was not served


def test_an_answer_stored_first_after_an_outage_does_not_end_it(
    entries: Any, clock: Clock, closed_port: int, monkeypatch: pytest.MonkeyPatch
):
    """A search whose key was taken before the outage stores its answer after it (another
    thread's, in a served site): the generation must still move on for the changes missed."""
    taken = result_cache.key({"q": "人口"})
    assert taken is not None
    generation = int(taken[0])
    with monkeypatch.context() as away:
        redis_at(away, closed_port)
        result_cache.bump()  # a change could not be announced
    clock.now += result_cache.PAUSE + 0.1
    result_cache.put(taken, {"docs": [], "hits": 0, "facets": {}})
    assert result_cache._breaker.in_outage
    again = result_cache.key({"q": "人口"})
    assert again is not None and int(again[0]) == generation + 1
    assert not result_cache._breaker.in_outage
    assert result_cache.get(again) is None  # the answer stored under the old generation


def test_the_cache_works_again_once_redis_is_back(
    entries: Any, clock: Clock, closed_port: int, monkeypatch: pytest.MonkeyPatch, searches: Any
):
    with monkeypatch.context() as away:
        redis_at(away, closed_port)
        call_action("package_search", q="户籍")
    clock.now += result_cache.PAUSE + 0.1
    call_action("package_search", q="户籍")
    call_action("package_search", q="户籍")
    assert searches == ["户籍", "户籍"]  # the third came from the cache

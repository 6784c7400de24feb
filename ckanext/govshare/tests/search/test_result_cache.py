"""Search answers are cached until the index changes, never across a change."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests.helpers import call_action

from ckanext.govshare.search import connection
from ckanext.govshare.tests import factories as gs_factories


@pytest.fixture
def counted_searches(monkeypatch: Any) -> list[str]:
    calls: list[str] = []
    original = connection.PostgresSearchConnection._search

    def spy(self: Any, q: str, **params: Any) -> Any:
        calls.append(q)
        return original(self, q, **params)

    monkeypatch.setattr(connection.PostgresSearchConnection, "_search", spy)
    return calls


def test_repeated_search_is_answered_from_the_cache(
    catalogue: dict[str, Any], counted_searches: list[str]
):
    first = call_action("package_search", q="人口", **{"facet.field": ["organization"]})
    again = call_action("package_search", q="人口", **{"facet.field": ["organization"]})
    assert counted_searches == ["人口"]
    assert again["count"] == first["count"] == 2
    assert again["facets"] == first["facets"]


def test_a_change_moves_the_index_to_a_new_generation(
    catalogue: dict[str, Any], counted_searches: list[str], sysadmin: dict[str, Any]
):
    assert call_action("package_search", q="人口")["count"] == 2
    gs_factories.CatalogueEntry(title="人口迁移", owner_org=catalogue["police"]["id"])
    assert call_action("package_search", q="人口")["count"] == 3
    call_action("package_delete", {"user": sysadmin["name"]}, id="hospitals")
    assert call_action("package_search", q="人口")["count"] == 3
    assert "hospitals" not in {d["name"] for d in call_action("package_search")["results"]}
    # After each change the answer is computed again, not served from the cache.
    assert counted_searches.count("人口") == 3


def test_uncommitted_index_writes_are_seen_by_their_own_transaction(clean_db: Any):
    conn = connection.PostgresSearchConnection()
    assert conn.search(q="*:*").hits == 0
    conn.add([{"index_id": "u1", "id": "u1", "site_id": "govshare", "name": "u1"}])
    assert conn.search(q="*:*").hits == 1


@pytest.mark.ckan_config("ckanext.govshare.search.cache_ttl", 0)
def test_ttl_zero_turns_the_cache_off(catalogue: dict[str, Any], counted_searches: list[str]):
    call_action("package_search", q="人口")
    call_action("package_search", q="人口")
    assert counted_searches == ["人口", "人口"]

"""Facet counts kept with the index (``facet_counts``) equal the scan's, through every change.

The counts of the catalogue page with no query are read from ``govshare_search_facet_count``,
kept by triggers in the transaction that writes the index. These tests change entries the way
users do (create, edit facet values, move, make private or public, withhold from the public,
delete, purge) and after each change compare, for readers of every kind, CKAN's answers read
from the kept counts with the same answers counted by a scan of the rows, and the whole table
with the index's own counts.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.govshare.search import facet_counts
from ckanext.govshare.search.connection import PostgresSearchConnection
from ckanext.govshare.tests import factories as gs_factories

pytestmark = pytest.mark.ckan_config("ckanext.govshare.search.cache_ttl", 0)

FACETS = ["organization", "tags", "res_format", "license_id", "share_type", "groups"]
KEY = "site_id, state, capacity, dataset_type, entity_type, labels"


def build() -> dict[str, Any]:
    member = factories.User(name="health-officer")
    outsider = factories.User(name="police-officer")
    health = gs_factories.Department(
        name="health", users=[{"name": member["name"], "capacity": "editor"}]
    )
    police = gs_factories.Department(
        name="police", users=[{"name": outsider["name"], "capacity": "member"}]
    )
    group = factories.Group(name="population-theme")
    for i, (org, tags, fmt) in enumerate(
        [
            (health, ["人口", "health"], "CSV"),
            (health, ["health"], "JSON"),
            (police, ["人口", "户籍"], "CSV"),
            (police, ["户籍"], "XLSX"),
        ]
    ):
        gs_factories.CatalogueEntry(
            name=f"entry-{i}",
            owner_org=org["id"],
            tags=[{"name": t} for t in tags],
            groups=[{"name": group["name"]}] if i % 2 else [],
            license_id="cc-by" if i % 2 else "odc-by",
            resources=[{"url": f"http://example.com/{i}", "format": fmt}],
        )
    gs_factories.CatalogueEntry(
        name="private-entry", owner_org=health["id"], private=True, tags=[{"name": "health"}]
    )
    gs_factories.CatalogueEntry(name="draft-entry", owner_org=police["id"], state="draft")
    return {
        "member": member["name"],
        "outsider": outsider["name"],
        "sysadmin": factories.Sysadmin()["name"],
        "health": health["id"],
        "police": police["id"],
    }


@pytest.fixture
def world(module_world: Any) -> dict[str, Any]:
    return module_world(build)


@pytest.fixture
def read_kept(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts each read of the kept counts (so a test knows they answered)."""
    reads: list[int] = []
    original = facet_counts.counts

    def spy(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(facet_counts, "counts", spy)
    return reads


def _search(user: str | None, scan: bool, **params: Any) -> dict[str, Any]:
    """``package_search`` as ``user``; ``scan``: with the kept counts turned off."""
    original = PostgresSearchConnection._kept_scope
    if scan:
        PostgresSearchConnection._kept_scope = lambda *a, **k: None  # type: ignore[method-assign]
    try:
        result = call_action("package_search", {"user": user or "", "ignore_auth": False}, **params)
    finally:
        PostgresSearchConnection._kept_scope = original  # type: ignore[method-assign]
    return {"count": result["count"], "facets": result["search_facets"]}


PAGES: list[dict[str, Any]] = [
    {"facet.field": FACETS},
    {"facet.field": FACETS, "fq": "+dataset_type:dataset"},
    {"facet.field": FACETS, "include_private": True},
    {"facet.field": FACETS, "include_private": True, "include_drafts": True},
    {"facet.field": FACETS, "facet.limit": 1},
    {"facet.field": FACETS, "facet.mincount": 2},
    {"facet.field": FACETS, "facet.limit": -1},
    {"rows": 0},
]


def assert_kept_equals_scan(world: dict[str, Any], read_kept: list[int]) -> None:
    """Every reader's catalogue page, and the whole table, as a scan counts them."""
    for user in (None, world["member"], world["outsider"], world["sysadmin"]):
        for params in PAGES:
            before = len(read_kept)
            kept = _search(user, scan=False, **params)
            assert len(read_kept) == before + 1, "the kept counts did not answer"
            assert kept == _search(user, scan=True, **params), (user, params)
    assert_table_equals_index()


def assert_table_equals_index() -> None:
    kept = model.Session.execute(
        sa.text(
            f"SELECT {KEY}, code, sum(n) FROM {facet_counts.TABLE} "
            f"GROUP BY {KEY}, code HAVING sum(n) <> 0"
        )
    ).fetchall()
    scanned = model.Session.execute(
        sa.text(
            "SELECT site_id, state, capacity, dataset_type, entity_type, permission_labels, "
            "c.code, count(*) FROM govshare_search_index, "
            "unnest(facet_ids || CAST(0 AS bigint)) AS c(code) "
            "GROUP BY site_id, state, capacity, dataset_type, entity_type, permission_labels, "
            "c.code"
        )
    ).fetchall()

    def norm(rows: list[Any]) -> list[tuple[Any, ...]]:
        return sorted(tuple(tuple(v) if isinstance(v, list) else v for v in r) for r in rows)

    assert norm(kept) == norm(scanned)
    assert scanned, "the index holds rows"


def test_the_catalogue_page_reads_the_kept_counts(world: dict[str, Any], read_kept: list[int]):
    anonymous = _search(None, scan=False, **{"facet.field": FACETS})
    assert read_kept
    assert anonymous["count"] == 4
    by_name = {i["name"]: i["count"] for i in anonymous["facets"]["tags"]["items"]}
    assert by_name == {"人口": 2, "health": 2, "户籍": 2}
    # The private entry counts for its department's members only.
    member = _search(world["member"], scan=False, include_private=True, **{"facet.field": FACETS})
    assert member["count"] == 5
    outsider = _search(
        world["outsider"], scan=False, include_private=True, **{"facet.field": FACETS}
    )
    assert outsider["count"] == 4
    assert_kept_equals_scan(world, read_kept)


def test_edits_moves_and_visibility_changes(world: dict[str, Any], read_kept: list[int]):
    ctx = {"user": world["sysadmin"]}
    # Facet values change.
    call_action("package_patch", ctx, id="entry-0", tags=[{"name": "新标签"}])
    call_action(
        "package_patch",
        ctx,
        id="entry-1",
        resources=[{"url": "http://example.com/x", "format": "XML"}],
    )
    assert_kept_equals_scan(world, read_kept)
    # Another department; private, then public again; withheld from the public.
    call_action("package_patch", ctx, id="entry-2", owner_org=world["health"])
    call_action("package_patch", ctx, id="entry-3", private=True)
    call_action("package_patch", ctx, id="private-entry", private=False)
    call_action("package_patch", ctx, id="entry-1", open_to_public="not_open")
    assert_kept_equals_scan(world, read_kept)
    # Deleted, purged, published from draft, created.
    call_action("package_delete", ctx, id="entry-0")
    call_action("dataset_purge", ctx, id="entry-3")
    call_action("package_patch", ctx, id="draft-entry", state="active")
    gs_factories.CatalogueEntry(name="new-entry", owner_org=world["police"])
    assert_kept_equals_scan(world, read_kept)


def test_a_rolled_back_change_leaves_no_count(world: dict[str, Any], read_kept: list[int]):
    before = _search(None, scan=False, **{"facet.field": FACETS})
    model.Session.execute(sa.text("DELETE FROM govshare_search_index"))
    assert _search(None, scan=False, **{"facet.field": FACETS})["count"] == 0
    model.Session.rollback()
    assert _search(None, scan=False, **{"facet.field": FACETS}) == before
    assert_table_equals_index()


def test_merging_keeps_every_count(world: dict[str, Any], read_kept: list[int]):
    call_action("package_patch", {"user": world["sysadmin"]}, id="entry-0", private=True)
    facet_counts.compact(model.Session)
    rows = model.Session.execute(
        sa.text(f"SELECT count(*), count(DISTINCT ({KEY}, code)) FROM {facet_counts.TABLE}")
    ).one()
    assert rows[0] == rows[1], "one row per key after the merge"
    model.Session.commit()
    assert_kept_equals_scan(world, read_kept)


def test_random_visibility_filters_equal_the_scan(world: dict[str, Any], read_kept: list[int]):
    """Filters on the kept columns in random combinations, straight on the connection."""
    labels = model.Session.execute(
        sa.text("SELECT DISTINCT unnest(permission_labels) FROM govshare_search_index")
    ).scalars()
    labels = sorted(labels) + ["nobody"]
    assert len(labels) > 2  # the world's own labels are there besides "nobody"
    rng = random.Random(20)
    conn = PostgresSearchConnection()
    choices = {
        "state": ["active", "draft", "deleted"],
        "capacity": ["public", "private"],
        "dataset_type": ["dataset", "other"],
    }
    for _ in range(40):
        fq = ['+site_id:"govshare"' if rng.random() < 0.8 else "+entity_type:package"]
        for name, values in choices.items():
            if rng.random() < 0.6:
                picked = rng.sample(values, k=rng.randint(1, len(values)))
                fq.append(f"+{name}:({' OR '.join(picked)})")
        if rng.random() < 0.8:
            picked = rng.sample(labels, k=rng.randint(1, 3))
            fq.append("+permission_labels:(" + " OR ".join(f'"{x}"' for x in picked) + ")")
        params = {
            "fq": fq,
            "facet": "true",
            "facet.field": FACETS,
            "facet.limit": rng.choice([-1, 1, 2, 50]),
            "facet.mincount": rng.choice([1, 2]),
            "q.op": "AND",
            "rows": 0,
        }
        scope = conn._kept_scope("*:*", fq, params)
        assert scope is not None, fq
        kept = conn._search("*:*", **params)
        original = PostgresSearchConnection._kept_scope
        PostgresSearchConnection._kept_scope = lambda *a, **k: None  # type: ignore[method-assign]
        try:
            scanned = conn._search("*:*", **params)
        finally:
            PostgresSearchConnection._kept_scope = original  # type: ignore[method-assign]
        assert (kept.hits, kept.facets) == (scanned.hits, scanned.facets), fq


def test_a_ranked_page_counts_its_hits_in_the_same_pass(world: dict[str, Any]):
    """A search ranked by score counts its hits in the pass that ranks them, past the last
    page too (then counted apart)."""
    everything = call_action("package_search", q="health", rows=10)
    assert everything["count"] == 2 and len(everything["results"]) == 2
    first = call_action("package_search", q="health", rows=1)
    assert first["count"] == 2 and len(first["results"]) == 1
    assert first["results"][0]["name"] == everything["results"][0]["name"]
    second = call_action("package_search", q="health", rows=1, start=1)
    assert second["count"] == 2
    assert second["results"][0]["name"] == everything["results"][1]["name"]
    past = call_action("package_search", q="health", rows=1, start=5)
    assert past["count"] == 2 and past["results"] == []
    assert call_action("package_search", q="不存在的词", rows=5)["count"] == 0


def test_writers_that_cross_the_mark_merge(world: dict[str, Any], read_kept: list[int]):
    """A bulk index write changes over 11,000 counts (one statement per entry, as CKAN's
    indexing writes them): the writers whose changes cross a mark (every 4,096 rows) merge
    the table in their own transaction, so it never holds more than a mark's worth of
    changes beyond one row per key."""
    conn = PostgresSearchConnection()
    base = {
        "site_id": "govshare",
        "state": "active",
        "capacity": "public",
        "entity_type": "package",
        "dataset_type": "dataset",
        "permission_labels": ["public"],
    }
    docs = [
        {
            **base,
            "index_id": f"bulk-{i}",
            "id": f"bulk-{i}",
            "name": f"bulk-{i}",
            "organization": f"org-{i % 7}",
            "tags": [f"tag-{i}-a", f"tag-{i}-b", f"tag-{i}-c"],
            "res_format": ["CSV", f"F{i % 5}"],
            "license_id": "cc-by",
        }
        for i in range(1400)
    ]
    conn.add(docs)  # 1,400 entries x 8 counts (hits, department, 3 tags, 2 formats, licence)
    rows, keys = model.Session.execute(
        sa.text(f"SELECT count(*), count(DISTINCT ({KEY}, code)) FROM {facet_counts.TABLE}")
    ).one()
    assert rows <= keys + 4096 < 1400 * 8, "merged by the writers' triggers"
    model.Session.commit()
    assert_kept_equals_scan(world, read_kept)
    assert _search(None, scan=False, **{"facet.field": FACETS})["count"] == 4 + 1400

"""Facet counts of a search's matches by bitmaps (``facet_postings``) equal the scan's.

A text search (or one filtered on more than visibility) counts its facets by intersecting
the matches with per-value bitmaps that each process keeps and brings up to date from the log
the index's triggers write; the same pass finds the page. These tests compare CKAN's answers
(counts, facets and the page, for readers of every kind and several sorts) with the same
answers counted by a scan of the rows, through the changes users make, changes by other
connections (one committing after a later one), the searcher's own uncommitted writes, a
``TRUNCATE``, and a process that has not read the log for long.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.govshare.search import facet_postings
from ckanext.govshare.search.connection import PostgresSearchConnection
from ckanext.govshare.tests import factories as gs_factories
from ckanext.govshare.tests.search.test_facet_counts import FACETS, build

pytestmark = pytest.mark.ckan_config("ckanext.govshare.search.cache_ttl", 0)

QUERIES: list[dict[str, Any]] = [
    {"q": "health"},
    {"q": "entry"},
    {"fq": "tags:人口"},
    {"q": "entry", "fq": "res_format:CSV"},
    {"q": "entry", "include_private": True, "include_drafts": True},
    {"q": "不存在的词"},
]
PAGES: list[dict[str, Any]] = [
    {},
    {"rows": 1, "start": 1},
    {"rows": 2, "sort": "title_string asc"},
    {"rows": 3, "sort": "metadata_modified desc", "start": 1},
    {"rows": 5, "sort": "share_type asc, name desc"},
    {"rows": 0},
    {"rows": 2, "start": 10},
]


@pytest.fixture
def world(module_world: Any) -> dict[str, Any]:
    return module_world(build)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts each answer from the bitmaps (so a test knows they answered)."""
    answers: list[int] = []
    original = facet_postings.POSTINGS.counts

    def spy(*args: Any, **kwargs: Any) -> Any:
        answers.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(facet_postings.POSTINGS, "counts", spy)
    return answers


def _search(user: str | None, postings: bool, **params: Any) -> dict[str, Any]:
    """``package_search`` as ``user``; ``postings=False``: counted by the scan."""
    original = facet_postings.available
    if not postings:
        facet_postings.available = lambda session: False  # type: ignore[assignment]
    try:
        result = call_action(
            "package_search",
            {"user": user or "", "ignore_auth": False},
            **{"facet.field": FACETS, "facet.limit": -1, **params},
        )
    finally:
        facet_postings.available = original
    return {
        "count": result["count"],
        "facets": result["search_facets"],
        "page": [(r["name"], r.get("score")) for r in result["results"]],
    }


def assert_postings_equal_scan(world: dict[str, Any], counted: list[int]) -> None:
    """Every reader's answers to every query and page, and the bitmaps themselves."""
    for user in (None, world["member"], world["outsider"], world["sysadmin"]):
        for query in QUERIES:
            for page in PAGES:
                params = {**query, **page}
                before = len(counted)
                answer = _search(user, postings=True, **params)
                scanned = _search(user, postings=False, **params)
                assert answer == scanned, (user, params)
                if scanned["count"]:
                    assert len(counted) == before + 1, ("the bitmaps did not answer", params)
    assert_bitmaps_equal_index()


def assert_bitmaps_equal_index() -> None:
    kept = facet_postings.POSTINGS.current(model.meta.engine)
    scanned = facet_postings.from_index(model.Session)
    assert scanned, "the index holds facet values"
    assert kept == scanned


def test_text_searches_count_their_facets_from_the_bitmaps(
    world: dict[str, Any], counted: list[int]
):
    answer = _search(None, postings=True, q="entry")
    assert counted, "the bitmaps answered"
    assert answer["count"] == 4
    tags = {i["name"]: i["count"] for i in answer["facets"]["tags"]["items"]}
    assert tags == {"人口": 2, "health": 2, "户籍": 2}
    private = _search(world["member"], postings=True, q="entry", include_private=True)
    assert private["count"] == 5
    assert_postings_equal_scan(world, counted)


def test_changes_users_make_reach_the_bitmaps(world: dict[str, Any], counted: list[int]):
    ctx = {"user": world["sysadmin"]}
    assert_bitmaps_equal_index()  # read before the changes, then brought up to date
    call_action("package_patch", ctx, id="entry-0", tags=[{"name": "新标签"}])
    call_action(
        "package_patch", ctx, id="entry-1", resources=[{"url": "http://x.org/x", "format": "XML"}]
    )
    call_action("package_patch", ctx, id="entry-2", owner_org=world["health"])
    call_action("package_patch", ctx, id="entry-3", private=True)
    assert_postings_equal_scan(world, counted)
    call_action("package_delete", ctx, id="entry-0")
    call_action("dataset_purge", ctx, id="entry-3")
    call_action("package_patch", ctx, id="draft-entry", state="active")
    gs_factories.CatalogueEntry(
        name="new-entry", owner_org=world["police"], tags=[{"name": "新增"}]
    )
    assert_postings_equal_scan(world, counted)


def test_a_transaction_committing_after_a_later_one_is_not_missed(
    world: dict[str, Any], counted: list[int]
):
    """Another process's transaction takes its log rows' numbers first and commits last: a
    reader that only read numbers above the last one it saw would never count it."""
    assert_bitmaps_equal_index()
    model.Session.remove()
    engine = model.meta.engine
    assert engine is not None
    with engine.connect() as slow:
        tx = slow.begin()
        slow.execute(
            sa.text(
                "UPDATE govshare_search_index SET facet_ids = facet_ids[1:1] WHERE name = 'entry-0'"
            )
        )
        call_action(
            "package_patch", {"user": world["sysadmin"]}, id="entry-1", tags=[{"name": "后来"}]
        )
        assert_postings_equal_scan(world, counted)  # the later change; the slow one unseen
        tx.commit()
    assert_postings_equal_scan(world, counted)


def test_own_uncommitted_writes_are_counted_by_the_scan(world: dict[str, Any], counted: list[int]):
    before = _search(None, postings=True, q="entry")
    model.Session.execute(sa.text("DELETE FROM govshare_search_index WHERE name = 'entry-0'"))
    used = len(counted)
    during = _search(None, postings=True, q="entry")
    assert during["count"] == before["count"] - 1
    assert len(counted) == used, "the bitmaps (committed changes only) did not answer"
    model.Session.rollback()
    assert _search(None, postings=True, q="entry") == before
    assert_bitmaps_equal_index()


def test_an_emptied_index_and_a_long_silence(world: dict[str, Any], counted: list[int]):
    assert_bitmaps_equal_index()
    model.Session.remove()  # TRUNCATE waits for every transaction that read the table
    engine = model.meta.engine
    assert engine is not None
    with engine.begin() as other:
        other.execute(sa.text("TRUNCATE govshare_search_index"))
    assert facet_postings.POSTINGS.current(engine) == {}
    assert _search(None, postings=True, q="entry")["count"] == 0
    call_action("package_patch", {"user": world["sysadmin"]}, id="entry-2", notes="再索引")
    assert_postings_equal_scan(world, counted)
    # A process that has not read the log for half its retention rebuilds from the index.
    rebuilds = facet_postings.POSTINGS.rebuilds
    facet_postings.POSTINGS.read_at -= facet_postings.REBUILD_AFTER + timedelta(seconds=1)
    assert_postings_equal_scan(world, counted)
    assert facet_postings.POSTINGS.rebuilds == rebuilds + 1


def test_a_row_keeps_its_number_and_only_new_rows_draw_one(world: dict[str, Any]):
    """Re-indexing (every edit) keeps the row's ``ord`` and draws nothing from the sequence,
    so the 32-bit numbers last as long as new entries do."""

    def numbers() -> tuple[dict[str, int], int]:
        rows = model.Session.execute(sa.text("SELECT name, ord FROM govshare_search_index"))
        last = model.Session.execute(
            sa.text(
                "SELECT last_value FROM pg_sequences WHERE schemaname || '.' || sequencename "
                "= pg_get_serial_sequence('govshare_search_index', 'ord')"
            )
        ).scalar_one()
        return {name: ord_ for name, ord_ in rows}, int(last)

    before, last = numbers()
    assert len(before) >= 4
    ctx = {"user": world["sysadmin"]}
    for i in range(3):
        call_action("package_patch", ctx, id="entry-0", tags=[{"name": f"改{i}"}])
    after, last_after = numbers()
    assert after == before and last_after == last
    gs_factories.CatalogueEntry(name="brand-new", owner_org=world["police"])
    added, last_added = numbers()
    assert last_added == last + 1
    assert added == {**before, "brand-new": last + 1}
    assert_bitmaps_equal_index()


def test_a_long_backlog_is_read_as_the_index(
    world: dict[str, Any], counted: list[int], monkeypatch: pytest.MonkeyPatch
):
    """More unread changes than ``APPLY_AT_MOST`` (a re-index, a bulk load): rebuilt from
    the index rather than applied one by one; fewer: applied."""
    assert_bitmaps_equal_index()
    monkeypatch.setattr(facet_postings, "APPLY_AT_MOST", 2)
    ctx = {"user": world["sysadmin"]}
    rebuilds = facet_postings.POSTINGS.rebuilds
    call_action("package_patch", ctx, id="entry-0", tags=[{"name": "一次"}])
    assert_bitmaps_equal_index()
    assert facet_postings.POSTINGS.rebuilds == rebuilds
    for i, tag in enumerate(["二次", "三次", "四次"]):
        call_action("package_patch", ctx, id=f"entry-{i}", tags=[{"name": tag}])
    assert_postings_equal_scan(world, counted)
    assert facet_postings.POSTINGS.rebuilds == rebuilds + 1


def test_random_writes_in_interleaved_transactions(world: dict[str, Any]):
    """Index writes as CKAN's indexing makes them (adds, re-adds with other values, deletes),
    from two connections whose transactions interleave, commit or roll back; after each
    step this process's bitmaps equal the committed index."""
    engine = model.meta.engine
    assert engine is not None
    rng = random.Random(809)
    base = {
        "site_id": "govshare",
        "state": "active",
        "capacity": "public",
        "entity_type": "package",
        "dataset_type": "dataset",
        "permission_labels": ["public"],
    }

    def doc(i: int) -> dict[str, Any]:
        return {
            **base,
            "index_id": f"rand-{i}",
            "id": f"rand-{i}",
            "name": f"rand-{i}",
            "organization": f"org-{rng.randrange(4)}",
            "tags": rng.sample(["甲", "乙", "丙", "丁", "戊"], k=rng.randint(0, 3)),
            "res_format": rng.sample(["CSV", "JSON", "XLSX"], k=rng.randint(0, 2)),
        }

    # Every value known before the transactions interleave: two open transactions adding
    # the same new value (or writing the same row) would wait for each other here.
    warm = PostgresSearchConnection()
    for org in range(4):
        warm.add(
            [
                {
                    **doc(100 + org),
                    "organization": f"org-{org}",
                    "tags": ["甲", "乙", "丙", "丁", "戊"],
                    "res_format": ["CSV", "JSON", "XLSX"],
                }
            ]
        )
    model.Session.commit()
    sessions = [sa.orm.Session(bind=engine) for _ in range(2)]
    steps = 0
    try:
        for _ in range(60):
            which = rng.randrange(2)
            session = sessions[which]
            conn = PostgresSearchConnection(session)
            mine = range(6 * which, 6 * which + 6)  # each connection writes its own rows
            action = rng.random()
            if action < 0.55:
                conn.add([doc(rng.choice(mine)) for _ in range(rng.randint(1, 3))])
            elif action < 0.7:
                conn.delete(id=f"rand-{rng.choice(mine)}")
            elif action < 0.9:
                session.commit()
            else:
                session.rollback()
            if rng.random() < 0.4:
                assert_bitmaps_equal_index()
                model.Session.rollback()
                steps += 1
        for session in sessions:
            session.commit()
    finally:
        for session in sessions:
            session.rollback()
            session.close()
    assert steps > 5
    assert_bitmaps_equal_index()

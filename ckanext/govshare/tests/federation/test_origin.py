"""Plain rules of the harvesting side: origins, apply pages, the id listing, the harness."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ckanext.govshare.harvest import origin
from ckanext.govshare.harvest.plugin import GovshareCKANHarvester

from .sites import derived_redis_url, upper_plugins

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("share_type", "expected"),
    [
        ("unconditional", "https://p.example/govshare/obtain/e-1"),
        ("conditional", "https://p.example/govshare/requests/new?package_id=e-1"),
        ("not_shared", "https://p.example/govshare/negotiations/new?package_id=e-1"),
    ],
)
def test_apply_url_follows_the_share_type(share_type: str, expected: str) -> None:
    assert origin.apply_url("https://p.example/", "e-1", share_type) == expected


def test_site_root_of_a_catalogue_url() -> None:
    assert origin.site_root("http://h:5000/catalog.ttl?page=2") == "http://h:5000"
    assert origin.site_root("http://h:5000/sub/") == "http://h:5000/sub"


def test_stamp_from_a_ckan_package() -> None:
    entry = {"name": "e-1", "share_type": "not_shared", "organization": {"title": "省公安厅"}}
    origin.stamp(entry, source_title="下级平台", source_url="http://low/")
    assert entry["source_platform"] == "下级平台"
    assert entry["source_platform_url"] == "http://low"
    assert entry["source_department"] == "省公安厅"
    assert entry["source_apply_url"] == "http://low/govshare/negotiations/new?package_id=e-1"
    assert origin.is_harvested(entry)


def test_stamp_keeps_the_request_page_the_source_published() -> None:
    page = "http://low/govshare/requests/new?package_id=abc"
    entry = {
        "name": "local-name",
        "share_type": "conditional",
        "extras": [
            {"key": "publisher_name", "value": "市卫健委"},
            {"key": origin.REQUEST_PAGE_EXTRA, "value": page},
        ],
    }
    origin.stamp(entry, source_title="", source_url="http://low/catalog.ttl")
    assert entry["source_apply_url"] == page
    assert entry["source_department"] == "市卫健委"
    assert entry["source_platform"] == "http://low"  # no title: the address


def test_stamp_ignores_a_request_page_that_is_not_a_web_address() -> None:
    entry = {"name": "e", "share_type": "unconditional", "source_apply_url": "javascript:x"}
    origin.stamp(entry, source_title="t", source_url="http://low", remote_ref="id-9")
    assert entry["source_apply_url"] == "http://low/govshare/obtain/id-9"


def test_remote_ids_page_through_the_whole_listing(monkeypatch: pytest.MonkeyPatch) -> None:
    harvester = GovshareCKANHarvester()
    monkeypatch.setattr(harvester, "config", {}, raising=False)
    ids = [f"id-{n:04d}" for n in range(2500)]
    asked: list[str] = []

    def content(url: str) -> str:
        asked.append(url)
        start = int(url.split("start=")[1].split("&")[0])
        return json.dumps({"result": {"results": [{"id": i} for i in ids[start : start + 1000]]}})

    monkeypatch.setattr(harvester, "_get_content", content)
    assert harvester._remote_ids("http://low", ["organization:a"]) == set(ids)
    assert len(asked) == 3
    assert all("fl=id" in url and "fq=organization%3Aa" in url for url in asked)


def test_remote_ids_refuse_a_broken_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    from ckanext.harvest.harvesters.ckanharvester import SearchError

    harvester = GovshareCKANHarvester()
    monkeypatch.setattr(harvester, "config", {}, raising=False)
    monkeypatch.setattr(harvester, "_get_content", lambda url: "<html>")
    with pytest.raises(SearchError):
        harvester._remote_ids("http://low", [])


def test_harvester_is_its_own_plugin_instance() -> None:
    from ckanext.harvest.harvesters import CKANHarvester

    assert GovshareCKANHarvester() is not CKANHarvester()
    assert GovshareCKANHarvester().info()["name"] == "govshare_ckan"


@pytest.mark.parametrize(("db", "derived"), [("1", "9"), ("3", "11"), ("7", "15"), ("0", "8")])
def test_sites_use_redis_db_plus_eight(db: str, derived: str) -> None:
    assert derived_redis_url(f"redis://127.0.0.1:6379/{db}") == f"redis://127.0.0.1:6379/{derived}"


def test_upper_site_adds_the_harvesting_role() -> None:
    plugins: Any = upper_plugins("activity scheming_datasets dcat harvest govshare govshare_search")
    assert plugins.split() == [
        "activity",
        "scheming_datasets",
        "dcat",
        "harvest",
        "govshare_dcat_harvester",
        "govshare_ckan_harvester",
        "govshare",
        "govshare_search",
    ]


def test_an_empty_listing_deletes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from ckanext.harvest.harvesters.ckanharvester import CKANHarvester

    harvester = GovshareCKANHarvester()
    errors: list[str] = []
    marked: list[Any] = []
    job: Any = type("Job", (), {"source": type("Source", (), {"url": "http://low/"})()})()
    monkeypatch.setattr(CKANHarvester, "gather_stage", lambda self, job: ["obj-1"])
    monkeypatch.setattr(harvester, "config", {}, raising=False)
    monkeypatch.setattr(harvester, "_remote_ids", lambda url, terms: set())
    monkeypatch.setattr(harvester, "_save_gather_error", lambda msg, job: errors.append(msg))
    monkeypatch.setattr(harvester, "_mark_for_deletion", lambda ids, job: marked.append(ids))
    assert harvester.gather_stage(job) == ["obj-1"]
    assert marked == [] and errors == ["The source lists no datasets: nothing deleted"]


def test_an_import_does_not_count_the_datasets_of_its_source(monkeypatch: Any) -> None:
    """The CKAN harvester shows its source once per entry: no count of all its datasets then."""
    from types import SimpleNamespace

    from ckanext.harvest.harvesters.ckanharvester import CKANHarvester

    from ckanext.govshare.harvest import plugin

    counted: list[dict[str, Any]] = []

    def up(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
        counted.append(data_dict)
        return {"job_count": 1, "last_job": None, "total_datasets": 7}

    monkeypatch.setattr(plugin.tk, "check_access", lambda *args, **kwargs: True)
    status = plugin.harvest_source_show_status
    assert status(up, {}, {"id": "source"})["total_datasets"] == 7
    seen: list[Any] = []

    def stock_import(self: Any, harvest_object: Any) -> bool:
        seen.append(status(up, {}, {"id": "source"}))
        return True

    monkeypatch.setattr(CKANHarvester, "import_stage", stock_import)
    assert GovshareCKANHarvester().import_stage(SimpleNamespace(extras=[])) is True
    assert seen == [{"job_count": None, "last_job": None, "total_datasets": None}]
    assert len(counted) == 1  # only the call made outside the import
    assert status(up, {}, {"id": "source"})["total_datasets"] == 7

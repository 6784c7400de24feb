"""Everything in CKAN core (and ckanext-dcat) that queries the index works without Solr."""

from __future__ import annotations

from typing import Any

import ckan.cli.cli
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib import search
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.govshare.tests import factories as gs_factories

PUBLIC = {"population-basic", "household-register", "hospitals", "vaccinations"}


def _names(result: dict[str, Any]) -> set[str]:
    return {d["name"] for d in result["results"]}


@pytest.mark.usefixtures("catalogue")
class TestCoreActions:
    def test_organization_and_group_counts(self):
        # As an anonymous visitor: counts include only what the visitor may see.
        anon = {"user": "", "ignore_auth": False}
        orgs = {o["name"]: o for o in call_action("organization_list", anon, all_fields=True)}
        assert orgs["health"]["package_count"] == 2
        assert orgs["police"]["package_count"] == 2
        groups = {g["name"]: g for g in call_action("group_list", anon, all_fields=True)}
        assert groups["population-theme"]["package_count"] == 1
        health = call_action("organization_show", anon, id="health", include_datasets=True)
        assert health["package_count"] == 2
        assert {d["name"] for d in health["packages"]} == {"hospitals", "vaccinations"}

    def test_organization_list_sorted_by_package_count(self):
        anon = {"user": "", "ignore_auth": False}
        orgs = call_action("organization_list", anon, sort="package_count desc", all_fields=True)
        assert orgs[0]["package_count"] == 2

    def test_tag_show_with_datasets(self):
        tag = call_action("tag_show", id="户籍", include_datasets=True)
        assert {p["name"] for p in tag["packages"]} == {"population-basic", "household-register"}

    def test_package_autocomplete(self):
        anonymous = {"user": "", "ignore_auth": False}
        found = call_action("package_autocomplete", anonymous, q="hosp")
        assert [p["name"] for p in found] == ["hospitals"]  # not the private one
        found = call_action("package_autocomplete", anonymous, q="人口基")
        assert [p["name"] for p in found] == ["population-basic"]

    def test_bulk_updates_reach_the_index(self, catalogue: dict[str, Any], sysadmin: Any):
        ctx = {"user": sysadmin["name"]}
        police = catalogue["police"]
        ids = [catalogue["population"]["id"], catalogue["household"]["id"]]
        call_action("bulk_update_private", ctx, datasets=ids, org_id=police["id"])
        assert _names(call_action("package_search")) == {"hospitals", "vaccinations"}
        call_action("bulk_update_public", ctx, datasets=ids, org_id=police["id"])
        assert _names(call_action("package_search")) == PUBLIC
        call_action("bulk_update_delete", ctx, datasets=ids, org_id=police["id"])
        assert _names(call_action("package_search")) == {"hospitals", "vaccinations"}


@pytest.mark.usefixtures("catalogue")
class TestPages:
    def test_home_page_counts_visible_entries(self, app: Any):
        page = app.get("/", headers={"Accept-Language": "en"})
        assert page.status_code == 200
        assert "catalogue entries" in page.body or "条目录信息资源" in page.body

    def test_dataset_search_page(self, app: Any):
        page = app.get("/dataset/", query_string={"q": "人口"})
        assert page.status_code == 200
        assert "人口基础信息" in page.body
        assert "Hospital beds by county" not in page.body
        facet = app.get("/dataset/", query_string={"organization": "health"})
        assert "Hospital beds by county" in facet.body
        assert "人口基础信息" not in facet.body

    def test_organization_and_group_pages(self, app: Any):
        org = app.get("/organization/health")
        assert "Hospital beds by county" in org.body
        assert "诊所内部记录" not in org.body  # private: not for anonymous visitors
        group = app.get("/group/population-theme")
        assert "人口基础信息" in group.body

    def test_dashboard_datasets(self, app: Any, catalogue: dict[str, Any]):
        user = factories.User()
        call_action("organization_member_create", id="health", username=user["name"], role="editor")
        call_action(
            "package_create",
            {"user": user["name"], "ignore_auth": False},
            **gs_factories.entry_fields(),
            name="my-entry",
            title="我的目录",
            notes="x",
            owner_org=catalogue["health"]["id"],
        )
        page = app.get(
            "/dashboard/datasets",
            headers={"Authorization": factories.APIToken(user=user["name"])["token"]},
        )
        assert page.status_code == 200
        assert "我的目录" in page.body

    def test_dcat_catalog_endpoint_with_modified_since(self, app: Any):
        page = app.get("/catalog.ttl", query_string={"modified_since": "2000-01-01"})
        assert page.status_code == 200
        for title in ("人口基础信息", "户籍登记", "Hospital beds by county", "预防接种统计"):
            assert title in page.body
        assert "诊所内部记录" not in page.body  # private
        later = app.get("/catalog.ttl", query_string={"modified_since": "2100-01-01"})
        assert "Hospital beds by county" not in later.body


@pytest.mark.usefixtures("catalogue")
class TestSearchIndexCommands:
    def _run(self, cli: Any, *args: str) -> str:
        result = cli.invoke(ckan.cli.cli.ckan, ["search-index", *args])
        assert result.exit_code == 0, result.output
        return result.output

    def _rows(self) -> int:
        return model.Session.execute(sa.text("SELECT count(*) FROM govshare_search_index")).scalar()

    def test_clear_rebuild_check_show(self, cli: Any):
        # Everything but the draft is active and indexed; the draft is indexed too (state draft).
        assert self._rows() == 6
        self._run(cli, "clear")
        model.Session.remove()
        assert self._rows() == 0
        assert "Packages not indexed = 5" in self._run(cli, "check")
        self._run(cli, "rebuild")
        model.Session.remove()
        assert self._rows() == 6
        assert "Packages not indexed = 0" in self._run(cli, "check")
        shown = self._run(cli, "show", "hospitals")
        assert "Hospital beds by county" in shown
        assert "permission_labels" not in shown  # not stored, as in Solr

    def test_rebuild_only_missing_and_single(self, cli: Any):
        search.clear("hospitals")
        model.Session.commit()
        self._run(cli, "rebuild", "--only-missing")
        model.Session.remove()
        assert self._rows() == 6
        self._run(cli, "rebuild", "vaccinations")
        model.Session.remove()
        assert self._rows() == 6

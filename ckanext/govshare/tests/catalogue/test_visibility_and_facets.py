"""Who sees which entries (permission labels), and the catalogue facets on both backends."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.govshare.catalogue import codes, facets
from ckanext.govshare.search import connection
from ckanext.govshare.tests import factories as gs_factories


@pytest.fixture
def mixed(clean_db: Any) -> dict[str, Any]:
    dept = gs_factories.Department(name="dept")
    entries = {
        value: gs_factories.CatalogueEntry(
            name=f"e-{value}",
            owner_org=dept["id"],
            open_to_public=value,
            open_conditions="申请后开放",
        )
        for value in ("open", "conditional_open", "not_open")
    }
    return {"dept": dept, **entries}


def seen(user: dict[str, Any] | None) -> set[str]:
    ctx = {"user": user["name"] if user else "", "ignore_auth": False}
    return {d["name"] for d in call_action("package_search", ctx, rows=50)["results"]}


class TestVisibility:
    def test_the_public_sees_the_open_part_departments_see_everything(self, mixed: Any):
        assert seen(None) == {"e-open", "e-conditional_open"}
        no_department = factories.User()
        assert seen(no_department) == {"e-open", "e-conditional_open"}
        other = gs_factories.Department()
        staff = factories.User()
        call_action(
            "organization_member_create", id=other["id"], username=staff["name"], role="member"
        )
        assert seen(staff) == {"e-open", "e-conditional_open", "e-not_open"}

    def test_package_show_and_pages_agree(self, mixed: Any, app: Any):
        anon = {"user": "", "ignore_auth": False}
        with pytest.raises(tk.NotAuthorized):
            call_action("package_show", anon, id="e-not_open")
        assert call_action("package_show", anon, id="e-open")["name"] == "e-open"
        app.get("/api/3/action/package_show", query_string={"id": "e-not_open"}, status=403)
        org = call_action("organization_show", anon, id="dept")
        assert org["package_count"] == 2

    @pytest.mark.ckan_config("ckanext.govshare.public_catalogue", "all")
    def test_setting_all(self, mixed: Any):
        assert seen(None) == {"e-open", "e-conditional_open", "e-not_open"}

    @pytest.mark.ckan_config("ckanext.govshare.public_catalogue", "none")
    def test_setting_none(self, mixed: Any):
        assert seen(None) == set()


class TestFacets:
    def test_catalogue_facets_count_every_value(self, clean_db: Any):
        gs_factories.CatalogueEntry(
            share_type="conditional", share_conditions="c", share_methods=["api", "exchange_node"]
        )
        gs_factories.CatalogueEntry(
            share_methods=["api"], resource_category="thematic", theme="health"
        )
        result = call_action(
            "package_search", **{"facet.field": list(facets.FACETS) + ["organization"]}
        )
        assert result["facets"]["share_type"] == {"conditional": 1, "unconditional": 1}
        assert result["facets"]["share_methods"] == {"api": 2, "exchange_node": 1}
        assert result["facets"]["theme"] == {"health": 1}
        items = {i["name"]: i for i in result["search_facets"]["share_type"]["items"]}
        assert items["conditional"]["display_name"] == "有条件共享"
        filtered = call_action("package_search", fq="share_methods:exchange_node")
        assert filtered["count"] == 1

    def test_labels_in_english(self):
        assert facets.label(codes.SHARE_TYPES, "not_shared", "en") == "Not shared"
        assert facets.label(codes.SHARE_TYPES, "not_shared", "zh_Hans_CN") == "不予共享"

    def test_the_dataset_page_offers_the_catalogue_facets(self, clean_db: Any, app: Any):
        gs_factories.CatalogueEntry(share_type="conditional", share_conditions="c")
        page = app.get("/dataset/").body
        for title in ("共享类型", "共享方式", "开放属性", "更新周期", "有条件共享"):
            assert title in page
        english = app.get("/en/dataset/").body
        assert "Share type" in english and "Conditional sharing" in english

    def test_what_the_index_receives(self, clean_db: Any, monkeypatch: Any):
        # The document handed to the connection is the one a Solr deployment receives.
        sent: list[dict[str, Any]] = []
        original = connection.PostgresSearchConnection.add

        def capture(self: Any, docs: list[dict[str, Any]], **kw: Any) -> None:
            sent.extend(docs)
            original(self, docs, **kw)

        monkeypatch.setattr(connection.PostgresSearchConnection, "add", capture)
        gs_factories.CatalogueEntry(
            share_type="conditional",
            share_conditions="c",
            share_methods=["api", "database"],
            data_items=[{"name": "公民身份号码", "data_type": "string"}],
        )
        doc = sent[-1]
        assert doc["share_type"] == "conditional"
        assert doc["share_methods"] == ["api", "database"]
        assert doc["data_item_names"] == ["公民身份号码"]
        assert "data_items" not in doc and "extras_data_items" not in doc
        assert doc["resource_code"].startswith("300000/")
        assert "govshare-departments" in doc["permission_labels"]


def test_data_item_names_are_searchable_their_types_are_not(clean_db: Any):
    entry = gs_factories.CatalogueEntry(
        data_items=[{"name": "统一社会信用代码", "data_type": "string"}]
    )
    gs_factories.CatalogueEntry()
    assert [d["id"] for d in call_action("package_search", q="社会信用")["results"]] == [
        entry["id"]
    ]
    assert call_action("package_search", q="string")["count"] == 0

"""Search finds entries by their department's title and by their data items' names, and a result
row says who provides the entry, how it is shared and when it was last updated (issue 19,
item 4). Both backends: the embedded one answers here; the document Solr would receive is
checked against CKAN's Solr schema (``docker/solr/schema.xml``)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from ckan import model
from ckan.lib.search import rebuild
from ckan.tests.helpers import call_action

from ckanext.govshare.search import analysis, connection, departments, index_text
from ckanext.govshare.tests import factories as gs_factories

SCHEMA = Path(__file__).resolve().parents[4] / "docker" / "solr" / "schema.xml"


def build() -> dict[str, Any]:
    mps = gs_factories.Department(name="ministry-of-public-security", title="公安部")
    bureau = gs_factories.Department(name="city-police", title="市公安局")
    market = gs_factories.Department(name="market-regulation", title="市场监督管理局")
    d: dict[str, Any] = {"mps": mps, "bureau": bureau, "market": market}
    d["ids"] = gs_factories.CatalogueEntry(
        name="resident-id-cards",
        title="居民身份证信息",
        notes="Resident identity cards",
        owner_org=mps["id"],
        data_items=[
            {"name": "身份证号码", "data_type": "string"},
            {"name": "姓名", "data_type": "string"},
        ],
        resources=[{"url": "http://example.org/ids.csv", "format": "CSV"}],
    )
    d["passports"] = gs_factories.CatalogueEntry(
        name="passports",
        title="出入境证件",
        notes="Passports issued",
        owner_org=mps["id"],
        share_type="conditional",
        share_conditions="仅限政务服务用途",
        data_items=[{"name": "护照号码", "data_type": "string"}],
    )
    d["traffic"] = gs_factories.CatalogueEntry(
        name="traffic-violations",
        title="交通违法记录",
        notes="Traffic violations",
        owner_org=bureau["id"],
        data_items=[{"name": "号牌号码", "data_type": "string"}],
    )
    d["licences"] = gs_factories.CatalogueEntry(
        name="business-licences",
        title="营业执照信息",
        notes="Business licences",
        owner_org=market["id"],
        data_items=[
            {"name": "统一社会信用代码", "data_type": "string"},
            {"name": "法定代表人身份证号码", "data_type": "string"},
        ],
    )
    return d


@pytest.fixture
def world(module_world: Any) -> dict[str, Any]:
    return module_world(build)


def found(q: str, **params: Any) -> set[str]:
    return {r["name"] for r in call_action("package_search", q=q, rows=100, **params)["results"]}


def result_names(html: str) -> set[str]:
    return set(
        re.findall(
            r'class="dataset-heading">.*?href="/(?:[A-Za-z_]+/)?dataset/([^"]+)"', html, re.S
        )
    )


class TestByDepartmentTitle:
    def test_the_departments_title_finds_its_entries_only(self, world: dict[str, Any]):
        assert found("公安部") == {"resident-id-cards", "passports"}

    def test_a_cjk_word_inside_a_title_matches_as_bigrams(self, world: dict[str, Any]):
        # 公安 is in 公安部 and in 市公安局; 安部 only in 公安部; 监督 in 市场监督管理局.
        assert found("公安") == {"resident-id-cards", "passports", "traffic-violations"}
        assert found("市场监督") == {"business-licences"}

    def test_combined_with_a_filter(self, world: dict[str, Any]):
        assert found("公安部", fq="share_type:conditional") == {"passports"}

    def test_the_search_page(self, world: dict[str, Any], app: Any):
        page = app.get("/en/dataset/", query_string={"q": "公安部"}).body
        assert result_names(page) == {"resident-id-cards", "passports"}
        assert "2 datasets found" in page

    def test_a_renamed_departments_entries_follow_its_new_title(
        self, world: dict[str, Any], sysadmin: dict[str, Any]
    ):
        market = world["market"]
        assert departments.indexed_title(market["id"]) == "市场监督管理局"
        call_action(
            "organization_patch",
            context={"user": sysadmin["name"]},
            id=market["id"],
            title="市场监管总局",
        )
        # IOrganizationController.edit reindexed its entries when the department was saved.
        assert found("市场监管总局") == {"business-licences"}
        assert found("监督管理局") == set()
        assert departments.indexed_title(market["id"]) == "市场监管总局"
        # Saved again without a new title: nothing to index.
        assert departments.reindex_if_renamed(market["id"], "市场监管总局") == 0

    def test_a_department_without_entries_needs_no_reindex(self, world: dict[str, Any]):
        empty = gs_factories.Department(title="空部门")
        assert departments.indexed_title(empty["id"]) is None
        assert departments.reindex_if_renamed(empty["id"], "新名称") == 0


class TestByDataItemName:
    def test_a_data_items_name_finds_its_entries(self, world: dict[str, Any]):
        # 身份证号码 is an item of the ID cards and part of 法定代表人身份证号码.
        assert found("身份证号码") == {"resident-id-cards", "business-licences"}
        assert found("护照号码") == {"passports"}
        assert found("号牌号码") == {"traffic-violations"}

    def test_an_items_type_is_not_searchable(self, world: dict[str, Any]):
        assert found("string") == set()

    def test_the_search_page(self, world: dict[str, Any], app: Any):
        page = app.get("/en/dataset/", query_string={"q": "护照号码"}).body
        assert result_names(page) == {"passports"}


class TestResultRow:
    def _row(self, page: str, name: str) -> str:
        start = page.index(f'href="/en/dataset/{name}"')
        return page[start : page.index("</li>\n", page.index("govshare-item-updated", start))]

    def test_provider_share_type_and_local_update_date(self, world: dict[str, Any], app: Any):
        # 20:30 UTC on 1 March is 2 March in Beijing (ckan.display_timezone = Asia/Shanghai).
        pkg = model.Package.get(world["passports"]["id"])
        assert pkg is not None
        pkg.metadata_modified = dt.datetime(2026, 3, 1, 20, 30)
        model.Session.commit()
        rebuild(pkg.id)
        page = app.get("/en/dataset/", query_string={"q": "出入境证件"}).body
        row = self._row(page, "passports")
        assert re.search(
            r'govshare-item-provider">Provider:\s*<a href="/en/organization/'
            r'ministry-of-public-security">公安部</a>',
            row,
        )
        assert "Conditional sharing" in row and "govshare-share-conditional" in row
        assert re.search(r'Last updated:\s*<time datetime="2026-03-02">2026-03-02</time>', row)

    def test_chinese_row_labels(self, world: dict[str, Any], app: Any):
        page = app.get("/zh_Hans_CN/dataset/", query_string={"q": "交通违法"}).body
        assert result_names(page) == {"traffic-violations"}
        assert "市公安局</a>" in page and "无条件共享" in page
        assert re.search(
            r'govshare-item-provider">[^<]*'
            r'<a href="/zh_Hans_CN/organization/city-police">市公安局</a>',
            page,
        )

    def test_the_api_note_and_close_link_are_the_platforms(self, world: dict[str, Any], app: Any):
        page = app.get("/en/dataset/").body
        assert "The same search is available through the" in page
        assert "You can also access this registry" not in page
        assert '<span class="text">Close</span>' in page


class TestIndexDocumentForSolr:
    """What a Solr deployment receives: the title and item names in ``text``, a field its
    schema indexes with the CJK bigram analysis and CKAN's query fields (``qf``) search."""

    def _sent(self, monkeypatch: Any, world: dict[str, Any]) -> dict[str, Any]:
        sent: list[dict[str, Any]] = []
        original = connection.PostgresSearchConnection.add

        def capture(self: Any, docs: list[dict[str, Any]], **kw: Any) -> None:
            sent.extend(docs)
            original(self, docs, **kw)

        monkeypatch.setattr(connection.PostgresSearchConnection, "add", capture)
        rebuild(world["ids"]["id"])
        return next(doc for doc in sent if doc["name"] == "resident-id-cards")

    def test_text_holds_the_department_title_and_item_names(
        self, world: dict[str, Any], monkeypatch: Any
    ):
        doc = self._sent(monkeypatch, world)
        assert "公安部" in doc["text"]
        assert {"身份证号码", "姓名"} <= set(doc["text"])
        assert doc["organization"] == "ministry-of-public-security"
        assert doc["data_item_names"] == ["身份证号码", "姓名"]
        # Each value once: indexing again adds nothing.
        assert doc["text"].count("公安部") == 1
        again = index_text.add_department_title(dict(doc))
        assert again["text"].count("公安部") == 1

    def test_solr_searches_text_with_cjk_bigrams(self):
        from ckan.lib.search.query import QUERY_FIELDS

        assert re.search(r"(^|\s)text(\s|$)", QUERY_FIELDS)
        schema = ET.parse(SCHEMA).getroot()
        field = schema.find(".//field[@name='text']")
        assert field is not None and field.get("indexed") == "true"
        assert field.get("multiValued") == "true"
        field_type = schema.find(f".//fieldType[@name='{field.get('type')}']")
        assert field_type is not None
        index_filters = [
            f.get("class") for f in field_type.findall("analyzer[@type='index']/filter")
        ]
        assert "solr.CJKBigramFilterFactory" in index_filters

    def test_the_embedded_analysis_matches_the_query_terms(self):
        # What a query for the title or an item asks for is what their indexed text holds.
        assert set(analysis.query_terms("公安部")) <= set(analysis.index_terms(["公安部"]))
        assert not set(analysis.query_terms("公安部")) <= set(analysis.index_terms(["市公安局"]))
        assert set(analysis.query_terms("身份证号码")) <= set(
            analysis.index_terms(["法定代表人身份证号码"])
        )

    def test_no_title_no_change(self):
        doc = {"text": ["a"], "validated_data_dict": "{}"}
        assert index_text.add_department_title(dict(doc))["text"] == ["a"]
        assert index_text.department_title({"data_dict": '{"organization": null}'}) is None

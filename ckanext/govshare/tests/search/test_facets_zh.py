"""Every facet of the catalogue search in Chinese: titles and item labels, never a raw code
(issue 19, item 4), under both rule profiles (the 2025 one adds the data grade)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from ckan.tests import factories

from ckanext.govshare.catalogue import facets as catalogue_facets
from ckanext.govshare.catalogue.codes import FIELD_CHOICES
from ckanext.govshare.tests import factories as gs_factories
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("rule_profile")

_HAN = re.compile(r"[\u4e00-\u9fff]")


def build() -> dict[str, Any]:
    dept = gs_factories.Department(name="ministry-of-public-security", title="公安部")
    group = factories.Group(name="population-theme", title="人口主题")
    gs_factories.CatalogueEntry(
        name="resident-id-cards",
        title="居民身份证信息",
        owner_org=dept["id"],
        share_type="conditional",
        share_conditions="仅限政务服务用途",
        share_methods=["api", "file_download"],
        basic_category="population",
        theme="public_service",
        groups=[{"name": group["name"]}],
        tags=[{"name": "户籍"}],
        license_id="cc-by",
        resources=[{"url": "http://example.org/ids.csv", "format": "CSV"}],
    )
    return {"dept": dept}


@pytest.fixture
def world(module_world: Any) -> dict[str, Any]:
    return module_world(build)


def facet_blocks(page: str) -> dict[str, list[str]]:
    """Each facet's title and the labels of its items, as a reader sees them."""
    blocks: dict[str, list[str]] = {}
    for section in re.findall(
        r'<section class="module module-narrow module-shallow">(.*?)</section>', page, re.S
    ):
        title = re.search(r'<h2 class="module-heading">(.*?)</h2>', section, re.S)
        assert title is not None
        name = html.unescape(re.sub(r"<[^>]+>", "", title.group(1))).strip()
        labels = [
            html.unescape(label).strip()
            for label in re.findall(r'<span class="item-label">(.*?)</span>', section, re.S)
        ]
        blocks[name] = labels
    return blocks


def test_facet_titles_and_labels_are_chinese(world: dict[str, Any], app: Any, rule_profile: str):  # noqa: F811
    page = app.get("/zh_Hans_CN/dataset/").body
    blocks = facet_blocks(page)
    expected_titles = {
        "提供部门",
        "共享类型",
        "资源属性分类",
        "基础信息资源类别",
        "主题",
        "更新周期",
        "共享方式",
        "开放属性",
        "信息资源格式",
        "群组",
        "标签",
        "格式",
    }
    if rule_profile == "regulation-2025":
        expected_titles.add("数据分级")
    assert expected_titles <= set(blocks), set(blocks)
    for title in blocks:
        assert _HAN.search(title), f"facet title not in Chinese: {title!r}"
    assert blocks["提供部门"] == ["公安部"]
    assert blocks["共享类型"] == ["有条件共享"]
    assert set(blocks["共享方式"]) == {"接口/系统对接", "文件下载"}
    assert blocks["主题"] == ["公共服务"] and blocks["基础信息资源类别"] == ["人口"]
    assert blocks["群组"] == ["人口主题"]
    # No licence facet: 授权 means a grant here, and licence names are English.
    assert "授权" not in blocks and "Creative Commons" not in page
    # No coded value is shown as its code: every label of a coded facet is its Chinese label.
    codes = {c.value for field in catalogue_facets.FACETS for c in FIELD_CHOICES[field]}
    for title, labels in blocks.items():
        for label in labels:
            assert label not in codes, f"{title}: raw code {label!r}"
    coded_titles = {
        "共享类型",
        "资源属性分类",
        "基础信息资源类别",
        "主题",
        "更新周期",
        "共享方式",
        "开放属性",
        "信息资源格式",
        "数据分级",
    }
    for title in coded_titles & set(blocks):
        assert all(_HAN.search(label) for label in blocks[title]), (title, blocks[title])


def test_facets_without_values_are_not_shown(world: dict[str, Any], app: Any):
    page = app.get("/zh_Hans_CN/dataset/", query_string={"q": "不存在的词语"}).body
    assert "没有匹配该搜索的" not in page
    assert facet_blocks(page) == {}


def test_a_departments_page_has_the_same_facets_but_the_department(
    world: dict[str, Any],
    app: Any,
    rule_profile: str,  # noqa: F811
):
    page = app.get("/zh_Hans_CN/organization/ministry-of-public-security").body
    blocks = facet_blocks(page)
    assert "提供部门" not in blocks and "机构" not in blocks and "组织" not in blocks
    assert "授权" not in blocks and "Creative Commons" not in page
    assert blocks["共享类型"] == ["有条件共享"]
    assert blocks["主题"] == ["公共服务"]
    assert ("数据分级" in blocks) == (rule_profile == "regulation-2025")


def test_a_groups_page_has_the_same_facets(world: dict[str, Any], app: Any):
    page = app.get("/zh_Hans_CN/group/population-theme").body
    blocks = facet_blocks(page)
    assert blocks["提供部门"] == ["公安部"]
    assert blocks["共享方式"] == ["接口/系统对接", "文件下载"]
    assert "授权" not in blocks

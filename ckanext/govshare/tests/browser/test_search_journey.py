"""A department user finds a catalogue entry: home page, search, facet, entry page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ckanext.govshare.tests import factories as gs_factories

from .conftest import keep_screenshot

pytestmark = pytest.mark.browser


def test_find_an_entry_from_the_home_page(page: Page, live_server: str):
    police = gs_factories.Department(name="police", title="公安局")
    health = gs_factories.Department(name="health", title="卫生健康委员会")
    gs_factories.CatalogueEntry(
        name="population-basic",
        title="人口基础信息",
        notes="全员人口",
        owner_org=police["id"],
        tags=[{"name": "人口"}],
    )
    gs_factories.CatalogueEntry(
        name="vaccinations", title="预防接种统计", notes="接种人口统计", owner_org=health["id"]
    )
    gs_factories.CatalogueEntry(
        name="hospitals", title="医疗机构名录", notes="机构", owner_org=health["id"]
    )

    i18n_statuses: list[int] = []
    page.on(
        "response",
        lambda r: i18n_statuses.append(r.status) if "/api/i18n/" in r.url else None,
    )
    page.goto(live_server + "/")
    expect(page.locator(".govshare-intro")).to_contain_text("政务数据共享平台")
    # CKAN's JavaScript loads its Chinese translations, then starts its modules.
    page.wait_for_function("() => Object.keys(window.ckan.module.instances || {}).length > 0")
    assert i18n_statuses == [200]
    expect(page.locator(".govshare-stats")).to_contain_text("3")

    page.goto(live_server + "/dataset/")
    page.fill("#field-giant-search", "人口")
    page.keyboard.press("Enter")
    results = page.locator(".dataset-list .dataset-heading")
    expect(results).to_have_count(2)
    expect(page.locator(".dataset-list")).not_to_contain_text("医疗机构名录")

    # The department facet (result rows also link their provider, to its page).
    page.locator(".nav-facet").get_by_role("link", name="卫生健康委员会").first.click()
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("预防接种统计")

    results.first.get_by_role("link").click()
    expect(page.get_by_role("article").locator("h1")).to_contain_text("预防接种统计")
    keep_screenshot(page, "search-journey")

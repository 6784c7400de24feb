"""A data officer catalogues an entry that is not shared: the form asks for its legal basis."""

from __future__ import annotations

import pytest
from ckan.tests import factories
from playwright.sync_api import Page, expect

from ckanext.govshare.tests import factories as gs_factories

from .conftest import keep_screenshot

pytestmark = pytest.mark.browser


def test_officer_catalogues_a_not_shared_entry(page: Page, live_server: str):
    officer = factories.User(password="correct-horse-battery")
    gs_factories.Department(
        name="natural-resources",
        title="自然资源局",
        users=[{"name": officer["name"], "capacity": "admin"}],
    )

    page.goto(live_server + "/user/login")
    page.fill("#field-login", officer["name"])
    page.fill("#field-password", "correct-horse-battery")
    page.locator("#field-password").press("Enter")
    page.wait_for_load_state("networkidle")

    page.goto(live_server + "/dataset/new")
    page.fill("#field-title", "不动产登记信息")
    page.locator(".slug-preview button").click()  # the URL name is hidden behind its preview
    page.fill("#field-name", "real-estate-registration")
    page.fill("#field-notes", "不动产权利登记的业务办理信息。")
    page.select_option("#field-resource_category", "departmental")
    page.select_option("#field-format_type", "database")
    legal_basis = page.locator("#field-legal_basis")
    expect(legal_basis).to_be_hidden()  # shown only for not-shared entries
    page.select_option("#field-share_type", "not_shared")
    expect(legal_basis).to_be_visible()
    expect(page.locator("#field-share_conditions")).to_be_hidden()
    page.check("#field-share_methods-online_query")
    page.select_option("#field-open_to_public", "not_open")
    page.select_option("#field-update_cycle", "realtime")
    page.fill("#field-release_date", "2026-01-15")
    page.fill("#field-data_items-0-name", "不动产单元号")
    page.select_option("#field-data_items-0-data_type", "string")
    page.locator("button[name=save]").last.click()

    # Refused with the field's message; what was typed is kept.
    expect(page.locator("body")).to_contain_text("不予共享的信息资源须在“不予共享依据”中注明")
    keep_screenshot(page, "catalogue-form-error")
    expect(page.locator("#field-title")).to_have_value("不动产登记信息")
    page.fill("#field-legal_basis", "《不动产登记暂行条例》第二十八条")
    page.locator("button[name=save]").last.click()

    page.goto(live_server + "/dataset/real-estate-registration")
    panel = page.locator(".govshare-sharing")
    expect(panel).to_contain_text("不予共享")
    expect(panel).to_contain_text("《不动产登记暂行条例》第二十八条")
    expect(panel).to_contain_text("不动产单元号")
    keep_screenshot(page, "catalogue-form")

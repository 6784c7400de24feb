"""Access journey (issue 5, item 5): a staff user applies, a data officer approves, the staff
user sees the grant — in the Chinese UI, through the pages only."""

from __future__ import annotations

import datetime as dt

import pytest
from ckan.tests import factories
from playwright.sync_api import Page, expect

from ckanext.govshare.tests import factories as gs_factories

from .conftest import PASSWORD, keep_screenshot, log_in

pytestmark = pytest.mark.browser


def test_staff_applies_officer_approves_staff_sees_the_grant(page: Page, live_server: str):
    # Irreversible decisions ask first (issue 19, item 6): this journey confirms each.
    page.on("dialog", lambda dialog: dialog.accept())
    staff = factories.User(name="tax-clerk", password=PASSWORD)
    officer = factories.User(name="market-officer", password=PASSWORD)
    gs_factories.Department(
        name="tax", title="税务局", users=[{"name": staff["name"], "capacity": "member"}]
    )
    market = gs_factories.Department(
        name="market", title="市场监管局", users=[{"name": officer["name"], "capacity": "admin"}]
    )
    gs_factories.CatalogueEntry(
        name="enterprise-registration",
        title="企业登记信息",
        owner_org=market["id"],
        share_type="conditional",
        share_conditions="仅限税务征管用途",
        open_to_public="not_open",
        share_methods=["bulk_download", "api"],
        data_items=[
            {"name": "统一社会信用代码", "data_type": "string"},
            {"name": "企业名称", "data_type": "string"},
            {"name": "法定代表人证件号码", "data_type": "string", "share_type": "not_shared"},
        ],
        resources=[{"url": "http://example.org/registration.csv", "name": "登记信息.csv"}],
    )
    today = dt.date.today()

    # The staff user applies from the entry page.
    log_in(page, live_server, staff["name"])
    page.goto(live_server + "/dataset/enterprise-registration")
    page.get_by_role("link", name="申请", exact=True).click()
    expect(page.locator("h1")).to_contain_text("申请共享数据")
    items = page.locator(".govshare-data-item-choices input[name=data_items]")
    expect(items).to_have_count(3)
    expect(items.nth(2)).to_be_disabled()  # not shared: negotiation only
    calls = page.locator("#field-expected_calls_per_day")
    expect(calls).to_be_hidden()  # only for an API
    page.select_option("#field-share_method", "api")
    expect(calls).to_be_visible()
    page.select_option("#field-share_method", "bulk_download")
    page.select_option("#field-purpose", "administrative_basis")
    page.fill("#field-purpose_detail", "核验纳税人登记信息")
    page.fill("#field-scenario", "企业注销一网通办")
    page.fill("#field-basis", "《税收征收管理法》第十五条")
    page.fill("#field-contact", "张三 010-12345678")
    page.fill("#field-period_start", today.isoformat())
    page.fill("#field-period_end", (today + dt.timedelta(days=180)).isoformat())
    page.uncheck("#field-item-2")  # 企业名称: only the credit code is needed
    expect(page.locator("#field-item-1")).to_be_checked()

    # Without the pledge the form comes back, input kept.
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".govshare-form-errors")).to_contain_text("请签署使用承诺")
    expect(page.locator("#field-purpose_detail")).to_have_value("核验纳税人登记信息")
    expect(page.locator("#field-item-2")).not_to_be_checked()
    page.check("#field-pledge")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".flash-messages")).to_contain_text("申请已提交，提供部门应于")
    expect(page.locator(".govshare-request-heading")).to_contain_text("已提交")
    expect(page.locator(".govshare-request-items")).to_have_text("统一社会信用代码")
    keep_screenshot(page, "access-request")

    # The data officer answers from the inbox.
    log_in(page, live_server, officer["name"])
    page.locator(".account-masthead a[href$='/govshare/inbox']").click()
    row = page.locator(".govshare-request-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("税务局")
    expect(row).to_contain_text("剩余")
    row.get_by_role("link", name="企业登记信息").click()
    expect(page.locator(".govshare-timeline")).to_contain_text("提交申请")
    page.fill("#decide-reason", "同意，限税务征管使用")
    page.get_by_role("button", name="同意", exact=True).click()
    expect(page.locator(".flash-messages")).to_contain_text("已同意申请")
    expect(page.locator(".govshare-request-heading")).to_contain_text("已同意")

    # The staff user sees the grant, on the entry page and among the grants.
    log_in(page, live_server, staff["name"])
    page.goto(live_server + "/dataset/enterprise-registration")
    held = page.locator(".govshare-held-grant")
    expect(held).to_contain_text("已获授权")
    page.goto(live_server + "/govshare/grants")
    grant_row = page.locator(".govshare-grant-row")
    expect(grant_row).to_have_count(1)
    expect(grant_row).to_contain_text("企业登记信息")
    expect(grant_row).to_contain_text("有效")
    grant_row.get_by_role("link", name="企业登记信息").click()
    expect(page.locator(".govshare-grant-items")).to_have_text("统一社会信用代码")
    keep_screenshot(page, "access-grant")

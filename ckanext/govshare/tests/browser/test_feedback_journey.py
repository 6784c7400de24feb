"""Feedback journey (issue 8, item 1; art. 15): a staff user reports doubtful data from the
entry page, the provider's data officer answers it from the inbox, the staff user reads the
answer — in the Chinese UI, through the pages only."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from ckan.tests import factories
from playwright.sync_api import Page, expect

from ckanext.govshare.tests import factories as gs_factories

from .conftest import keep_screenshot

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"


def _log_in(page: Page, live_server: str, name: str, then: str) -> None:
    """Log in as ``name`` (whoever was logged in before) and land on the page ``then``."""
    page.context.clear_cookies()
    page.goto(f"{live_server}/user/login?{urlencode({'next': then})}")
    page.fill("#field-login", name)
    page.fill("#field-password", PASSWORD)
    page.locator("#field-password").press("Enter")
    expect(page.locator(f".account-masthead a[href$='/user/{name}']")).to_be_visible()
    expect(page).to_have_url(live_server + then)


def test_staff_reports_doubtful_data_officer_answers_staff_reads_it(page: Page, live_server: str):
    staff = factories.User(name="tax-clerk", password=PASSWORD)
    officer = factories.User(name="market-officer", password=PASSWORD)
    gs_factories.Department(
        name="tax", title="税务局", users=[{"name": staff["name"], "capacity": "member"}]
    )
    market = gs_factories.Department(
        name="market", title="市场监管局", users=[{"name": officer["name"], "capacity": "editor"}]
    )
    gs_factories.CatalogueEntry(
        name="enterprise-registration",
        title="企业登记信息",
        owner_org=market["id"],
        data_items=[
            {"name": "统一社会信用代码", "data_type": "string"},
            {"name": "注册资本", "data_type": "decimal"},
        ],
        resources=[
            {"url": "http://example.org/registration.csv", "name": "登记信息.csv"},
            {"url": "http://example.org/changes.csv", "name": "变更记录.csv"},
        ],
    )

    # The staff user reports from the entry page: nothing open yet.
    _log_in(page, live_server, staff["name"], "/dataset/enterprise-registration")
    panel = page.locator(".govshare-entry-feedback")
    expect(panel.locator("h2")).to_contain_text("数据反馈")
    expect(panel.locator("h2")).to_contain_text("0条待处理")
    form = panel.locator("form.govshare-feedback-report")
    expect(form).to_be_hidden()
    panel.get_by_text("反馈数据疑义").click()
    expect(form).to_be_visible()
    expect(form.locator("#field-organization")).to_have_count(0)  # one department: no choice
    form.locator("#field-kind-error").check()
    form.locator("#field-resource_id").select_option(label="登记信息.csv")
    form.locator("#field-data_item").select_option("注册资本")
    form.locator("#field-description").fill("注册资本单位应为万元，数据中为元")
    form.get_by_role("button", name="提交反馈").click()

    expect(page.locator(".flash-messages")).to_contain_text("感谢反馈：提供部门将于")
    heading = page.locator(".govshare-feedback-heading")
    expect(heading).to_contain_text("企业登记信息")
    expect(heading.locator(".govshare-state-open")).to_have_text("待处理")
    facts = page.locator(".govshare-feedback-facts")
    expect(facts).to_contain_text("登记信息.csv")
    expect(facts).to_contain_text("注册资本")
    expect(facts).to_contain_text("市场监管局")
    expect(page.locator(".govshare-feedback-resolve")).to_have_count(0)  # not the provider

    # Listed as open on the entry page.
    heading.get_by_role("link", name="企业登记信息").click()
    expect(panel.locator("h2")).to_contain_text("1条待处理")
    listed = panel.locator(".govshare-entry-feedback-list li")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("登记信息.csv")
    expect(listed).to_contain_text("注册资本")
    expect(listed).to_contain_text("税务局")
    expect(listed.locator(".govshare-state-open")).to_be_visible()

    # The provider's data officer finds it from the inbox and answers it.
    _log_in(page, live_server, officer["name"], "/govshare/inbox")
    expect(page.locator(".account-masthead a[href$='/govshare/inbox']")).to_be_visible()
    page.get_by_role("link", name="待核实的数据反馈").click()
    row = page.locator(".govshare-feedback-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("税务局")
    expect(row).to_contain_text("市场监管局")
    expect(row).to_contain_text("个工作日")  # working days left
    row.get_by_role("link", name="企业登记信息").click()
    expect(page.locator(".govshare-feedback-facts")).to_contain_text("注册资本单位应为万元")
    resolve = page.locator(".govshare-feedback-resolve")
    resolve.get_by_label("已更正").check()
    resolve.locator("#field-explanation").fill("已核实：注册资本单位改为万元，数据已重新发布")
    resolve.get_by_role("button", name="提交答复").click()
    expect(page.locator(".flash-messages")).to_contain_text("答复已发送给反馈部门")
    expect(page.locator(".govshare-feedback-heading .govshare-state-resolved")).to_have_text(
        "已答复"
    )
    expect(page.locator(".govshare-feedback-resolve")).to_have_count(0)

    # The staff user is told, and reads the answer.
    _log_in(page, live_server, staff["name"], "/dataset/enterprise-registration")
    expect(panel.locator("h2")).to_contain_text("0条待处理")
    expect(panel.locator(".govshare-entry-feedback-list")).to_have_count(0)
    page.goto(live_server + "/dashboard/notices/")
    notice = page.locator(".govshare-notice").filter(has_text="数据反馈已答复")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("市场监管局已答复您对“企业登记信息”的反馈")
    notice.get_by_role("link", name="数据反馈已答复：企业登记信息").click()
    answer = page.locator(".govshare-feedback-resolution")
    expect(answer).to_contain_text("已更正")
    expect(answer).to_contain_text(officer["name"])
    expect(page.locator(".govshare-feedback-facts")).to_contain_text(
        "已核实：注册资本单位改为万元，数据已重新发布"
    )
    keep_screenshot(page, "feedback-answered")

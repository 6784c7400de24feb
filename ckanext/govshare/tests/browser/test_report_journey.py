"""Report journey (issue 8, item 3; art. 16–18): after a year's requests and decisions made
through the actions, a data officer reads the department's yearly report with its charts and
downloads it as .xlsx and .pdf; the sharing authority reads the platform-wide report; an officer
of another department is refused — in the Chinese UI."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import pytest
from ckan.tests import factories, helpers
from playwright.sync_api import Locator, Page, expect

from ckanext.govshare.core import clock
from ckanext.govshare.tests import factories as gs_factories

from .conftest import keep_screenshot

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _log_in(page: Page, live_server: str, name: str, then: str) -> None:
    """Log in as ``name`` (whoever was logged in before) and land on the page ``then``."""
    page.context.clear_cookies()
    page.goto(f"{live_server}/user/login?{urlencode({'next': then})}")
    page.fill("#field-login", name)
    page.fill("#field-password", PASSWORD)
    page.locator("#field-password").press("Enter")
    expect(page.locator(f".account-masthead a[href$='/user/{name}']")).to_be_visible()
    expect(page).to_have_url(live_server + then)


def _value(table: Locator, label: str) -> Locator:
    """The value cell of the measure ``label`` in a report table."""
    header = table.page.get_by_role("rowheader", name=label, exact=True)
    return table.locator("tr", has=header).locator("td")


def _as(user: dict[str, Any], action: str, **data: Any) -> Any:
    return helpers.call_action(action, context={"user": user["name"]}, **data)


def test_officer_reads_and_downloads_the_report_authority_reads_the_platform(
    page: Page, live_server: str, ckan_config: Any
):
    staff = factories.User(name="tax-clerk", password=PASSWORD)
    tax_officer = factories.User(name="tax-officer", password=PASSWORD)
    officer = factories.User(name="market-officer", password=PASSWORD)
    authority_user = factories.User(name="data-bureau", password=PASSWORD)
    gs_factories.Department(
        name="tax",
        title="税务局",
        users=[
            {"name": staff["name"], "capacity": "member"},
            {"name": tax_officer["name"], "capacity": "admin"},
        ],
    )
    market = gs_factories.Department(
        name="market", title="市场监管局", users=[{"name": officer["name"], "capacity": "admin"}]
    )
    gs_factories.Department(
        name=ckan_config["ckanext.govshare.authority_org"],
        title="数据局",
        users=[{"name": authority_user["name"], "capacity": "member"}],
    )
    registration = gs_factories.CatalogueEntry(
        name="enterprise-registration",
        title="企业登记信息",
        owner_org=market["id"],
        share_type="conditional",
        share_conditions="仅限税务征管用途",
        open_to_public="not_open",
        resources=[{"url": "http://example.org/registration.csv", "name": "登记信息.csv"}],
    )
    gs_factories.CatalogueEntry(
        name="market-entities", title="市场主体名录", owner_org=market["id"]
    )

    # A year's activity, through the actions: one request approved, one rejected, one
    # feedback answered.
    today = clock.today()
    form = {
        "package_id": registration["id"],
        "requesting_org": "tax",
        "purpose": "administrative_basis",
        "purpose_detail": "核验纳税人登记信息",
        "scenario": "企业注销一网通办",
        "basis": "《税收征收管理法》第十五条",
        "share_method": "file_download",
        "period_start": today.isoformat(),
        "period_end": (today + dt.timedelta(days=180)).isoformat(),
        "pledge": True,
    }
    approved = _as(staff, "govshare_request_create", **form)
    _as(officer, "govshare_request_decide", id=approved["id"], decision="approve")
    rejected = _as(staff, "govshare_request_create", **{**form, "purpose_detail": "批量比对"})
    _as(
        officer,
        "govshare_request_decide",
        id=rejected["id"],
        decision="reject",
        reason="用途超出共享条件",
    )
    feedback = _as(
        staff,
        "govshare_feedback_create",
        package_id=registration["id"],
        kind="doubt",
        description="注册资本单位存疑",
    )
    _as(
        officer,
        "govshare_feedback_resolve",
        id=feedback["id"],
        resolution="confirmed_correct",
        explanation="已核实，数据无误",
    )
    year = today.year

    # The market's data officer opens the reports (linked from the header).
    _log_in(page, live_server, officer["name"], "/govshare/reports")
    expect(page.locator(".account-masthead a[href$='/govshare/reports']")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("年度报告")
    index = page.locator(".govshare-report-index")
    expect(index).to_contain_text("市场监管局")
    expect(index).not_to_contain_text("税务局")
    expect(page.locator(".govshare-report-platform")).to_have_count(0)
    index.get_by_role("link", name=str(year), exact=True).click()
    expect(page).to_have_url(f"{live_server}/govshare/reports/market/{year}")
    expect(page.locator("h1")).to_contain_text(f"政务信息资源共享年度报告 {year}")
    expect(page.locator("h1")).to_contain_text("市场监管局")

    # The measures, from the records.
    entries = page.locator(".govshare-report-entries")
    expect(_value(entries, "合计")).to_have_text("2")
    received = page.locator(".govshare-report-requests")
    expect(_value(received, "合计")).to_have_text("2")
    expect(_value(received, "按时答复")).to_have_text("2")
    expect(_value(received, "逾期未答复")).to_have_text("0")
    expect(_value(received, "按时比例")).to_have_text("100.0 %")
    expect(_value(received, "已批准")).to_have_text("1")
    expect(_value(received, "驳回")).to_have_text("1")
    rejections = page.locator(".govshare-report-rejections tbody tr")
    expect(rejections).to_have_count(1)
    expect(rejections).to_contain_text("用途超出共享条件")
    purposes = page.locator(".govshare-report-purposes")
    expect(_value(purposes, "行政依据")).to_have_text(["0", "1", "0", "0"])  # one grant given
    feedback_table = page.locator(".govshare-report-feedback")
    expect(_value(feedback_table, "收到")).to_have_text("1")
    expect(_value(feedback_table, "按时处理")).to_have_text("1")

    # The four charts, drawn as inline SVG with their Chinese titles.
    charts = page.locator(".govshare-report-chart svg")
    expect(charts).to_have_count(4)
    expect(charts.first).to_be_visible()
    for title in ("按共享类型分的信息资源", "各月共享申请", "答复用时（工作日）", "按用途分的下载"):
        expect(page.locator(".govshare-report-charts")).to_contain_text(title)

    # The downloads answer with the right type, for the logged-in officer.
    downloads = {
        "下载电子表格（.xlsx）": (XLSX, b"PK"),
        "下载 PDF": ("application/pdf", b"%PDF"),
    }
    for name, (content_type, magic) in downloads.items():
        href = page.get_by_role("link", name=name).get_attribute("href")
        response = page.request.get(live_server + href)
        assert response.status == 200, name
        assert response.headers["content-type"].startswith(content_type), name
        assert "attachment" in response.headers["content-disposition"], name
        assert response.body().startswith(magic), name
    keep_screenshot(page, "report-department")

    # The sharing authority reads the platform-wide report, every department in it.
    _log_in(page, live_server, authority_user["name"], "/govshare/reports")
    page.locator(".govshare-report-platform").get_by_role(
        "link", name=str(year), exact=True
    ).click()
    expect(page.locator("h1")).to_contain_text("平台总体报告")
    departments = page.locator(".govshare-report-departments tbody tr")
    expect(departments.filter(has_text="市场监管局")).to_have_count(1)
    expect(departments.filter(has_text="税务局")).to_have_count(1)
    expect(_value(page.locator(".govshare-report-requests"), "合计")).to_have_text("2")
    expect(page.locator(".govshare-report-chart svg")).to_have_count(4)

    # The tax department's officer reads their own report, not the market's.
    _log_in(page, live_server, tax_officer["name"], f"/govshare/reports/tax/{year}")
    expect(page.locator("h1")).to_contain_text("税务局")
    refused = page.goto(f"{live_server}/govshare/reports/market/{year}")
    assert refused is not None and refused.status == 403
    expect(page.locator(".govshare-report-charts")).to_have_count(0)
    xlsx = page.request.get(f"{live_server}/govshare/reports/market/{year}.xlsx")
    assert xlsx.status == 403

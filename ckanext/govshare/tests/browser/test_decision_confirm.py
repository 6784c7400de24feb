"""Confirmations before irreversible decisions (issue 19, item 6): a decision form asks first;
cancelling sends nothing, confirming sends the decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories, helpers
from playwright.sync_api import Dialog, Page, expect

from ckanext.govshare.tests import factories as gs_factories

from .conftest import PASSWORD, axe_violations, keep_screenshot, log_in

pytestmark = pytest.mark.browser


def _submitted_request() -> tuple[dict[str, Any], dict[str, Any]]:
    """A request submitted by a staff member of 税务局 to 市场监管局, and its data officer."""
    staff = factories.User(name="tax-clerk", password=PASSWORD)
    officer = factories.User(name="market-officer", password=PASSWORD)
    tax = gs_factories.Department(
        name="tax", title="税务局", users=[{"name": staff["name"], "capacity": "member"}]
    )
    market = gs_factories.Department(
        name="market", title="市场监管局", users=[{"name": officer["name"], "capacity": "admin"}]
    )
    entry = gs_factories.CatalogueEntry(
        name="enterprise-registration",
        title="企业登记信息",
        owner_org=market["id"],
        share_type="conditional",
        share_conditions="仅限税务征管用途",
        open_to_public="not_open",
        share_methods=["bulk_download"],
        resources=[{"url": "http://example.org/registration.csv", "name": "登记信息.csv"}],
    )
    today = dt.date.today()
    request = helpers.call_action(
        "govshare_request_create",
        context={"user": staff["name"], "ignore_auth": False},
        package_id=entry["id"],
        requesting_org=tax["name"],
        purpose="administrative_basis",
        purpose_detail="核验纳税人登记信息",
        scenario="企业注销一网通办",
        basis="《税收征收管理法》第十五条",
        contact="张三 010-12345678",
        share_method="bulk_download",
        period_start=today.isoformat(),
        period_end=(today + dt.timedelta(days=180)).isoformat(),
        pledge=True,
    )
    return request, officer


def _status(request: dict[str, Any], officer: dict[str, Any]) -> str:
    return helpers.call_action(
        "govshare_request_show", context={"user": officer["name"]}, id=request["id"]
    )["status"]


def test_a_decision_asks_first_cancel_sends_nothing_confirm_sends_it(page: Page, live_server: str):
    request, officer = _submitted_request()
    log_in(page, live_server, officer["name"])
    page.goto(f"{live_server}/govshare/requests/{request['id']}")
    page.fill("#decide-reason", "同意，限税务征管使用")
    asked: list[str] = []

    def cancel(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    # Cancelled: the question was asked, nothing was sent, the form is as it was.
    page.once("dialog", cancel)
    page.get_by_role("button", name="同意", exact=True).click()
    page.wait_for_timeout(500)
    assert asked == ["确定同意该申请？授权将立即生效，之后只能通过撤销授权终止。"]
    assert page.url.endswith(f"/govshare/requests/{request['id']}")
    expect(page.locator("#decide-reason")).to_have_value("同意，限税务征管使用")
    assert _status(request, officer) == "submitted"

    # Rejecting asks its own question.
    page.once("dialog", cancel)
    page.get_by_role("button", name="拒绝", exact=True).click()
    page.wait_for_timeout(500)
    assert asked[-1].startswith("确定拒绝该申请？")
    assert _status(request, officer) == "submitted"

    # Confirmed: the decision is sent.
    def accept(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="同意", exact=True).click()
    expect(page.locator(".flash-messages")).to_contain_text("已同意申请")
    expect(page.locator(".govshare-request-heading")).to_contain_text("已同意")
    assert len(asked) == 3
    assert _status(request, officer) == "approved"


def test_a_form_that_decides_nothing_irreversible_does_not_ask(page: Page, live_server: str):
    request, officer = _submitted_request()
    log_in(page, live_server, officer["name"])
    page.goto(f"{live_server}/en/govshare/requests/{request['id']}")
    asked = page.evaluate(
        """() => {
            const form = document.querySelector('form[action$="/decide"]');
            const button = (value) => form.querySelector(`button[value="${value}"]`);
            return {
                approve: window.govshareConfirm.question(form, button('approve')),
                back: window.govshareConfirm.question(form, button('return')),
            };
        }"""
    )
    # English page, English question; returning for more information is not irreversible.
    assert asked["approve"].startswith("Approve this request?")
    assert asked["back"] is None


def test_the_authority_reads_decided_disputes_and_the_audit_trail(page: Page, live_server: str):
    """The queues of issue 19 item 5 in the browser, in Chinese: a decided dispute under
    已准予共享, the audit trail in local time with labels and names, no serious accessibility
    violation on either page."""
    requester = factories.User(name="tax-clerk", fullname="李四", password=PASSWORD)
    officer = factories.User(name="market-officer", fullname="王五", password=PASSWORD)
    chief = factories.User(name="data-chief", fullname="赵六", password=PASSWORD)
    tax = gs_factories.Department(
        name="tax", title="税务局", users=[{"name": requester["name"], "capacity": "member"}]
    )
    market = gs_factories.Department(
        name="market", title="市场监管局", users=[{"name": officer["name"], "capacity": "admin"}]
    )
    gs_factories.Department(
        name=tk.config["ckanext.govshare.authority_org"],
        title="数据局",
        users=[{"name": chief["name"], "capacity": "member"}],
    )
    entry = gs_factories.SharingEntry(
        owner_org=market["id"], share_type="not_shared", title="企业信用信息"
    )
    today = dt.date.today()
    as_requester = {"user": requester["name"], "ignore_auth": False}
    negotiation = helpers.call_action(
        "govshare_negotiation_open",
        context=dict(as_requester),
        package_id=entry["id"],
        requesting_org=tax["name"],
        purpose="administrative_basis",
        purpose_detail="核验企业信用",
        scenario="企业注销一网通办",
        basis="《税收征收管理法》第十五条",
        contact="李四 010-12345678",
        share_method="file_download",
        period_start=today.isoformat(),
        period_end=(today + dt.timedelta(days=180)).isoformat(),
        pledge=True,
        reason="请协商共享",
    )
    helpers.call_action(
        "govshare_request_escalate",
        context=dict(as_requester),
        id=negotiation["id"],
        reason="协商未果",
    )
    helpers.call_action(
        "govshare_escalation_decide",
        context={"user": chief["name"], "ignore_auth": False},
        id=negotiation["id"],
        decision="grant",
        reason="属于履职必需，准予共享",
    )

    log_in(page, live_server, chief["name"])
    page.goto(live_server + "/govshare/escalations")
    granted = page.locator(".govshare-dispute-filters a[data-status=granted]")
    expect(granted).to_contain_text("已准予共享")
    expect(granted).to_contain_text("1")
    granted.click()
    row = page.locator(".govshare-dispute-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("税务局")
    expect(row).to_contain_text("已准予共享")
    assert axe_violations(page) == []
    keep_screenshot(page, "disputes-decided", docs=True)
    row.get_by_role("link", name="企业信用信息").click()
    expect(page.locator("#request-history")).to_be_visible()

    page.goto(live_server + "/govshare/audit/?action=govshare_request_grant")
    audit_row = page.locator(".govshare-audit-row")
    expect(audit_row).to_have_count(1)
    expect(audit_row.locator(".govshare-audit-action")).to_have_text("争议决定：准予共享")
    expect(audit_row.locator(".govshare-audit-actor")).to_contain_text("赵六")
    expect(audit_row.locator(".govshare-audit-actor")).to_contain_text("数据局")
    expect(audit_row.locator(".govshare-audit-summary")).to_contain_text(
        "理由：属于履职必需，准予共享"
    )
    expect(page.locator(".govshare-audit-zone")).to_have_text("(UTC+08:00)")
    details = audit_row.locator("details.govshare-audit-detail")
    expect(details.locator("pre")).to_be_hidden()
    details.locator("summary").click()
    expect(details.locator("pre")).to_be_visible()
    assert axe_violations(page) == []
    keep_screenshot(page, "audit-trail", docs=True)

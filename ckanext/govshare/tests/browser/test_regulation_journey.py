"""The 2025 Regulations' workflow in the browser (issue 18), in the Chinese UI, through the
pages only: a staff member drafts a request, which waits for their department's head (art. 20);
the department's data officer signs it off from the workbench (submitted, with a due date); the
provider's data officer approves it; the grant shows the date its data is due by (art. 22) and
the provider marks it delivered. And the sharing authority approves an entry waiting in the
catalogue review queue (art. 16).

Assertions read the API where a text is a translation still to be merged (the lead merges the
catalogue); state labels come from the code in both languages.
"""

from __future__ import annotations

import datetime as dt

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from playwright.sync_api import Page, expect

from ckanext.govshare.tests import factories as gs_factories

from .conftest import PASSWORD, keep_screenshot, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025"),
]


def _sysadmin() -> dict[str, str]:
    return {"user": call_action("get_site_user")["name"], "ignore_auth": True}


def test_staff_drafts_head_signs_off_provider_approves_and_delivers(page: Page, live_server: str):
    # Irreversible decisions ask first (issue 19, item 6): this journey confirms each.
    page.on("dialog", lambda dialog: dialog.accept())
    staff = factories.User(name="tax-clerk", password=PASSWORD)
    head = factories.User(name="tax-head", password=PASSWORD)
    officer = factories.User(name="market-officer", password=PASSWORD)
    gs_factories.Department(
        name="tax",
        title="税务局",
        users=[
            {"name": staff["name"], "capacity": "member"},
            {"name": head["name"], "capacity": "admin"},
        ],
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
        share_methods=["bulk_download"],
        data_items=[
            {"name": "统一社会信用代码", "data_type": "string"},
            {"name": "企业名称", "data_type": "string"},
        ],
        resources=[{"url": "http://example.org/registration.csv", "name": "登记信息.csv"}],
    )
    today = dt.date.today()

    # The staff member drafts the request: it waits for the department's head.
    log_in(page, live_server, staff["name"])
    page.goto(live_server + "/dataset/enterprise-registration")
    page.get_by_role("link", name="申请", exact=True).click()
    page.select_option("#field-share_method", "bulk_download")
    page.select_option("#field-purpose", "administrative_basis")
    page.fill("#field-purpose_detail", "核验纳税人登记信息")
    page.fill("#field-scenario", "企业注销一网通办")
    page.fill("#field-basis", "《税收征收管理法》第十五条")
    page.fill("#field-contact", "张三 010-12345678")
    page.fill("#field-period_start", today.isoformat())
    page.fill("#field-period_end", (today + dt.timedelta(days=180)).isoformat())
    page.check("#field-pledge")
    page.get_by_role("button", name="提交申请").click()
    heading = page.locator(".govshare-request-heading")
    expect(heading).to_contain_text("待本部门负责人审核")
    expect(page.locator(".govshare-signoff-waiting")).to_be_visible()
    keep_screenshot(page, "regulation-awaiting-signoff")
    drafted = call_action("govshare_request_list", context=_sysadmin())["results"]
    assert [(r["status"], r["due_date"]) for r in drafted] == [("awaiting_signoff", None)]
    request_id = drafted[0]["id"]

    # The provider does not see it yet; the head finds it on the workbench and signs it off.
    log_in(page, live_server, officer["name"])
    page.goto(live_server + "/govshare/inbox")
    expect(page.locator(".govshare-request-row")).to_have_count(0)
    log_in(page, live_server, head["name"])
    page.goto(live_server + "/govshare/inbox")
    item = page.locator(".govshare-signoff-item")
    expect(item).to_have_count(1)
    item.get_by_role("link", name="企业登记信息").click()
    form = page.locator(".govshare-signoff-form")
    form.locator("#signoff-reason").fill("同意报送")
    form.locator("button[name=decision][value=approve]").click()
    expect(heading).to_contain_text("已提交")
    sent = call_action("govshare_request_show", context=_sysadmin(), id=request_id)
    assert sent["status"] == "submitted" and sent["due_date"]
    assert sent["signed_off_by"]
    expect(page.locator(".govshare-signed-off")).to_be_visible()
    expect(page.locator("#content")).to_contain_text(sent["due_date"])

    # The provider's data officer approves it from the inbox: a grant with a delivery due date.
    log_in(page, live_server, officer["name"])
    page.goto(live_server + "/govshare/inbox")
    row = page.locator(".govshare-request-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("税务局")
    row.get_by_role("link", name="企业登记信息").click()
    page.fill("#decide-reason", "同意，限税务征管使用")
    page.get_by_role("button", name="同意", exact=True).click()
    expect(heading).to_contain_text("已同意")
    page.locator(".govshare-request-grant a").click()
    grant = call_action("govshare_grant_list", context=_sysadmin())["results"][0]
    assert grant["delivery_due"] and grant["delivered_at"] is None
    expect(page.locator(".govshare-delivery-due")).to_contain_text(grant["delivery_due"])
    keep_screenshot(page, "regulation-delivery-due")

    # The provider marks it delivered: recorded, and the form is gone.
    page.locator(".govshare-deliver button[type=submit]").click()
    expect(page.locator(".govshare-deliver")).to_have_count(0)
    delivered = call_action("govshare_grant_show", context=_sysadmin(), id=grant["id"])
    assert delivered["delivered_at"] and delivered["delivered_by"]
    keep_screenshot(page, "regulation-delivered")


def test_authority_approves_a_pending_entry_from_the_review_queue(page: Page, live_server: str):
    # Irreversible decisions ask first (issue 19, item 6): this journey confirms each.
    page.on("dialog", lambda dialog: dialog.accept())
    reviewer = factories.User(name="authority-officer", password=PASSWORD)
    staff = factories.User(name="tax-clerk", password=PASSWORD)
    gs_factories.Department(
        name=tk.config["ckanext.govshare.authority_org"],
        title="数据局",
        users=[{"name": reviewer["name"], "capacity": "admin"}],
    )
    gs_factories.Department(
        name="tax", title="税务局", users=[{"name": staff["name"], "capacity": "member"}]
    )
    market = gs_factories.Department(name="market", title="市场监管局")
    gs_factories.CatalogueEntry(
        name="food-licences",
        title="食品生产许可信息",
        owner_org=market["id"],
        reviewed=False,
    )

    # Another department does not see the entry while it waits.
    log_in(page, live_server, staff["name"])
    response = page.goto(live_server + "/dataset/food-licences")
    assert response is not None and response.status == 404

    # The authority opens the queue and approves it from the entry's review panel.
    log_in(page, live_server, reviewer["name"])
    page.goto(live_server + "/govshare/catalogue/reviews")
    row = page.locator(".govshare-review-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("市场监管局")
    keep_screenshot(page, "regulation-review-queue")
    row.get_by_role("link", name="食品生产许可信息").click()
    with page.expect_navigation():
        page.locator(".govshare-review-form button[value=approve]").click()
    reviews = call_action("govshare_catalogue_review_list", context=_sysadmin())["results"]
    assert [(r["package_name"], r["status"]) for r in reviews] == [("food-licences", "approved")]
    page.goto(live_server + "/govshare/catalogue/reviews")
    expect(page.locator(".govshare-review-row")).to_have_count(0)

    # Announced: the other department sees it now.
    log_in(page, live_server, staff["name"])
    response = page.goto(live_server + "/dataset/food-licences")
    assert response is not None and response.status == 200
    expect(page.get_by_role("article").locator("h1")).to_contain_text("食品生产许可信息")

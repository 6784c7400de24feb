"""Workbench journey (issue 19, item 2): a provider's data officer logs in through the form,
lands on the workbench, sees the request waiting with its working days left and the unread
badge in the header, and opens the request from there — in the Chinese UI."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from ckan.tests import factories
from playwright.sync_api import Page, expect

from ckanext.govshare.tests import factories as gs

from .conftest import AXE_FAILING, PASSWORD, axe_violations, keep_screenshot, log_in

pytestmark = pytest.mark.browser


def test_the_officer_lands_on_the_workbench_and_opens_the_request(page: Page, live_server: str):
    clerk = factories.User(name="tax-clerk", fullname="王芳", password=PASSWORD)
    officer = factories.User(name="market-officer", fullname="李强", password=PASSWORD)
    tax = gs.Department(
        name="tax", title="税务局", users=[{"name": clerk["name"], "capacity": "member"}]
    )
    market = gs.Department(
        name="market", title="市场监管局", users=[{"name": officer["name"], "capacity": "admin"}]
    )
    entry = gs.SharingEntry(
        name="enterprise-registration",
        title="企业登记信息",
        owner_org=market["id"],
        share_type="conditional",
    )
    today = dt.date.today()
    request = gs.AccessRequest(
        user=clerk,
        package_id=entry["id"],
        requesting_org=tax["name"],
        period_start=today.isoformat(),
        period_end=(today + dt.timedelta(days=180)).isoformat(),
    )

    log_in(page, live_server, officer["name"])
    # No "next": CKAN sends the user to ckan.auth.route_after_login, the workbench.
    expect(page).to_have_url(live_server + "/govshare/workbench")
    expect(page.locator(".govshare-workbench h1")).to_be_visible()
    header = page.locator(".account-masthead")
    expect(header.locator("li").first.locator("a")).to_have_attribute("href", "/govshare/workbench")
    badge = header.locator(".govshare-unread-count")
    expect(badge).to_be_visible()
    section = page.locator("#workbench-requests_to_answer")
    expect(section.locator("h2")).to_contain_text("待答复的共享申请")
    expect(section.locator(".govshare-workbench-count")).to_have_text("1")
    expect(section).to_contain_text("税务局")
    # Ten working days from today (until the catalog has the entry, the English text).
    left = re.compile(rf"{request['due_date']}(: 10 working days left|：剩余10个工作日)")
    expect(section.locator(".govshare-workbench-due")).to_contain_text(left)
    assert axe_violations(page) == [], AXE_FAILING
    keep_screenshot(page, "workbench", docs=True)

    section.get_by_role("link", name="企业登记信息").click()
    expect(page).to_have_url(f"{live_server}/govshare/requests/{request['id']}")

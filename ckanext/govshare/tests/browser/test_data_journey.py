"""The data journey (issue 16, item 11): a staff user applies for 2 of 4 data items through
the service interface, the provider's data officer approves with a daily quota, the staff user
creates an interface token on the grant page, and a call with curl answers exactly the 2
granted columns — through the pages only, in the Chinese UI, and a real HTTP client."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from urllib.parse import quote

import pytest
from ckan.tests import factories
from playwright.sync_api import Page, expect

from ckanext.govshare.tests import factories as gs_factories
from ckanext.govshare.tests.datastore_tables import load_table

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"
ITEMS = ["统一社会信用代码", "企业名称", "法定代表人", "注册资本"]


def _log_in(page: Page, live_server: str, name: str) -> None:
    page.context.clear_cookies()
    page.goto(live_server + "/user/login")
    page.fill("#field-login", name)
    page.fill("#field-password", PASSWORD)
    page.locator("#field-password").press("Enter")
    page.wait_for_load_state("networkidle")


def _curl(url: str, token: str) -> tuple[int, dict]:
    out = subprocess.run(
        ["curl", "-sS", "-w", "\n%{http_code}", "-H", f"Authorization: Bearer {token}", url],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    body, _, status = out.rpartition("\n")
    return int(status), json.loads(body)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is installed by scripts/setup.sh")
def test_apply_for_two_items_approve_take_a_token_and_query(page: Page, live_server: str):
    staff = factories.User(name="tax-analyst", password=PASSWORD)
    officer = factories.User(name="market-data-officer", password=PASSWORD)
    gs_factories.Department(
        name="tax", title="税务局", users=[{"name": staff["name"], "capacity": "member"}]
    )
    market = gs_factories.Department(
        name="market", title="市场监管局", users=[{"name": officer["name"], "capacity": "admin"}]
    )
    entry = gs_factories.CatalogueEntry(
        name="enterprise-registry",
        title="企业登记信息",
        owner_org=market["id"],
        share_type="conditional",
        share_conditions="仅限税务征管用途",
        open_to_public="not_open",
        share_methods=["api", "bulk_download"],
        daily_capacity=10000,
        data_items=[{"name": n, "data_type": "string"} for n in ITEMS],
        resources=[{"url": "http://example.org/registry.csv", "name": "企业登记.csv"}],
    )
    rid = entry["resources"][0]["id"]
    load_table(
        rid,
        fields=[{"id": c, "type": "text"} for c in [*ITEMS, "内部备注"]],
        records=[
            {
                "统一社会信用代码": f"9131000063{i:08d}",
                "企业名称": f"上海第{i}贸易有限公司",
                "法定代表人": f"王{i}",
                "注册资本": str(100 * i),
                "内部备注": "仅供内部核查",
            }
            for i in range(1, 26)
        ],
    )
    today = dt.date.today()

    # The staff user applies through the service interface for 2 of the 4 data items.
    _log_in(page, live_server, staff["name"])
    page.goto(live_server + "/dataset/enterprise-registry")
    page.get_by_role("link", name="申请", exact=True).click()
    page.select_option("#field-share_method", "api")
    page.fill("#field-expected_calls_per_day", "500")
    page.select_option("#field-purpose", "administrative_basis")
    page.fill("#field-purpose_detail", "核验纳税人登记信息")
    page.fill("#field-scenario", "企业注销一网通办")
    page.fill("#field-basis", "《税收征收管理法》第十五条")
    page.fill("#field-contact", "张三 010-12345678")
    page.fill("#field-period_start", today.isoformat())
    page.fill("#field-period_end", (today + dt.timedelta(days=180)).isoformat())
    page.uncheck("#field-item-3")  # 法定代表人
    page.uncheck("#field-item-4")  # 注册资本
    page.check("#field-pledge")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".govshare-request-heading")).to_contain_text("已提交")

    # The provider's data officer approves with a daily quota below the declared calls.
    _log_in(page, live_server, officer["name"])
    page.locator(".account-masthead a[href$='/govshare/inbox']").click()
    page.locator(".govshare-request-row").get_by_role("link", name="企业登记信息").click()
    expect(page.locator(".govshare-quota-capacity")).to_contain_text("10000")
    page.fill("#decide-reason", "同意，限税务征管使用")
    page.fill("#decide-max_calls_per_day", "200")
    page.get_by_role("button", name="同意", exact=True).click()
    expect(page.locator(".govshare-request-heading")).to_contain_text("已同意")

    # The staff user takes an interface token on the grant page: shown once.
    _log_in(page, live_server, staff["name"])
    page.goto(live_server + "/govshare/grants")
    page.locator(".govshare-grant-row").get_by_role("link", name="企业登记信息").click()
    expect(page.locator(".govshare-query-url")).to_contain_text(f"/govshare/query/{rid}")
    expect(page.locator(".govshare-granted-fields")).to_have_text("统一社会信用代码, 企业名称")
    expect(page.locator(".govshare-grant-preview")).not_to_contain_text("王1")
    grant_page = page.url
    page.locator(".govshare-create-token").click()
    secret = page.locator(".govshare-secret").inner_text().strip()
    assert secret.startswith("gsd_")
    page.screenshot(path="test-results/data-grant-token.png", full_page=True)
    page.goto(grant_page)
    expect(page.locator(".govshare-secret")).to_have_count(0)  # never shown again

    # A real HTTP client with the token gets exactly the two granted columns.
    status, answer = _curl(f"{live_server}/govshare/query/{rid}?limit=5", secret)
    assert status == 200, answer
    assert [f["id"] for f in answer["fields"]] == ["统一社会信用代码", "企业名称"]
    assert len(answer["records"]) == 5
    assert {tuple(sorted(r)) for r in answer["records"]} == {("企业名称", "统一社会信用代码")}
    assert answer["total"] == 25
    status, refused = _curl(f"{live_server}/govshare/query/{rid}?fields={quote('法定代表人')}", secret)
    assert status == 403
    assert "法定代表人" in json.dumps(refused, ensure_ascii=False)

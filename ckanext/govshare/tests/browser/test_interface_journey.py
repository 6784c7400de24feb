"""Interface journey (issue 16, item 11): a clerk applies for 2 of 4 data items with share
method api, the provider's data officer approves with a daily quota, the clerk creates a token
on the grant page (the secret shown once) and calls the service interface with curl — and gets
exactly the 2 granted columns. In the Chinese UI, through the pages only; curl as a client."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess

import pytest
from ckan.tests import factories
from playwright.sync_api import Page, expect

from ckanext.govshare.tests import factories as gs_factories
from ckanext.govshare.tests.datastore_tables import load_table

from .conftest import keep_screenshot

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"
ITEMS = [
    {"name": "统一社会信用代码", "data_type": "string", "column": "credit_code"},
    {"name": "企业名称", "data_type": "string"},
    {"name": "法定代表人", "data_type": "string"},
    {"name": "注册资本", "data_type": "decimal"},
]


def _log_in(page: Page, live_server: str, name: str) -> None:
    page.context.clear_cookies()
    page.goto(live_server + "/user/login")
    page.fill("#field-login", name)
    page.fill("#field-password", PASSWORD)
    page.locator("#field-password").press("Enter")
    page.wait_for_load_state("networkidle")


def test_apply_approve_take_a_token_and_query_two_columns(page: Page, live_server: str):
    clerk = factories.User(name="tax-clerk", password=PASSWORD)
    officer = factories.User(name="market-officer", password=PASSWORD)
    gs_factories.Department(
        name="tax", title="税务局", users=[{"name": clerk["name"], "capacity": "member"}]
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
        share_methods=["file_download", "api"],
        daily_capacity=1000,
        data_items=ITEMS,
        resources=[{"url": "http://example.org/registry.csv", "name": "登记信息.csv"}],
    )
    rid = entry["resources"][0]["id"]
    load_table(
        rid,
        fields=[
            {"id": "credit_code", "type": "text"},
            {"id": "企业名称", "type": "text"},
            {"id": "法定代表人", "type": "text"},
            {"id": "注册资本", "type": "numeric"},
            {"id": "内部备注", "type": "text"},
        ],
        records=[
            {
                "credit_code": f"91310000MA1FL{i:05d}",
                "企业名称": f"上海第{i}贸易有限公司",
                "法定代表人": f"张{i}",
                "注册资本": 100 + i,
                "内部备注": "内部线索",
            }
            for i in range(3)
        ],
    )
    today = dt.date.today()

    # The clerk applies for two of the four data items, by the service interface.
    _log_in(page, live_server, clerk["name"])
    page.goto(live_server + "/dataset/enterprise-registry")
    page.get_by_role("link", name="申请", exact=True).click()
    page.select_option("#field-share_method", "api")
    page.fill("#field-expected_calls_per_day", "100")
    page.select_option("#field-purpose", "administrative_basis")
    page.fill("#field-purpose_detail", "核验纳税人登记信息")
    page.fill("#field-scenario", "企业注销一网通办")
    page.fill("#field-basis", "《税收征收管理法》第十五条")
    page.fill("#field-period_start", today.isoformat())
    page.fill("#field-period_end", (today + dt.timedelta(days=180)).isoformat())
    page.uncheck("#field-item-3")  # 法定代表人
    page.uncheck("#field-item-4")  # 注册资本
    page.check("#field-pledge")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".govshare-request-heading")).to_contain_text("已提交")
    request_url = page.url

    # The data officer sees the declared calls and the capacity, and sets a quota of 50.
    _log_in(page, live_server, officer["name"])
    page.goto(request_url)
    expect(page.locator(".govshare-quota-expected")).to_have_text("100")
    expect(page.locator(".govshare-quota-capacity")).to_have_text("1000")
    expect(page.locator("#decide-max_calls_per_day")).to_have_value("100")
    page.fill("#decide-max_calls_per_day", "50")
    # Approving is irreversible: the page asks first (issue 19, item 6).
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("button[name=decision][value=approve]").click()
    expect(page.locator(".govshare-request-heading")).to_contain_text("已同意")

    # The clerk opens the grant page: the interface's address, the granted fields, the quota.
    _log_in(page, live_server, clerk["name"])
    page.goto(live_server + "/govshare/grants")
    page.locator(".govshare-grant-row").get_by_role("link", name="企业登记信息").click()
    expect(page.locator(".govshare-query-url")).to_have_text(f"{live_server}/govshare/query/{rid}")
    expect(page.locator(".govshare-granted-fields")).to_have_text("credit_code, 企业名称")
    expect(page.locator(".govshare-grant-quota")).to_contain_text("50")
    expect(page.locator(".govshare-example-curl")).to_contain_text("$TOKEN")
    expect(page.locator("body")).not_to_contain_text("内部线索")

    # A token, shown once.
    grant_url = page.url
    page.locator(".govshare-create-token").click()
    secret = page.locator(".govshare-secret").inner_text().strip()
    assert secret.startswith("gsd_")
    keep_screenshot(page, "interface-grant")
    page.goto(grant_url)
    expect(page.locator(".govshare-secret")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(secret)

    # The page's own curl example, run as a client would with the token in $TOKEN: exactly
    # the two granted columns.
    example = page.locator(".govshare-example-curl").inner_text()
    assert example.startswith('curl -G -H "Authorization: Bearer $TOKEN"')
    answer = subprocess.run(
        ["bash", "-c", example.replace("curl ", "curl -sS --fail-with-body ", 1)],
        env={"TOKEN": secret, "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    body = json.loads(answer.stdout)
    assert [f["id"] for f in body["fields"]] == ["credit_code", "企业名称"]
    assert body["total"] == 3
    assert body["records"][0] == {
        "credit_code": "91310000MA1FL00000",
        "企业名称": "上海第0贸易有限公司",
    }
    hidden = subprocess.run(
        [
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-H",
            f"Authorization: Bearer {secret}",
            f"{live_server}/govshare/query/{rid}?fields=%E6%B3%95%E5%AE%9A%E4%BB%A3%E8%A1%A8%E4%BA%BA",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert hidden.stdout == "403"  # 法定代表人 is outside the grant

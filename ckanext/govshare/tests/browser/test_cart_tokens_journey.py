"""Download list and tokens journey (issue 19, item 8): a tax clerk whose department holds a
grant of 2 of 4 data items puts two resources in the download list (one from the grant page,
one with the grant list's button), downloads them as one ZIP and finds exactly the granted
columns in each file; then creates a token on the tokens page, sees its secret once, and
revokes it (after the confirmation) — the token then no longer downloads anything. In the
Chinese UI, through the pages only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from ckan.tests import factories, helpers
from playwright.sync_api import Page, expect

from ckanext.govshare.tests import factories as gs_factories
from ckanext.govshare.tests.datastore_tables import load_table

from .conftest import PASSWORD, axe_violations, keep_screenshot, log_in

pytestmark = pytest.mark.browser

ITEMS = [
    {"name": "统一社会信用代码", "data_type": "string", "column": "credit_code"},
    {"name": "企业名称", "data_type": "string"},
    {"name": "法定代表人", "data_type": "string"},
    {"name": "注册资本", "data_type": "decimal"},
]
FIELDS = [
    {"id": "credit_code", "type": "text"},
    {"id": "企业名称", "type": "text"},
    {"id": "法定代表人", "type": "text"},
    {"id": "注册资本", "type": "numeric"},
    {"id": "内部备注", "type": "text"},
]
GRANTED = ["统一社会信用代码", "企业名称"]
COLUMNS = ["credit_code", "企业名称"]


def _records(prefix: str) -> list[dict[str, object]]:
    return [
        {
            "credit_code": f"91310000{prefix}{i:05d}",
            "企业名称": f"上海第{i}贸易有限公司",
            "法定代表人": f"张{i}",
            "注册资本": 100 + i,
            "内部备注": "内部线索",
        }
        for i in range(3)
    ]


def _world() -> dict[str, object]:
    """Two departments, an entry of four data items with two tables, and the tax department's
    grant of two of the items (approved by the provider's data officer)."""
    clerk = factories.User(name="tax-clerk", fullname="李税务", password=PASSWORD)
    officer = factories.User(name="market-officer", fullname="王市场", password=PASSWORD)
    tax = gs_factories.Department(
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
        share_methods=["file_download"],
        data_items=ITEMS,
        resources=[
            {"url": "http://example.org/registry.csv", "name": "企业登记.csv"},
            {"url": "http://example.org/changes.csv", "name": "变更记录.csv"},
        ],
    )
    for res, prefix in zip(entry["resources"], ("MA1FL", "MA2CH"), strict=True):
        load_table(res["id"], fields=FIELDS, records=_records(prefix))
    today = dt.date.today()
    request = gs_factories.AccessRequest(
        user=clerk,
        package_id=entry["id"],
        requesting_org=tax["name"],
        period_start=today.isoformat(),
        period_end=(today + dt.timedelta(days=180)).isoformat(),
    )
    decided = helpers.call_action(
        "govshare_request_decide",
        context={"user": officer["name"], "ignore_auth": False},
        id=request["id"],
        decision="approve",
        data_items=GRANTED,
    )
    return {"clerk": clerk, "entry": entry, "grant": decided["grant"]}


def test_pick_two_resources_download_one_zip_then_a_token(page: Page, live_server: str):
    world = _world()
    entry, grant = world["entry"], world["grant"]
    first, second = entry["resources"]  # type: ignore[index]
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations, once scripted

    # The grant list names the provider by its title; the grant page picks one resource.
    log_in(page, live_server, world["clerk"]["name"])  # type: ignore[index]
    page.goto(live_server + "/govshare/grants")
    row = page.locator(".govshare-grant-row")
    expect(row).to_contain_text("市场监管局")
    expect(row).not_to_contain_text("market")
    row.get_by_role("link", name="企业登记信息").click()
    card = page.locator(".govshare-grant-cart")
    card.get_by_label("变更记录.csv").uncheck()
    card.locator(".govshare-grant-cart-add").click()
    expect(page.locator(".flash-messages .alert-success")).to_contain_text("1")

    # The grant list's button adds the rest of the entry's granted resources.
    page.goto(live_server + "/govshare/grants")
    page.locator(".govshare-grant-row .govshare-grant-cart-add").click()

    # The list: both items, under the grant, with the granted columns only.
    page.goto(live_server + "/govshare/cart")
    items = page.locator(".govshare-cart-item")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("企业登记.csv")
    expect(items.nth(1)).to_contain_text("变更记录.csv")
    for n in range(2):
        expect(items.nth(n).locator(".govshare-cart-columns")).to_contain_text(
            "credit_code, 企业名称"
        )
        expect(items.nth(n)).to_contain_text("市场监管局")
    expect(page.locator(".govshare-cart-unavailable")).to_have_count(0)
    assert axe_violations(page) == []
    keep_screenshot(page, "download-list", docs=True)

    # One ZIP: a file cut to the grant for each resource, and the manifest.
    with page.expect_download() as caught:
        page.locator(".govshare-cart-zip").click()
    path = caught.value.path()
    archive = zipfile.ZipFile(path)
    code = entry["resource_code"]  # type: ignore[index]
    assert archive.namelist() == [f"{code}/企业登记.csv", f"{code}/变更记录.csv", "MANIFEST.json"]
    for name, prefix in ((f"{code}/企业登记.csv", "MA1FL"), (f"{code}/变更记录.csv", "MA2CH")):
        rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
        assert rows[0] == COLUMNS
        assert rows[1] == [f"91310000{prefix}00000", "上海第0贸易有限公司"]
        assert len(rows) == 4
        assert "内部线索" not in archive.read(name).decode("utf-8-sig")
    manifest = json.loads(archive.read("MANIFEST.json"))
    assert {f["resource_id"] for f in manifest["files"]} == {first["id"], second["id"]}
    assert all(f["grant_id"] == grant["id"] and f["columns"] == COLUMNS for f in manifest["files"])
    assert manifest["refused"] == []

    # A token from the tokens page: the secret shown once, on the answer's page only.
    page.goto(live_server + "/govshare/tokens")
    expect(page.locator("#token-grant")).to_contain_text("企业登记信息")
    page.locator(".govshare-token-create").click()
    secret = page.locator("#token-secret").input_value()
    assert secret.startswith("gsd_")
    assert secret not in page.url
    assert axe_violations(page) == []
    keep_screenshot(page, "token-created", docs=True)
    page.goto(live_server + "/govshare/tokens")
    expect(page.locator("body")).not_to_contain_text(secret)
    token_row = page.locator(".govshare-token-row")
    expect(token_row).to_have_count(1)
    assert axe_violations(page) == []
    keep_screenshot(page, "tokens", docs=True)
    expect(token_row).to_contain_text("企业登记信息")
    expect(token_row.locator(".govshare-token-status")).to_have_text("有效")
    works = page.request.get(
        f"{live_server}/govshare/download/{first['id']}",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert works.status == 200

    # Revoked (after the confirmation): listed as revoked, and it no longer downloads.
    form = token_row.locator("form:has(.govshare-token-revoke)")
    assert form.get_attribute("data-govshare-confirm")
    token_row.locator(".govshare-token-revoke").click()
    expect(page.locator(".govshare-token-row .govshare-token-status")).to_have_text("已撤销")
    expect(page.locator(".govshare-token-revoke")).to_have_count(0)
    refused = page.request.get(
        f"{live_server}/govshare/download/{first['id']}",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert refused.status == 403 and refused.json()["reason"] == "revoked"

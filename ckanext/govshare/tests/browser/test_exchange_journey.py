"""Batch exchange and data return journeys (issue 17; 2025 Regulations art. 22, 24; 2016
Measures art. 12), in the Chinese UI, through the pages only (actions set up the world).

1. The receiving department's data officer, holding an approved ``exchange_node`` grant of
   three of an entry's four data items, registers a directory exchange target, subscribes the
   grant's DataStore resource to it (full, daily at 02:00) from the grant page and clicks
   "Run now"; the run (no jobs worker in tests: the test carries out the job the page queued)
   succeeds with its row count, and the delivered CSV holds exactly the granted columns. The
   provider's data officer sees the subscription under "We give".
2. The provider's data officer turns on data return on the entry's page; the sharing authority
   sees the two lower departments covered on /govshare/returns.

One world (``module_world``) for both: a provincial provider (330000) and its entry with a
region data item, Hangzhou's department (330100, the holder) and Ningbo's (330200).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from playwright.sync_api import Page, expect

from ckanext.govshare.exchange import jobs
from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.datastore_tables import load_table

from .conftest import keep_screenshot

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"
REGION_ITEM = "所在地区划代码"
ITEMS = [
    {"name": "统一社会信用代码", "data_type": "string", "column": "credit_code"},
    {"name": "企业名称", "data_type": "string"},
    {"name": REGION_ITEM, "data_type": "string", "column": "region"},
    {"name": "注册资本", "data_type": "decimal"},
]
FIELDS = [
    {"id": "credit_code", "type": "text"},
    {"id": "企业名称", "type": "text"},
    {"id": "region", "type": "text"},
    {"id": "注册资本", "type": "numeric"},
    {"id": "内部备注", "type": "text"},
]
REGIONS = ["330102", "330203", "330106"]
RECORDS = [
    {
        "credit_code": f"91330000MA2B{i:06d}",
        "企业名称": f"浙江第{i}贸易有限公司",
        "region": REGIONS[i % 3],
        "注册资本": 100 + i,
        "内部备注": "内部线索",
    }
    for i in range(7)
]
GRANTED_ITEMS = ["统一社会信用代码", "企业名称", REGION_ITEM]
GRANTED_COLUMNS = ["credit_code", "企业名称", "region"]


@dataclass
class Journey:
    holder: dict[str, Any]
    provider: dict[str, Any]
    entry: dict[str, Any]
    grant: dict[str, Any]


def build() -> Journey:
    """The departments, their data officers, the authority, the entry in the DataStore and the
    approved grant (requested and decided through the actions)."""
    holder_officer = factories.User(name="hz-market-officer", password=PASSWORD)
    provider_officer = factories.User(name="zj-market-officer", password=PASSWORD)
    authority = factories.User(name="data-bureau-clerk", password=PASSWORD)
    provider = gs.Department(
        name="zj-market",
        title="浙江省市场监管局",
        department_level="provincial",
        region_code="330000",
        users=[{"name": provider_officer["name"], "capacity": "admin"}],
    )
    holder = gs.Department(
        name="hz-market",
        title="杭州市市场监管局",
        department_level="municipal",
        region_code="330100",
        users=[{"name": holder_officer["name"], "capacity": "admin"}],
    )
    gs.Department(
        name="nb-market",
        title="宁波市市场监管局",
        department_level="municipal",
        region_code="330200",
    )
    gs.Department(
        name=tk.config["ckanext.govshare.authority_org"],
        title="数据局",
        users=[{"name": authority["name"], "capacity": "member"}],
    )
    entry = gs.SharingEntry(
        name="enterprise-registry",
        title="企业登记信息",
        owner_org=provider["id"],
        share_type="conditional",
        share_methods=["file_download", "exchange_node"],
        data_items=ITEMS,
        region_item=REGION_ITEM,
        resources=[{"url": "http://example.org/registry.csv", "name": "登记信息.csv"}],
    )
    load_table(entry["resources"][0]["id"], fields=FIELDS, records=RECORDS)
    today = dt.date.today()
    request = gs.AccessRequest(
        user=holder_officer,
        package_id=entry["id"],
        requesting_org=holder["name"],
        share_method="exchange_node",
        data_items=GRANTED_ITEMS,
        period_start=today.isoformat(),
        period_end=(today + dt.timedelta(days=180)).isoformat(),
    )
    grant = tk.get_action("govshare_request_decide")(
        {"user": provider_officer["name"], "ignore_auth": False},
        {"id": request["id"], "decision": "approve"},
    )["grant"]
    return Journey(holder, provider, entry, grant)


@pytest.fixture
def journey(module_world: Callable[..., Any], live_server: str) -> Journey:
    return module_world(build)


@pytest.fixture
def queued_jobs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, list[Any]]]:
    """What the pages hand to CKAN's jobs queue (no worker runs in tests)."""
    queued: list[tuple[Any, list[Any]]] = []
    monkeypatch.setattr(tk, "enqueue_job", lambda fn, args, **kw: queued.append((fn, args)))
    return queued


@pytest.fixture
def exchange_dir() -> Iterator[tuple[str, str]]:
    """(path relative to the exchange root, absolute path) of the test's directory target,
    removed afterwards."""
    root = tk.config.get("ckanext.govshare.exchange.root")
    assert root, "the test config sets ckanext.govshare.exchange.root (scripts/setup.sh config)"
    relative = f"journey/{uuid.uuid4().hex[:8]}"
    absolute = os.path.join(root, relative)
    try:
        yield relative, absolute
    finally:
        shutil.rmtree(os.path.dirname(absolute), ignore_errors=True)


def _log_in(page: Page, live_server: str, name: str, then: str) -> None:
    """Log in as ``name`` (whoever was logged in before) and land on the page ``then``."""
    page.context.clear_cookies()
    page.goto(f"{live_server}/user/login?{urlencode({'next': then})}")
    page.fill("#field-login", name)
    page.fill("#field-password", PASSWORD)
    page.locator("#field-password").press("Enter")
    expect(page.locator(f".account-masthead a[href$='/user/{name}']")).to_be_visible()
    expect(page).to_have_url(live_server + then)


def test_subscribe_a_grant_to_a_directory_run_it_and_the_provider_sees_it(
    page: Page,
    live_server: str,
    journey: Journey,
    queued_jobs: list[tuple[Any, list[Any]]],
    exchange_dir: tuple[str, str],
) -> None:
    relative, absolute = exchange_dir

    # The holder's data officer registers a directory target: saving tests it.
    _log_in(page, live_server, "hz-market-officer", "/govshare/exchange/targets")
    expect(page.locator("h1")).to_contain_text("交换目标")
    page.get_by_role("link", name="添加交换目标").click()
    expect(page.locator("#field-organization")).to_have_value("hz-market")
    page.check("#field-kind-directory")
    page.fill("#field-name", "市局前置机目录")
    page.fill("#field-path", relative)
    page.get_by_role("button", name="测试并保存").click()
    expect(page.locator(".alert-success")).to_contain_text("交换目标已保存：测试通过。")
    row = page.locator(".govshare-exchange-target-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("市局前置机目录")
    expect(row).to_contain_text("目录")
    expect(row.locator(".govshare-test-ok")).to_be_visible()
    assert os.path.isdir(absolute)

    # The grant page's batch exchange section: subscribe the resource, full, daily at 02:00.
    page.goto(live_server + "/govshare/grants")
    page.locator(".govshare-grant-row").get_by_role("link", name="企业登记信息").click()
    section = page.locator(".govshare-grant-exchange")
    expect(section.locator("h2")).to_have_text("批量交换")
    form = section.locator(".govshare-subscribe-form")
    expect(form.locator("#field-resource_id option")).to_have_text(["登记信息.csv"])
    expect(form.locator("#field-target_id option")).to_have_count(1)
    expect(form.locator("#field-target_id")).to_contain_text("市局前置机目录")
    form.locator("#field-table").fill("enterprises")
    form.locator("#field-mode-full").check()
    form.locator("#field-schedule-daily").check()
    form.locator("input[name=schedule_at]").fill("02:00")
    form.get_by_role("button", name="订阅").click()

    # The subscription's page, then "Run now".
    expect(page).to_have_url(re.compile(r"/govshare/exchange/subscriptions/[0-9a-f-]{36}$"))
    expect(page.locator(".alert-success")).to_contain_text("已订阅")
    expect(page.locator("h1")).to_contain_text("enterprises")
    expect(page.locator("h1 .govshare-subscription-active")).to_have_text("有效")
    facts = page.locator(".govshare-subscription-facts")
    expect(facts).to_contain_text("每天 02:00")
    expect(facts).to_contain_text("全量")
    expect(facts.locator(".govshare-subscription-target")).to_contain_text(relative)
    page.get_by_role("button", name="立即交换").click()
    expect(page.locator(".alert-success")).to_contain_text("已加入交换队列。")
    expect(page.locator(".govshare-run-row")).to_have_count(1)
    expect(page.locator(".govshare-run-row")).to_contain_text("排队中")

    # The page queued exactly one job: the run's. The worker's part, done here.
    assert len(queued_jobs) == 1
    job, args = queued_jobs[0]
    assert job is jobs.job
    done = job(*args)
    assert done["outcome"] == "success" and done["rows"] == len(RECORDS)

    page.reload()
    run = page.locator(".govshare-run-row")
    expect(run).to_have_count(1)
    expect(run.locator(".govshare-run-success")).to_have_text("成功")
    expect(run.locator("td").nth(3)).to_have_text(str(len(RECORDS)))
    expect(facts).to_contain_text(f"成功 {len(RECORDS)} 行")
    keep_screenshot(page, "exchange-subscription")

    # The delivered file: exactly the granted columns (DataStore names), every row.
    with open(os.path.join(absolute, "enterprises.csv"), encoding="utf-8", newline="") as f:
        delivered = list(csv.reader(f))
    assert delivered[0] == GRANTED_COLUMNS
    assert delivered[1:] == [[r[c] for c in GRANTED_COLUMNS] for r in RECORDS]
    with open(os.path.join(absolute, "enterprises.manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    assert manifest["columns"] == GRANTED_COLUMNS and manifest["rows"] == len(RECORDS)
    assert manifest["sha256"] == done["sha256"]

    # The provider's data officer sees it under "We give".
    _log_in(page, live_server, "zj-market-officer", "/govshare/exchange")
    page.locator(".govshare-exchange-tabs").get_by_role("link", name="我方提供").click()
    given = page.locator(".govshare-subscription-row")
    expect(given).to_have_count(1)
    expect(given).to_contain_text("企业登记信息")
    expect(given).to_contain_text("杭州市市场监管局")
    expect(given).to_contain_text("enterprises")
    expect(given).to_contain_text(f"成功 {len(RECORDS)} 行")
    page.locator(".govshare-exchange-tabs").get_by_role("link", name="我方接收").click()
    expect(page.locator(".govshare-subscription-row")).to_have_count(0)


def test_provider_turns_on_data_return_and_the_authority_sees_the_coverage(
    page: Page, live_server: str, journey: Journey
) -> None:
    _log_in(page, live_server, "zj-market-officer", "/dataset/enterprise-registry")
    panel = page.locator("section.govshare-return")
    expect(panel.locator("h2")).to_have_text("数据回流")
    expect(panel.locator(".govshare-return-state")).to_contain_text("已关闭")
    panel.get_by_role("button", name="开启数据回流").click()
    expect(page.locator(".alert-success")).to_contain_text("数据回流已开启：2个下级部门")
    panel = page.locator("section.govshare-return")
    expect(panel.locator(".govshare-return-state")).to_contain_text("已开启")
    departments = panel.locator(".govshare-return-departments tbody tr")
    expect(departments).to_have_count(2)
    expect(panel.locator("tr[data-organization=hz-market]")).to_contain_text("3301")
    expect(panel.locator("tr[data-organization=nb-market]")).to_contain_text("3302")

    # The sharing authority: the reports page links to the coverage, both cities returned.
    _log_in(page, live_server, "data-bureau-clerk", "/govshare/reports")
    page.locator(".govshare-return-coverage-link").click()
    expect(page.locator("h1")).to_have_text("数据回流覆盖情况")
    rows = page.locator(".govshare-return-coverage tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator(".govshare-return-gap")).to_have_count(0)
    covered = page.locator(".govshare-return-coverage tr[data-status=covered]")
    expect(covered).to_have_count(2)
    expect(covered.filter(has_text="杭州市市场监管局")).to_contain_text("3301")
    expect(covered.filter(has_text="宁波市市场监管局")).to_contain_text("3302")
    expect(covered.first).to_contain_text("企业登记信息")
    expect(covered.first).to_contain_text("已回流")

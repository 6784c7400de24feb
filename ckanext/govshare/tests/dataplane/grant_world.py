"""The sharing world with tables in the DataStore and an interface grant narrowed to 2 of 4
data items, for the side-door and page tests (issue 16, items 4, 6, 8, 9).

``build`` adds to the access tests' world (``tests/access/conftest.py``: the departments and a
user of every role): a conditionally shared entry of four data items whose resource's table
holds one column more (``内部备注``, matching no data item), an open entry with a table, and a
request with share method ``api`` approved for two of the four items with a quota of 50 calls
a day. Built once per test module (``module_world``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
import pytest

from ckanext.govshare.core import clock
from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import World, build_world
from ckanext.govshare.tests.datastore_tables import load_table

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
RECORDS = [
    {
        "credit_code": f"9131000000000000{i:02d}",
        "企业名称": f"上海第{i}贸易有限公司",
        "法定代表人": f"张{i}",
        "注册资本": 100 + i,
        "内部备注": "内部线索" if i == 3 else "无",
    }
    for i in range(25)
]
GRANTED_ITEMS = ["统一社会信用代码", "企业名称"]
GRANTED_COLUMNS = ["credit_code", "企业名称"]
HIDDEN_COLUMNS = ["法定代表人", "注册资本", "内部备注"]


@dataclass
class GrantWorld:
    world: World
    restricted: dict[str, Any]
    resource_id: str
    open_entry: dict[str, Any]
    open_resource_id: str
    # Open entries whose table is not for everyone: a column of no data item; an item shared
    # more narrowly than the entry (partly shared, art. 9).
    open_extra_id: str
    open_partly_id: str
    request: dict[str, Any]
    grant: dict[str, Any]

    def call(self, who: str | None, action: str, **data: Any) -> Any:
        return self.world.call(who, action, **data)

    @property
    def users(self) -> dict[str, dict[str, Any]]:
        return self.world.users


def api_request(world: World, package_id: str, **over: Any) -> dict[str, Any]:
    """A request with share method api for the granted items, 100 calls a day expected."""
    today = clock.today()
    form = {
        "package_id": package_id,
        "requesting_org": world.requester_org["name"],
        "purpose": "administrative_basis",
        "purpose_detail": "核验企业登记信息",
        "scenario": "企业开办一网通办",
        "basis": "《市场主体登记管理条例》第五条",
        "share_method": "api",
        "expected_calls_per_day": 100,
        "data_items": GRANTED_ITEMS,
        "period_start": today.isoformat(),
        "period_end": (today + dt.timedelta(days=90)).isoformat(),
        "pledge": True,
        **over,
    }
    return gs.AccessRequest(user=world.users["requester"], **form)


def build() -> GrantWorld:
    world = build_world()
    admin = {"user": world.users["sysadmin"]["name"], "ignore_auth": True}
    restricted = gs.SharingEntry(
        context=dict(admin),
        owner_org=world.provider["id"],
        share_type="conditional",
        share_methods=["file_download", "api", "online_query"],
        data_items=ITEMS,
        daily_capacity=1000,
    )
    rid = restricted["resources"][0]["id"]
    load_table(rid, fields=FIELDS, records=RECORDS)
    two = [{k: r[k] for k in ("credit_code", "企业名称")} for r in RECORDS[:3]]
    three = [{**row, "内部备注": "内部线索"} for row in two]

    def open_table(items: list[dict[str, Any]], fields: list[dict[str, Any]], rows: Any) -> str:
        entry = gs.SharingEntry(
            context=dict(admin),
            owner_org=world.provider["id"],
            share_type="unconditional",
            data_items=items,
        )
        rid = entry["resources"][0]["id"]
        load_table(rid, fields=fields, records=rows)
        return rid

    open_rid = open_table(ITEMS[:2], FIELDS[:2], two)
    open_entry = tk.get_action("package_show")(dict(admin), {"id": _package_of(open_rid)})
    open_extra = open_table(ITEMS[:2], [*FIELDS[:2], FIELDS[4]], three)
    partly = [ITEMS[0], {**ITEMS[1], "share_type": "conditional"}]
    open_partly = open_table(partly, FIELDS[:2], two)
    request = api_request(world, restricted["id"])
    decided = world.call(
        "provider_officer",
        "govshare_request_decide",
        id=request["id"],
        decision="approve",
        max_calls_per_day=50,
    )
    return GrantWorld(
        world,
        restricted,
        rid,
        open_entry,
        open_rid,
        open_extra,
        open_partly,
        request,
        decided["grant"],
    )


def _package_of(resource_id: str) -> str:
    return tk.get_action("resource_show")({"ignore_auth": True}, {"id": resource_id})["package_id"]


@pytest.fixture
def gw(module_world: Any) -> GrantWorld:
    return module_world(build)

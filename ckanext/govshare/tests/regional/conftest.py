"""A province returning its data to its cities and counties (2025 Regulations art. 24).

The access tests' world (a user of every role) with regions: the providing department is the
province's (330000, provincial); the requesting department is Hangzhou's (330100, municipal;
its officer is "the officer of a lower department"); added: Shangcheng district (330102,
county), Ningbo (330200, municipal), Nanjing (320100, municipal: another province) and a
municipal department without a region code. The provincial entry ``returned`` has a region
item whose column holds each row's division code (6 or 12 digits) in the DataStore, and
return on; ``kept`` has a region item and return off (the art. 39(5) finding); ``plain`` has
no region item. Built once per module (``module_world``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
import pytest

from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import World, build_world
from ckanext.govshare.tests.datastore_tables import load_table

REGION_ITEM = "所在地区划代码"
ITEMS = [
    {"name": "统一社会信用代码", "data_type": "string", "column": "credit_code"},
    {"name": "企业名称", "data_type": "string"},
    {"name": REGION_ITEM, "data_type": "string", "column": "region"},
]
FIELDS = [
    {"id": "credit_code", "type": "text"},
    {"id": "企业名称", "type": "text"},
    {"id": "region", "type": "text"},
]
CODES = ["330100", "330102", "330102001001", "330106", "330200", "330203", "320100", "330000"]
RECORDS = [
    {"credit_code": f"9133000000000000{i:02d}", "企业名称": f"第{i}公司", "region": CODES[i % 8]}
    for i in range(16)
]
#: The rows each lower department must receive, by its region's prefix.
EXPECTED = {
    prefix: sorted(r["credit_code"] for r in RECORDS if r["region"].startswith(prefix))
    for prefix in ("3301", "330102", "3302", "3303")
}


@dataclass
class RegionWorld:
    world: World
    hangzhou: dict[str, Any]
    shangcheng: dict[str, Any]
    ningbo: dict[str, Any]
    nanjing: dict[str, Any]
    nocode: dict[str, Any]
    returned: dict[str, Any]
    resource_id: str
    kept: dict[str, Any]
    plain: dict[str, Any]

    def call(self, who: str | None, action: str, **data: Any) -> Any:
        return self.world.call(who, action, **data)

    @property
    def users(self) -> dict[str, dict[str, Any]]:
        return self.world.users


def admin(world: World) -> dict[str, Any]:
    return {"user": world.users["sysadmin"]["name"], "ignore_auth": True}


def patch_org(world: World, org: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return tk.get_action("organization_patch")(admin(world), {"id": org["id"], **fields})


def build() -> RegionWorld:
    world = build_world()
    patch_org(world, world.provider, region_code="330000", department_level="provincial")
    hangzhou = patch_org(
        world, world.requester_org, region_code="330100", department_level="municipal"
    )
    shangcheng = gs.Department(title="上城区", department_level="county", region_code="330102")
    ningbo = gs.Department(title="宁波市", department_level="municipal", region_code="330200")
    nanjing = gs.Department(title="南京市", department_level="municipal", region_code="320100")
    nocode = gs.Department(title="无区划部门", department_level="municipal")

    def entry(**fields: Any) -> dict[str, Any]:
        return gs.SharingEntry(
            context=admin(world),
            owner_org=world.provider["id"],
            share_type="conditional",
            share_methods=["file_download", "api", "online_query", "exchange_node"],
            data_items=ITEMS,
            **fields,
        )

    returned = entry(region_item=REGION_ITEM)
    rid = returned["resources"][0]["id"]
    load_table(rid, fields=FIELDS, records=RECORDS)
    kept = entry(region_item=REGION_ITEM)
    plain = entry()
    world.call(
        "provider_officer", "govshare_return_update", package_id=returned["id"], enabled=True
    )
    return RegionWorld(
        world, hangzhou, shangcheng, ningbo, nanjing, nocode, returned, rid, kept, plain
    )


@pytest.fixture
def rw(module_world: Any) -> RegionWorld:
    return module_world(build)

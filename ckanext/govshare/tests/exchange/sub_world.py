"""A world for the subscription tests and pages (issue 17, item 2): the access tests' world
(a user of every role, ``tests/access/conftest.py``) with an officer of a third department,
an entry offering batch exchange with a table in the DataStore (key and watermark data items
set), a grant of three of its four data items by ``exchange_node`` and one by ``api``, two
exchange targets of the holder and one of the provider. Built once per test module
(``module_world``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.tests import factories

from ckanext.govshare.core import clock
from ckanext.govshare.exchange.model import run_table, target_table
from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import World, build_world
from ckanext.govshare.tests.datastore_tables import load_table

ITEMS = [
    {"name": "统一社会信用代码", "data_type": "string", "column": "credit_code"},
    {"name": "企业名称", "data_type": "string", "column": "name"},
    {"name": "更新时间", "data_type": "datetime", "column": "updated"},
    {"name": "注册资本", "data_type": "decimal", "column": "capital"},
]
FIELDS = [
    {"id": "credit_code", "type": "text"},
    {"id": "name", "type": "text"},
    {"id": "updated", "type": "timestamp"},
    {"id": "capital", "type": "numeric"},
]
RECORDS = [
    {
        "credit_code": f"91310000000000{i:04d}",
        "name": f"第{i}公司",
        "updated": f"2026-11-{1 + i % 28:02d}T08:00:00",
        "capital": 100 + i,
    }
    for i in range(10)
]
GRANTED = ["统一社会信用代码", "企业名称", "更新时间"]
DAILY = {"kind": "daily", "at": "02:30"}


@dataclass
class SubWorld:
    world: World
    entry: dict[str, Any]
    resource_id: str
    other_resource_id: str
    grant: dict[str, Any]
    api_grant: dict[str, Any]
    target_id: str
    target2_id: str
    provider_target_id: str

    def call(self, who: str | None, action: str, **data: Any) -> Any:
        return self.world.call(who, action, **data)

    def subscribe(self, who: str = "requester_officer", **over: Any) -> dict[str, Any]:
        data = {
            "grant_id": self.grant["id"],
            "resource_id": self.resource_id,
            "target_id": self.target_id,
            "table": "companies",
            "mode": "full",
            "schedule": DAILY,
            **over,
        }
        return self.call(who, "govshare_subscription_create", **data)


def _target(org_id: str, name: str, kind: str = "directory") -> str:
    """A target row as the targets' actions leave it (their tests cover creating one)."""
    now = clock.now()
    target_id = str(uuid.uuid4())
    model.Session.execute(
        sa.insert(target_table).values(
            id=target_id,
            organization_id=org_id,
            name=name,
            kind=kind,
            dsn_display=None if kind == "directory" else "postgresql://exchange@127.0.0.1/node",
            dsn_encrypted=None if kind == "directory" else "x",
            path=name if kind == "directory" else None,
            created_at=now,
            updated_at=now,
        )
    )
    model.Session.commit()
    return target_id


def _request(world: World, package_id: str, method: str, **over: Any) -> dict[str, Any]:
    today = clock.today()
    request = gs.AccessRequest(
        **over,
        user=world.users["requester"],
        package_id=package_id,
        requesting_org=world.requester_org["name"],
        share_method=method,
        data_items=GRANTED,
        period_start=today.isoformat(),
        period_end=(today + dt.timedelta(days=90)).isoformat(),
    )
    return world.call(
        "provider_officer", "govshare_request_decide", id=request["id"], decision="approve"
    )["grant"]


def build() -> SubWorld:
    world = build_world()
    admin = {"user": world.users["sysadmin"]["name"], "ignore_auth": True}
    # An officer of a third department (neither holder nor provider).
    world.users["other_officer"] = factories.User(name=gs.unique_name("other_officer"))
    gs.Membership(
        by=world.users["sysadmin"],
        organization=world.other_org,
        user=world.users["other_officer"],
        role="admin",
    )
    entry = gs.SharingEntry(
        context=dict(admin),
        owner_org=world.provider["id"],
        share_type="conditional",
        share_methods=["exchange_node", "database", "api"],
        data_items=ITEMS,
        key_item="统一社会信用代码",
        watermark_item="更新时间",
        resources=[{"url": "http://example.org/a.csv"}, {"url": "http://example.org/b.csv"}],
    )
    rid = entry["resources"][0]["id"]
    load_table(rid, fields=FIELDS, records=RECORDS)
    other_rid = world.conditional["resources"][0]["id"]
    return SubWorld(
        world=world,
        entry=entry,
        resource_id=rid,
        other_resource_id=other_rid,
        grant=_request(world, entry["id"], "exchange_node"),
        api_grant=_request(world, entry["id"], "api", expected_calls_per_day=10),
        target_id=_target(world.requester_org["id"], "node-a"),
        target2_id=_target(world.requester_org["id"], "node-b", kind="postgresql"),
        provider_target_id=_target(world.provider["id"], "provider-node"),
    )


def add_run(subscription: dict[str, Any], **over: Any) -> str:
    """A finished run of the subscription (or as ``over`` says), as runs record one."""
    now = clock.now()
    run_id = str(uuid.uuid4())
    values = {
        "id": run_id,
        "subscription_id": subscription["id"],
        "grant_id": subscription["grant_id"],
        "organization_id": subscription["requesting_org_id"],
        "provider_org_id": subscription["provider_org_id"],
        "mode": subscription["mode"],
        "trigger": "schedule",
        "queued_at": now - dt.timedelta(minutes=5),
        "started_at": now - dt.timedelta(minutes=4),
        "finished_at": now - dt.timedelta(minutes=3),
        "outcome": "success",
        "rows": 10,
        "bytes": 512,
        "sha256": "ab" * 32,
        **over,
    }
    model.Session.execute(sa.insert(run_table).values(**values))
    model.Session.commit()
    return run_id

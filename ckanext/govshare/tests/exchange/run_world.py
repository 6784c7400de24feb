"""A world for exchange runs (issue 17, item 5): the access tests' departments and users, an
entry of five data items whose table has a column more (matching no item), and a grant of
four of the items limited to two districts' rows, share method ``exchange_node``.

The expected delivery is computed here from the records (``expected_rows``, ``expected_csv``),
independently of the data plane: the granted columns in table order, the row filter applied,
the CSV as PostgreSQL's ``COPY … WITH (FORMAT csv)`` writes these values.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.govshare.access import grants as access_grants
from ckanext.govshare.core import clock
from ckanext.govshare.exchange import secrets
from ckanext.govshare.exchange.model import subscription_table, target_table
from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import World, build_world
from ckanext.govshare.tests.datastore_tables import load_table

ITEMS = [
    {"name": "统一社会信用代码", "data_type": "string", "column": "credit_code"},
    {"name": "企业名称", "data_type": "string"},
    {"name": "所属区县", "data_type": "string", "column": "district"},
    {"name": "注册资本", "data_type": "decimal"},
    {"name": "更新时间", "data_type": "datetime", "column": "updated"},
]
FIELDS = [
    {"id": "credit_code", "type": "text"},
    {"id": "企业名称", "type": "text"},
    {"id": "district", "type": "text"},
    {"id": "注册资本", "type": "numeric"},
    {"id": "updated", "type": "timestamp"},
    {"id": "内部备注", "type": "text"},
]
GRANTED_ITEMS = ["统一社会信用代码", "企业名称", "所属区县", "更新时间"]
GRANTED_COLUMNS = ["credit_code", "企业名称", "district", "updated"]
DISTRICTS = ["310101", "310104", "310105"]
GRANTED_DISTRICTS = ["310101", "310104"]
BASE = dt.datetime(2026, 1, 5, 9, 0, 0)


def records(n: int = 30, start: int = 0, base: dt.datetime = BASE) -> list[dict[str, Any]]:
    return [
        {
            "credit_code": f"91310000MA{i:08d}",
            "企业名称": f"上海第{i}贸易有限公司",
            "district": DISTRICTS[i % 3],
            "注册资本": 100 + i,
            "updated": (base + dt.timedelta(minutes=i)).isoformat(),
            "内部备注": "内部线索",
        }
        for i in range(start, start + n)
    ]


def expected_rows(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The granted columns of the rows the grant's filter lets through, in table order."""
    return [
        (
            r["credit_code"],
            r["企业名称"],
            r["district"],
            dt.datetime.fromisoformat(r["updated"]),
        )
        for r in rows
        if r["district"] in GRANTED_DISTRICTS
    ]


def expected_csv(rows: list[tuple[Any, ...]]) -> bytes:
    """What COPY … (FORMAT csv) writes for these values (no value needs quoting)."""
    return "".join(
        f"{code},{name},{district},{updated:%Y-%m-%d %H:%M:%S}\n"
        for code, name, district, updated in rows
    ).encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class RunWorld:
    world: World
    entry: dict[str, Any]
    resource_id: str
    records: list[dict[str, Any]]
    grant: dict[str, Any]


def add_entry(world: World, admin: dict[str, Any]) -> dict[str, Any]:
    return gs.SharingEntry(
        context=dict(admin),
        owner_org=world.provider["id"],
        share_type="conditional",
        share_methods=["file_download", "exchange_node"],
        data_items=ITEMS,
        key_item="统一社会信用代码",
        watermark_item="更新时间",
        resources=[
            {"url": "http://example.org/a.csv", "name": "a.csv"},
            {"url": "http://example.org/b.csv", "name": "b.csv"},
        ],
    )


def build() -> RunWorld:
    world = build_world()
    admin = {"user": world.users["sysadmin"]["name"], "ignore_auth": True}
    entry = add_entry(world, admin)
    rid = entry["resources"][0]["id"]
    rows = records()
    load_table(rid, fields=FIELDS, records=rows)
    today = clock.today()
    grant = access_grants.create_grant(
        package_id=entry["id"],
        provider_org_id=world.provider["id"],
        organization_id=world.requester_org["id"],
        source="approval",
        purpose="administrative_basis",
        purpose_detail="批量交换测试",
        period_start=today - dt.timedelta(days=1),
        period_end=today + dt.timedelta(days=90),
        person=None,
        acting_org=None,
        data_items=GRANTED_ITEMS,
        share_method="exchange_node",
        row_filter={"column": "district", "values": GRANTED_DISTRICTS},
    )
    model.Session.commit()
    return RunWorld(world, entry, rid, rows, grant)


def add_target(rw: RunWorld, *, dsn: str | None = None, path: str | None = None) -> str:
    """A target of the holder department, straight into the table (the targets' own tests
    cover creating them through the action)."""
    now = clock.now()
    target_id = str(uuid.uuid4())
    model.Session.execute(
        sa.insert(target_table).values(
            id=target_id,
            organization_id=rw.world.requester_org["id"],
            name=f"target-{target_id[:8]}",
            kind="postgresql" if dsn else "directory",
            dsn_encrypted=secrets.encrypt(dsn) if dsn else None,
            dsn_display="postgresql://postgres@127.0.0.1" if dsn else None,
            path=path,
            created_at=now,
            updated_at=now,
        )
    )
    model.Session.commit()
    return target_id


def subscribe(
    rw: RunWorld,
    target_id: str,
    table: str,
    *,
    mode: str = "full",
    resource_id: str | None = None,
) -> str:
    """An active subscription, due now, straight into the table (its checks are the
    subscriptions' tests')."""
    now = clock.now()
    subscription_id = str(uuid.uuid4())
    model.Session.execute(
        sa.insert(subscription_table).values(
            id=subscription_id,
            grant_id=rw.grant["id"],
            resource_id=resource_id or rw.resource_id,
            target_id=target_id,
            package_id=rw.entry["id"],
            organization_id=rw.world.requester_org["id"],
            provider_org_id=rw.world.provider["id"],
            table_name=table,
            mode=mode,
            schedule={"kind": "hourly", "every": 24},
            status="active",
            next_run_at=now - dt.timedelta(minutes=1),
            created_at=now,
            updated_at=now,
        )
    )
    model.Session.commit()
    return subscription_id

"""The sharing world with a table in the DataStore and interface grants, for the service
interface's tests (issue 16, items 4–7). The entry's data items and the table's columns are
the data plane's (``tests/dataplane/grant_world.py``); the rows name a district too.

``build`` adds to the access tests' world (``tests/access/conftest.py``: the departments and
a user of every role) an unconditionally shared entry of four data items whose resource's
table holds one column more (``内部备注``, matching no data item), and three grants of the
requesting department on it, narrowed in the grant table as the provider's decision would
(``share_method``, ``data_items``; the decision's own tests are the access tests'):

- ``grant``: share method ``api``, two of the four items (``credit_code``, ``企业名称``);
- ``verify_grant``: purpose data verification, share method ``online_query``, the same items;
- ``file_grant``: share method ``file_download`` (not the interface).

Built once per test module (``module_world``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers

from ckanext.govshare.access.model import grant_table
from ckanext.govshare.audit.model import event_table
from ckanext.govshare.interface.model import call_table, quota_table
from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import World, build_world
from ckanext.govshare.tests.dataplane.grant_world import (
    FIELDS,
    GRANTED_COLUMNS,
    GRANTED_ITEMS,
    HIDDEN_COLUMNS,
    ITEMS,
)
from ckanext.govshare.tests.datastore_tables import load_table
from ckanext.govshare.tests.live_server import serve

DISTRICTS = ["浦东", "黄浦", "徐汇"]
RECORDS = [
    {
        "credit_code": f"9131000000000000{i:02d}",
        "企业名称": f"上海{DISTRICTS[i % 3]}第{i}贸易有限公司",
        "法定代表人": f"张{i}",
        "注册资本": 100 + i,
        "内部备注": "内部线索" if i == 3 else "无",
    }
    for i in range(25)
]
GRANTED = GRANTED_COLUMNS
HIDDEN = HIDDEN_COLUMNS
ALL_COLUMNS = [f["id"] for f in FIELDS]


@dataclass
class IWorld:
    world: World
    entry: dict[str, Any]
    resource_id: str
    grant: dict[str, Any]
    verify_grant: dict[str, Any]
    file_grant: dict[str, Any]

    def call(self, who: str | None, action: str, **data: Any) -> Any:
        return self.world.call(who, action, **data)

    def token(self, grant: dict[str, Any] | None = None, who: str = "requester") -> str:
        """A new token's secret, taken by ``who`` on ``grant`` (default: the api grant)."""
        grant = grant or self.grant
        return self.call(who, "govshare_token_create", grant_id=grant["id"])["token"]


def patch_grant(grant_id: str, **values: Any) -> None:
    """Change a grant's row as the provider's decision or a revocation would (committed)."""
    model.Session.execute(
        sa.update(grant_table).where(grant_table.c.id == grant_id).values(**values)
    )
    model.Session.commit()


def build() -> IWorld:
    world = build_world()
    admin = {"user": world.users["sysadmin"]["name"], "ignore_auth": True}
    entry = gs.SharingEntry(
        context=admin,
        owner_org=world.provider["id"],
        share_type="unconditional",
        data_items=ITEMS,
        share_methods=["api", "online_query", "file_download"],
    )
    resource_id = entry["resources"][0]["id"]
    load_table(resource_id, FIELDS, RECORDS)

    def obtain(purpose: str, **values: Any) -> dict[str, Any]:
        grant = gs.Grant(
            user=world.users["requester"],
            package_id=entry["id"],
            requesting_org=world.requester_org["name"],
            purpose=purpose,
        )
        patch_grant(grant["id"], **values)
        return grant

    narrowed = {"data_items": GRANTED_ITEMS}
    return IWorld(
        world=world,
        entry=entry,
        resource_id=resource_id,
        grant=obtain("work_reference", share_method="api", **narrowed),
        verify_grant=obtain("data_verification", share_method="online_query", **narrowed),
        file_grant=obtain("administrative_basis", share_method="file_download", **narrowed),
    )


@pytest.fixture
def iw(module_world: Any) -> IWorld:
    return module_world(build)


@pytest.fixture
def bearer() -> Any:
    def headers(secret: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {secret}"}

    return headers


@pytest.fixture
def api_key(iw: IWorld) -> Any:
    """Headers that authenticate as a user of the world with a CKAN API token."""
    made: dict[str, str] = {}

    def headers(who: str) -> dict[str, str]:
        if who not in made:
            made[who] = helpers.call_action(
                "api_token_create",
                context={"user": iw.world.users["sysadmin"]["name"], "ignore_auth": True},
                user=iw.world.users[who]["name"],
                name="interface-test",
            )["token"]
        return {"Authorization": made[who]}

    return headers


def _committed(query: Any) -> list[dict[str, Any]]:
    with model.meta.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def calls(**where: Any) -> list[dict[str, Any]]:
    """Committed call log rows, oldest first."""
    query = sa.select(call_table).order_by(call_table.c.id)
    for name, value in where.items():
        query = query.where(call_table.c[name] == value)
    return _committed(query)


def events(**where: Any) -> list[dict[str, Any]]:
    """Committed audit events, oldest first."""
    query = sa.select(event_table).order_by(event_table.c.seq)
    for name, value in where.items():
        query = query.where(event_table.c[name] == value)
    return _committed(query)


def quota_calls(grant_id: str) -> int:
    rows = _committed(sa.select(quota_table.c.calls).where(quota_table.c.grant_id == grant_id))
    return sum(r["calls"] for r in rows)


@pytest.fixture
def live_server(iw: IWorld, ckan_config: Any) -> Iterator[str]:
    """The CKAN app on a free loopback port (threaded: one thread a request), for one test."""
    with serve(ckan_config) as url:
        yield url

"""A lower department's return grant by batch exchange (issue 17, items 4, 5): Hangzhou's
officer subscribes the returned entry's table to its exchange node (a second local PostgreSQL
database) and a run delivers exactly the rows of Hangzhou's region."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.core import clock
from ckanext.govshare.exchange import jobs, runs, secrets
from ckanext.govshare.exchange.model import target_table
from ckanext.govshare.regional import service
from ckanext.govshare.tests.exchange.conftest import exchange_db  # noqa: F401

from .conftest import EXPECTED, RegionWorld

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.fixture
def target_db(exchange_db: str) -> Iterator[Any]:  # noqa: F811
    conn = psycopg2.connect(exchange_db)
    conn.autocommit = True
    try:
        yield conn
    finally:
        conn.close()


def _target(org_id: str, dsn: str) -> str:
    """A target of the department, straight into the table (the targets' tests cover the
    action)."""
    now = clock.now()
    target_id = str(uuid.uuid4())
    model.Session.execute(
        sa.insert(target_table).values(
            id=target_id,
            organization_id=org_id,
            name=f"node-{target_id[:8]}",
            kind="postgresql",
            dsn_encrypted=secrets.encrypt(dsn),
            dsn_display="postgresql://postgres@127.0.0.1",
            created_at=now,
            updated_at=now,
        )
    )
    model.Session.commit()
    return target_id


def test_an_exchange_run_delivers_only_the_departments_rows(
    rw: RegionWorld,
    exchange_db: str,  # noqa: F811
    target_db: Any,
) -> None:
    (grant,) = service.return_grants(rw.returned["id"], organization_id=rw.hangzhou["id"])
    table = f"r_{uuid.uuid4().hex[:12]}"
    sub = rw.call(
        "requester_officer",
        "govshare_subscription_create",
        grant_id=grant["id"],
        resource_id=rw.resource_id,
        target_id=_target(rw.hangzhou["id"], exchange_db),
        table=table,
        mode="full",
        schedule={"kind": "hourly", "every": 24},
    )
    queued = jobs.queue(sub["id"], trigger="manual", requested_by=None, enqueue=False)
    model.Session.commit()
    run = runs.execute(queued["id"])
    assert run["outcome"] == "success", run["error"]
    assert run["rows"] == len(EXPECTED["3301"])
    with target_db.cursor() as cur:
        cur.execute(f'SELECT credit_code, region FROM "{table}" ORDER BY 1')
        rows = cur.fetchall()
    assert [code for code, _ in rows] == EXPECTED["3301"]
    assert all(region.startswith("3301") for _, region in rows)

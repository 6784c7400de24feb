"""The first successful batch exchange run delivers an approved grant's data (2025
Regulations art. 22): ``delivered_at`` set once, method ``batch_exchange``, by the platform."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.access.model import grant_table
from ckanext.govshare.audit.model import event_table
from ckanext.govshare.exchange import jobs, runs
from ckanext.govshare.tests.exchange import run_world as rwm
from ckanext.govshare.tests.exchange.run_world import RunWorld

pytestmark = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")


@pytest.fixture
def rw(module_world: Any) -> RunWorld:
    return module_world(rwm.build)


def _run_now(subscription_id: str) -> dict[str, Any]:
    queued = jobs.queue(subscription_id, trigger="manual", requested_by=None, enqueue=False)
    model.Session.commit()
    return runs.execute(queued["id"])


def _grant(grant_id: str) -> dict[str, Any]:
    with model.meta.engine.connect() as conn:
        row = conn.execute(sa.select(grant_table).where(grant_table.c.id == grant_id)).one()
        return dict(row._mapping)


def test_the_first_successful_run_delivers_the_grant(rw: RunWorld) -> None:
    assert _grant(rw.grant["id"])["delivered_at"] is None  # an approval's grant
    target = rwm.add_target(rw, path=f"deliver-{uuid.uuid4().hex[:8]}")
    sid = rwm.subscribe(rw, target, "companies")
    first = _run_now(sid)
    assert first["outcome"] == "success", first["error"]
    delivered = _grant(rw.grant["id"])
    assert delivered["delivered_at"] is not None
    assert delivered["delivery_method"] == "batch_exchange"
    assert delivered["delivered_by"] is None  # the platform ran it
    assert _run_now(sid)["outcome"] == "success"
    assert _grant(rw.grant["id"])["delivered_at"] == delivered["delivered_at"]
    with model.meta.engine.connect() as conn:
        events = conn.execute(
            sa.select(event_table.c.actor_name, event_table.c.detail).where(
                event_table.c.action == "govshare_grant_deliver",
                event_table.c.object_id == rw.grant["id"],
            )
        ).all()
    assert [(e.actor_name, e.detail["method"]) for e in events] == [("system", "batch_exchange")]

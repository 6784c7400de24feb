"""Batch exchange under a suspended or terminated grant (2025 Regulations art. 27; issue 18
item 6): a run under a suspended grant fails with the suspension's reason and date, moves
nothing, is audited as refused with ``detail.reason`` ``suspended``, and leaves the
subscription active (the sweep of ungranted subscriptions keeps it too); resumed, the next run
delivers. Terminating the grant stops its subscriptions (``grant_terminated``)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.audit.model import event_table
from ckanext.govshare.core import clock, config
from ckanext.govshare.exchange import jobs, runs, subscriptions
from ckanext.govshare.exchange import reminders as exchange_reminders
from ckanext.govshare.tests.exchange import run_world as rwm
from ckanext.govshare.tests.exchange.run_world import RunWorld

pytestmark = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")

REASON = "超出授权范围向下属单位提供数据"


@pytest.fixture
def rw(module_world: Any) -> RunWorld:
    return module_world(rwm.build)


def _run_now(subscription_id: str) -> dict[str, Any]:
    queued = jobs.queue(subscription_id, trigger="manual", requested_by=None, enqueue=False)
    model.Session.commit()
    return runs.execute(queued["id"])


def _subscription(rw: RunWorld) -> tuple[str, str]:
    folder = f"susp-{uuid.uuid4().hex[:8]}"
    target = rwm.add_target(rw, path=folder)
    return rwm.subscribe(rw, target, "companies"), os.path.join(config.exchange_root(), folder)


def test_a_suspended_grants_run_fails_with_the_reason_and_the_subscription_stays(
    rw: RunWorld,
) -> None:
    sid, where = _subscription(rw)
    day = (clock.today() + dt.timedelta(days=15)).isoformat()
    rw.world.call(
        "provider_officer",
        "govshare_grant_suspend",
        id=rw.grant["id"],
        reason=REASON,
        rectify_by=day,
    )
    run = _run_now(sid)
    assert run["outcome"] == "failed"
    assert REASON in run["error"] and day in run["error"]
    assert not os.path.exists(os.path.join(where, "companies.csv"))
    kept = subscriptions.load(sid)
    assert kept is not None and kept["status"] == "active"
    assert sid not in exchange_reminders.ungranted(clock.today(), None)  # type: ignore[arg-type]
    [event] = [
        dict(r._mapping)
        for r in model.Session.execute(
            sa.select(event_table).where(
                event_table.c.action == "govshare_exchange_run",
                event_table.c.object_id == sid,
            )
        )
    ]
    assert event["outcome"] == "refused" and event["detail"]["reason"] == "suspended"
    rw.world.call("authority", "govshare_grant_resume", id=rw.grant["id"], reason="已整改")
    again = _run_now(sid)
    assert again["outcome"] == "success", again["error"]
    assert os.path.exists(os.path.join(where, "companies.csv"))


def test_terminating_the_grant_stops_its_subscriptions(rw: RunWorld) -> None:
    sid, _ = _subscription(rw)
    rw.world.call("authority", "govshare_grant_terminate", id=rw.grant["id"], reason="终止")
    stopped = subscriptions.load(sid)
    assert stopped is not None
    assert stopped["status"] == "stopped" and stopped["stop_reason"] == "grant_terminated"

"""Batch exchange subscriptions (issue 17, items 2, 3; 2025 Regulations art. 22): the actions,
who may call them (every role of workflows.md), and stopping them when a grant ends."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare import notices
from ckanext.govshare.access.model import grant_table
from ckanext.govshare.audit.model import event_table
from ckanext.govshare.core import clock
from ckanext.govshare.exchange import jobs, reminders, subscriptions
from ckanext.govshare.exchange.model import run_table
from ckanext.govshare.notices.model import notice_table
from ckanext.govshare.tests.exchange.sub_world import DAILY, SubWorld, add_run, build


@pytest.fixture
def sw(module_world: Any) -> SubWorld:
    return module_world(build)


@pytest.fixture(autouse=True)
def _no_redis_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs are queued in the table; the jobs queue itself is the runs' tests' business."""
    monkeypatch.setattr(jobs, "_enqueue", lambda ids: None)


def _errors(excinfo: pytest.ExceptionInfo[tk.ValidationError]) -> dict[str, Any]:
    return excinfo.value.error_dict


def _events(action: str, object_id: str) -> list[dict[str, Any]]:
    rows = model.Session.execute(
        sa.select(event_table).where(
            event_table.c.action == action, event_table.c.object_id == object_id
        )
    ).all()
    return [dict(r._mapping) for r in rows]


def _notices(kind: str) -> list[dict[str, Any]]:
    rows = model.Session.execute(sa.select(notice_table).where(notice_table.c.kind == kind)).all()
    return [dict(r._mapping) for r in rows]


# ---------------------------------------------------------------------------- create


def test_create_answers_the_subscription_audited(sw: SubWorld) -> None:
    before = clock.now()
    sub = sw.subscribe()
    assert sub["table"] == "companies" and "table_name" not in sub
    assert sub["status"] == "active" and sub["mode"] == "full"
    assert sub["schedule"] == DAILY
    assert sub["requesting_org_id"] == sw.world.requester_org["id"]
    assert sub["requesting_org"] == sw.world.requester_org["name"]
    assert sub["provider_org_id"] == sw.world.provider["id"]
    assert sub["provider_org_title"] == sw.world.provider["title"]
    assert sub["status_label"] == {"en": "Active", "zh_Hans_CN": "有效"}
    assert sub["created"] and sub["modified"] and sub["stopped_at"] is None
    leaked = {"organization_id", "holder_org", "created_at", "updated_at", "table_name"}
    assert not leaked & set(sub)
    assert sub["target"]["name"] == "node-a" and sub["last_run"] is None
    assert sub["schedule_label"]["en"] == "Daily at 02:30"
    next_run = dt.datetime.fromisoformat(sub["next_run_at"])
    assert before < next_run <= before + dt.timedelta(hours=24)
    assert next_run.astimezone(clock.timezone()).strftime("%H:%M") == "02:30"
    (event,) = _events("govshare_subscription_create", sub["id"])
    assert event["actor_department"] == sw.world.requester_org["id"]
    assert event["detail"]["table"] == "companies"


def test_hourly_first_runs_at_once_and_is_due(sw: SubWorld) -> None:
    sub = sw.subscribe(schedule='{"kind": "hourly", "every": "6"}')
    assert sub["schedule"] == {"kind": "hourly", "every": 6}
    assert sub["id"] in subscriptions.due(clock.now())
    subscriptions.after_run(sub["id"], success=True, watermark="2026-11-05T08:00:00")
    model.Session.commit()
    row = subscriptions.load(sub["id"])
    assert row is not None and row["watermark"] == "2026-11-05T08:00:00"
    assert row["next_run_at"] > clock.now() + dt.timedelta(hours=5)
    assert sub["id"] not in subscriptions.due(clock.now())
    # A failed run keeps the watermark and is tried again at the next time.
    subscriptions.after_run(sub["id"], success=False, watermark="2099")
    model.Session.commit()
    assert subscriptions.load(sub["id"])["watermark"] == "2026-11-05T08:00:00"


def test_incremental_needs_key_and_watermark_items_in_scope(sw: SubWorld) -> None:
    sub = sw.subscribe(mode="incremental")
    assert sub["mode"] == "incremental"
    # Without the watermark item the entry cannot be exchanged incrementally.
    tk.get_action("package_patch")(
        {"user": sw.world.users["sysadmin"]["name"], "ignore_auth": True},
        {"id": sw.entry["id"], "watermark_item": ""},
    )
    with pytest.raises(tk.ValidationError) as excinfo:
        sw.subscribe(mode="incremental", table="companies_2")
    assert set(_errors(excinfo)) == {"mode"}
    assert "watermark_item" in _errors(excinfo)["mode"][0]


@pytest.mark.parametrize(
    "over, field",
    [
        ({"table": "Companies"}, "table"),
        ({"table": "pg_companies"}, "table"),
        ({"table": "companies__gs_staging"}, "table"),
        ({"mode": "delta"}, "mode"),
        ({"schedule": {"kind": "daily", "at": "25:00"}}, "schedule"),
        ({"schedule": {"kind": "hourly", "every": 0}}, "schedule"),
        ({"schedule": "weekly"}, "schedule"),
        ({"target_id": "no-such-target"}, "target_id"),
        ({"resource_id": "no-such-resource"}, "resource_id"),
    ],
)
def test_create_refuses_a_bad_field(sw: SubWorld, over: dict[str, Any], field: str) -> None:
    with pytest.raises(tk.ValidationError) as excinfo:
        sw.subscribe(**over)
    assert field in _errors(excinfo)
    assert all(" | " in text for text in _errors(excinfo)[field])


def test_create_refuses_what_the_grant_does_not_allow(sw: SubWorld) -> None:
    cases = [
        ({"target_id": sw.provider_target_id}, "target_id"),  # not the holder's target
        ({"resource_id": sw.other_resource_id}, "resource_id"),  # another entry's resource
        ({"grant_id": sw.api_grant["id"]}, "grant_id"),  # share method api
    ]
    for over, field in cases:
        with pytest.raises(tk.ValidationError) as excinfo:
            sw.subscribe(**over)
        assert field in _errors(excinfo), over
    sw.subscribe()
    with pytest.raises(tk.ValidationError) as excinfo:
        sw.subscribe()  # the same table on the same target
    assert _errors(excinfo)["table"] == [subscriptions.TABLE_TAKEN]
    assert sw.subscribe(target_id=sw.target2_id)["table"] == "companies"  # another target


def test_create_refuses_a_grant_that_is_not_live(sw: SubWorld) -> None:
    sw.call("provider_officer", "govshare_grant_revoke", id=sw.grant["id"], reason="误用")
    with pytest.raises(tk.ValidationError) as excinfo:
        sw.subscribe()
    assert _errors(excinfo) == {"grant_id": [subscriptions.GRANT_NOT_LIVE]}
    with pytest.raises(tk.ObjectNotFound):
        sw.subscribe(grant_id="no-such-grant", who="sysadmin")


# ---------------------------------------------------------------------------- who may


ROLES = [
    None,
    "requester",
    "requester_officer",
    "provider_officer",
    "provider_staff",
    "other_officer",
    "authority",
    "conference",
    "sysadmin",
]
MANAGE = {"requester_officer", "sysadmin"}
SEE = {"requester_officer", "provider_officer", "authority", "sysadmin"}


@pytest.mark.parametrize("who", ROLES)
def test_who_may_call_each_action(sw: SubWorld, who: str | None) -> None:
    sub = sw.subscribe()
    doomed = sw.subscribe(table="doomed")
    outcomes: dict[str, bool] = {}

    def attempt(action: str, **data: Any) -> Any:
        try:
            answer = sw.call(who, action, **data)
        except tk.NotAuthorized:
            outcomes[action] = False
            return None
        outcomes[action] = True
        return answer

    attempt("govshare_subscription_show", id=sub["id"])
    listed = attempt("govshare_subscription_list")
    attempt("govshare_subscription_update", id=sub["id"], schedule={"kind": "hourly", "every": 2})
    attempt("govshare_subscription_run", id=sub["id"])
    attempt(
        "govshare_subscription_create",
        grant_id=sw.grant["id"],
        resource_id=sw.resource_id,
        target_id=sw.target2_id,
        table="companies",
        schedule=DAILY,
    )
    attempt("govshare_subscription_delete", id=doomed["id"])
    manage, see = who in MANAGE, who in SEE
    assert outcomes == {
        "govshare_subscription_show": see,
        "govshare_subscription_list": who is not None,
        "govshare_subscription_update": manage,
        "govshare_subscription_run": manage,
        "govshare_subscription_create": manage,
        "govshare_subscription_delete": manage,
    }
    if listed is not None:
        assert (sub["id"] in {s["id"] for s in listed["results"]}) == see


def test_a_refusal_is_recorded_against_the_holder(sw: SubWorld) -> None:
    sub = sw.subscribe()
    with pytest.raises(tk.NotAuthorized):
        sw.call("other_officer", "govshare_subscription_show", id=sub["id"])
    (event,) = _events("govshare_subscription_show", sub["id"])
    assert event["outcome"] == "refused"
    assert event["object_department"] == sw.world.requester_org["id"]


# ---------------------------------------------------------------------------- show, list


def test_show_reports_the_last_run_and_recent_runs(sw: SubWorld) -> None:
    sub = sw.subscribe()
    first = add_run(sub)
    queued = add_run(sub, outcome="queued", started_at=None, finished_at=None, rows=None)
    shown = sw.call("provider_officer", "govshare_subscription_show", id=sub["id"])
    last = shown["last_run"]
    assert last["id"] == first and last["outcome"] == "success"
    assert last["rows"] == 10 and last["sha256"] == "ab" * 32 and last["bytes"] == 512
    assert last["started"] and last["finished"]
    assert [r["id"] for r in shown["runs"]] == [queued, first]
    assert "dsn_encrypted" not in str(shown)
    listed = sw.call("requester_officer", "govshare_subscription_list")
    assert listed["results"][0]["last_run"]["id"] == first


@pytest.mark.parametrize("who", ["provider_officer", "authority"])
def test_only_the_holder_sees_where_data_goes(sw: SubWorld, who: str) -> None:
    """A department's exchange targets are its own (issue 17, item 1): the provider and the
    authority see that a subscription delivers, not the target's name, path or address, nor
    a failed run's reason (it may name the target's host) — applied when read."""
    sub = sw.subscribe()
    add_run(sub, outcome="failed", error="could not connect to server at 10.9.8.7 | 无法连接")
    holder = sw.call("requester_officer", "govshare_subscription_show", id=sub["id"])
    assert holder["target"]["name"] and holder["target"]["path"]
    assert "10.9.8.7" in holder["last_run"]["error"]
    for answer in (
        sw.call(who, "govshare_subscription_show", id=sub["id"]),
        sw.call(who, "govshare_subscription_list", grant_id=sw.grant["id"])["results"][0],
    ):
        assert answer["target"] == {"kind": holder["target"]["kind"]}
        assert "target_id" not in answer
        text = str(answer)
        assert holder["target"]["name"] not in text and holder["target"]["path"] not in text
        assert "10.9.8.7" not in text
        assert answer["last_run"]["outcome"] == "failed" and answer["last_run"]["error"]


def test_list_by_department_and_direction(sw: SubWorld) -> None:
    sub = sw.subscribe()
    holder, provider = sw.world.requester_org["name"], sw.world.provider["name"]

    def ids(who: str, **query: Any) -> list[str]:
        return [s["id"] for s in sw.call(who, "govshare_subscription_list", **query)["results"]]

    assert ids("requester_officer", direction="outgoing") == [sub["id"]]
    assert ids("requester_officer", direction="incoming") == []
    assert ids("provider_officer", direction="incoming") == [sub["id"]]
    assert ids("provider_officer", direction="outgoing") == []
    assert ids("provider_officer", direction="all") == [sub["id"]]
    assert ids("authority", requesting_org=holder) == [sub["id"]]
    assert ids("authority", requesting_org=provider) == []
    assert ids("authority", provider_org=provider) == [sub["id"]]
    assert ids("authority", provider_org=holder) == []
    assert ids("authority", direction="outgoing") == []  # none of its own departments
    assert ids("sysadmin", grant_id=sw.grant["id"], status="active") == [sub["id"]]
    assert ids("sysadmin", status="stopped") == []
    with pytest.raises(tk.ValidationError):
        sw.call("sysadmin", "govshare_subscription_list", direction="sideways")
    with pytest.raises(tk.ValidationError):  # the earlier name of outgoing
        sw.call("sysadmin", "govshare_subscription_list", direction="holder")


# ---------------------------------------------------------------------------- update, stop


def test_update_changes_and_clears_the_watermark(sw: SubWorld) -> None:
    sub = sw.subscribe(mode="incremental")
    subscriptions.after_run(sub["id"], success=True, watermark="2026-11-09T08:00:00")
    model.Session.commit()
    same = sw.call("requester_officer", "govshare_subscription_update", id=sub["id"])
    assert same["watermark"] == "2026-11-09T08:00:00"
    moved = sw.call(
        "requester_officer",
        "govshare_subscription_update",
        id=sub["id"],
        table="companies_v2",
        schedule={"kind": "hourly", "every": 3},
    )
    assert moved["table"] == "companies_v2" and moved["watermark"] is None
    assert moved["schedule"] == {"kind": "hourly", "every": 3}
    (event,) = _events("govshare_subscription_update", sub["id"])
    assert event["detail"]["before"]["table_name"] == "companies"
    other = sw.subscribe(table="other")
    with pytest.raises(tk.ValidationError) as excinfo:
        sw.call(
            "requester_officer",
            "govshare_subscription_update",
            id=other["id"],
            table="companies_v2",
        )
    assert set(_errors(excinfo)) == {"table"}


def test_stop_and_resume_by_the_holder(sw: SubWorld) -> None:
    sub = sw.subscribe()
    stopped = sw.call(
        "requester_officer", "govshare_subscription_update", id=sub["id"], status="stopped"
    )
    assert stopped["status"] == "stopped" and stopped["stop_reason"] == "stopped_by_holder"
    assert stopped["stop_reason_label"]["zh_Hans_CN"]
    assert sub["id"] not in subscriptions.due(clock.now() + dt.timedelta(days=2))
    with pytest.raises(tk.ValidationError) as excinfo:
        sw.call("requester_officer", "govshare_subscription_run", id=sub["id"])
    assert "id" in _errors(excinfo)
    resumed = sw.call(
        "requester_officer", "govshare_subscription_update", id=sub["id"], status="active"
    )
    assert resumed["status"] == "active" and resumed["stop_reason"] is None
    assert len(_events("govshare_subscription_resume", sub["id"])) == 1


def test_run_now_queues_one_run_at_a_time(sw: SubWorld) -> None:
    sub = sw.subscribe()
    run = sw.call("requester_officer", "govshare_subscription_run", id=sub["id"])
    assert run["outcome"] == "queued"
    with pytest.raises(tk.ValidationError):
        sw.call("requester_officer", "govshare_subscription_run", id=sub["id"])
    with pytest.raises(tk.ValidationError) as excinfo:
        sw.call("requester_officer", "govshare_subscription_delete", id=sub["id"])
    assert _errors(excinfo) == {"id": [subscriptions.BUSY]}


def test_revoking_the_grant_stops_its_subscriptions(sw: SubWorld) -> None:
    sub = sw.subscribe()
    other = sw.subscribe(table="companies_b")
    sw.call("provider_officer", "govshare_grant_revoke", id=sw.grant["id"], reason="误用")
    for s in (sub, other):
        row = subscriptions.load(s["id"])
        assert row is not None and row["status"] == "stopped"
        assert row["stop_reason"] == "grant_revoked" and row["stopped_at"] is not None
        (event,) = _events("govshare_subscription_stop", s["id"])
        assert event["actor_id"] == sw.world.users["provider_officer"]["id"]
    sent = _notices("exchange_subscription_stopped")
    recipients = {n["user_id"] for n in sent}
    assert sw.world.users["requester_officer"]["id"] in recipients
    assert sw.world.users["provider_officer"]["id"] in recipients
    assert sw.world.users["requester"]["id"] not in recipients  # officers only
    # In the recipient's language only (issue 19, item 7): the site's, Chinese.
    assert "授权已被撤销" in sent[0]["body"] and "The grant was revoked" not in sent[0]["body"]
    # Stopping again changes nothing and tells nobody twice.
    count = len(sent)
    again = subscriptions.stop(subscriptions.load(sub["id"]), "grant_expired")
    model.Session.commit()
    assert again["stop_reason"] == "grant_revoked"
    assert len(_notices("exchange_subscription_stopped")) == count
    # No resuming while the grant is not live.
    with pytest.raises(tk.ValidationError) as excinfo:
        sw.call("requester_officer", "govshare_subscription_update", id=sub["id"], status="active")
    assert _errors(excinfo) == {"status": [subscriptions.GRANT_NOT_LIVE]}


def test_remind_stops_subscriptions_of_an_ended_grant(sw: SubWorld) -> None:
    sub = sw.subscribe()
    today = clock.today()
    assert reminders.ungranted(today, None) == []  # type: ignore[arg-type]
    # The grant's period ended yesterday; `ckan govshare remind` has not expired it yet.
    model.Session.execute(
        sa.update(grant_table)
        .where(grant_table.c.id == sw.grant["id"])
        .values(period_end=today - dt.timedelta(days=1))
    )
    model.Session.commit()
    assert reminders.ungranted(today, None) == [sub["id"]]  # type: ignore[arg-type]
    sent = reminders.stop_ungranted(sub["id"], today, None)  # type: ignore[arg-type]
    model.Session.commit()
    officers = set(notices.officers_of(sw.world.requester_org["id"]))
    officers |= set(notices.officers_of(sw.world.provider["id"]))
    assert sent == len(officers) >= 3  # both departments' data officers
    row = subscriptions.load(sub["id"])
    assert row is not None and row["status"] == "stopped" and row["stop_reason"] == "grant_expired"
    assert reminders.stop_ungranted(sub["id"], today, None) is None  # type: ignore[arg-type]
    assert reminders.ungranted(today, None) == []  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- delete


def test_delete_keeps_the_runs(sw: SubWorld) -> None:
    sub = sw.subscribe()
    run_id = add_run(sub)
    answer = sw.call("requester_officer", "govshare_subscription_delete", id=sub["id"])
    assert answer == {"id": sub["id"], "deleted": True}
    assert subscriptions.load(sub["id"]) is None
    kept = model.Session.execute(sa.select(run_table.c.id).where(run_table.c.id == run_id))
    assert kept.scalar_one() == run_id
    assert len(_events("govshare_subscription_delete", sub["id"])) == 1
    with pytest.raises(tk.ObjectNotFound):
        sw.call("requester_officer", "govshare_subscription_show", id=sub["id"])
    # The table name is free again.
    assert sw.subscribe()["table"] == "companies"

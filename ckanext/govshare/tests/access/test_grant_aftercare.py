"""Suspending, resuming and terminating a grant (2025 Regulations art. 27) and use changes
(art. 25), under the regulation-2025 profile: who may (every role of workflows.md, refused
ones included), each field's 409, the state changes with their audit events and notices, the
disposal date a grant's end sets, and a use change's lifecycle (approve: a new grant beside
the original; reject: nothing changes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.access import deadlines
from ckanext.govshare.audit.model import event_table
from ckanext.govshare.core import clock
from ckanext.govshare.logic.auth.grant_aftercare import MAY_NOT_CHANGE, MAY_NOT_SUSPEND
from ckanext.govshare.notices.model import notice_table
from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import World, request_form

pytestmark = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")

ALLOWED = ["provider_officer", "provider_editor", "authority", "sysadmin"]
REFUSED = ["provider_staff", "requester", "requester_officer", "other", "conference", "outsider"]
REASON = "将共享数据提供给第三方"


def _grant(world: World) -> dict[str, Any]:
    return gs.Grant(
        user=world.users["requester"],
        package_id=world.unconditional["id"],
        requesting_org=world.requester_org["name"],
    )


def _later(days: int = 30) -> str:
    return (clock.today() + dt.timedelta(days=days)).isoformat()


def _suspend(world: World, grant: dict[str, Any], who: str = "authority", **over: Any) -> Any:
    data = {"id": grant["id"], "reason": REASON, "rectify_by": _later(), **over}
    return world.call(who, "govshare_grant_suspend", **data)


def _events(action: str, object_id: str) -> list[dict[str, Any]]:
    rows = model.Session.execute(
        sa.select(event_table)
        .where(event_table.c.action == action, event_table.c.object_id == object_id)
        .order_by(event_table.c.seq)
    )
    return [dict(r._mapping) for r in rows]


def _notices(world: World, who: str, kind: str) -> list[dict[str, Any]]:
    query = sa.select(notice_table).where(
        notice_table.c.user_id == world.users[who]["id"], notice_table.c.kind == kind
    )
    return [dict(r._mapping) for r in model.Session.execute(query)]


# ---------------------------------------------------------------------------- who may


@pytest.mark.parametrize("who", ALLOWED)
def test_who_may_suspend_resume_and_terminate(world: World, who: str) -> None:
    grant = _grant(world)
    suspended = _suspend(world, grant, who)
    assert suspended["status"] == "suspended" and not suspended["live"]
    assert suspended["suspend_reason"] == REASON and suspended["rectify_by"] == _later()
    assert suspended["suspended_by"] == world.users[who]["id"]
    assert suspended["status_label"] == {"en": "Suspended", "zh_Hans_CN": "已暂停"}
    resumed = world.call(who, "govshare_grant_resume", id=grant["id"], reason="已整改")
    assert resumed["status"] == "active" and resumed["live"] and resumed["resumed_at"]
    if who.startswith("provider"):  # a provider ends a service only with a filing
        _suspend(world, grant, who)
        return
    ended = world.call(who, "govshare_grant_terminate", id=grant["id"], reason="终止共享")
    assert ended["status"] == "terminated" and ended["terminated_by"] == world.users[who]["id"]
    assert ended["status_label"] == {"en": "Terminated", "zh_Hans_CN": "已终止"}


@pytest.mark.parametrize("who", [*REFUSED, None])
@pytest.mark.parametrize(
    "action", ["govshare_grant_suspend", "govshare_grant_resume", "govshare_grant_terminate"]
)
def test_everyone_else_is_refused(world: World, who: str | None, action: str) -> None:
    grant = _grant(world)
    if action == "govshare_grant_resume":
        _suspend(world, grant)
    data = {"id": grant["id"], "reason": REASON, "rectify_by": _later()}
    with pytest.raises(tk.NotAuthorized) as refused:
        world.call(who, action, **data)
    if who is not None:
        assert str(refused.value) == MAY_NOT_SUSPEND
    assert world.call("sysadmin", "govshare_grant_show", id=grant["id"])["status"] == (
        "suspended" if action == "govshare_grant_resume" else "active"
    )


def test_an_unknown_grant_is_a_404(world: World) -> None:
    with pytest.raises(tk.ObjectNotFound):
        _suspend(world, {"id": "no-such-grant"})


# ---------------------------------------------------------------------------- 409s


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"rectify_by": ""}, "rectify_by"),
        ({"rectify_by": "not-a-date"}, "rectify_by"),
        ({"rectify_by": "today"}, "rectify_by"),
        ({"rectify_by": "far"}, "rectify_by"),
        ({"reason": "x" * 4001}, "reason"),
    ],
)
def test_suspend_refuses_each_bad_field(world: World, over: dict[str, Any], field: str) -> None:
    grant = _grant(world)
    if over.get("rectify_by") == "today":
        over = {"rectify_by": clock.today().isoformat()}
    if over.get("rectify_by") == "far":
        over = {"rectify_by": _later(366 * 6)}
    with pytest.raises(tk.ValidationError) as refused:
        _suspend(world, grant, **over)
    messages = refused.value.error_dict[field]
    assert all(" | " in str(m) for m in messages)
    assert world.call("sysadmin", "govshare_grant_show", id=grant["id"])["status"] == "active"


def test_state_refusals_are_409s(world: World) -> None:
    grant = _grant(world)
    with pytest.raises(tk.ValidationError) as not_suspended:
        world.call("authority", "govshare_grant_resume", id=grant["id"], reason="x")
    assert "id" in not_suspended.value.error_dict
    _suspend(world, grant)
    with pytest.raises(tk.ValidationError) as twice:
        _suspend(world, grant)
    assert "id" in twice.value.error_dict
    world.call("authority", "govshare_grant_terminate", id=grant["id"], reason="终止")
    for action, data in (
        ("govshare_grant_terminate", {"reason": "again"}),
        ("govshare_grant_resume", {"reason": "again"}),
        ("govshare_grant_suspend", {"reason": "again", "rectify_by": _later()}),
    ):
        with pytest.raises(tk.ValidationError) as ended:
            world.call("authority", action, id=grant["id"], **data)
        assert "id" in ended.value.error_dict, action


def test_resume_and_terminate_need_a_reason(world: World) -> None:
    grant = _grant(world)
    _suspend(world, grant)
    for action in ("govshare_grant_resume", "govshare_grant_terminate"):
        with pytest.raises(tk.ValidationError) as refused:
            world.call("authority", action, id=grant["id"], reason=" ")
        assert "reason" in refused.value.error_dict


# ---------------------------------------------------------------------------- effects


def test_suspension_is_audited_and_the_holders_told(world: World) -> None:
    grant = _grant(world)
    _suspend(world, grant, "provider_officer")
    [event] = _events("govshare_grant_suspend", grant["id"])
    assert event["actor_id"] == world.users["provider_officer"]["id"]
    assert event["actor_department"] == world.provider["id"]
    assert event["detail"]["reason"] == REASON and event["detail"]["rectify_by"] == _later()
    [notice] = _notices(world, "requester", "grant_suspended")
    assert REASON in notice["body"] and _later() in notice["body"]
    assert _notices(world, "requester_officer", "grant_suspended")
    world.call("authority", "govshare_grant_resume", id=grant["id"], reason="已整改")
    [resumed] = _events("govshare_grant_resume", grant["id"])
    assert resumed["detail"]["status"] == "active" and resumed["detail"]["reason"] == "已整改"
    assert _notices(world, "requester", "grant_resumed")
    # the authority acted: the provider's data officers hear of it too
    assert _notices(world, "provider_officer", "grant_resumed")


def test_the_holder_sees_why_and_until_when(world: World) -> None:
    grant = _grant(world)
    _suspend(world, grant)
    shown = world.call("requester", "govshare_grant_show", id=grant["id"])
    assert shown["suspend_reason"] == REASON and shown["rectify_by"] == _later()
    listed = world.call("requester", "govshare_grant_list", status="suspended")
    assert [g["id"] for g in listed["results"]] == [grant["id"]]


def test_termination_sets_the_disposal_date_and_is_audited(world: World) -> None:
    grant = _grant(world)
    ended = world.call("sysadmin", "govshare_grant_terminate", id=grant["id"], reason="终止")
    due = deadlines.disposal_due(clock.today())
    assert due is not None and ended["disposal_due"] == due.isoformat()
    [event] = _events("govshare_grant_terminate", grant["id"])
    assert event["detail"]["disposal_due"] == due.isoformat()
    assert event["detail"]["from"] == "active"
    assert _notices(world, "requester", "grant_terminated")


def test_revoke_and_expiry_set_the_disposal_date_too(world: World) -> None:
    from ckanext.govshare.access import grants as access_grants

    grant = _grant(world)
    revoked = world.call("authority", "govshare_grant_revoke", id=grant["id"], reason="滥用")
    assert revoked["disposal_due"] == deadlines.disposal_due(clock.today()).isoformat()  # type: ignore[union-attr]
    other = gs.Grant(
        user=world.users["requester"],
        package_id=world.unconditional["id"],
        requesting_org=world.requester_org["name"],
        purpose="data_verification",
    )
    later = clock.today() + dt.timedelta(days=400)
    expired = access_grants.expire_grant(other["id"], today=later)
    assert expired is not None
    assert expired["disposal_due"] == deadlines.disposal_due(later)


def test_a_provider_terminates_only_with_a_filing(world: World, monkeypatch: Any) -> None:
    grant = _grant(world)
    with pytest.raises(tk.ValidationError) as refused:
        world.call("provider_officer", "govshare_grant_terminate", id=grant["id"], reason="停")
    assert "filing_id" in refused.value.error_dict
    with pytest.raises(tk.ValidationError) as unknown:
        world.call(
            "provider_officer",
            "govshare_grant_terminate",
            id=grant["id"],
            reason="停",
            filing_id="no-such-filing",
        )
    assert "filing_id" in unknown.value.error_dict
    assert world.call("sysadmin", "govshare_grant_show", id=grant["id"])["status"] == "active"
    # a suspension whose date to rectify by passed unrectified ends without a filing
    _suspend(world, grant, "provider_officer", rectify_by=_later(5))
    after = clock.today() + dt.timedelta(days=6)
    monkeypatch.setattr(clock, "today", lambda: after)
    ended = world.call(
        "provider_officer", "govshare_grant_terminate", id=grant["id"], reason="逾期未整改"
    )
    assert ended["status"] == "terminated"


def test_resumed_after_its_period_a_grant_is_expired(world: World, monkeypatch: Any) -> None:
    grant = _grant(world)
    _suspend(world, grant)
    end = dt.date.fromisoformat(grant["period_end"])
    monkeypatch.setattr(clock, "today", lambda: end + dt.timedelta(days=1))
    resumed = world.call("authority", "govshare_grant_resume", id=grant["id"], reason="已整改")
    assert resumed["status"] == "expired" and not resumed["live"]
    assert resumed["disposal_due"] is not None


# ---------------------------------------------------------------------------- use changes


def _approved(world: World) -> dict[str, Any]:
    """A conditional request of the requesting department's head, approved for one of the
    entry's two data items."""
    request = gs.AccessRequest(user=world.users["requester_officer"], **request_form(world))
    decided = world.call(
        "provider_officer",
        "govshare_request_decide",
        id=request["id"],
        decision="approve",
        data_items=["统一社会信用代码"],
    )
    return decided["grant"]


def _change(world: World, grant: dict[str, Any], who: str = "requester_officer", **over: Any):
    data = {
        "grant_id": grant["id"],
        "kinds": ["scope", "third_party"],
        "reason": "联合惩戒需要法定代表人信息并提供给法院",
        "data_items": ["法定代表人"],
        "third_party": "市中级人民法院",
        **over,
    }
    return world.call(who, "govshare_use_change_request", **data)


def test_a_use_change_approved_makes_a_new_grant_beside_the_original(world: World) -> None:
    grant = _approved(world)
    request = _change(world, grant)
    assert request["kind"] == "use_change" and request["grant_id"] == grant["id"]
    assert request["status"] in ("submitted", "awaiting_signoff")
    assert request["status"] == "submitted"  # the department's head asked: no sign-off wait
    assert request["due_date"]
    assert request["data_items"] == ["统一社会信用代码", "法定代表人"]
    assert request["use_change"]["kinds"] == ["scope", "third_party"]
    assert request["use_change"]["third_party"] == "市中级人民法院"
    assert request["use_change"]["added_data_items"] == ["法定代表人"]
    assert _notices(world, "provider_officer", "request_received")
    decided = world.call(
        "provider_officer", "govshare_request_decide", id=request["id"], decision="approve"
    )
    new = decided["grant"]
    assert new["id"] != grant["id"] and new["source"] == "use_change"
    assert new["request_id"] == request["id"]
    assert new["data_items"] == ["统一社会信用代码", "法定代表人"]
    assert new["third_party"] == "市中级人民法院"
    original = world.call("requester", "govshare_grant_show", id=grant["id"])
    assert original["status"] == "active" and original["data_items"] == ["统一社会信用代码"]
    assert original["third_party"] is None
    shown = world.call("requester", "govshare_grant_show", id=grant["id"])
    assert [c["id"] for c in shown["use_changes"]] == [request["id"]]


def test_a_use_change_rejected_changes_nothing(world: World) -> None:
    grant = _approved(world)
    request = _change(world, grant, kinds=["purpose"], purpose="work_reference")
    assert request["purpose"] == "work_reference"
    decided = world.call(
        "provider_officer",
        "govshare_request_decide",
        id=request["id"],
        decision="reject",
        reason="用途超出履职需要",
        grounds=["beyond_duties"],
    )
    assert decided["status"] == "rejected" and not decided.get("grant")
    held = world.call("requester", "govshare_grant_list", direction="outgoing")
    assert [g["id"] for g in held["results"]] == [grant["id"]]
    assert held["results"][0]["purpose"] == "administrative_basis"


@pytest.mark.parametrize("who", ["requester", "requester_officer", "sysadmin"])
def test_who_may_ask_for_a_use_change(world: World, who: str) -> None:
    grant = _approved(world)
    assert _change(world, grant, who)["kind"] == "use_change"


@pytest.mark.parametrize(
    "who", ["provider_officer", "provider_staff", "other", "authority", "conference", "outsider"]
)
def test_nobody_else_asks_for_a_use_change(world: World, who: str) -> None:
    grant = _approved(world)
    with pytest.raises(tk.NotAuthorized) as refused:
        _change(world, grant, who)
    assert str(refused.value) == MAY_NOT_CHANGE


def test_anonymous_asks_for_no_use_change(world: World) -> None:
    grant = _approved(world)
    with pytest.raises(tk.NotAuthorized):
        _change(world, grant, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"kinds": []}, "kinds"),
        ({"kinds": ["everything"]}, "kinds"),
        ({"reason": ""}, "reason"),
        ({"kinds": ["scope"], "data_items": [], "resource_ids": []}, "resource_ids"),
        ({"kinds": ["scope"], "data_items": ["不存在的信息项"]}, "data_items"),
        ({"kinds": ["scope"], "data_items": ["统一社会信用代码"]}, "resource_ids"),
        ({"kinds": ["third_party"], "third_party": ""}, "third_party"),
        ({"kinds": ["purpose"]}, "purpose"),
        ({"kinds": ["purpose"], "purpose": "administrative_basis"}, "purpose"),
        ({"kinds": ["purpose"], "purpose": "bribery"}, "purpose"),
        ({"period_end": "2001-01-01"}, "period_end"),
    ],
)
def test_a_use_change_refuses_each_bad_field(
    world: World, over: dict[str, Any], field: str
) -> None:
    grant = _approved(world)
    with pytest.raises(tk.ValidationError) as refused:
        _change(world, grant, **over)
    assert field in refused.value.error_dict, refused.value.error_dict
    assert all(" | " in str(m) for m in refused.value.error_dict[field])


def test_no_use_change_on_a_suspended_grant(world: World) -> None:
    grant = _approved(world)
    _suspend(world, grant)
    with pytest.raises(tk.ValidationError) as refused:
        _change(world, grant)
    assert REASON in str(refused.value.error_dict["grant_id"][0])

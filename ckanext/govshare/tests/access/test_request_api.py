"""Requests for conditional data through the action API (art. 12(2))."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit as tk

from ckanext.govshare import profiles
from ckanext.govshare.access import deadlines
from ckanext.govshare.access.model import event_table, grant_table, request_table
from ckanext.govshare.audit.model import event_table as audit_table
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

from .conftest import World, request_form, told_at_once

# Every test runs under both rule profiles (issue 18, item 11); where the 2025 Regulations
# differ from the 2016 Measures, the test says so for each.
pytestmark = pytest.mark.usefixtures("with_request_context", "rule_profile")


def _audit_actions(object_id: str) -> list[tuple[str, str]]:
    rows = model.Session.execute(
        sa.select(audit_table.c.action, audit_table.c.outcome)
        .where(audit_table.c.object_id == object_id)
        .order_by(audit_table.c.seq)
    ).all()
    return [tuple(r) for r in rows]


def _status(request_id: str) -> str:
    return model.Session.execute(
        sa.select(request_table.c.status).where(request_table.c.id == request_id)
    ).scalar_one()


def _count(table: sa.Table) -> int:
    return model.Session.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def test_create_returns_the_request_with_its_deadline(
    world: World,
    frozen: Any,
    rule_profile: str,  # noqa: F811
):
    # Monday 2026-09-28, 10:00 in Beijing: 10 working days end Friday 2026-10-16 (National
    # Day off, Saturday 2026-10-10 worked).
    frozen(dt.datetime(2026, 9, 28, 2, 0, tzinfo=dt.timezone.utc))
    request = world.submit(**request_form(world))
    assert request["status"] == "submitted"
    assert request["due_date"] == "2026-10-16"
    assert request["submitted_at"].startswith("2026-09-28T02:00")
    assert request["requesting_org"] == world.requester_org["name"]
    assert request["provider_org"] == world.provider["name"]
    assert request["resource_ids"] == [r["id"] for r in world.conditional["resources"]]
    assert request["data_items"] == ["统一社会信用代码", "法定代表人"]
    if rule_profile == "regulation-2025":
        # A member's request waits for the department's head, who sends it (art. 20).
        assert [e["to_state"] for e in request["history"]] == ["awaiting_signoff", "submitted"]
        assert request["signed_off_by"] == world.users["requester_officer"]["id"]
        assert _audit_actions(request["id"]) == [
            ("govshare_request_submit", "success"),
            ("govshare_request_signoff", "success"),
        ]
    else:
        assert [e["to_state"] for e in request["history"]] == ["submitted"]
        assert request["signed_off_by"] is None
        assert _audit_actions(request["id"]) == [("govshare_request_submit", "success")]


def test_a_member_of_one_department_may_leave_requesting_org_out(world: World):
    form = request_form(world)
    del form["requesting_org"]
    request = world.call("requester", "govshare_request_create", **form)
    assert request["requesting_org_id"] == world.requester_org["id"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("purpose", "curiosity"),
        ("purpose_detail", ""),
        ("scenario", ""),
        ("basis", ""),
        ("share_method", "offline_media"),
        ("period_end", "2020-01-01"),
        ("period_start", "not a date"),
        ("pledge", False),
        ("data_items", ["no such item"]),
        ("resource_ids", ["no-such-resource"]),
    ],
)
def test_bad_input_is_a_field_error_in_both_languages(world: World, field: str, value: Any):
    before = _count(request_table)
    with pytest.raises(tk.ValidationError) as raised:
        world.call("requester", "govshare_request_create", **request_form(world, **{field: value}))
    messages = raised.value.error_dict[field]
    assert messages and " | " in messages[0], messages  # English | 中文
    assert _count(request_table) == before


def test_api_share_method_needs_the_expected_call_volume(world: World):
    with pytest.raises(tk.ValidationError) as raised:
        world.call(
            "requester", "govshare_request_create", **request_form(world, share_method="api")
        )
    assert "expected_calls_per_day" in raised.value.error_dict
    request = world.call(
        "requester",
        "govshare_request_create",
        **request_form(world, share_method="api", expected_calls_per_day=500),
    )
    assert request["expected_calls_per_day"] == 500


@pytest.mark.parametrize(
    ("entry", "action", "hint"),
    [
        ("unconditional", "govshare_request_create", "govshare_access_obtain"),
        ("not_shared", "govshare_request_create", "govshare_negotiation_open"),
        ("conditional", "govshare_access_obtain", "govshare_request_create"),
        ("not_shared", "govshare_access_obtain", "govshare_negotiation_open"),
        ("conditional", "govshare_negotiation_open", "govshare_request_create"),
        ("unconditional", "govshare_negotiation_open", "govshare_access_obtain"),
    ],
)
def test_the_wrong_path_says_which_applies(world: World, entry: str, action: str, hint: str):
    form = request_form(world, package_id=getattr(world, entry)["id"])
    with pytest.raises(tk.ValidationError) as raised:
        world.call("requester", action, **form)
    assert hint in raised.value.error_dict["package_id"][0]


def test_a_department_cannot_apply_for_another_or_its_own(world: World):
    with pytest.raises(tk.NotAuthorized):
        world.call(
            "requester",
            "govshare_request_create",
            **request_form(world, requesting_org=world.other_org["name"]),
        )
    with pytest.raises(tk.ValidationError) as raised:
        world.call(
            "provider_officer",
            "govshare_request_create",
            **request_form(world, requesting_org=world.provider["name"]),
        )
    assert "requesting_org" in raised.value.error_dict


@pytest.mark.parametrize("who", [None, "outsider"])
def test_anonymous_and_users_without_a_department_cannot_apply(world: World, who: str | None):
    with pytest.raises(tk.NotAuthorized):
        world.call(who, "govshare_request_create", **request_form(world))


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("requester", True),
        ("requester_officer", True),
        ("provider_officer", True),
        ("provider_editor", True),
        # The provider's staff draft its answers under the 2025 Regulations (art. 20).
        ("provider_staff", {"regulation-2025": True, "measures-2016": False}),
        ("other", False),
        ("outsider", False),
        ("authority", True),
        ("conference", False),
        ("sysadmin", True),
        (None, False),
    ],
)
def test_who_sees_a_request(
    world: World,
    who: str | None,
    sees: bool | dict[str, bool],
    rule_profile: str,  # noqa: F811
):
    if isinstance(sees, dict):
        sees = sees[rule_profile]
    request = world.submit(**request_form(world))
    if sees:
        assert world.call(who, "govshare_request_show", id=request["id"])["id"] == request["id"]
    else:
        with pytest.raises(tk.NotAuthorized):
            world.call(who, "govshare_request_show", id=request["id"])
    listed = world.call(who, "govshare_request_list") if who else None
    if who:
        assert (request["id"] in [r["id"] for r in listed["results"]]) is sees


def test_lists_incoming_by_due_date_and_outgoing(world: World):
    first = world.submit(**request_form(world))
    incoming = world.call("provider_officer", "govshare_request_list", direction="incoming")
    outgoing = world.call("requester", "govshare_request_list", direction="outgoing")
    assert [r["id"] for r in incoming["results"]] == [first["id"]]
    assert [r["id"] for r in outgoing["results"]] == [first["id"]]
    assert world.call("requester", "govshare_request_list", direction="incoming")["count"] == 0
    assert incoming["results"][0]["working_days_left"] == 10


def test_approval_narrows_and_creates_the_grant(world: World, rule_profile: str):  # noqa: F811
    request = world.submit(**request_form(world))
    end = (dt.date.fromisoformat(request["period_end"]) - dt.timedelta(days=30)).isoformat()
    decided = world.call(
        "provider_officer",
        "govshare_request_decide",
        id=request["id"],
        decision="approve",
        data_items=["统一社会信用代码"],
        period_end=end,
        max_downloads=3,
        conditions="仅用于注销核验",
    )
    assert decided["status"] == "approved"
    grant = decided["grant"]
    assert grant["organization"] == world.requester_org["name"]
    assert grant["package_id"] == world.conditional["id"]
    assert grant["purpose"] == "administrative_basis"
    assert grant["data_items"] == ["统一社会信用代码"]
    assert grant["period_end"] == end
    assert grant["max_downloads"] == 3
    assert grant["status"] == "active" and grant["live"]
    if rule_profile == "regulation-2025":  # delivered within 20 working days (art. 22)
        approved_at = dt.datetime.fromisoformat(decided["history"][-1]["created"])
        assert grant["delivery_due"] == deadlines.delivery_due(approved_at).isoformat()
        assert profiles.number("delivery") == 20
        # Art. 20: a data officer's own answer is signed off by them.
        assert decided["answer_signed_off_by"] == world.users["provider_officer"]["id"]
    else:
        assert grant["delivery_due"] is None and profiles.number("delivery") is None
        assert decided["answer_signed_off_by"] is None
    assert grant["delivered_at"] is None
    assert world.call("requester", "govshare_grant_show", id=grant["id"])["id"] == grant["id"]
    assert ("govshare_request_approve", "success") in _audit_actions(request["id"])
    assert _audit_actions(grant["id"]) == [("govshare_grant_create", "success")]


def test_an_approval_cannot_widen_the_request(world: World):
    request = world.submit(**request_form(world, data_items=["法定代表人"]))
    later = (dt.date.fromisoformat(request["period_end"]) + dt.timedelta(days=1)).isoformat()
    with pytest.raises(tk.ValidationError) as raised:
        world.call(
            "provider_officer",
            "govshare_request_decide",
            id=request["id"],
            decision="approve",
            data_items=["统一社会信用代码"],
            period_end=later,
        )
    assert set(raised.value.error_dict) == {"data_items", "period_end"}
    assert world.call("requester", "govshare_request_show", id=request["id"])["status"] == (
        "submitted"
    )
    assert _count(grant_table) == 0


@pytest.mark.parametrize(
    ("decision", "at_once"), [("reject", "grounds"), ("return", "missing_items")]
)
def test_reject_and_return_need_a_reason(
    world: World,
    decision: str,
    at_once: str,
    rule_profile: str,  # noqa: F811
):
    request = world.submit(**request_form(world))
    args = {"id": request["id"], "decision": decision}
    with pytest.raises(tk.ValidationError) as raised:
        world.call("provider_officer", "govshare_request_decide", **args)
    if rule_profile == "regulation-2025":
        # Art. 21: a rejection gives its grounds, a return lists every missing material.
        assert set(raised.value.error_dict) == {"reason", at_once}
        with pytest.raises(tk.ValidationError) as raised:
            world.call("provider_officer", "govshare_request_decide", reason="理由", **args)
        assert set(raised.value.error_dict) == {at_once}
        assert " | " in raised.value.error_dict[at_once][0]
    else:
        assert set(raised.value.error_dict) == {"reason"}
    assert _status(request["id"]) == "submitted"
    answered = world.call(
        "provider_officer",
        "govshare_request_decide",
        reason="理由",
        **args,
        **told_at_once(decision),
    )
    assert answered["status"] == {"reject": "rejected", "return": "returned"}[decision]


def test_return_stops_the_clock_until_resubmission(
    world: World,
    frozen: Any,
    rule_profile: str,  # noqa: F811
):
    frozen(dt.datetime(2026, 9, 28, 2, 0, tzinfo=dt.timezone.utc))  # due 2026-10-16
    request = world.submit(**request_form(world))
    frozen(dt.datetime(2026, 9, 29, 2, 0, tzinfo=dt.timezone.utc))  # 9 working days left
    returned = world.call(
        "provider_officer",
        "govshare_request_decide",
        id=request["id"],
        decision="return",
        reason="请补充：1. 申请依据原文；2. 使用范围说明",
        **told_at_once("return"),
    )
    assert returned["status"] == "returned"
    assert returned["due_date"] is None and returned["remaining_workdays"] == 9
    frozen(dt.datetime(2026, 10, 12, 2, 0, tzinfo=dt.timezone.utc))  # Monday after the holiday
    again = world.resubmit(
        id=request["id"],
        message="已补充",
        basis="《税收征收管理法》第十五条及实施细则第十二条",
    )
    assert again["status"] == "submitted"
    assert again["due_date"] == "2026-10-23"  # 9 working days from 2026-10-12
    assert again["basis"].endswith("第十二条")
    if rule_profile == "regulation-2025":  # each sending signed off by the head (art. 20)
        listed = [{"field": i["field"], "note": i["note"]} for i in returned["missing_items"]]
        assert listed == told_at_once("return")["missing_items"]
        assert [e["action"] for e in again["history"]] == [
            "submit",
            "signoff",
            "return",
            "resubmit",
            "signoff",
        ]
    else:
        assert returned["missing_items"] is None
        assert [e["action"] for e in again["history"]] == ["submit", "return", "resubmit"]


def test_an_overdue_request_is_flagged_and_may_be_escalated(world: World, frozen: Any):
    frozen(dt.datetime(2026, 9, 28, 2, 0, tzinfo=dt.timezone.utc))
    request = world.submit(**request_form(world))
    with pytest.raises(tk.ValidationError):
        world.call("requester", "govshare_request_escalate", id=request["id"], message="未答复")
    frozen(dt.datetime(2026, 10, 19, 2, 0, tzinfo=dt.timezone.utc))
    shown = world.call("requester", "govshare_request_show", id=request["id"])
    assert shown["overdue"] and shown["working_days_left"] == -1
    overdue = world.call("authority", "govshare_request_list", overdue=True)
    assert [r["id"] for r in overdue["results"]] == [request["id"]]
    escalated = world.call(
        "requester", "govshare_request_escalate", id=request["id"], message="逾期未答复"
    )
    assert escalated["status"] == "escalated_authority"


def test_illegal_transitions_are_refused_with_a_clear_error(world: World):
    request = world.submit(**request_form(world))
    world.call("requester", "govshare_request_withdraw", id=request["id"])
    with pytest.raises(tk.ValidationError) as raised:
        world.call(
            "provider_officer", "govshare_request_decide", id=request["id"], decision="approve"
        )
    assert "withdrawn" in raised.value.error_dict["status"][0]
    assert "已撤回" in raised.value.error_dict["status"][0]


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("provider_officer", True),
        ("provider_editor", True),
        ("sysadmin", True),
        ("provider_staff", False),
        ("requester", False),
        ("requester_officer", False),
        ("authority", False),
        ("conference", False),
        ("other", False),
        (None, False),
    ],
)
def test_who_may_decide(
    world: World,
    who: str | None,
    allowed: bool,
    rule_profile: str,  # noqa: F811
):
    request = world.submit(**request_form(world))
    args = {
        "id": request["id"],
        "decision": "reject",
        "reason": "不符合共享条件",
        **told_at_once("reject"),
    }
    if who == "provider_staff" and rule_profile == "regulation-2025":
        # Art. 20: the provider's staff draft the answer; it waits for their head.
        drafted = world.call(who, "govshare_request_decide", **args)
        assert drafted["status"] == "submitted" and _status(request["id"]) == "submitted"
        assert drafted["answer_draft"]["decision"] == "reject"  # the drafter sees the draft
        assert drafted["history"][-1]["action"] == "draft_answer"
        shown = world.call("provider_officer", "govshare_request_show", id=request["id"])
        assert shown["answer_draft"]["decision"] == "reject"
        assert ("govshare_request_draft_answer", "success") in _audit_actions(request["id"])
        assert ("govshare_request_decide", "refused") not in _audit_actions(request["id"])
    elif allowed:
        assert world.call(who, "govshare_request_decide", **args)["status"] == "rejected"
    else:
        with pytest.raises(tk.NotAuthorized):
            world.call(who, "govshare_request_decide", **args)
        assert ("govshare_request_decide", "refused") in _audit_actions(request["id"])


def test_a_refused_change_writes_nothing(world: World):
    request = world.submit(**request_form(world))
    events = _count(event_table)
    with pytest.raises(tk.ValidationError):
        world.call(
            "provider_officer",
            "govshare_request_decide",
            id=request["id"],
            decision="approve",
            period_end="2020-01-01",
        )
    assert _count(event_table) == events
    assert _count(grant_table) == 0
    assert world.call("requester", "govshare_request_show", id=request["id"])["status"] == (
        "submitted"
    )


def test_every_error_of_the_form_comes_at_once(world: World):
    with pytest.raises(tk.ValidationError) as raised:
        world.call(
            "requester",
            "govshare_request_create",
            **request_form(
                world,
                purpose="curiosity",
                scenario="",
                pledge=False,
                data_items=["no such item"],
                share_method="offline_media",
            ),
        )
    assert {"purpose", "scenario", "pledge", "data_items", "share_method"} <= set(
        raised.value.error_dict
    )


def test_the_request_shows_the_grant_it_led_to(world: World):
    request = world.submit(**request_form(world))
    world.call("provider_officer", "govshare_request_decide", id=request["id"], decision="approve")
    shown = world.call("requester", "govshare_request_show", id=request["id"])
    assert [g["request_id"] for g in shown["grants"]] == [request["id"]]
    assert shown["requesting_org_title"] == world.requester_org["title"]
    assert shown["history"][-1]["actor_org_title"] == world.provider["title"]

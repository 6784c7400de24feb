"""Internal sign-off (2025 Regulations art. 20): a department's head signs off the request its
staff drafted before it is sent, and the answer its staff drafted before it is sent."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit as tk

from ckanext.govshare.access.model import event_table, request_table
from ckanext.govshare.audit.model import event_table as audit_table
from ckanext.govshare.core import clock
from ckanext.govshare.notices.model import notice_table
from ckanext.govshare.reminders import scheduler

from .conftest import World, another_entry, request_form

pytestmark = [
    pytest.mark.usefixtures("with_request_context"),
    pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025"),
]

MONDAY = dt.datetime(2026, 9, 28, 2, 0, tzinfo=dt.timezone.utc)  # 10:00 in Beijing
TUESDAY = dt.datetime(2026, 9, 29, 2, 0, tzinfo=dt.timezone.utc)
MISSING = json.dumps([{"field": "basis", "note": "请提供申请依据原文"}])  # as a form sends it


def _audit(object_id: str) -> list[str]:
    rows = model.Session.execute(
        sa.select(audit_table.c.action, audit_table.c.outcome)
        .where(audit_table.c.object_id == object_id)
        .order_by(audit_table.c.seq)
    ).all()
    return [f"{r.action}:{r.outcome}" for r in rows]


def _noticed(world: World, kind: str, request_id: str) -> set[str]:
    """The users of the world told ``kind`` about the request."""
    rows = model.Session.execute(
        sa.select(notice_table.c.user_id)
        .where(notice_table.c.kind == kind)
        .where(notice_table.c.key.contains(request_id))
    ).all()
    ids = {r.user_id for r in rows}
    return {name for name, user in world.users.items() if user["id"] in ids}


def _row(request_id: str) -> dict[str, Any]:
    row = model.Session.execute(
        sa.select(request_table).where(request_table.c.id == request_id)
    ).first()
    assert row is not None
    return dict(row._mapping)


def _count(table: sa.Table) -> int:
    return model.Session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def _drafted(world: World) -> dict[str, Any]:
    """A request sent by the requesting department's head, the answer drafted by staff."""
    request = world.call("requester_officer", "govshare_request_create", **request_form(world))
    world.call(
        "provider_staff",
        "govshare_request_decide",
        id=request["id"],
        decision="approve",
        data_items=["统一社会信用代码"],
        conditions="仅用于注销核验",
    )
    return request


# ------------------------------------------------------------------ the requesting side


def test_a_members_request_waits_for_its_head_and_nobody_outside_sees_it(world: World):
    request = world.call("requester", "govshare_request_create", **request_form(world))
    assert request["status"] == "awaiting_signoff"
    assert request["due_date"] is None and request["working_days_left"] is None
    assert request["status_label"]["zh_Hans_CN"] == "待本部门负责人审核"
    assert request["signed_off_by"] is None
    assert [e["to_state"] for e in request["history"]] == ["awaiting_signoff"]
    assert _audit(request["id"]) == ["govshare_request_submit:success"]
    # The department's heads are told; the provider is not.
    assert _noticed(world, "request_signoff_needed", request["id"]) == {"requester_officer"}
    assert _noticed(world, "request_received", request["id"]) == set()
    for who in ("requester", "requester_officer", "sysadmin"):
        assert world.call(who, "govshare_request_show", id=request["id"])["id"] == request["id"]
    for who in ("provider_officer", "provider_staff", "authority", "conference", "other"):
        with pytest.raises(tk.NotAuthorized):
            world.call(who, "govshare_request_show", id=request["id"])
        listed = world.call(who, "govshare_request_list")
        assert request["id"] not in {r["id"] for r in listed["results"]}, who


def test_the_audit_trail_of_an_unsent_request_stays_with_its_department(world: World):
    request = world.call("requester", "govshare_request_create", **request_form(world))
    world.call(
        "requester_officer",
        "govshare_request_signoff",
        id=request["id"],
        decision="return",
        reason="请补充",
    )

    def actions(who: str) -> list[str]:
        found = world.call(who, "govshare_audit_list", object_id=request["id"])["results"]
        return sorted(e["action"] for e in found)

    assert actions("requester_officer") == [
        "govshare_request_signoff_return",
        "govshare_request_submit",
    ]
    assert actions("provider_officer") == []  # the provider never heard of it
    world.call("requester", "govshare_request_resubmit", id=request["id"])
    world.call(
        "requester_officer", "govshare_request_signoff", id=request["id"], decision="approve"
    )
    assert actions("provider_officer") == ["govshare_request_signoff"]  # sent: it reached them


def test_an_officers_own_request_is_sent_and_signed_off_at_once(world: World, frozen: Any):
    frozen(MONDAY)
    request = world.call("requester_officer", "govshare_request_create", **request_form(world))
    assert request["status"] == "submitted"
    assert request["due_date"] == "2026-10-16"
    assert request["signed_off_by"] == world.users["requester_officer"]["id"]
    assert request["signed_off_at"].startswith("2026-09-28T02:00")
    assert _noticed(world, "request_received", request["id"]) == {
        "provider_officer",
        "provider_editor",
    }


def test_a_negotiation_needs_no_signoff(world: World):
    form = request_form(world, package_id=world.not_shared["id"], reason="请协商")
    opened = world.call("requester", "govshare_negotiation_open", **form)
    assert opened["status"] == "negotiating"


def test_the_clock_starts_when_the_head_signs_off(world: World, frozen: Any):
    frozen(MONDAY)
    request = world.call("requester", "govshare_request_create", **request_form(world))
    frozen(TUESDAY)
    sent = world.call(
        "requester_officer", "govshare_request_signoff", id=request["id"], decision="approve"
    )
    assert sent["status"] == "submitted"
    # 10 working days from Tuesday 2026-09-29 (National Day off, Saturday 10-10 worked).
    assert sent["due_date"] == "2026-10-19"
    assert sent["submitted_at"].startswith("2026-09-29T02:00")
    assert sent["signed_off_by"] == world.users["requester_officer"]["id"]
    assert sent["signed_off_at"].startswith("2026-09-29T02:00")
    assert [(e["action"], e["to_state"], e["role"]) for e in sent["history"]] == [
        ("submit", "awaiting_signoff", "requester"),
        ("signoff", "submitted", "requester_officer"),
    ]
    assert _audit(request["id"]) == [
        "govshare_request_submit:success",
        "govshare_request_signoff:success",
    ]
    assert _noticed(world, "request_received", request["id"]) == {
        "provider_officer",
        "provider_editor",
    }
    assert _noticed(world, "request_submitted", request["id"]) == {"requester"}
    assert world.call("provider_officer", "govshare_request_show", id=request["id"])["id"]


def test_the_head_returns_it_and_the_drafter_sends_it_again(world: World):
    request = world.call("requester", "govshare_request_create", **request_form(world))
    returned = world.call(
        "requester_officer",
        "govshare_request_signoff",
        id=request["id"],
        decision="return",
        reason="请写明具体办事场景",
    )
    assert returned["status"] == "signoff_returned"
    assert _noticed(world, "request_signoff_returned", request["id"]) == {"requester"}
    again = world.call(
        "requester",
        "govshare_request_resubmit",
        id=request["id"],
        scenario="企业注销一网通办：核验纳税状态",
    )
    assert again["status"] == "awaiting_signoff" and again["due_date"] is None
    assert again["history"][-1]["detail"]["changed"] == ["scenario"]
    sent = world.call(
        "requester_officer", "govshare_request_signoff", id=request["id"], decision="approve"
    )
    assert sent["status"] == "submitted" and sent["due_date"]
    # The head's return stays with the requesting department.
    seen = world.call("provider_officer", "govshare_request_show", id=request["id"])
    assert "signoff_return" not in [e["action"] for e in seen["history"]]
    assert "signoff_return" in [
        e["action"]
        for e in world.call("requester", "govshare_request_show", id=request["id"])["history"]
    ]


def test_an_officer_resending_a_returned_draft_signs_it_off(world: World, frozen: Any):
    frozen(MONDAY)
    request = world.call("requester", "govshare_request_create", **request_form(world))
    frozen(TUESDAY)
    world.call(
        "requester_officer",
        "govshare_request_signoff",
        id=request["id"],
        decision="return",
        reason="补充场景",
    )
    sent = world.call("requester_officer", "govshare_request_resubmit", id=request["id"])
    assert sent["status"] == "submitted" and sent["due_date"] == "2026-10-19"
    assert sent["signed_off_by"] == world.users["requester_officer"]["id"]
    assert sent["submitted_at"].startswith("2026-09-29T02:00")  # it reached the provider then


def test_withdrawing_a_draft_tells_nobody_outside(world: World):
    request = world.call("requester", "govshare_request_create", **request_form(world))
    withdrawn = world.call("requester", "govshare_request_withdraw", id=request["id"])
    assert withdrawn["status"] == "withdrawn"
    assert _noticed(world, "request_withdrawn", request["id"]) == set()


def test_after_a_providers_return_the_head_restarts_the_clock_with_what_was_left(
    world: World, frozen: Any
):
    frozen(MONDAY)  # due 2026-10-16
    request = world.call("requester_officer", "govshare_request_create", **request_form(world))
    frozen(TUESDAY)  # 9 working days left
    world.call(
        "provider_officer",
        "govshare_request_decide",
        id=request["id"],
        decision="return",
        reason="材料不全",
        missing_items=MISSING,
    )
    frozen(dt.datetime(2026, 10, 9, 2, 0, tzinfo=dt.timezone.utc))  # Friday after the holiday
    waiting = world.call(
        "requester", "govshare_request_resubmit", id=request["id"], basis="《税收征收管理法》"
    )
    assert waiting["status"] == "awaiting_signoff"
    assert waiting["due_date"] is None and waiting["remaining_workdays"] == 9
    assert _noticed(world, "request_resubmitted", request["id"]) == set()
    with pytest.raises(tk.NotAuthorized):  # the provider waits for the head too
        world.call("provider_officer", "govshare_request_show", id=request["id"])
    frozen(dt.datetime(2026, 10, 12, 2, 0, tzinfo=dt.timezone.utc))  # Monday
    sent = world.call(
        "requester_officer", "govshare_request_signoff", id=request["id"], decision="approve"
    )
    assert sent["status"] == "submitted"
    assert sent["due_date"] == "2026-10-23"  # 9 working days from 2026-10-12
    assert sent["submitted_at"].startswith("2026-09-28")  # first sent then
    # The provider's officers hear it come back as a resubmission (not a new request) only
    # once its head has sent it.
    assert _noticed(world, "request_resubmitted", request["id"]) == {
        "provider_officer",
        "provider_editor",
    }


def test_a_request_waiting_for_its_head_expires_with_its_period(world: World, frozen: Any):
    frozen(MONDAY)
    end = dt.date(2026, 10, 30).isoformat()
    waiting = world.call(
        "requester", "govshare_request_create", **request_form(world, period_end=end)
    )
    returned = world.call(
        "requester",
        "govshare_request_create",
        **request_form(world, period_end=end, package_id=another_entry(world)["id"]),
    )
    world.call(
        "requester_officer",
        "govshare_request_signoff",
        id=returned["id"],
        decision="return",
        reason="请补充",
    )
    scheduler.Reminder(dt.date(2026, 10, 30)).step(scheduler.REQUESTS_EXPIRED)
    assert _row(waiting["id"])["status"] == "awaiting_signoff"  # the period has not ended
    scheduler.Reminder(dt.date(2026, 11, 2)).step(scheduler.REQUESTS_EXPIRED)
    assert _row(waiting["id"])["status"] == "expired"
    assert _row(returned["id"])["status"] == "expired"
    assert "govshare_request_expire:success" in _audit(waiting["id"])
    # Never sent: only the requesting department hears of it.
    assert _noticed(world, "request_expired", waiting["id"]) == {"requester", "requester_officer"}


def test_the_providers_report_counts_only_what_reached_it(world: World):
    world.call("requester", "govshare_request_create", **request_form(world))  # waiting
    elsewhere = {"package_id": another_entry(world)["id"]}  # one open request per entry
    unsent = world.call("requester", "govshare_request_create", **request_form(world, **elsewhere))
    world.call("requester", "govshare_request_withdraw", id=unsent["id"])
    sent = world.call("requester", "govshare_request_create", **request_form(world, **elsewhere))
    world.call("requester_officer", "govshare_request_signoff", id=sent["id"], decision="approve")
    report = world.call(
        "sysadmin",
        "govshare_report_show",
        organization=world.provider["name"],
        year=clock.today().year,
    )
    assert report["requests_received"]["total"] == 1


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("requester_officer", True),
        ("sysadmin", True),
        ("requester", False),
        ("provider_officer", False),
        ("provider_editor", False),
        ("provider_staff", False),
        ("other", False),
        ("authority", False),
        ("conference", False),
        ("outsider", False),
        (None, False),
    ],
)
@pytest.mark.parametrize("decision", ["approve", "return"])
def test_who_signs_off_a_request(world: World, who: str | None, allowed: bool, decision: str):
    request = world.call("requester", "govshare_request_create", **request_form(world))
    args = {"id": request["id"], "decision": decision, "reason": "请修改"}
    if allowed:
        done = world.call(who, "govshare_request_signoff", **args)
        assert done["status"] == ("submitted" if decision == "approve" else "signoff_returned")
    else:
        with pytest.raises(tk.NotAuthorized) as raised:
            world.call(who, "govshare_request_signoff", **args)
        assert who is None or " | " in str(raised.value)  # CKAN's own refusal of anonymous
        assert _row(request["id"])["status"] == "awaiting_signoff"
        if who is not None:
            assert "govshare_request_signoff:refused" in _audit(request["id"])


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"decision": "return"}, "reason"),
        ({"decision": "return", "reason": "   "}, "reason"),
        ({"decision": "maybe"}, "decision"),
        ({}, "decision"),
        ({"decision": "approve", "reason": "x" * 4001}, "reason"),
    ],
)
def test_bad_signoff_input_is_a_field_error(world: World, data: dict[str, Any], field: str):
    request = world.call("requester", "govshare_request_create", **request_form(world))
    events = _count(event_table)
    with pytest.raises(tk.ValidationError) as raised:
        world.call("requester_officer", "govshare_request_signoff", id=request["id"], **data)
    assert " | " in raised.value.error_dict[field][0]
    assert _count(event_table) == events
    assert _row(request["id"])["status"] == "awaiting_signoff"


def test_nothing_to_sign_off_is_a_409(world: World):
    request = world.call("requester_officer", "govshare_request_create", **request_form(world))
    with pytest.raises(tk.ValidationError) as raised:
        world.call(
            "provider_officer", "govshare_request_signoff", id=request["id"], decision="approve"
        )
    assert " | " in raised.value.error_dict["id"][0]
    with pytest.raises(tk.ObjectNotFound):
        world.call("sysadmin", "govshare_request_signoff", id="no-such", decision="approve")


# ------------------------------------------------------------------ the providing side


def test_staff_answer_is_a_draft_for_the_head(world: World):
    request = _drafted(world)
    row = _row(request["id"])
    assert row["status"] == "submitted" and row["decided_at"] is None
    draft = row["answer_draft"]
    assert draft["decision"] == "approve"
    assert draft["data_items"] == ["统一社会信用代码"]
    assert draft["drafted_by"] == world.users["provider_staff"]["id"]
    assert "govshare_request_draft_answer:success" in _audit(request["id"])
    assert _noticed(world, "answer_drafted", request["id"]) == {
        "provider_officer",
        "provider_editor",
    }
    assert _noticed(world, "request_decided", request["id"]) == set()
    # The provider sees the draft; the requester sees neither it nor the drafting.
    officer = world.call("provider_officer", "govshare_request_show", id=request["id"])
    assert officer["answer_draft"]["decision"] == "approve"
    assert set(officer["allowed_actions"]) >= {"signoff", "signoff_return", "approve"}
    requester = world.call("requester", "govshare_request_show", id=request["id"])
    assert requester["answer_draft"] is None
    assert "draft_answer" not in [e["action"] for e in requester["history"]]
    authority = world.call("authority", "govshare_request_show", id=request["id"])
    assert authority["answer_draft"] is None
    listed = world.call("requester", "govshare_request_list")["results"]
    assert listed
    assert all(r["answer_draft"] is None for r in listed)


def test_the_head_signs_off_the_drafted_answer_as_theirs(world: World):
    request = _drafted(world)
    signed = world.call(
        "provider_officer", "govshare_request_signoff", id=request["id"], decision="approve"
    )
    assert signed["status"] == "approved"
    assert signed["grant"]["data_items"] == ["统一社会信用代码"]
    assert signed["grant"]["conditions"] == "仅用于注销核验"
    assert signed["answer_signed_off_by"] == world.users["provider_officer"]["id"]
    assert signed["decided_by"] == world.users["provider_officer"]["id"]
    assert signed["answer_draft"] is None and _row(request["id"])["answer_draft"] is None
    approval = signed["history"][-1]
    assert approval["action"] == "approve" and approval["role"] == "provider"
    assert approval["detail"]["drafted_by"] == world.users["provider_staff"]["id"]
    assert _audit(request["id"])[-2:] == [
        "govshare_request_approve:success",
        "govshare_request_signoff:success",
    ]
    assert _noticed(world, "request_decided", request["id"]) == {"requester", "requester_officer"}


def test_a_drafted_return_signed_off_lists_what_is_missing(world: World):
    request = world.call("requester_officer", "govshare_request_create", **request_form(world))
    world.call(
        "provider_staff",
        "govshare_request_decide",
        id=request["id"],
        decision="return",
        reason="材料不全",
        missing_items=MISSING,
    )
    signed = world.call(
        "provider_editor", "govshare_request_signoff", id=request["id"], decision="approve"
    )
    assert signed["status"] == "returned"
    assert [i["field"] for i in signed["missing_items"]] == ["basis"]


def test_the_head_returns_the_draft_and_the_clock_runs_on(world: World, frozen: Any):
    frozen(MONDAY)
    request = _drafted(world)
    back = world.call(
        "provider_officer",
        "govshare_request_signoff",
        id=request["id"],
        decision="return",
        reason="范围过宽，请核实",
    )
    assert back["status"] == "submitted" and back["due_date"] == "2026-10-16"
    assert back["answer_draft"] is None and _row(request["id"])["answer_draft"] is None
    assert _noticed(world, "answer_draft_returned", request["id"]) == {"provider_staff"}
    assert "govshare_request_signoff_return:success" in _audit(request["id"])
    staff = world.call("provider_staff", "govshare_request_show", id=request["id"])
    assert "draft_answer" in staff["allowed_actions"]
    assert staff["history"][-1]["action"] == "signoff_return"
    # The staff may draft again.
    world.call(
        "provider_staff",
        "govshare_request_decide",
        id=request["id"],
        decision="reject",
        reason="超出履职需要",
        grounds=["beyond_duties"],
    )
    assert _row(request["id"])["answer_draft"]["decision"] == "reject"


def test_one_draft_at_a_time_and_a_bad_draft_writes_nothing(world: World):
    request = _drafted(world)
    with pytest.raises(tk.ValidationError) as raised:
        world.call(
            "provider_staff",
            "govshare_request_decide",
            id=request["id"],
            decision="reject",
            reason="x",
            grounds=["other"],
        )
    assert " | " in raised.value.error_dict["status"][0]
    other = world.call(
        "requester_officer",
        "govshare_request_create",
        **request_form(world, package_id=another_entry(world)["id"]),
    )
    events = _count(event_table)
    with pytest.raises(tk.ValidationError) as raised:
        world.call("provider_staff", "govshare_request_decide", id=other["id"], decision="reject")
    assert "reason" in raised.value.error_dict
    assert _count(event_table) == events and _row(other["id"])["answer_draft"] is None


def test_an_officer_answering_directly_signs_it_off_and_supersedes_a_draft(world: World):
    request = _drafted(world)
    decided = world.call(
        "provider_editor",
        "govshare_request_decide",
        id=request["id"],
        decision="reject",
        reason="不符合共享条件",
        grounds=["other"],
    )
    assert decided["status"] == "rejected"
    assert decided["answer_signed_off_by"] == world.users["provider_editor"]["id"]
    assert _row(request["id"])["answer_draft"] is None
    assert decided["history"][-1]["detail"]["superseded_draft"]["decision"] == "approve"


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("provider_officer", True),
        ("provider_editor", True),
        ("sysadmin", True),
        ("provider_staff", False),
        ("requester", False),
        ("requester_officer", False),
        ("other", False),
        ("authority", False),
        ("conference", False),
        ("outsider", False),
        (None, False),
    ],
)
@pytest.mark.parametrize("decision", ["approve", "return"])
def test_who_signs_off_an_answer(world: World, who: str | None, allowed: bool, decision: str):
    request = _drafted(world)
    args = {"id": request["id"], "decision": decision, "reason": "请核实"}
    if allowed:
        done = world.call(who, "govshare_request_signoff", **args)
        assert done["status"] == ("approved" if decision == "approve" else "submitted")
        assert _row(request["id"])["answer_draft"] is None
    else:
        with pytest.raises(tk.NotAuthorized) as raised:
            world.call(who, "govshare_request_signoff", **args)
        assert who is None or " | " in str(raised.value)  # CKAN's own refusal of anonymous
        assert _row(request["id"])["answer_draft"]["decision"] == "approve"


@pytest.mark.parametrize(
    ("who", "outcome"),
    [
        ("provider_staff", "draft"),
        ("provider_officer", "rejected"),
        ("provider_editor", "rejected"),
        ("sysadmin", "rejected"),
        ("requester", "refused"),
        ("requester_officer", "refused"),
        ("other", "refused"),
        ("authority", "refused"),
        ("conference", "refused"),
        ("outsider", "refused"),
        (None, "refused"),
    ],
)
def test_who_answers_and_who_drafts(world: World, who: str | None, outcome: str):
    request = world.call("requester_officer", "govshare_request_create", **request_form(world))
    args = {
        "id": request["id"],
        "decision": "reject",
        "reason": "超出履职需要",
        "grounds": ["beyond_duties"],
    }
    if outcome == "refused":
        with pytest.raises(tk.NotAuthorized):
            world.call(who, "govshare_request_decide", **args)
        assert _row(request["id"])["status"] == "submitted"
        return
    answer = world.call(who, "govshare_request_decide", **args)
    row = _row(request["id"])
    if outcome == "draft":
        assert answer["status"] == "submitted" and row["answer_draft"]["decision"] == "reject"
    else:
        assert (
            answer["status"] == "rejected"
            and row["answer_signed_off_by"] == (world.users[who]["id"])
        )


def test_staff_see_the_requests_to_their_department_but_not_drafts_of_others(world: World):
    sent = world.call("requester_officer", "govshare_request_create", **request_form(world))
    waiting = world.call(
        "requester",
        "govshare_request_create",
        **request_form(world, package_id=another_entry(world)["id"]),
    )
    incoming = world.call("provider_staff", "govshare_request_list", direction="incoming")
    ids = {r["id"] for r in incoming["results"]}
    assert sent["id"] in ids and waiting["id"] not in ids
    shown = world.call("provider_staff", "govshare_request_show", id=sent["id"])
    assert shown["allowed_actions"] == ["draft_answer"]


def test_the_workbench_lists_what_waits_for_the_callers_signoff(world: World):
    # One open request per entry and department (issue 19, item 3): three entries.
    waiting = world.call(
        "requester",
        "govshare_request_create",
        **request_form(world, package_id=another_entry(world)["id"]),
    )
    drafted = _drafted(world)
    plain = world.call(
        "requester_officer",
        "govshare_request_create",
        **request_form(world, package_id=another_entry(world)["id"]),
    )

    def ids(who: str) -> set[str]:
        return {r["id"] for r in world.call(who, "govshare_request_list", signoff=True)["results"]}

    assert ids("requester_officer") == {waiting["id"]}
    assert ids("provider_officer") == {drafted["id"]}
    assert ids("sysadmin") >= {waiting["id"], drafted["id"]}
    assert plain["id"] not in ids("sysadmin")
    for who in ("requester", "provider_staff", "authority", "other"):
        assert ids(who) == set(), who


# ------------------------------------------------------------------ the option


@pytest.mark.ckan_config("ckanext.govshare.internal_signoff", "false")
def test_the_option_turns_signoff_off_under_2025(world: World):
    request = world.call("requester", "govshare_request_create", **request_form(world))
    assert request["status"] == "submitted"

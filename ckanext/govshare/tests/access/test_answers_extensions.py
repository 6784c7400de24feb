"""Extensions of the time to answer (2025 Regulations art. 21): the provider asks, the
authority decides, the due date moves in working days; refused under the 2016 Measures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit as tk

from ckanext.govshare.access.model import event_table, extension_table, request_table
from ckanext.govshare.audit.model import event_table as audit_table
from ckanext.govshare.notices.model import notice_table

from .conftest import World, another_entry, request_form

PROFILE = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
pytestmark = pytest.mark.usefixtures("with_request_context")

# Monday 2026-09-14, 10:00 in Beijing: 10 working days end Monday 2026-09-28 (Sunday 09-20
# worked, Friday 09-25 the Mid-Autumn Festival off).
MONDAY = dt.datetime(2026, 9, 14, 2, 0, tzinfo=dt.timezone.utc)


def _request(world: World, package_id: str | None = None) -> dict[str, Any]:
    """A request submitted at once: by the requesting department's data officer, whose own
    request needs no sign-off of its head (2025 art. 20); on ``package_id`` when given (one
    open request per entry and department)."""
    form = request_form(world, package_id=package_id) if package_id else request_form(world)
    request = world.call("requester_officer", "govshare_request_create", **form)
    assert request["status"] == "submitted"
    return request


def _audit(object_id: str) -> list[str]:
    rows = model.Session.execute(
        sa.select(audit_table.c.action)
        .where(audit_table.c.object_id == object_id)
        .order_by(audit_table.c.seq)
    ).all()
    return [r[0] for r in rows]


def _count(table: sa.Table) -> int:
    return model.Session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def _notices(kind: str) -> set[str]:
    rows = model.Session.execute(
        sa.select(notice_table.c.user_id).where(notice_table.c.kind == kind)
    ).all()
    return {r[0] for r in rows}


@PROFILE
def test_an_approved_extension_moves_the_due_date_across_national_day(
    world: World, frozen: Any
) -> None:
    frozen(MONDAY)
    request = _request(world)
    assert request["due_date"] == "2026-09-28"
    asked = world.call(
        "provider_officer", "govshare_request_extend", id=request["id"], days=3, reason="数据量大"
    )
    assert asked["status"] == "pending"
    assert asked["due_before"] == "2026-09-28"
    assert asked["request"]["due_date"] == "2026-09-28"  # nothing moves before the decision
    assert asked["request"]["history"][-1]["action"] == "extend"
    assert world.users["authority"]["id"] in _notices("extension_requested")

    decided = world.call(
        "authority", "govshare_extension_decide", id=asked["id"], decision="approve"
    )
    # 3 working days from Monday 09-28: Tuesday 09-29, Wednesday 09-30, then the National Day
    # holiday (10-01 to 10-07) is skipped: Thursday 10-08.
    assert decided["status"] == "approved"
    assert (decided["due_before"], decided["due_after"]) == ("2026-09-28", "2026-10-08")
    assert decided["request"]["due_date"] == "2026-10-08"
    assert decided["request"]["extended_days"] == 3
    assert decided["request"]["status"] == "submitted"
    last = decided["request"]["history"][-1]
    assert (last["action"], last["from_state"], last["to_state"]) == (
        "extension_decide",
        "submitted",
        "submitted",
    )
    assert last["detail"]["due_after"] == "2026-10-08"
    assert _audit(request["id"])[-2:] == [
        "govshare_request_extend",
        "govshare_request_extension_decide",
    ]
    told = _notices("extension_decided")
    assert world.users["requester"]["id"] in told
    assert world.users["provider_officer"]["id"] in told


@PROFILE
def test_a_rejected_extension_leaves_the_due_date(world: World, frozen: Any) -> None:
    frozen(MONDAY)
    request = _request(world)
    asked = world.call(
        "provider_officer", "govshare_request_extend", id=request["id"], days=2, reason="需核实"
    )
    with pytest.raises(tk.ValidationError) as raised:
        world.call("authority", "govshare_extension_decide", id=asked["id"], decision="reject")
    assert " | " in raised.value.error_dict["reason"][0]
    decided = world.call(
        "authority",
        "govshare_extension_decide",
        id=asked["id"],
        decision="reject",
        reason="理由不充分",
    )
    assert decided["status"] == "rejected"
    assert decided["due_after"] is None
    assert decided["request"]["due_date"] == "2026-09-28"
    assert decided["request"]["extended_days"] == 0
    with pytest.raises(tk.ValidationError) as again:
        world.call("authority", "govshare_extension_decide", id=asked["id"], decision="approve")
    assert "id" in again.value.error_dict


@PROFILE
def test_one_pending_at_a_time_and_ten_working_days_in_all(world: World, frozen: Any) -> None:
    frozen(MONDAY)
    request = _request(world)
    first = world.call(
        "provider_officer", "govshare_request_extend", id=request["id"], days=6, reason="一"
    )
    with pytest.raises(tk.ValidationError) as pending:
        world.call(
            "provider_officer", "govshare_request_extend", id=request["id"], days=1, reason="二"
        )
    assert "id" in pending.value.error_dict
    world.call("authority", "govshare_extension_decide", id=first["id"], decision="approve")
    with pytest.raises(tk.ValidationError) as beyond:
        world.call(
            "provider_officer", "govshare_request_extend", id=request["id"], days=5, reason="三"
        )
    assert "4" in beyond.value.error_dict["days"][0]  # 4 working days are left
    world.call("provider_officer", "govshare_request_extend", id=request["id"], days=4, reason="四")


@PROFILE
@pytest.mark.parametrize(
    ("field", "value"),
    [("days", 0), ("days", 11), ("days", "three"), ("reason", ""), ("id", ["x"])],
)
def test_bad_input_is_a_field_error_in_both_languages(
    world: World, frozen: Any, field: str, value: Any
) -> None:
    frozen(MONDAY)
    request = _request(world)
    data = {"id": request["id"], "days": 2, "reason": "数据量大", field: value}
    before = _count(extension_table)
    with pytest.raises(tk.ValidationError) as raised:
        world.call("provider_officer", "govshare_request_extend", **data)
    assert " | " in raised.value.error_dict[field][0]
    assert _count(extension_table) == before


@PROFILE
def test_an_overdue_or_answered_request_is_not_extended(world: World, frozen: Any) -> None:
    frozen(MONDAY)
    request = _request(world)
    frozen(dt.datetime(2026, 9, 29, 2, 0, tzinfo=dt.timezone.utc))  # a day past 09-28
    with pytest.raises(tk.ValidationError) as overdue:
        world.call(
            "provider_officer", "govshare_request_extend", id=request["id"], days=2, reason="晚"
        )
    assert "overdue" in overdue.value.error_dict["id"][0]
    frozen(MONDAY)
    world.call("provider_officer", "govshare_request_decide", id=request["id"], decision="approve")
    with pytest.raises(tk.ValidationError) as answered:
        world.call(
            "provider_officer", "govshare_request_extend", id=request["id"], days=2, reason="晚"
        )
    assert "status" in answered.value.error_dict


@PROFILE
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
        ("outsider", False),
        (None, False),
    ],
)
def test_who_may_ask_for_an_extension(world: World, who: str | None, allowed: bool) -> None:
    request = _request(world)
    data = {"id": request["id"], "days": 2, "reason": "数据量大"}
    if allowed:
        assert world.call(who, "govshare_request_extend", **data)["status"] == "pending"
    else:
        with pytest.raises(tk.NotAuthorized):
            world.call(who, "govshare_request_extend", **data)
        assert _count(extension_table) == 0


@PROFILE
@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("authority", True),
        ("sysadmin", True),
        ("provider_officer", False),
        ("provider_editor", False),
        ("provider_staff", False),
        ("requester", False),
        ("requester_officer", False),
        ("conference", False),
        ("other", False),
        ("outsider", False),
        (None, False),
    ],
)
def test_who_may_decide_an_extension(world: World, who: str | None, allowed: bool) -> None:
    request = _request(world)
    asked = world.call(
        "provider_officer", "govshare_request_extend", id=request["id"], days=2, reason="数据量大"
    )
    if allowed:
        decided = world.call(who, "govshare_extension_decide", id=asked["id"], decision="approve")
        assert decided["status"] == "approved"
    else:
        with pytest.raises(tk.NotAuthorized):
            world.call(who, "govshare_extension_decide", id=asked["id"], decision="approve")
        row = model.Session.execute(
            sa.select(extension_table.c.status).where(extension_table.c.id == asked["id"])
        ).scalar_one()
        assert row == "pending"


@PROFILE
@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("authority", True),
        ("sysadmin", True),
        ("provider_officer", True),
        ("requester", True),
        ("requester_officer", True),
        ("provider_staff", False),
        ("other", False),
        ("conference", False),
        ("outsider", False),
    ],
)
def test_who_sees_an_extension(world: World, who: str, sees: bool) -> None:
    request = _request(world)
    world.call(
        "provider_officer", "govshare_request_extend", id=request["id"], days=2, reason="数据量大"
    )
    found = world.call(who, "govshare_extension_list")
    assert found["count"] == (1 if sees else 0)
    assert set(found) == {"count", "results", "limit", "offset"}
    with pytest.raises(tk.NotAuthorized):
        world.call(None, "govshare_extension_list")


@PROFILE
def test_the_list_puts_pending_ones_first(world: World) -> None:
    first, second = _request(world), _request(world, another_entry(world)["id"])
    one = world.call(
        "provider_officer", "govshare_request_extend", id=first["id"], days=2, reason="一"
    )
    world.call("authority", "govshare_extension_decide", id=one["id"], decision="approve")
    two = world.call(
        "provider_officer", "govshare_request_extend", id=second["id"], days=2, reason="二"
    )
    found = world.call("authority", "govshare_extension_list")
    assert [e["id"] for e in found["results"]] == [two["id"], one["id"]]
    assert found["results"][0]["status_label"]["zh_Hans_CN"] == "待共享主管部门决定"
    pending = world.call("authority", "govshare_extension_list", status="pending")
    assert [e["id"] for e in pending["results"]] == [two["id"]]
    by_request = world.call("requester", "govshare_extension_list", request_id=first["id"])
    assert [e["id"] for e in by_request["results"]] == [one["id"]]
    with pytest.raises(tk.ValidationError) as bad:
        world.call("authority", "govshare_extension_list", status="maybe")
    assert " | " in bad.value.error_dict["status"][0]


def test_the_2016_measures_have_no_extensions(world: World) -> None:
    request = _request(world)
    before = model.Session.execute(
        sa.select(sa.func.count()).where(event_table.c.request_id == request["id"])
    ).scalar_one()
    with pytest.raises(tk.ValidationError) as raised:
        world.call(
            "provider_officer", "govshare_request_extend", id=request["id"], days=2, reason="晚"
        )
    text = raised.value.error_dict["id"][0]
    assert "measures-2016" in text and " | " in text
    after = model.Session.execute(
        sa.select(sa.func.count()).where(event_table.c.request_id == request["id"])
    ).scalar_one()
    assert after == before
    assert _count(extension_table) == 0
    due = model.Session.execute(
        sa.select(request_table.c.due_date).where(request_table.c.id == request["id"])
    ).scalar_one()
    assert due.isoformat() == request["due_date"]

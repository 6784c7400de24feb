"""Answers and deliveries after the decision (2025 Regulations art. 21, 22): a self-service
obtain is an immediate answer, an approved grant is delivered within 20 working days (marked
by the provider or by the first delivery), reminders and the overdue flag; the 2016 Measures
unchanged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit as tk

from ckanext.govshare import notices
from ckanext.govshare.access.model import event_table, grant_table, request_table
from ckanext.govshare.audit.model import event_table as audit_table
from ckanext.govshare.notices.model import notice_table
from ckanext.govshare.reminders import scheduler

from .conftest import World, request_form

PROFILE = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
pytestmark = pytest.mark.usefixtures("with_request_context")

# Monday 2026-09-14, 10:00 in Beijing.
MONDAY = dt.datetime(2026, 9, 14, 2, 0, tzinfo=dt.timezone.utc)


def _approved_grant(world: World) -> dict[str, Any]:
    """A request of the requesting department's data officer (no sign-off needed), approved."""
    request = world.call("requester_officer", "govshare_request_create", **request_form(world))
    decided = world.call(
        "provider_officer", "govshare_request_decide", id=request["id"], decision="approve"
    )
    return decided["grant"]


def _obtain(world: World) -> dict[str, Any]:
    return world.call(
        "requester",
        "govshare_access_obtain",
        package_id=world.unconditional["id"],
        requesting_org=world.requester_org["name"],
        purpose="data_verification",
        purpose_detail="核验纳税人登记信息",
        pledge=True,
    )


def _audit(object_id: str, action: str) -> list[dict[str, Any]]:
    rows = model.Session.execute(
        sa.select(audit_table)
        .where(audit_table.c.object_id == object_id, audit_table.c.action == action)
        .order_by(audit_table.c.seq)
    ).all()
    return [dict(r._mapping) for r in rows]


def _notices(kind: str) -> list[tuple[str, str]]:
    rows = model.Session.execute(
        sa.select(notice_table.c.user_id, notice_table.c.key).where(notice_table.c.kind == kind)
    ).all()
    return [(r[0], r[1]) for r in rows]


@PROFILE
def test_a_self_service_obtain_is_an_immediate_answer(world: World, frozen: Any) -> None:
    frozen(MONDAY)
    grant = _obtain(world)
    assert grant["request_id"]
    assert grant["delivered_at"] is not None  # available at once
    assert grant["delivery_due"] is None
    request = model.Session.execute(
        sa.select(request_table).where(request_table.c.id == grant["request_id"])
    ).one()
    assert (request.kind, request.status) == ("request", "approved")
    assert request.submitted_at == request.decided_at
    assert request.decided_by is None
    assert request.due_date == dt.date(2026, 9, 15)  # one working day
    assert request.requesting_org_id == world.requester_org["id"]
    history = model.Session.execute(
        sa.select(event_table.c.action, event_table.c.role, event_table.c.to_state)
        .where(event_table.c.request_id == request.id)
        .order_by(event_table.c.id)
    ).all()
    assert [tuple(h) for h in history] == [
        ("submit", "requester", "submitted"),
        ("approve", "system", "approved"),
    ]
    # The department sees it among its requests, answered.
    shown = world.call("requester", "govshare_request_show", id=request.id)
    assert shown["status"] == "approved" and shown["overdue"] is False
    # Obtaining again hands the same grant back, with no second request.
    again = _obtain(world)
    assert again["id"] == grant["id"] and again["request_id"] == grant["request_id"]
    count = model.Session.execute(
        sa.select(sa.func.count()).where(request_table.c.package_id == world.unconditional["id"])
    ).scalar_one()
    assert count == 1


def test_the_2016_measures_obtain_as_before(world: World) -> None:
    grant = _obtain(world)
    assert grant["request_id"] is None
    assert grant["delivered_at"] is None and grant["delivery_due"] is None
    assert grant["delivery_overdue"] is False
    count = model.Session.execute(sa.select(sa.func.count()).select_from(request_table))
    assert count.scalar_one() == 0


@PROFILE
def test_an_approved_grant_is_due_within_20_working_days(world: World, frozen: Any) -> None:
    frozen(MONDAY)
    grant = _approved_grant(world)
    # 20 working days from 09-14: Sunday 09-20 and Saturday 10-10 worked, 09-25 and the
    # National Day holiday (10-01 to 10-07) off.
    assert grant["delivery_due"] == "2026-10-16"
    assert grant["delivered_at"] is None and grant["delivery_overdue"] is False
    frozen(dt.datetime(2026, 10, 19, 2, 0, tzinfo=dt.timezone.utc))
    shown = world.call("requester", "govshare_grant_show", id=grant["id"])
    assert shown["delivery_overdue"] is True
    listed = world.call("provider_officer", "govshare_grant_list", direction="incoming")
    assert [g["delivery_overdue"] for g in listed["results"]] == [True]


@PROFILE
def test_the_provider_marks_it_delivered_once(world: World, frozen: Any) -> None:
    frozen(MONDAY)
    grant = _approved_grant(world)
    marked = world.call(
        "provider_officer",
        "govshare_grant_deliver",
        id=grant["id"],
        method="batch_exchange",
        reason="已通过前置机交换",
    )
    assert marked["delivered_at"].startswith("2026-09-14T02:00")
    assert marked["delivered_by"] == world.users["provider_officer"]["id"]
    assert marked["delivery_method"] == "batch_exchange"
    assert marked["delivery_method_label"]["zh_Hans_CN"] == "批量交换"
    frozen(MONDAY + dt.timedelta(days=1))
    again = world.call("provider_editor", "govshare_grant_deliver", id=grant["id"])
    assert again["delivered_at"] == marked["delivered_at"]  # only the first counts
    assert again["delivered_by"] == world.users["provider_officer"]["id"]
    events = _audit(grant["id"], "govshare_grant_deliver")
    assert len(events) == 1
    assert events[0]["detail"]["on_time"] is True
    assert events[0]["detail"]["method"] == "batch_exchange"


@PROFILE
@pytest.mark.parametrize(
    ("field", "value"), [("method", "carrier_pigeon"), ("reason", "x" * 4001), ("id", "")]
)
def test_bad_delivery_input_is_a_field_error(world: World, field: str, value: Any) -> None:
    grant = _approved_grant(world)
    with pytest.raises(tk.ValidationError) as raised:
        world.call(
            "provider_officer", "govshare_grant_deliver", **{"id": grant["id"], field: value}
        )
    assert " | " in raised.value.error_dict[field][0]
    delivered = model.Session.execute(
        sa.select(grant_table.c.delivered_at).where(grant_table.c.id == grant["id"])
    ).scalar_one()
    assert delivered is None


@PROFILE
def test_a_revoked_grant_is_not_marked_delivered(world: World) -> None:
    grant = _approved_grant(world)
    world.call("authority", "govshare_grant_revoke", id=grant["id"], reason="违规使用")
    with pytest.raises(tk.ValidationError) as raised:
        world.call("provider_officer", "govshare_grant_deliver", id=grant["id"])
    assert " | " in raised.value.error_dict["id"][0]


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
def test_who_may_mark_a_grant_delivered(world: World, who: str | None, allowed: bool) -> None:
    grant = _approved_grant(world)
    if allowed:
        assert world.call(who, "govshare_grant_deliver", id=grant["id"])["delivered_at"]
    else:
        with pytest.raises(tk.NotAuthorized):
            world.call(who, "govshare_grant_deliver", id=grant["id"])
        delivered = model.Session.execute(
            sa.select(grant_table.c.delivered_at).where(grant_table.c.id == grant["id"])
        ).scalar_one()
        assert delivered is None


def test_the_2016_measures_have_no_delivery_deadline(world: World) -> None:
    grant = _approved_grant(world)
    assert grant["delivery_due"] is None and grant["delivery_overdue"] is False
    with pytest.raises(tk.ValidationError) as raised:
        world.call("provider_officer", "govshare_grant_deliver", id=grant["id"])
    assert "measures-2016" in raised.value.error_dict["id"][0]
    assert _audit(grant["id"], "govshare_grant_deliver") == []


@PROFILE
def test_officers_are_reminded_then_the_delay_is_flagged_once(world: World, frozen: Any) -> None:
    frozen(MONDAY)
    grant = _approved_grant(world)  # due 2026-10-16
    officers = set(notices.officers_of(world.provider["id"]))
    assert {world.users["provider_officer"]["id"], world.users["provider_editor"]["id"]} <= officers

    def run(day: dt.date) -> None:
        reminder = scheduler.Reminder(day)
        reminder.step(scheduler.DELIVERIES_OVERDUE)
        reminder.step(scheduler.DELIVERIES_DUE_SOON)

    run(dt.date(2026, 9, 15))  # far from the date: nothing
    assert _notices("delivery_due_soon") == []
    run(dt.date(2026, 10, 14))
    run(dt.date(2026, 10, 14))  # again: nothing twice
    soon = _notices("delivery_due_soon")
    assert {user for user, _ in soon} == officers and len(soon) == len(officers)
    run(dt.date(2026, 10, 19))
    run(dt.date(2026, 10, 20))
    late = _notices("delivery_overdue")
    assert officers | {world.users["authority"]["id"]} == {user for user, _ in late}
    assert len(late) == len(officers) + 1
    assert len(_audit(grant["id"], "govshare_grant_delivery_overdue")) == 1
    # Delivered: no more reminders.
    world.call("provider_officer", "govshare_grant_deliver", id=grant["id"])
    model.Session.execute(sa.delete(notice_table))
    model.Session.commit()
    run(dt.date(2026, 10, 21))
    assert _notices("delivery_overdue") == []

"""Disposal of an ended grant's data (2025 Regulations art. 27): the due date in working days
across the National Day holiday, reminders before, the overdue flag after, the record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit as tk

from ckanext.govshare.audit.model import event_table as audit_table
from ckanext.govshare.notices.model import notice_table
from ckanext.govshare.reminders import scheduler

from .conftest import World, end, obtain

pytestmark = [
    pytest.mark.usefixtures("with_request_context"),
    pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025"),
]

UTC = dt.timezone.utc


def _dispose(world: World, grant: dict[str, Any], who: str = "requester_officer", **extra: Any):
    form = {"id": grant["id"], "method": "deleted", "description": "已删除业务库中的全部副本"}
    form.update(extra)
    return world.call(who, "govshare_grant_dispose", **form)


def _notices(world: World, who: str, kind: str) -> list[dict[str, Any]]:
    rows = model.Session.execute(
        sa.select(notice_table).where(
            notice_table.c.user_id == world.users[who]["id"], notice_table.c.kind == kind
        )
    ).all()
    return [dict(r._mapping) for r in rows]


def test_disposal_lifecycle_across_the_national_day_holiday(world: World, frozen: Any) -> None:
    # Monday 2026-09-28, 10:00 in Beijing: the grant is revoked; 10 working days (National
    # Day off, Saturday 2026-10-10 worked) end on Friday 2026-10-16.
    frozen(dt.datetime(2026, 9, 28, 2, tzinfo=UTC))
    grant = obtain(world)
    with pytest.raises(tk.ValidationError) as refused:
        _dispose(world, grant)  # still active: nothing to dispose of yet
    assert " | " in refused.value.error_dict["id"][0]
    ended = end(world, grant)
    assert ended["disposal_due"] == "2026-10-16"
    shown = world.call("requester", "govshare_grant_show", id=grant["id"])
    assert shown["disposal_due"] == "2026-10-16" and shown["disposed_at"] is None

    # Two working days before (remind.before_due = 2): the holder is reminded, once.
    scheduler.Reminder(dt.date(2026, 10, 13)).step(scheduler.DISPOSALS_DUE_SOON)
    assert _notices(world, "requester", "disposal_due_soon") == []
    for _ in range(2):
        scheduler.Reminder(dt.date(2026, 10, 14)).step(scheduler.DISPOSALS_DUE_SOON)
    soon = _notices(world, "requester", "disposal_due_soon")
    assert len(soon) == 1 and "2026-10-16" in soon[0]["body"]
    assert _notices(world, "provider_officer", "disposal_due_soon") == []

    # The due date itself is not overdue; the next day is.
    scheduler.Reminder(dt.date(2026, 10, 16)).step(scheduler.DISPOSALS_OVERDUE)
    assert _notices(world, "requester", "disposal_overdue") == []
    for _ in range(2):
        scheduler.Reminder(dt.date(2026, 10, 17)).step(scheduler.DISPOSALS_OVERDUE)
    for who in ("requester", "requester_officer", "provider_officer", "authority"):
        assert len(_notices(world, who, "disposal_overdue")) == 1, who
    assert _notices(world, "other", "disposal_overdue") == []

    # Recorded late, by a data officer of the holder: the grant and a destruction record.
    frozen(dt.datetime(2026, 10, 19, 2, tzinfo=UTC))
    disposed = _dispose(world, grant, method="returned", description="已退还并删除本地副本")
    assert disposed["disposed_by"] == world.users["requester_officer"]["id"]
    assert disposed["disposed_at"].startswith("2026-10-19")
    assert disposed["disposal_note"] == "已退还并删除本地副本"
    assert disposed["disposal_method"] == "returned"
    assert disposed["usage_record"]["kind"] == "destruction"
    assert "已退还提供部门" in disposed["usage_record"]["description"]
    records = world.call("provider_officer", "govshare_usage_record_list", grant_id=grant["id"])
    assert [r["kind"] for r in records["results"]] == ["destruction"]
    events = model.Session.execute(
        sa.select(audit_table.c.action, audit_table.c.detail)
        .where(audit_table.c.object_id == grant["id"])
        .order_by(audit_table.c.seq)
    ).all()
    assert [e.action for e in events][-1] == "govshare_grant_dispose"
    assert events[-1].detail["late"] is True and events[-1].detail["method"] == "returned"

    # Once only; and nothing more to remind about.
    with pytest.raises(tk.ValidationError):
        _dispose(world, grant)
    reminder = scheduler.Reminder(dt.date(2026, 10, 20))
    reminder.step(scheduler.DISPOSALS_OVERDUE)
    assert reminder.summary["disposals overdue"] == 0


def test_disposal_in_time_is_not_late(world: World, frozen: Any) -> None:
    frozen(dt.datetime(2026, 9, 28, 2, tzinfo=UTC))
    grant = end(world, obtain(world))
    frozen(dt.datetime(2026, 10, 16, 2, tzinfo=UTC))
    _dispose(world, grant)
    detail = model.Session.execute(
        sa.select(audit_table.c.detail).where(
            audit_table.c.object_id == grant["id"], audit_table.c.action == "govshare_grant_dispose"
        )
    ).scalar_one()
    assert detail["late"] is False and detail["disposal_due"] == "2026-10-16"


@pytest.mark.parametrize("who", ["requester_officer", "sysadmin"])
def test_who_records_a_disposal(world: World, who: str) -> None:
    grant = end(world, obtain(world))
    assert _dispose(world, grant, who=who)["disposed_at"]


@pytest.mark.parametrize(
    "who",
    [None, "requester", "provider_officer", "provider_staff", "other", "authority", "outsider"],
)
def test_who_may_not_record_a_disposal(world: World, who: str | None) -> None:
    grant = end(world, obtain(world))
    with pytest.raises(tk.NotAuthorized):
        _dispose(world, grant, who=who)
    shown = world.call("requester", "govshare_grant_show", id=grant["id"])
    assert shown["disposed_at"] is None


@pytest.mark.parametrize(
    ("field", "value"), [("method", "burnt"), ("description", ""), ("description", "x" * 4001)]
)
def test_bad_disposal_input(world: World, field: str, value: Any) -> None:
    grant = end(world, obtain(world))
    with pytest.raises(tk.ValidationError) as refused:
        _dispose(world, grant, **{field: value})
    assert " | " in refused.value.error_dict[field][0]

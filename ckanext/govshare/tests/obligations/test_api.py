"""Catalogue-obligation actions (art. 8): who records and discharges; errors; audit; reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from ckan.tests import helpers

from ckanext.govshare import profiles
from ckanext.govshare.obligations import service
from ckanext.govshare.obligations.model import obligation_table
from ckanext.govshare.reminders import scheduler
from ckanext.govshare.tests.feedback.conftest import (
    DAYS,
    UPDATE_DUE,
    World,
    audit_actions,
    bilingual,
    count,
    notices_of,
)
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

# Under both rule profiles (issue 18, item 11); where they differ the test says so for each.
pytestmark = pytest.mark.usefixtures("rule_profile")

NotAuthorized = helpers.logic.NotAuthorized
ValidationError = helpers.logic.ValidationError


def record(world: World, who: str, **extra: Any) -> dict[str, Any]:
    data = {
        "organization": world.provider["name"],
        "kind": "law_revised",
        "description": "《市场主体登记管理条例》修订，登记事项调整",
        "effective_date": "2026-09-30",
        **extra,
    }
    return world.call(who, "govshare_obligation_create", **data)


def test_record_and_discharge_by_role(world: World, rule_profile: str):  # noqa: F811
    # Bad input: a field error in both languages per field, and nothing written.
    with pytest.raises(ValidationError) as raised:
        record(world, "authority", kind="whim", description=" ", effective_date="30/09/2026")
    errors = raised.value.error_dict
    assert set(errors) == {"kind", "description", "effective_date"}
    assert all(bilingual(m) for m in errors.values())
    with pytest.raises(ValidationError) as raised:
        record(world, "authority", organization="no-such-department")
    assert bilingual(raised.value.error_dict["organization"])
    assert count(obligation_table) == 0

    # The authority and the department's own data officers record; nobody else.
    by_authority = record(world, "authority")
    # Effective Wednesday 2026-09-30: 10 working days later under the 2025 Regulations
    # (art. 17), Tuesday 2026-10-20; 15 under the 2016 Measures (art. 8), Tuesday 2026-10-27
    # (1-7 October off, Saturday 10 October worked; see tests/obligations/test_rules.py).
    days = DAYS[rule_profile]["catalogue_update"]
    assert profiles.number("catalogue_update") == days
    assert by_authority["due_date"] == UPDATE_DUE[rule_profile]
    assert by_authority["state"] == "open"
    assert record(world, "provider_editor", kind="functions_changed")["state"] == "open"
    for who in (None, "provider_staff", "requester_officer", "conference", "outsider"):
        with pytest.raises(NotAuthorized):
            record(world, who)
    assert count(obligation_table) == 2
    assert audit_actions(by_authority["id"]) == [("govshare_obligation_create", "success")]
    assert len(notices_of(world, "provider_officer", "obligation_created")) == 2

    # Who sees it: the department's members, the authority, sysadmins.
    for who, sees in [
        ("provider_staff", True),
        ("authority", True),
        ("sysadmin", True),
        ("requester", False),
        ("conference", False),
    ]:
        if sees:
            shown = world.call(who, "govshare_obligation_show", id=by_authority["id"])
            assert shown["may_discharge"] is (who == "sysadmin")
        else:
            with pytest.raises(NotAuthorized):
                world.call(who, "govshare_obligation_show", id=by_authority["id"])
    assert world.call("requester", "govshare_obligation_list")["count"] == 0
    assert world.call("provider_staff", "govshare_obligation_list", state="open")["count"] == 2

    # Only the department's data officer discharges, listing its own entries.
    entries = [world.conditional["name"], world.unconditional["id"]]
    for who in ("authority", "provider_staff", "requester_officer"):
        with pytest.raises(NotAuthorized):
            world.call(who, "govshare_obligation_discharge", id=by_authority["id"], entries=entries)
    with pytest.raises(ValidationError) as raised:
        world.call("provider_officer", "govshare_obligation_discharge", id=by_authority["id"])
    assert bilingual(raised.value.error_dict["entries"])
    foreign = gs_entry_of_other(world)
    with pytest.raises(ValidationError) as raised:
        world.call(
            "provider_officer",
            "govshare_obligation_discharge",
            id=by_authority["id"],
            entries=[*entries, foreign],
        )
    assert foreign in raised.value.error_dict["entries"][0]
    assert service.load(by_authority["id"])["state"] == "open"

    done = world.call(
        "provider_officer",
        "govshare_obligation_discharge",
        id=by_authority["id"],
        entries=entries,
        note="更新了登记事项信息项",
    )
    assert done["state"] == "discharged"
    assert done["entries"] == [world.conditional["id"], world.unconditional["id"]]
    assert [e["name"] for e in done["entry_details"]][0] == world.conditional["name"]
    assert audit_actions(by_authority["id"])[-1] == ("govshare_obligation_discharge", "success")
    assert len(notices_of(world, "authority", "obligation_discharged")) == 1
    with pytest.raises(ValidationError) as raised:
        world.call(
            "provider_officer",
            "govshare_obligation_discharge",
            id=by_authority["id"],
            entries=entries,
        )
    assert set(raised.value.error_dict) == {"id"}


def gs_entry_of_other(world: World) -> str:
    from ckanext.govshare.tests import factories as gs

    entry = helpers.call_action(
        "package_create",
        context={"user": world.users["sysadmin"]["name"], "ignore_auth": True},
        name=gs.unique_name("other-entry"),
        title="教育局条目",
        notes="摘要",
        owner_org=world.other_org["id"],
        **{**gs.entry_fields(), "share_type": "unconditional"},
    )
    return entry["id"]


#: By profile: two working days before the update is due (the reminder), and the first day
#: after it (overdue).
REMINDED_OVERDUE = {
    "regulation-2025": ("2026-10-16", "2026-10-21"),  # Friday; Wednesday
    "measures-2016": ("2026-10-23", "2026-10-28"),  # Friday; Wednesday
}


def test_reminder_then_overdue_once(world: World, clock: Any, rule_profile: str):  # noqa: F811
    reminded, overdue = map(dt.date.fromisoformat, REMINDED_OVERDUE[rule_profile])
    clock(dt.datetime(2026, 10, 1, 2, 0, tzinfo=dt.timezone.utc))
    item = record(world, "provider_officer")
    assert item["due_date"] == UPDATE_DUE[rule_profile]
    for _ in range(2):
        scheduler.Reminder(reminded - dt.timedelta(days=1)).run()  # 3 working days left
    assert notices_of(world, "provider_editor", "obligation_due_soon") == []
    for _ in range(2):
        scheduler.Reminder(reminded).run()  # 2 working days left
    assert len(notices_of(world, "provider_editor", "obligation_due_soon")) == 1
    for _ in range(2):
        scheduler.Reminder(overdue).run()
    assert service.load(item["id"])["overdue"] is True
    assert [a for a, _ in audit_actions(item["id"])] == [
        "govshare_obligation_create",
        "govshare_obligation_overdue",
    ]
    assert len(notices_of(world, "authority", "obligation_overdue")) == 1
    overdue = world.call("authority", "govshare_obligation_list", overdue=True)
    assert [o["id"] for o in overdue["results"]] == [item["id"]]
    assert overdue["results"][0]["late"] is True

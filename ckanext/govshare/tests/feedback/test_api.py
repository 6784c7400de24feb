"""Feedback actions (art. 15): who may report, see and answer; errors; audit; reminders.

Every test builds the sharing world (two departments, the authority, the joint conference and
a user of every role of workflows.md), so the roles are checked several to a test.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from typing import Any

import pytest
from ckan.tests import helpers
from werkzeug.datastructures import FileStorage

from ckanext.govshare import profiles
from ckanext.govshare.access import attachments
from ckanext.govshare.feedback import service
from ckanext.govshare.feedback.model import feedback_table
from ckanext.govshare.reminders import scheduler
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

from .conftest import DAYS, World, audit_actions, bilingual, count, notices_of

# Under both rule profiles (issue 18, item 11); where they differ the test says so for each.
pytestmark = pytest.mark.usefixtures("rule_profile")

NotAuthorized = helpers.logic.NotAuthorized
ValidationError = helpers.logic.ValidationError


def report(world: World, who: str = "requester", **extra: Any) -> dict[str, Any]:
    entry = world.conditional
    data = {
        "package_id": entry["name"],
        "resource_id": entry["resources"][0]["id"],
        "data_item": "法定代表人",
        "kind": "error",
        "description": "法定代表人与工商登记不一致",
        **extra,
    }
    return world.call(who, "govshare_feedback_create", **data)


def test_report_see_and_list_by_role(world: World, ckan_config: Any, tmp_path: Any):
    ckan_config["ckan.storage_path"] = str(tmp_path)
    evidence = FileStorage(
        stream=io.BytesIO(b"%PDF-1.4 evidence"),
        filename="登记簿.pdf",
        content_type="application/pdf",
    )
    item = report(world, attachment=evidence)
    assert item["state"] == "open" and item["kind"] == "error"
    assert item["organization_id"] == world.requester_org["id"]
    assert item["provider_org_id"] == world.provider["id"]
    assert item["resource_id"] == world.conditional["resources"][0]["id"]
    assert item["attachment_name"] == "登记簿.pdf"
    assert item["attachment_size"] == len(b"%PDF-1.4 evidence")
    assert item["attachment_type"] == "application/pdf" and len(item["attachment_sha256"]) == 64
    path = attachments.path_of(service.attachment_folder(item["id"]), {"name": "登记簿.pdf"})
    assert path
    with open(path, "rb") as stored:
        assert stored.read() == b"%PDF-1.4 evidence"
    assert audit_actions(item["id"]) == [("govshare_feedback_create", "success")]
    # The provider's data officers are told; its other staff and the reporter are not.
    for who in ("provider_officer", "provider_editor"):
        assert len(notices_of(world, who, "feedback_received")) == 1
    assert notices_of(world, "provider_staff") == []

    # Any department user who sees the entry may report, the provider's own staff too.
    others = {
        who: report(world, who, kind="doubt") for who in ("other", "authority", "provider_staff")
    }
    assert {o["state"] for o in others.values()} == {"open"}
    # Anonymous users and users of no department may not; the refusal is audited.
    for who in (None, "outsider"):
        with pytest.raises(NotAuthorized):
            report(world, who)
    assert count(feedback_table) == 4

    sees = {
        "requester",
        "requester_officer",
        "provider_officer",
        "provider_editor",
        "authority",
        "sysadmin",
    }
    for who in sorted(set(world.users) - {"outsider"}) + ["outsider"]:
        if who in sees:
            assert world.call(who, "govshare_feedback_show", id=item["id"])["id"] == item["id"]
        else:
            with pytest.raises(NotAuthorized):
                world.call(who, "govshare_feedback_show", id=item["id"])
    assert ("govshare_feedback_show", "refused") in audit_actions(item["id"])

    listed = {
        who: {f["id"] for f in world.call(who, "govshare_feedback_list")["results"]}
        for who in world.users
    }
    assert listed["requester"] == {item["id"]}
    # Staff who are not officers see their own department's reports only.
    assert listed["provider_staff"] == {others["provider_staff"]["id"]}
    assert listed["conference"] == set() and listed["outsider"] == set()
    assert len(listed["provider_officer"]) == 4 == len(listed["authority"])
    assert len(listed["sysadmin"]) == 4
    assert listed["other"] == {others["other"]["id"]}
    mine = world.call("requester", "govshare_feedback_list", mine=True, state="open")
    assert mine["count"] == 1
    on_entry = world.call(
        "provider_officer", "govshare_feedback_list", package_id=world.conditional["name"]
    )
    assert on_entry["count"] == 4
    to_other = world.call(
        "authority", "govshare_feedback_list", organization=world.other_org["name"]
    )
    assert to_other["count"] == 0
    with pytest.raises(NotAuthorized):
        helpers.call_action("govshare_feedback_list", context={"user": "", "ignore_auth": False})


def test_bad_input_is_a_bilingual_field_error_and_writes_nothing(
    world: World, ckan_config: Any, tmp_path: Any
):
    with pytest.raises(ValidationError) as raised:
        report(world, kind="typo", description="", resource_id="no-such", data_item="住所")
    errors = raised.value.error_dict
    assert set(errors) == {"kind", "description", "resource_id", "data_item"}
    assert all(bilingual(errors[f]) for f in errors)
    # A resource of another entry is not one of this entry's.
    with pytest.raises(ValidationError) as raised:
        report(world, resource_id=world.unconditional["resources"][0]["id"])
    assert set(raised.value.error_dict) == {"resource_id"}
    # A sysadmin of no department says which department reports (reporting_org, issue 15).
    with pytest.raises(ValidationError) as raised:
        report(world, "sysadmin")
    assert bilingual(raised.value.error_dict["reporting_org"])
    with pytest.raises(ValidationError) as raised:
        report(world, organization=world.other_org["name"])
    assert bilingual(raised.value.error_dict["organization"])
    with pytest.raises(helpers.logic.NotFound):
        report(world, package_id="no-such-entry")
    # Evidence of a kind not accepted: refused, and no file is left behind.
    ckan_config["ckan.storage_path"] = str(tmp_path)
    with pytest.raises(ValidationError) as raised:
        report(world, attachment=FileStorage(stream=io.BytesIO(b"MZ"), filename="run.exe"))
    assert bilingual(raised.value.error_dict["attachment"])
    folder = tmp_path / "govshare" / "attachments" / "feedback"
    assert not folder.exists() or os.listdir(folder) == []
    assert count(feedback_table) == 0


def test_only_the_providers_officers_answer_with_an_explanation(world: World):
    item = report(world)
    for who in (
        "requester",
        "requester_officer",
        "provider_staff",
        "authority",
        "other",
        "conference",
    ):
        with pytest.raises(NotAuthorized):
            world.call(
                who,
                "govshare_feedback_resolve",
                id=item["id"],
                resolution="corrected",
                explanation="x",
            )
    with pytest.raises(ValidationError) as raised:
        world.call(
            "provider_editor", "govshare_feedback_resolve", id=item["id"], resolution="fixed"
        )
    assert set(raised.value.error_dict) == {"resolution", "reason"}  # explanation: issue 15
    assert all(bilingual(m) for m in raised.value.error_dict.values())
    assert world.call("sysadmin", "govshare_feedback_show", id=item["id"])["state"] == "open"

    done = world.call(
        "provider_editor",
        "govshare_feedback_resolve",
        id=item["id"],
        resolution="confirmed_correct",
        explanation="已核对工商登记原件，数据无误",
    )
    assert done["state"] == "resolved" and done["resolution"] == "confirmed_correct"
    assert done["resolved_by"] == world.users["provider_editor"]["id"] and not done["late"]
    assert audit_actions(item["id"]) == [
        ("govshare_feedback_create", "success"),
        *[("govshare_feedback_resolve", "refused")] * 6,
        ("govshare_feedback_resolve", "success"),
    ]
    assert len(notices_of(world, "requester", "feedback_resolved")) == 1
    with pytest.raises(ValidationError) as raised:
        world.call(
            "provider_officer",
            "govshare_feedback_resolve",
            id=item["id"],
            resolution="corrected",
            explanation="again",
        )
    assert set(raised.value.error_dict) == {"id"}


#: Days of a check reported Wednesday 2026-09-30 (National Day 1-7 October off, Saturday 10
#: October worked), by profile: due (5 working days later under the 2016 Measures, Tuesday
#: 13 October; 10 under the 2025 Regulations, Tuesday 20 October), three working days
#: before it, two before it (the default reminder), the first day after it, and a day later.
CHECK_DAYS = {
    "measures-2016": ("2026-10-13", "2026-10-09", "2026-10-10", "2026-10-14", "2026-10-15"),
    "regulation-2025": ("2026-10-20", "2026-10-15", "2026-10-16", "2026-10-21", "2026-10-22"),
}


def test_due_date_reminders_and_overdue_flag(
    world: World,
    clock: Any,
    rule_profile: str,  # noqa: F811
):
    assert profiles.number("feedback") == DAYS[rule_profile]["feedback"]
    due, early, reminded, overdue, later = map(dt.date.fromisoformat, CHECK_DAYS[rule_profile])
    # Made at 12:00 Beijing time on Wednesday 2026-09-30.
    clock(dt.datetime(2026, 9, 30, 4, 0, tzinfo=dt.timezone.utc))
    item = report(world)
    assert item["due_date"] == due.isoformat()

    # Three working days before is too early; two before (the default) reminds the officers,
    # once.
    scheduler.Reminder(early).run()
    assert notices_of(world, "provider_officer", "feedback_due_soon") == []
    for _ in range(2):
        scheduler.Reminder(reminded).run()
    assert len(notices_of(world, "provider_officer", "feedback_due_soon")) == 1
    assert audit_actions(item["id"]) == [("govshare_feedback_create", "success")]

    # Still open the next working day: flagged overdue once, the authority told.
    for _ in range(2):
        scheduler.Reminder(overdue).run()
    assert service.load(item["id"])["overdue"] is True
    assert audit_actions(item["id"])[-1] == ("govshare_feedback_overdue", "success")
    assert len(audit_actions(item["id"])) == 2
    for who in ("authority", "provider_officer", "requester"):
        assert len(notices_of(world, who, "feedback_overdue")) == 1
    shown = world.call("requester", "govshare_feedback_list", overdue=True)
    assert [f["id"] for f in shown["results"]] == [item["id"]]
    assert shown["results"][0]["late"] is True

    clock(dt.datetime.combine(later, dt.time(2, 0), tzinfo=dt.timezone.utc))
    done = world.call(
        "provider_officer",
        "govshare_feedback_resolve",
        id=item["id"],
        resolution="corrected",
        explanation="已更正",
    )
    assert done["late"] is True and done["resolved_at"].startswith(later.isoformat())

"""Feedback in the one vocabulary of docs/api.md, "Conventions" (issue 15, item 3): new names in
and out, the old ones kept for one release with a note, the list's shape and bounds, the
direction filter, and refusals in English and Chinese."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import helpers

from ckanext.govshare.core import vocabulary
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

from .conftest import World, bilingual

# Under both rule profiles (issue 18, item 11); where they differ the test says so for each.
pytestmark = pytest.mark.usefixtures("rule_profile")

NotAuthorized = helpers.logic.NotAuthorized
NotFound = helpers.logic.NotFound
ValidationError = helpers.logic.ValidationError

LABEL_KEYS = {"en", "zh_Hans_CN"}


def report(world: World, who: str, **extra: Any) -> dict[str, Any]:
    data = {
        "package_id": world.conditional["name"],
        "kind": "doubt",
        "description": "数据更新日期晚于更新周期",
        **extra,
    }
    return world.call(who, "govshare_feedback_create", **data)


def notes(answer: dict[str, Any]) -> list[str]:
    return [n["name"] for n in answer.get("deprecations", [])]


def ids(answer: dict[str, Any]) -> set[str]:
    return {f["id"] for f in answer["results"]}


def test_new_names_in_and_out_old_keys_beside_them(world: World):
    item = report(world, "requester_officer", reporting_org=world.requester_org["name"])
    assert "deprecations" not in item
    assert item["status"] == "open" and item["state"] == "open"
    assert item["reporting_org_id"] == world.requester_org["id"] == item["organization_id"]
    assert item["reporting_org"] == world.requester_org["name"] == item["organization"]
    assert item["provider_org_id"] == world.provider["id"]
    assert item["status_label"] == {"en": "Open", "zh_Hans_CN": "待核实"}
    assert item["status_label"] == item["state_label"]
    assert set(item["kind_label"]) == LABEL_KEYS and item["resolution_label"] is None
    assert item["created"] and "created_at" not in item

    done = world.call(
        "provider_officer",
        "govshare_feedback_resolve",
        id=item["id"],
        resolution="corrected",
        reason="已按登记簿更正",
    )
    assert "deprecations" not in done
    assert done["status"] == "resolved" and done["reason"] == "已按登记簿更正"
    assert done["explanation"] == done["reason"] and done["state"] == "resolved"
    assert done["resolution_label"] == {"en": "Corrected", "zh_Hans_CN": "已更正"}
    shown = world.call("requester", "govshare_feedback_show", id=item["id"])
    assert shown["reason"] == "已按登记簿更正" and shown["may_resolve"] is False


def test_old_names_keep_working_and_say_what_to_use(world: World):
    item = report(world, "requester", organization=world.requester_org["name"])
    assert notes(item) == ["organization"]
    assert item["deprecations"][0]["use"] == "reporting_org"
    assert bilingual([item["deprecations"][0]["message"]])
    assert item["reporting_org_id"] == world.requester_org["id"]

    listed = world.call(
        "provider_officer",
        "govshare_feedback_list",
        organization=world.provider["name"],
        state="open",
    )
    assert sorted(notes(listed)) == ["organization", "state"]
    assert ids(listed) == {item["id"]}

    done = world.call(
        "provider_officer",
        "govshare_feedback_resolve",
        id=item["id"],
        resolution="confirmed_correct",
        explanation="已核对原件，数据无误",
    )
    assert notes(done) == ["explanation"] and done["reason"] == "已核对原件，数据无误"
    # An error on a renamed field is keyed by the name the caller used.
    with pytest.raises(ValidationError) as old:
        report(world, "requester", organization=world.other_org["name"])
    assert list(old.value.error_dict) == ["organization"]
    with pytest.raises(ValidationError) as new:
        report(world, "requester", reporting_org=world.other_org["name"])
    assert list(new.value.error_dict) == ["reporting_org"]
    assert bilingual(new.value.error_dict["reporting_org"])
    with pytest.raises(ValidationError) as both:
        world.call("requester", "govshare_feedback_list", state="open", status="resolved")
    assert list(both.value.error_dict) == ["state"] and bilingual(both.value.error_dict["state"])

    renaming = vocabulary.DEPRECATED["govshare_feedback_list"]
    assert renaming.params == {"organization": "provider_org", "state": "status"}
    assert renaming.kept == {"mine": "direction=outgoing"}
    assert vocabulary.DEPRECATED["govshare_feedback_resolve"].params == {"explanation": "reason"}
    assert vocabulary.DEPRECATED["govshare_feedback_create"].answer_keys["state"] == "status"


def test_direction_status_and_mine(world: World):
    own = report(world, "requester")
    colleague = report(world, "requester_officer")
    provider_own = report(world, "provider_staff")
    other = report(world, "other")
    done = world.call(
        "provider_officer",
        "govshare_feedback_resolve",
        id=other["id"],
        resolution="corrected",
        reason="已更正",
    )
    assert done["status"] == "resolved"

    def listed(who: str, **filters: Any) -> set[str]:
        answer = world.call(who, "govshare_feedback_list", **filters)
        assert answer["count"] == len(answer["results"])
        return ids(answer)

    # Outgoing: what the caller's departments reported; incoming: what reached the departments
    # they are a data officer of; all (the default): both.
    assert listed("requester", direction="outgoing") == {own["id"], colleague["id"]}
    assert listed("requester", direction="incoming") == set()
    assert (
        listed("requester")
        == listed("requester", direction="all")
        == {
            own["id"],
            colleague["id"],
        }
    )
    every = {own["id"], colleague["id"], provider_own["id"], other["id"]}
    assert listed("provider_officer", direction="incoming") == every
    assert listed("provider_officer", direction="outgoing") == {provider_own["id"]}
    # The provider's other staff are no data officers: nothing reaches them.
    assert listed("provider_staff", direction="incoming") == set()
    assert listed("provider_staff") == {provider_own["id"]}
    # The authority sees everything, but reported nothing and provides nothing here.
    assert listed("authority") == every
    assert listed("authority", direction="outgoing") == set()

    # status: one value or a list.
    assert listed("provider_officer", status="resolved") == {other["id"]}
    assert listed("provider_officer", status=["open", "resolved"]) == every
    assert listed("provider_officer", status="open", direction="incoming") == every - {other["id"]}
    with pytest.raises(ValidationError) as raised:
        world.call("provider_officer", "govshare_feedback_list", status=["open", "answered"])
    assert bilingual(raised.value.error_dict["status"])
    with pytest.raises(ValidationError) as raised:
        world.call("provider_officer", "govshare_feedback_list", direction="held")
    assert bilingual(raised.value.error_dict["direction"])

    # mine=true keeps its meaning for this release (what the caller reported themselves),
    # narrower than direction=outgoing (what their departments reported), and says so.
    mine = world.call("requester", "govshare_feedback_list", mine=True)
    assert ids(mine) == {own["id"]}
    [note] = mine["deprecations"]
    assert note["name"] == "mine" and note["use"] == "direction=outgoing"


def test_the_list_shape_and_its_bounds(world: World):
    made = [report(world, "requester") for _ in range(3)]
    page = world.call("provider_officer", "govshare_feedback_list")
    assert set(page) == {"count", "results", "limit", "offset"}
    assert (page["count"], page["limit"], page["offset"]) == (3, 50, 0)
    first = world.call("provider_officer", "govshare_feedback_list", limit=2)
    second = world.call("provider_officer", "govshare_feedback_list", limit=2, offset=2)
    assert (first["count"], len(first["results"]), len(second["results"])) == (3, 2, 1)
    assert ids(first) | ids(second) == {m["id"] for m in made}
    assert world.call("provider_officer", "govshare_feedback_list", limit=5000)["limit"] == 1000
    for field, value in (("limit", 0), ("offset", -1), ("limit", "many")):
        with pytest.raises(ValidationError) as raised:
            world.call("provider_officer", "govshare_feedback_list", **{field: value})
        assert list(raised.value.error_dict) == [field]
        assert bilingual(raised.value.error_dict[field])


def test_refusals_are_in_english_and_chinese(world: World):
    item = report(world, "requester")
    anonymous = {"user": "", "ignore_auth": False}
    for action, data in (
        ("govshare_feedback_list", {}),
        ("govshare_feedback_show", {"id": item["id"]}),
        (
            "govshare_feedback_create",
            {"package_id": world.conditional["id"], "kind": "doubt", "description": "x"},
        ),
    ):
        with pytest.raises(NotAuthorized) as raised:
            helpers.call_action(action, context=dict(anonymous), **data)
        assert bilingual([str(raised.value)]), (action, str(raised.value))
    for who, action, data in (
        ("outsider", "govshare_feedback_create", {}),
        ("other", "govshare_feedback_show", {"id": item["id"]}),
        (
            "requester",
            "govshare_feedback_resolve",
            {"id": item["id"], "resolution": "corrected", "reason": "x"},
        ),
    ):
        with pytest.raises(NotAuthorized) as raised:
            if action == "govshare_feedback_create":
                report(world, who)
            else:
                world.call(who, action, **data)
        assert bilingual([str(raised.value)]), (action, str(raised.value))
    with pytest.raises(NotFound) as missing:
        world.call("sysadmin", "govshare_feedback_show", id="no-such-feedback")
    assert bilingual([str(missing.value)])
    # The evidence file's action serves its route only: refused from the action API.
    with pytest.raises(NotAuthorized) as raised:
        world.call("sysadmin", "govshare_feedback_attachment", id=item["id"])
    assert bilingual([str(raised.value)])

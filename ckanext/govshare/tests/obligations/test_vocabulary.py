"""Catalogue-update obligations in the one vocabulary of docs/api.md, "Conventions" (issue 15,
item 3): new names in and out, the old ones kept for one release with a note, the list's shape
and bounds, and refusals in English and Chinese."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import helpers

from ckanext.govshare.core import vocabulary
from ckanext.govshare.tests.feedback.conftest import World, bilingual
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

# Under both rule profiles (issue 18, item 11); where they differ the test says so for each.
pytestmark = pytest.mark.usefixtures("rule_profile")

NotAuthorized = helpers.logic.NotAuthorized
NotFound = helpers.logic.NotFound
ValidationError = helpers.logic.ValidationError


def record(world: World, who: str = "authority", **extra: Any) -> dict[str, Any]:
    data = {
        "provider_org": world.provider["name"],
        "kind": "functions_changed",
        "description": "部门职能调整，登记事项划转",
        "effective_date": "2026-09-30",
        **extra,
    }
    return world.call(who, "govshare_obligation_create", **data)


def notes(answer: dict[str, Any]) -> list[str]:
    return [n["name"] for n in answer.get("deprecations", [])]


def test_new_names_in_and_out_old_keys_beside_them(world: World):
    item = record(world)
    assert "deprecations" not in item
    assert item["status"] == "open" == item["state"]
    assert item["provider_org_id"] == world.provider["id"] == item["organization_id"]
    assert item["provider_org"] == world.provider["name"] == item["organization"]
    assert item["status_label"] == {"en": "Open", "zh_Hans_CN": "待更新"} == item["state_label"]
    assert set(item["kind_label"]) == {"en", "zh_Hans_CN"}
    assert item["created"] and "created_at" not in item

    done = world.call(
        "provider_officer",
        "govshare_obligation_discharge",
        id=item["id"],
        entries=[world.conditional["name"]],
        reason="更新了登记事项信息项",
    )
    assert "deprecations" not in done
    assert done["status"] == "discharged" and done["reason"] == "更新了登记事项信息项"
    assert done["note"] == done["reason"]
    shown = world.call("provider_staff", "govshare_obligation_show", id=item["id"])
    assert shown["status_label"]["en"] == "Discharged" and shown["may_discharge"] is False

    listed = world.call(
        "provider_staff",
        "govshare_obligation_list",
        provider_org=world.provider["name"],
        status=["open", "discharged"],
    )
    assert "deprecations" not in listed
    assert [o["id"] for o in listed["results"]] == [item["id"]]
    assert world.call("provider_staff", "govshare_obligation_list", status="open")["count"] == 0


def test_old_names_keep_working_and_say_what_to_use(world: World):
    item = world.call(
        "authority",
        "govshare_obligation_create",
        organization=world.provider["name"],
        kind="law_revised",
        description="条例修订",
        effective_date="2026-09-30",
    )
    assert notes(item) == ["organization"] and item["provider_org_id"] == world.provider["id"]
    listed = world.call(
        "authority",
        "govshare_obligation_list",
        organization=world.provider["name"],
        state="open",
    )
    assert sorted(notes(listed)) == ["organization", "state"] and listed["count"] == 1
    done = world.call(
        "provider_officer",
        "govshare_obligation_discharge",
        id=item["id"],
        entries=[world.conditional["id"]],
        note="已复核",
    )
    assert notes(done) == ["note"] and done["reason"] == "已复核"
    # An error on a renamed field is keyed by the name the caller used.
    with pytest.raises(ValidationError) as old:
        world.call(
            "authority",
            "govshare_obligation_create",
            organization="no-such-department",
            kind="other",
            description="x",
            effective_date="2026-09-30",
        )
    assert list(old.value.error_dict) == ["organization"]
    with pytest.raises(ValidationError) as new:
        record(world, provider_org="no-such-department")
    assert list(new.value.error_dict) == ["provider_org"]
    assert bilingual(new.value.error_dict["provider_org"])
    assert vocabulary.DEPRECATED["govshare_obligation_discharge"].params == {"note": "reason"}
    assert vocabulary.DEPRECATED["govshare_obligation_create"].params == {
        "organization": "provider_org"
    }


def test_the_list_shape_and_its_bounds(world: World):
    for _ in range(3):
        record(world)
    page = world.call("authority", "govshare_obligation_list", limit=2, offset=1)
    assert set(page) == {"count", "results", "limit", "offset"}
    assert (page["count"], len(page["results"]), page["limit"], page["offset"]) == (3, 2, 2, 1)
    assert world.call("authority", "govshare_obligation_list")["limit"] == 50
    for field, value in (("limit", 0), ("offset", -1)):
        with pytest.raises(ValidationError) as raised:
            world.call("authority", "govshare_obligation_list", **{field: value})
        assert list(raised.value.error_dict) == [field]
        assert bilingual(raised.value.error_dict[field])
    with pytest.raises(ValidationError) as raised:
        world.call("authority", "govshare_obligation_list", status="closed")
    assert bilingual(raised.value.error_dict["status"])


def test_refusals_are_in_english_and_chinese(world: World):
    item = record(world)
    anonymous = {"user": "", "ignore_auth": False}
    for action, data in (
        ("govshare_obligation_list", {}),
        ("govshare_obligation_show", {"id": item["id"]}),
    ):
        with pytest.raises(NotAuthorized) as raised:
            helpers.call_action(action, context=dict(anonymous), **data)
        assert bilingual([str(raised.value)]), (action, str(raised.value))
    for who, action, data in (
        ("provider_staff", "govshare_obligation_create", {}),
        ("requester", "govshare_obligation_show", {"id": item["id"]}),
        (
            "provider_staff",
            "govshare_obligation_discharge",
            {"id": item["id"], "entries": [world.conditional["id"]]},
        ),
    ):
        with pytest.raises(NotAuthorized) as raised:
            if action == "govshare_obligation_create":
                record(world, who)
            else:
                world.call(who, action, **data)
        assert bilingual([str(raised.value)]), (action, str(raised.value))
    with pytest.raises(NotFound) as missing:
        world.call("sysadmin", "govshare_obligation_show", id="no-such-obligation")
    assert bilingual([str(missing.value)])

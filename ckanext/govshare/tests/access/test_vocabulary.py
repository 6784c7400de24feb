"""The access actions speak the one vocabulary of docs/api.md, "Conventions" (issue 15).

New names in and out; the old ones still work for one release, and an answer to a call that
used one says what to use instead (``deprecations``).
"""

from __future__ import annotations

from typing import Any

import pytest
from ckan.plugins import toolkit as tk

from ckanext.govshare.core.vocabulary import DEPRECATED, REMOVED_IN

from .conftest import World, request_form

pytestmark = pytest.mark.usefixtures("with_request_context")


def _submitted(world: World) -> dict[str, Any]:
    return world.call("requester", "govshare_request_create", **request_form(world))


def _negotiating(world: World, **extra: Any) -> dict[str, Any]:
    form = request_form(world, package_id=world.not_shared["id"], **extra)
    return world.call("requester", "govshare_negotiation_open", **form)


def _approved_grant(world: World) -> dict[str, Any]:
    request = _submitted(world)
    decided = world.call(
        "provider_officer", "govshare_request_decide", id=request["id"], decision="approve"
    )
    return decided["grant"]


def _notes(answer: dict[str, Any]) -> list[tuple[str, str]]:
    return [(n["name"], n["use"]) for n in answer.get("deprecations", [])]


def _bilingual(text: str) -> bool:
    english, _, chinese = str(text).partition(" | ")
    return bool(english.strip()) and any("\u4e00" <= ch <= "\u9fff" for ch in chinese)


# ---------------------------------------------------------------------------- reason


def test_withdraw_takes_a_reason_and_the_history_keeps_it(world: World):
    request = _submitted(world)
    withdrawn = world.call(
        "requester", "govshare_request_withdraw", id=request["id"], reason="不再需要"
    )
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["history"][-1]["message"] == "不再需要"
    assert "deprecations" not in withdrawn


def test_message_is_the_old_name_of_the_reason_and_is_noted(world: World):
    request = _submitted(world)
    withdrawn = world.call(
        "requester", "govshare_request_withdraw", id=request["id"], message="不再需要"
    )
    assert withdrawn["history"][-1]["message"] == "不再需要"
    assert _notes(withdrawn) == [("message", "reason")]
    note = withdrawn["deprecations"][0]
    assert note["removed_in"] == REMOVED_IN and _bilingual(note["message"])


def test_escalating_needs_a_reason_named_as_the_caller_named_it(world: World):
    negotiation = _negotiating(world)
    with pytest.raises(tk.ValidationError) as raised:
        world.call("requester", "govshare_request_escalate", id=negotiation["id"])
    assert set(raised.value.error_dict) == {"reason"}
    assert _bilingual(raised.value.error_dict["reason"][0])
    with pytest.raises(tk.ValidationError) as raised:
        world.call("requester", "govshare_request_escalate", id=negotiation["id"], message=" ")
    assert set(raised.value.error_dict) == {"message"}
    escalated = world.call(
        "requester", "govshare_request_escalate", id=negotiation["id"], reason="协商未果"
    )
    assert escalated["status"] == "escalated_authority"
    assert escalated["history"][-1]["message"] == "协商未果"


def test_a_negotiation_opens_with_its_reason_as_the_first_message(world: World):
    negotiation = _negotiating(world, reason="请协商共享")
    assert [e["action"] for e in negotiation["history"]] == ["negotiate", "comment"]
    assert negotiation["history"][-1]["message"] == "请协商共享"
    # One open negotiation per entry and department (issue 19, item 3).
    world.call("requester", "govshare_request_withdraw", id=negotiation["id"])
    old = _negotiating(world, message="旧名称")
    assert old["history"][-1]["message"] == "旧名称"
    assert _notes(old) == [("message", "reason")]


def test_a_rejected_request_reopens_as_a_negotiation_with_a_reason(world: World):
    request = _submitted(world)
    world.call(
        "provider_officer",
        "govshare_request_decide",
        id=request["id"],
        decision="reject",
        reason="不符合条件",
    )
    reopened = world.call(
        "requester", "govshare_negotiation_open", request_id=request["id"], reason="请再议"
    )
    assert reopened["status"] == "negotiating"
    assert reopened["history"][-1]["message"] == "请再议"


def test_resubmit_takes_a_reason(world: World):
    request = _submitted(world)
    world.call(
        "provider_officer",
        "govshare_request_decide",
        id=request["id"],
        decision="return",
        reason="缺少依据",
    )
    again = world.call("requester", "govshare_request_resubmit", id=request["id"], reason="已补充")
    assert again["status"] == "submitted" and again["history"][-1]["message"] == "已补充"


def test_giving_both_names_with_different_values_is_refused(world: World):
    request = _submitted(world)
    with pytest.raises(tk.ValidationError) as raised:
        world.call(
            "requester", "govshare_request_withdraw", id=request["id"], reason="a", message="b"
        )
    assert _bilingual(raised.value.error_dict["message"][0])


# ---------------------------------------------------------------------------- answers


def test_a_request_answer_has_created_modified_and_a_label_in_both_languages(world: World):
    request = _submitted(world)
    assert request["status_label"] == {"en": "Submitted", "zh_Hans_CN": "已提交"}
    assert request["created"] == request["submitted_at"]
    assert request["modified"] and request["updated_at"] == request["modified"]
    event = request["history"][0]
    assert event["created"] and event["time"] == event["created"]


def test_a_grant_answer_names_its_holder_by_role(world: World):
    grant = _approved_grant(world)
    assert grant["requesting_org_id"] == world.requester_org["id"]
    assert grant["requesting_org"] == world.requester_org["name"]
    assert grant["requesting_org_title"] == world.requester_org["title"]
    assert grant["provider_org"] == world.provider["name"]
    assert grant["status_label"] == {"en": "Active", "zh_Hans_CN": "有效"}
    assert grant["created"] and grant["modified"] == grant["created"]
    # The old keys, for one release.
    assert grant["organization_id"] == grant["requesting_org_id"]
    assert grant["organization"] == grant["requesting_org"]
    assert grant["created_at"] == grant["created"]
    revoked = world.call("provider_officer", "govshare_grant_revoke", id=grant["id"], reason="违规")
    assert revoked["status_label"]["zh_Hans_CN"] == "已撤销"
    assert revoked["modified"] == revoked["revoked_at"]


# ---------------------------------------------------------------------------- lists


def test_requests_are_filtered_by_department_role(world: World):
    request = _submitted(world)
    officer = "provider_officer"
    mine = world.call(officer, "govshare_request_list", requesting_org=world.requester_org["name"])
    assert [r["id"] for r in mine["results"]] == [request["id"]]
    assert "deprecations" not in mine
    assert (
        world.call(officer, "govshare_request_list", requesting_org=world.provider["name"])["count"]
        == 0
    )
    to_us = world.call(officer, "govshare_request_list", provider_org=world.provider["id"])
    assert [r["id"] for r in to_us["results"]] == [request["id"]]
    either = world.call(officer, "govshare_request_list", organization=world.provider["name"])
    assert [r["id"] for r in either["results"]] == [request["id"]]
    assert _notes(either) == [("organization", "requesting_org or provider_org")]


def test_grants_take_the_one_direction_filter(world: World):
    grant = _approved_grant(world)
    outgoing = world.call("requester", "govshare_grant_list", direction="outgoing")
    incoming = world.call("provider_officer", "govshare_grant_list", direction="incoming")
    assert [g["id"] for g in outgoing["results"]] == [grant["id"]]
    assert [g["id"] for g in incoming["results"]] == [grant["id"]]
    assert world.call("requester", "govshare_grant_list", direction="incoming")["count"] == 0
    held = world.call("requester", "govshare_grant_list", direction="held")
    assert [g["id"] for g in held["results"]] == [grant["id"]]
    assert _notes(held) == [("direction=held", "direction=outgoing")]
    provided = world.call("provider_officer", "govshare_grant_list", direction="provided")
    assert _notes(provided) == [("direction=provided", "direction=incoming")]


def test_grants_are_filtered_by_holder_and_provider(world: World):
    grant = _approved_grant(world)
    by_holder = world.call(
        "authority", "govshare_grant_list", requesting_org=world.requester_org["name"]
    )
    assert [g["id"] for g in by_holder["results"]] == [grant["id"]]
    assert (
        world.call("authority", "govshare_grant_list", requesting_org=world.other_org["id"])[
            "count"
        ]
        == 0
    )
    by_provider = world.call("authority", "govshare_grant_list", provider_org=world.provider["id"])
    assert [g["id"] for g in by_provider["results"]] == [grant["id"]]
    old = world.call("authority", "govshare_grant_list", organization=world.requester_org["name"])
    assert [g["id"] for g in old["results"]] == [grant["id"]]
    assert _notes(old) == [("organization", "requesting_org")]


@pytest.mark.parametrize("action", ["govshare_request_list", "govshare_grant_list"])
def test_lists_answer_one_shape(world: World, action: str):
    _approved_grant(world)
    page = world.call("sysadmin", action)
    assert set(page) == {"count", "results", "limit", "offset"}
    assert (page["limit"], page["offset"], page["count"]) == (50, 0, 1)
    assert len(page["results"]) == 1
    second = world.call("sysadmin", action, limit=1, offset=1)
    assert second["results"] == [] and second["count"] == 1


@pytest.mark.parametrize("action", ["govshare_request_list", "govshare_grant_list"])
@pytest.mark.parametrize(("field", "value"), [("limit", 0), ("limit", -1), ("offset", -1)])
def test_paging_out_of_range_is_a_field_error(world: World, action: str, field: str, value: int):
    with pytest.raises(tk.ValidationError) as raised:
        world.call("sysadmin", action, **{field: value})
    assert _bilingual(raised.value.error_dict[field][0])


# ---------------------------------------------------------------------------- refusals


def test_refusals_are_in_both_languages(world: World):
    grant = _approved_grant(world)  # decided first: one open request per entry (issue 19)
    request = _submitted(world)
    cases = [
        ("other", "govshare_request_show", {"id": request["id"]}),
        ("requester", "govshare_request_decide", {"id": request["id"], "decision": "approve"}),
        ("other", "govshare_grant_show", {"id": grant["id"]}),
        ("requester", "govshare_grant_revoke", {"id": grant["id"], "reason": "x"}),
        ("outsider", "govshare_request_create", request_form(world)),
        ("requester", "govshare_request_create", request_form(world, requesting_org="nobody")),
    ]
    for who, action, data in cases:
        with pytest.raises(tk.NotAuthorized) as raised:
            world.call(who, action, **data)
        assert _bilingual(str(raised.value)), (action, str(raised.value))
    for action in ("govshare_request_show", "govshare_grant_show"):
        with pytest.raises(tk.ObjectNotFound) as missing:
            world.call("sysadmin", action, id="no-such-id")
        assert _bilingual(str(missing.value)), action


def test_every_renaming_is_registered_for_the_changelog():
    from ckanext.govshare.logic.action import access_grant, access_request  # noqa: F401

    assert DEPRECATED["govshare_request_withdraw"].params == {"message": "reason"}
    assert DEPRECATED["govshare_request_resubmit"].params == {"message": "reason"}
    assert DEPRECATED["govshare_request_escalate"].params == {"message": "reason"}
    assert DEPRECATED["govshare_negotiation_open"].params == {"message": "reason"}
    assert "organization" in DEPRECATED["govshare_request_list"].kept
    grants = DEPRECATED["govshare_grant_list"]
    assert grants.values == {"direction": {"held": "outgoing", "provided": "incoming"}}
    assert grants.params == {"organization": "requesting_org"}
    assert grants.answer_keys["organization_id"] == "requesting_org_id"

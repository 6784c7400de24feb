"""Not-shared entries and refused requests: negotiation and escalation (art. 12(3))."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import helpers

from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

from .conftest import World, request_form, told_at_once

# Under both rule profiles (issue 18, item 11); where they differ the test says so for each.
pytestmark = pytest.mark.usefixtures("with_request_context", "rule_profile")


def _negotiate(world: World) -> dict[str, Any]:
    form = request_form(world, package_id=world.not_shared["id"], message="请协商共享")
    return world.call("requester", "govshare_negotiation_open", **form)


def _make_central(world: World, org: dict[str, Any]) -> None:
    helpers.call_action(
        "organization_patch",
        context={"ignore_auth": True, "user": world.users["sysadmin"]["name"]},
        id=org["id"],
        is_central="true",
    )


def test_negotiation_on_a_not_shared_entry(world: World):
    negotiation = _negotiate(world)
    assert negotiation["status"] == "negotiating"
    assert negotiation["kind"] == "negotiation"
    assert negotiation["due_date"] is None
    assert [e["action"] for e in negotiation["history"]] == ["negotiate", "comment"]
    # Not-shared data items may be negotiated for.
    assert negotiation["data_items"] == ["统一社会信用代码", "法定代表人"]


def test_the_provider_may_agree_while_negotiating(world: World):
    negotiation = _negotiate(world)
    agreed = world.call(
        "provider_officer", "govshare_request_decide", id=negotiation["id"], decision="approve"
    )
    assert agreed["status"] == "granted"
    assert agreed["grant"]["source"] == "negotiation"


def test_escalation_to_the_authority_and_its_decision(
    world: World,
    rule_profile: str,  # noqa: F811
):
    negotiation = _negotiate(world)
    with pytest.raises(tk.ValidationError) as raised:
        world.call("requester", "govshare_request_escalate", id=negotiation["id"])
    assert "reason" in raised.value.error_dict  # escalating needs a reason (was "message")
    escalated = world.call(
        "requester", "govshare_request_escalate", id=negotiation["id"], message="协商未果"
    )
    assert escalated["status"] == "escalated_authority"
    queue = world.call("authority", "govshare_request_list", direction="incoming", escalated=True)
    assert [r["id"] for r in queue["results"]] == [negotiation["id"]]
    # The joint conference does not see it; no central department is involved.
    with pytest.raises(tk.NotAuthorized):
        world.call("conference", "govshare_request_show", id=negotiation["id"])
    shown = world.call("authority", "govshare_request_show", id=negotiation["id"])
    if rule_profile == "regulation-2025":
        # Art. 28: the authority may take any dispute on to the people's government.
        assert "escalate" in shown["allowed_actions"]
        assert shown["escalation_next"] == "escalated_government"
    else:
        # Art. 12(3): only a dispute involving a central department goes further.
        assert "escalate" not in shown["allowed_actions"]
        with pytest.raises(tk.ValidationError):
            world.call(
                "authority", "govshare_request_escalate", id=negotiation["id"], message="上报"
            )
    with pytest.raises(tk.NotAuthorized):
        world.call(
            "provider_officer",
            "govshare_escalation_decide",
            id=negotiation["id"],
            decision="grant",
            reason="同意",
        )
    with pytest.raises(tk.ValidationError) as raised:
        world.call("authority", "govshare_escalation_decide", id=negotiation["id"], decision="deny")
    assert "reason" in raised.value.error_dict
    decided = world.call(
        "authority",
        "govshare_escalation_decide",
        id=negotiation["id"],
        decision="grant",
        reason="属于履职必需，准予共享",
        data_items=["统一社会信用代码"],
        max_downloads=10,
    )
    assert decided["status"] == "granted"
    assert decided["grant"]["source"] == "escalation"
    assert decided["grant"]["data_items"] == ["统一社会信用代码"]
    assert decided["decision_reason"] == "属于履职必需，准予共享"


def test_a_central_department_takes_the_dispute_to_the_joint_conference(
    world: World,
    rule_profile: str,  # noqa: F811
):
    _make_central(world, world.provider)
    negotiation = _negotiate(world)
    world.call(
        "provider_officer", "govshare_request_escalate", id=negotiation["id"], message="争议"
    )
    up = world.call(
        "authority", "govshare_request_escalate", id=negotiation["id"], message="涉及中央部门"
    )
    if rule_profile == "regulation-2025":
        # Art. 28: no joint conference; the people's government, whose decision the
        # authority enters.
        assert up["status"] == "escalated_government"
        with pytest.raises(tk.NotAuthorized):
            world.call("conference", "govshare_request_show", id=negotiation["id"])
        with pytest.raises(tk.NotAuthorized):
            world.call(
                "conference",
                "govshare_escalation_decide",
                id=negotiation["id"],
                decision="deny",
                reason="依法不予共享",
            )
        denied = world.call(
            "authority",
            "govshare_escalation_decide",
            id=negotiation["id"],
            decision="deny",
            reason="依法不予共享",
            decided_by_body="government",
        )
        assert denied["status"] == "denied" and "grant" not in denied
        return
    assert up["status"] == "escalated_joint_conference"
    assert world.call("conference", "govshare_request_show", id=negotiation["id"])["id"]
    with pytest.raises(tk.NotAuthorized):
        world.call(
            "authority",
            "govshare_escalation_decide",
            id=negotiation["id"],
            decision="deny",
            reason="不予共享",
        )
    denied = world.call(
        "conference",
        "govshare_escalation_decide",
        id=negotiation["id"],
        decision="deny",
        reason="依法不予共享",
    )
    assert denied["status"] == "denied"
    assert "grant" not in denied


def test_a_rejected_request_goes_on_to_negotiation(world: World, rule_profile: str):  # noqa: F811
    request = world.submit(**request_form(world))
    world.call(
        "provider_officer",
        "govshare_request_decide",
        id=request["id"],
        decision="reject",
        reason="不符合共享条件",
        **told_at_once("reject"),
    )
    negotiation = world.call(
        "requester", "govshare_negotiation_open", request_id=request["id"], message="请再议"
    )
    assert negotiation["id"] == request["id"]
    assert negotiation["status"] == "negotiating"
    sent = ["submit", "signoff"] if rule_profile == "regulation-2025" else ["submit"]  # art. 20
    assert [e["action"] for e in negotiation["history"]] == [*sent, "reject", "negotiate"]
    with pytest.raises(tk.NotAuthorized):
        world.call("other", "govshare_negotiation_open", request_id=request["id"])


def test_a_rejected_request_is_not_reopened_beside_a_new_open_one(world: World):
    """One open request per entry and department (issue 19, item 3): after applying again, the
    department follows the new request up instead of reopening the rejected one."""
    first = world.submit(**request_form(world))
    world.call(
        "provider_officer",
        "govshare_request_decide",
        id=first["id"],
        decision="reject",
        reason="不符合共享条件",
        **told_at_once("reject"),
    )
    again = world.submit(**request_form(world))
    with pytest.raises(tk.ValidationError) as raised:
        world.call("requester", "govshare_negotiation_open", request_id=first["id"], reason="再议")
    (text,) = raised.value.error_dict["package_id"]
    assert again["id"] in text and " | " in text
    shown = world.call("requester", "govshare_request_show", id=first["id"])
    assert shown["status"] == "rejected"


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("requester", True),
        ("provider_officer", True),
        ("provider_staff", False),
        ("other", False),
        ("authority", False),  # not escalated yet: the parties talk first
        ("sysadmin", True),
    ],
)
def test_who_may_write_in_the_thread(world: World, who: str, allowed: bool):
    negotiation = _negotiate(world)
    if allowed:
        result = world.call(who, "govshare_request_comment", id=negotiation["id"], message="意见")
        assert result["history"][-1]["message"] == "意见"
    else:
        with pytest.raises(tk.NotAuthorized):
            world.call(who, "govshare_request_comment", id=negotiation["id"], message="意见")


def test_withdrawing_a_negotiation(world: World):
    negotiation = _negotiate(world)
    with pytest.raises(tk.NotAuthorized):
        world.call("provider_officer", "govshare_request_withdraw", id=negotiation["id"])
    assert (
        world.call("requester", "govshare_request_withdraw", id=negotiation["id"])["status"]
        == "withdrawn"
    )

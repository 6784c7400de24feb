"""The dispute path (2025 Regulations art. 28; 2016 Measures art. 12(3)).

Under ``regulation-2025``: negotiation → the sharing authority → the common upper authority
(cross-level or cross-region disputes, through a recorded referral) → the people's government,
whose decisions the authority enters. Under ``measures-2016``: the joint conference, as before.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit as tk
from ckan.tests import helpers

from .conftest import World, request_form

pytestmark = pytest.mark.usefixtures("with_request_context")
REGULATION = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
MEASURES = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "measures-2016")
REFERRAL = {"upper_platform": "浙江省一体化智能化公共数据平台", "reference": "杭数移〔2026〕3号"}


def _patch_org(world: World, org: dict[str, Any], **fields: Any) -> None:
    helpers.call_action(
        "organization_patch",
        context={"ignore_auth": True, "user": world.users["sysadmin"]["name"]},
        id=org["id"],
        **fields,
    )


def _regions(world: World, provider: str | None, requester: str | None) -> None:
    if provider:
        _patch_org(world, world.provider, region_code=provider)
    if requester:
        _patch_org(world, world.requester_org, region_code=requester)


def _negotiate(world: World) -> dict[str, Any]:
    form = request_form(world, package_id=world.not_shared["id"], reason="请协商共享")
    return world.call("requester", "govshare_negotiation_open", **form)


def _at_authority(world: World) -> dict[str, Any]:
    negotiation = _negotiate(world)
    return world.call(
        "requester", "govshare_request_escalate", id=negotiation["id"], reason="协商未果"
    )


def _audit(object_id: str, action: str) -> list[dict[str, Any]]:
    from ckanext.govshare.audit.model import event_table

    rows = model.Session.execute(
        sa.select(event_table.c.detail).where(
            event_table.c.object_id == object_id, event_table.c.action == action
        )
    ).all()
    return [dict(r.detail) for r in rows]


def _notices(world: World, who: str, kind: str) -> list[dict[str, Any]]:
    from ckanext.govshare.notices.model import notice_table

    rows = model.Session.execute(
        sa.select(notice_table)
        .where(notice_table.c.user_id == world.users[who]["id"], notice_table.c.kind == kind)
        .order_by(notice_table.c.created_at)
    ).all()
    return [dict(r._mapping) for r in rows]


# ---------------------------------------------------------------------------- cross_level


@REGULATION
@pytest.mark.parametrize(
    ("provider", "requester", "expected"),
    [
        ("330100", "330000", True),  # city and province: another level
        ("330100", "320100", True),  # two cities: another region
        ("330100", "330100", False),  # the same city
        ("330100", None, False),  # a department without a code
        (None, None, False),
    ],
)
def test_cross_level_is_set_when_the_request_is_made(
    world: World, provider: str | None, requester: str | None, expected: bool
):
    _regions(world, provider, requester)
    made = world.call("requester", "govshare_request_create", **request_form(world))
    assert made["cross_level"] is expected
    assert _negotiate(world)["cross_level"] is expected


# ---------------------------------------------------------------------------- 2025, one level


@REGULATION
def test_within_one_level_the_authority_refers_to_the_government(world: World):
    request = _at_authority(world)
    assert request["status"] == "escalated_authority"
    assert request["cross_level"] is False
    shown = world.call("authority", "govshare_request_show", id=request["id"])
    assert {"grant", "deny", "escalate"} <= set(shown["allowed_actions"])
    assert shown["escalation_next"] == "escalated_government"
    # Not a cross-level dispute: a referral to the upper authority is out of place.
    with pytest.raises(tk.ValidationError) as raised:
        world.call(
            "authority", "govshare_request_escalate", id=request["id"], reason="报请", **REFERRAL
        )
    assert set(raised.value.error_dict) == {"upper_platform", "reference"}
    assert "本级人民政府" in raised.value.error_dict["reference"][0]
    up = world.call("authority", "govshare_request_escalate", id=request["id"], reason="报请政府")
    assert up["status"] == "escalated_government"
    assert up["escalation_level"] == "government"
    assert up["referral"] is None
    # Both departments are told where it went, in the reader's language only (issue 19, item 7).
    told = _notices(world, "requester", "request_escalated")
    assert "已提交本级人民政府协调" in told[-1]["body"]
    assert "escalated to the people's government" not in told[-1]["body"]
    # The authority carries it; the joint conference sees nothing of it.
    queue = world.call("authority", "govshare_request_list", direction="incoming", escalated=True)
    assert [r["id"] for r in queue["results"]] == [request["id"]]
    assert world.call("conference", "govshare_request_list", direction="all")["count"] == 0
    with pytest.raises(tk.NotAuthorized):
        world.call("conference", "govshare_request_show", id=request["id"])
    # The government's decision, entered by the authority: with reasons, as the government's.
    with pytest.raises(tk.ValidationError) as raised:
        world.call("authority", "govshare_escalation_decide", id=request["id"], decision="deny")
    assert "reason" in raised.value.error_dict
    with pytest.raises(tk.ValidationError) as raised:
        world.call(
            "authority",
            "govshare_escalation_decide",
            id=request["id"],
            decision="deny",
            reason="不予共享",
            decided_by_body="upper_authority",
        )
    assert "本级人民政府" in raised.value.error_dict["decided_by_body"][0]
    decided = world.call(
        "authority",
        "govshare_escalation_decide",
        id=request["id"],
        decision="grant",
        reason="市政府决定：准予共享",
        decided_by_body="government",
        reference="杭政办〔2026〕12号",
    )
    assert decided["status"] == "granted"
    assert decided["grant"]["source"] == "escalation"
    last = decided["history"][-1]
    assert last["action"] == "grant" and last["role"] == "authority"
    assert last["detail"] == {"decided_by_body": "government", "reference": "杭政办〔2026〕12号"}
    assert _audit(request["id"], "govshare_request_grant")[0]["decided_by_body"] == "government"


# ---------------------------------------------------------------------------- 2025, cross-level


@REGULATION
def test_a_cross_level_dispute_is_referred_to_the_upper_authority(world: World):
    _regions(world, "330100", "330000")
    request = _at_authority(world)
    assert request["cross_level"] is True
    shown = world.call("requester", "govshare_request_show", id=request["id"])
    assert shown["escalation_next"] == "escalated_upper_authority"
    with pytest.raises(tk.ValidationError) as raised:
        world.call("authority", "govshare_request_escalate", id=request["id"], reason="移送")
    assert set(raised.value.error_dict) == {"upper_platform", "reference"}
    assert world.call("authority", "govshare_request_show", id=request["id"])["status"] == (
        "escalated_authority"
    )
    referred = world.call(
        "authority",
        "govshare_request_escalate",
        id=request["id"],
        reason="跨层级争议，移送省数据局",
        note="随附协商记录",
        **REFERRAL,
    )
    assert referred["status"] == "escalated_upper_authority"
    assert referred["escalation_level"] == "upper_authority"
    referral = referred["referral"]
    assert referral["platform"] == REFERRAL["upper_platform"]
    assert referral["reference"] == REFERRAL["reference"]
    assert referral["note"] == "随附协商记录"
    assert referral["referred_by"] == world.users["authority"]["id"]
    assert referral["referred_at"]
    event = referred["history"][-1]
    assert event["to_state"] == "escalated_upper_authority"
    assert event["detail"]["referral"] == referral
    assert _audit(request["id"], "govshare_request_escalate")[-1]["referral"] == referral
    queue = world.call("authority", "govshare_request_list", direction="incoming")
    assert request["id"] in [r["id"] for r in queue["results"]]
    # The authority enters the upper authority's outcome.
    decided = world.call(
        "authority",
        "govshare_escalation_decide",
        id=request["id"],
        decision="deny",
        reason="省数据局协调意见：依法不予共享",
    )
    assert decided["status"] == "denied"
    assert decided["history"][-1]["detail"] == {"decided_by_body": "upper_authority"}
    assert "grant" not in decided


@REGULATION
def test_from_the_upper_authority_to_the_government(world: World):
    _regions(world, "330100", "330000")
    request = _at_authority(world)
    world.call(
        "authority", "govshare_request_escalate", id=request["id"], reason="移送", **REFERRAL
    )
    # From there, no second referral: the people's government decides.
    with pytest.raises(tk.ValidationError):
        world.call(
            "provider_officer",
            "govshare_request_escalate",
            id=request["id"],
            reason="报请",
            **REFERRAL,
        )
    up = world.call(
        "provider_officer", "govshare_request_escalate", id=request["id"], reason="报请"
    )
    assert up["status"] == "escalated_government"
    assert up["referral"]["reference"] == REFERRAL["reference"]  # the referral stays on record
    assert [e["to_state"] for e in up["history"] if e["action"] == "escalate"] == [
        "escalated_authority",
        "escalated_upper_authority",
        "escalated_government",
    ]
    decided = world.call(
        "authority", "govshare_escalation_decide", id=request["id"], decision="grant", reason="准予"
    )
    assert decided["history"][-1]["detail"]["decided_by_body"] == "government"


@REGULATION
@pytest.mark.parametrize("level", ["escalated_upper_authority", "escalated_government"])
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
        ("other", False),
        ("conference", False),
        ("outsider", False),
        (None, False),
    ],
)
def test_who_enters_the_outcome_of_the_upper_authority_and_the_government(
    world: World, level: str, who: str | None, allowed: bool
):
    _regions(world, "330100", "330000")
    request = _at_authority(world)
    world.call(
        "authority", "govshare_request_escalate", id=request["id"], reason="移送", **REFERRAL
    )
    if level == "escalated_government":
        world.call("requester", "govshare_request_escalate", id=request["id"], reason="报请")
    assert world.call("authority", "govshare_request_show", id=request["id"])["status"] == level
    data = {"id": request["id"], "decision": "grant", "reason": "准予共享"}
    if allowed:
        assert world.call(who, "govshare_escalation_decide", **data)["status"] == "granted"
    else:
        with pytest.raises(tk.NotAuthorized):
            world.call(who, "govshare_escalation_decide", **data)


@REGULATION
@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("requester", True),
        ("requester_officer", True),
        ("provider_officer", True),
        ("authority", True),
        ("sysadmin", True),
        ("provider_staff", False),
        ("other", False),
        ("conference", False),
        ("outsider", False),
        (None, False),
    ],
)
def test_who_takes_a_dispute_from_the_upper_authority_to_the_government(
    world: World, who: str | None, allowed: bool
):
    _regions(world, "330100", "330000")
    request = _at_authority(world)
    world.call(
        "authority", "govshare_request_escalate", id=request["id"], reason="移送", **REFERRAL
    )
    if allowed:
        up = world.call(who, "govshare_request_escalate", id=request["id"], reason="报请")
        assert up["status"] == "escalated_government"
    else:
        with pytest.raises(tk.NotAuthorized):
            world.call(who, "govshare_request_escalate", id=request["id"], reason="报请")


@REGULATION
def test_there_is_no_joint_conference_under_the_2025_regulations(world: World):
    _patch_org(world, world.provider, is_central="true")
    request = _at_authority(world)
    up = world.call("authority", "govshare_request_escalate", id=request["id"], reason="中央部门")
    assert up["status"] == "escalated_government"  # not the joint conference
    with pytest.raises(tk.NotAuthorized):
        world.call("conference", "govshare_request_show", id=request["id"])


@REGULATION
def test_a_referral_is_bounded(world: World):
    _regions(world, "330100", "330000")
    request = _at_authority(world)
    with pytest.raises(tk.ValidationError) as raised:
        world.call(
            "authority",
            "govshare_request_escalate",
            id=request["id"],
            reason="移送",
            upper_platform="x" * 501,
            reference="文号\n第二行",
        )
    assert set(raised.value.error_dict) == {"upper_platform", "reference"}
    assert " | " in raised.value.error_dict["upper_platform"][0]  # both languages
    shown = world.call("authority", "govshare_request_show", id=request["id"])
    assert shown["status"] == "escalated_authority" and shown["referral"] is None


# ---------------------------------------------------------------------------- 2016


@MEASURES
def test_the_2016_path_keeps_the_joint_conference(world: World):
    _regions(world, "330100", "330000")  # cross-level, but the 2016 path has no upper authority
    request = _at_authority(world)
    shown = world.call("authority", "govshare_request_show", id=request["id"])
    assert "escalate" not in shown["allowed_actions"]  # no central department involved
    assert shown["escalation_next"] is None
    with pytest.raises(tk.ValidationError):
        world.call("authority", "govshare_request_escalate", id=request["id"], reason="上报")
    _patch_org(world, world.provider, is_central="true")
    # One open request per entry and department (issue 19, item 3): the first is withdrawn.
    world.call("requester", "govshare_request_withdraw", id=request["id"])
    central = _at_authority(world)
    up = world.call(
        "authority",
        "govshare_request_escalate",
        id=central["id"],
        reason="涉及中央部门",
        **REFERRAL,
    )
    assert up["status"] == "escalated_joint_conference"
    assert up["referral"] is None  # no referral under the 2016 Measures
    decided = world.call(
        "conference", "govshare_escalation_decide", id=central["id"], decision="deny", reason="否"
    )
    assert decided["status"] == "denied"
    assert decided["history"][-1]["detail"] == {}

"""Obtaining unconditional data, and reading and revoking grants (art. 12(1), 14)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit as tk
from ckan.tests import helpers

from ckanext.govshare.access import deadlines
from ckanext.govshare.audit.model import event_table as audit_table
from ckanext.govshare.core import clock
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

from .conftest import World, request_form

# Under both rule profiles (issue 18, item 11); where they differ the test says so for each.
pytestmark = pytest.mark.usefixtures("with_request_context", "rule_profile")


def _obtain(world: World, who: str = "requester", **extra: Any) -> dict[str, Any]:
    form = {
        "package_id": world.unconditional["id"],
        "requesting_org": world.requester_org["name"],
        "purpose": "work_reference",
        "purpose_detail": "统计分析",
        "pledge": True,
        **extra,
    }
    return world.call(who, "govshare_access_obtain", **form)


def test_obtaining_unconditional_data_is_immediate(
    world: World,
    ckan_config: Any,
    rule_profile: str,  # noqa: F811
):
    grant = _obtain(world)
    today = clock.today()
    assert grant["status"] == "active" and grant["live"]
    if rule_profile == "regulation-2025":
        # Art. 21, 22: recorded as a request answered at once, its data available at once.
        assert grant["request_id"] and grant["delivered_at"] is not None
        answered = world.call("requester", "govshare_request_show", id=grant["request_id"])
        assert answered["status"] == "approved"
    else:
        assert grant["request_id"] is None and grant["delivered_at"] is None
    assert grant["source"] == "self_service"
    assert grant["organization"] == world.requester_org["name"]
    assert grant["purpose"] == "work_reference"
    assert grant["period_start"] == today.isoformat()
    days = int(ckan_config.get("ckanext.govshare.grant.default_days", 365))
    assert grant["period_end"] == (today + dt.timedelta(days=days)).isoformat()
    assert grant["data_items"] is None  # every item of the entry
    # Asking again for the same purpose gives the same grant.
    assert _obtain(world)["id"] == grant["id"]
    actions = (
        model.Session.execute(
            sa.select(audit_table.c.action).where(audit_table.c.object_id == grant["id"])
        )
        .scalars()
        .all()
    )
    assert actions == ["govshare_grant_create"]


def test_items_narrower_than_the_entry_are_not_obtained_with_it(world: World):
    entry = helpers.call_action(
        "package_patch",
        context={"ignore_auth": True, "user": world.users["sysadmin"]["name"]},
        id=world.unconditional["id"],
        data_items=[
            {"name": "统一社会信用代码", "data_type": "string"},
            {"name": "法定代表人", "data_type": "string", "share_type": "conditional"},
        ],
    )
    assert entry["data_items"][1]["share_type"] == "conditional"
    assert _obtain(world)["data_items"] == ["统一社会信用代码"]


@pytest.mark.parametrize(
    ("field", "value"), [("pledge", False), ("purpose", "nosy"), ("purpose_detail", "")]
)
def test_obtaining_needs_purpose_and_pledge(world: World, field: str, value: Any):
    with pytest.raises(tk.ValidationError) as raised:
        _obtain(world, **{field: value})
    assert " | " in raised.value.error_dict[field][0]


@pytest.mark.parametrize("who", [None, "outsider"])
def test_only_department_users_obtain(world: World, who: str | None):
    with pytest.raises(tk.NotAuthorized):
        world.call(
            who,
            "govshare_access_obtain",
            package_id=world.unconditional["id"],
            purpose="work_reference",
            purpose_detail="x",
            pledge=True,
        )


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("requester", True),
        ("requester_officer", True),
        ("provider_officer", True),
        ("provider_staff", False),
        ("other", False),
        ("authority", True),
        ("conference", False),
        ("sysadmin", True),
    ],
)
def test_who_sees_a_grant(world: World, who: str, sees: bool):
    grant = _obtain(world)
    listed = [g["id"] for g in world.call(who, "govshare_grant_list")["results"]]
    assert (grant["id"] in listed) is sees
    if sees:
        assert world.call(who, "govshare_grant_show", id=grant["id"])["id"] == grant["id"]
    else:
        with pytest.raises(tk.NotAuthorized):
            world.call(who, "govshare_grant_show", id=grant["id"])


def test_held_and_provided_grants(world: World):
    grant = _obtain(world)
    held = world.call("requester", "govshare_grant_list", direction="held")
    provided = world.call("provider_officer", "govshare_grant_list", direction="provided")
    assert [g["id"] for g in held["results"]] == [grant["id"]]
    assert [g["id"] for g in provided["results"]] == [grant["id"]]
    assert world.call("requester", "govshare_grant_list", direction="provided")["count"] == 0


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("provider_officer", True),
        ("provider_editor", True),
        ("authority", True),
        ("sysadmin", True),
        ("provider_staff", False),
        ("requester", False),
        ("requester_officer", False),
        ("other", False),
        ("conference", False),
    ],
)
def test_who_may_revoke(world: World, who: str, allowed: bool, rule_profile: str):  # noqa: F811
    grant = _obtain(world)
    if allowed and who.startswith("provider") and rule_profile == "regulation-2025":
        # Art. 27: the provider ends a service only after filing it with the authority.
        with pytest.raises(tk.ValidationError) as raised:
            world.call(who, "govshare_grant_revoke", id=grant["id"], reason="超范围使用")
        assert set(raised.value.error_dict) == {"filing_id"}
        assert world.call(who, "govshare_grant_show", id=grant["id"])["status"] == "active"
    if allowed:
        revoked = world.call(
            who,
            "govshare_grant_revoke",
            id=grant["id"],
            reason="超范围使用",
            **(world.filing(grant) if who.startswith("provider") else {}),
        )
        assert revoked["status"] == "revoked" and not revoked["live"]
        assert revoked["revoke_reason"] == "超范围使用"
        # 2025 art. 29: the holder disposes of the data within a time once the grant ends.
        if rule_profile == "regulation-2025":
            assert revoked["disposal_due"] == deadlines.disposal_due(clock.today()).isoformat()
        else:
            assert revoked["disposal_due"] is None
    else:
        with pytest.raises(tk.NotAuthorized):
            world.call(who, "govshare_grant_revoke", id=grant["id"], reason="x")


def test_revoking_needs_a_reason_and_a_live_grant(world: World):
    grant = _obtain(world)
    with pytest.raises(tk.ValidationError) as raised:
        world.call("provider_officer", "govshare_grant_revoke", id=grant["id"])
    assert "reason" in raised.value.error_dict
    filing = world.filing(grant)  # 2025 art. 27; nothing under the 2016 Measures
    revoked = world.call(
        "provider_officer", "govshare_grant_revoke", id=grant["id"], reason="违规", **filing
    )
    assert revoked["status"] == "revoked"
    with pytest.raises(tk.ValidationError) as raised:
        world.call(
            "provider_officer", "govshare_grant_revoke", id=grant["id"], reason="again", **filing
        )
    assert set(raised.value.error_dict) == {"id"}


def test_a_conditional_entry_cannot_be_obtained(world: World):
    with pytest.raises(tk.ValidationError) as raised:
        world.call(
            "requester",
            "govshare_access_obtain",
            **{
                k: v
                for k, v in request_form(world).items()
                if k in ("package_id", "purpose", "purpose_detail", "pledge", "requesting_org")
            },
        )
    assert "govshare_request_create" in raised.value.error_dict["package_id"][0]

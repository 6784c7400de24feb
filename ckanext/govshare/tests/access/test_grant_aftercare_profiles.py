"""The after-delivery steps under both rule profiles (issue 18 item 6): under measures-2016
suspending, resuming, terminating and asking for a use change are 409s naming the profile
(after the access check: a refused role is still a 403), and nothing changes; under
regulation-2025 they work. Revoking sets ``disposal_due`` under 2025 only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import pytest

from ckanext.govshare.core import clock
from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import World
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

STEPS = {
    "govshare_grant_suspend": {"reason": "超范围使用"},
    "govshare_grant_resume": {"reason": "已整改"},
    "govshare_grant_terminate": {"reason": "终止"},
}


def _grant(world: World) -> dict[str, Any]:
    return gs.Grant(
        user=world.users["requester"],
        package_id=world.unconditional["id"],
        requesting_org=world.requester_org["name"],
    )


@pytest.mark.parametrize("action", list(STEPS))
def test_the_steps_follow_the_profile(world: World, rule_profile: str, action: str) -> None:  # noqa: F811
    grant = _grant(world)
    data = {"id": grant["id"], **STEPS[action]}
    if action == "govshare_grant_suspend":
        data["rectify_by"] = (clock.today() + dt.timedelta(days=10)).isoformat()
    with pytest.raises(tk.NotAuthorized):  # access first, under either profile
        world.call("requester", action, **data)
    if rule_profile == "measures-2016":
        with pytest.raises(tk.ValidationError) as refused:
            world.call("authority", action, **data)
        [text] = refused.value.error_dict["id"]
        assert "measures-2016" in text and " | " in text
        assert world.call("sysadmin", "govshare_grant_show", id=grant["id"])["status"] == "active"
        return
    if action == "govshare_grant_resume":
        world.call(
            "authority",
            "govshare_grant_suspend",
            id=grant["id"],
            reason="超范围使用",
            rectify_by=(clock.today() + dt.timedelta(days=10)).isoformat(),
        )
    answer = world.call("authority", action, **data)
    expected = {
        "govshare_grant_suspend": "suspended",
        "govshare_grant_resume": "active",
        "govshare_grant_terminate": "terminated",
    }[action]
    assert answer["status"] == expected


def test_a_use_change_follows_the_profile(world: World, rule_profile: str) -> None:  # noqa: F811
    grant = _grant(world)
    data = {
        "grant_id": grant["id"],
        "kinds": ["purpose"],
        "purpose": "data_verification",
        "reason": "核验需要",
    }
    if rule_profile == "measures-2016":
        with pytest.raises(tk.ValidationError) as refused:
            world.call("requester_officer", "govshare_use_change_request", **data)
        assert "measures-2016" in refused.value.error_dict["grant_id"][0]
        return
    made = world.call("requester_officer", "govshare_use_change_request", **data)
    assert made["kind"] == "use_change" and made["grant_id"] == grant["id"]


def test_revoking_sets_a_disposal_date_under_2025_only(world: World, rule_profile: str) -> None:  # noqa: F811
    grant = _grant(world)
    revoked = world.call("authority", "govshare_grant_revoke", id=grant["id"], reason="滥用")
    if rule_profile == "measures-2016":
        assert revoked["disposal_due"] is None
    else:
        assert revoked["disposal_due"] is not None

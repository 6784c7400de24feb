"""The grant page's after-delivery steps (2025 Regulations art. 25, 27): the authority and the
provider's data officers see 暂停 / 恢复 / 终止, the holder sees why and until when its grant is
suspended and may ask for a use change; the forms call their actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ckanext.govshare.core import clock
from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import World

pytestmark = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")

EN = "/en"
REASON = "超出授权用途使用数据"


def _grant(world: World) -> dict[str, Any]:
    return gs.Grant(
        user=world.users["requester"],
        package_id=world.unconditional["id"],
        requesting_org=world.requester_org["name"],
    )


def test_the_authority_suspends_and_resumes_from_the_grant_page(
    app: Any, world: World, as_user: Any
) -> None:
    grant = _grant(world)
    page = f"{EN}/govshare/grants/{grant['id']}"
    authority = as_user("authority")
    shown = app.get(page, headers=authority)
    assert "govshare-suspend-form" in shown.body and "govshare-terminate-form" in shown.body
    holder = app.get(page, headers=as_user("requester"))
    assert "govshare-suspend-form" not in holder.body
    assert "govshare-use-change-card" in holder.body  # the holder may ask for a use change
    day = (clock.today() + dt.timedelta(days=20)).isoformat()
    refused = app.post(
        f"{page}/suspend", data={"reason": REASON, "rectify_by": day}, headers=as_user("requester")
    )
    assert refused.status_code == 403
    app.post(f"{page}/suspend", data={"reason": REASON, "rectify_by": day}, headers=authority)
    assert world.call("requester", "govshare_grant_show", id=grant["id"])["status"] == "suspended"
    seen = app.get(page, headers=as_user("requester"))
    assert "govshare-grant-suspended" in seen.body and REASON in seen.body and day in seen.body
    assert "Sharing is suspended" in seen.body
    app.post(f"{page}/resume", data={"reason": "已整改"}, headers=authority)
    assert world.call("requester", "govshare_grant_show", id=grant["id"])["status"] == "active"


def test_a_bad_date_comes_back_as_a_message(app: Any, world: World, as_user: Any) -> None:
    grant = _grant(world)
    page = f"{EN}/govshare/grants/{grant['id']}"
    back = app.post(
        f"{page}/suspend",
        data={"reason": REASON, "rectify_by": clock.today().isoformat()},
        headers=as_user("provider_officer"),
        follow_redirects=True,
    )
    assert "rectify" in back.body.lower()
    assert world.call("requester", "govshare_grant_show", id=grant["id"])["status"] == "active"


def test_the_holder_asks_for_a_use_change_from_the_grant_page(
    app: Any, world: World, as_user: Any
) -> None:
    grant = _grant(world)
    page = f"{EN}/govshare/grants/{grant['id']}"
    response = app.post(
        f"{page}/use-change",
        data={"kinds": ["purpose"], "purpose": "data_verification", "reason": "核验需要"},
        headers=as_user("requester_officer"),
    )
    assert response.status_code == 200  # the request page it made, redirected to
    shown = world.call("requester", "govshare_grant_show", id=grant["id"])
    [change] = shown["use_changes"]
    assert change["kind"] == "use_change" and change["purpose"] == "data_verification"
    listed = app.get(page, headers=as_user("requester"))
    assert "govshare-use-changes" in listed.body
    shown_request = app.get(
        f"{EN}/govshare/requests/{change['id']}", headers=as_user("provider_officer")
    )
    assert "govshare-request-use-change" in shown_request.body
    assert grant["id"] in shown_request.body

"""The daily call quota set when approving an interface request (issue 16, item 6): the
request's expected calls by default, narrowed by the provider, never above what was declared,
only for an interface share method; stored on the grant and shown in grant answers; the
entry's daily capacity and what live grants take of it, for the one approving."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit as tk
from ckan.tests import helpers

from ckanext.govshare.audit.model import event_table as audit_table
from ckanext.govshare.tests.access_ui.conftest import as_user  # noqa: F401
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

from .conftest import World, request_form

EN = "/en"
# Under both rule profiles (issue 18, item 11); where they differ the test says so for each.
pytestmark = pytest.mark.usefixtures("rule_profile")


def _submit(world: World, **over: Any) -> dict[str, Any]:
    form = request_form(world, share_method="api", expected_calls_per_day=100, **over)
    return world.submit(**form)


def _approve(world: World, request_id: str, who: str = "provider_officer", **data: Any) -> Any:
    return world.call(who, "govshare_request_decide", id=request_id, decision="approve", **data)


def test_the_quota_defaults_to_the_expected_calls(world: World) -> None:
    grant = _approve(world, _submit(world)["id"])["grant"]
    assert grant["max_calls_per_day"] == 100
    assert grant["row_filter"] is None
    shown = world.call("requester", "govshare_grant_show", id=grant["id"])
    assert shown["max_calls_per_day"] == 100 and shown["row_filter"] is None
    listed = world.call("provider_officer", "govshare_grant_list", direction="incoming")
    assert [g["max_calls_per_day"] for g in listed["results"]] == [100]


def test_the_provider_narrows_the_quota_and_it_is_audited(world: World) -> None:
    request = _submit(world)
    grant = _approve(world, request["id"], max_calls_per_day="40")["grant"]
    assert world.call("requester", "govshare_grant_show", id=grant["id"])["max_calls_per_day"] == 40
    detail = model.Session.execute(
        sa.select(audit_table.c.detail).where(
            audit_table.c.action == "govshare_grant_create",
            audit_table.c.object_id == grant["id"],
        )
    ).scalar_one()
    assert detail["max_calls_per_day"] == 40
    history = world.call("requester", "govshare_request_show", id=request["id"])["history"]
    assert [e["detail"].get("max_calls_per_day") for e in history if e["action"] == "approve"] == [
        40
    ]


@pytest.mark.parametrize(
    ("value", "english", "chinese"),
    [
        (101, "cannot exceed the calls a day the request declared (100)", "不得超过"),
        (0, "at least 1", "不小于1"),
        ("many", "at least 1", "不小于1"),
        (-5, "at least 1", "不小于1"),
    ],
)
def test_a_quota_above_the_declared_calls_or_not_a_count_is_refused(
    world: World, value: Any, english: str, chinese: str
) -> None:
    request = _submit(world)
    with pytest.raises(tk.ValidationError) as refused:
        _approve(world, request["id"], max_calls_per_day=value)
    text = refused.value.error_dict["max_calls_per_day"][0]
    assert english in text and chinese in text
    assert world.call("requester", "govshare_request_show", id=request["id"])["status"] == (
        "submitted"
    )


def test_a_quota_is_only_for_an_interface_share_method(world: World) -> None:
    request = world.submit(**request_form(world))
    with pytest.raises(tk.ValidationError) as refused:
        _approve(world, request["id"], max_calls_per_day=10)
    assert "服务接口" in refused.value.error_dict["max_calls_per_day"][0]
    grant = _approve(world, request["id"])["grant"]
    assert grant["max_calls_per_day"] is None  # a file download has no call quota


@pytest.mark.parametrize("who", ["requester", "requester_officer", "other", "provider_staff"])
def test_only_the_providers_data_officer_decides(
    world: World,
    who: str,
    rule_profile: str,  # noqa: F811
) -> None:
    request = _submit(world)
    if who == "provider_staff" and rule_profile == "regulation-2025":
        # Art. 20: staff draft the answer for their head; nothing is decided, no grant made.
        drafted = _approve(world, request["id"], who=who, max_calls_per_day=10)
        assert drafted["status"] == "submitted" and "grant" not in drafted
        assert world.call("requester", "govshare_grant_list")["count"] == 0
        return
    with pytest.raises(tk.NotAuthorized):
        _approve(world, request["id"], who=who, max_calls_per_day=10)


def _capacity(world: World, capacity: int) -> None:
    helpers.call_action(
        "package_patch",
        context={"ignore_auth": True, "user": world.users["sysadmin"]["name"]},
        id=world.conditional["id"],
        daily_capacity=capacity,
    )


@pytest.mark.parametrize("who", ["provider_officer", "provider_staff", "authority", "sysadmin"])
def test_the_capacity_and_what_live_grants_take(world: World, who: str) -> None:
    _capacity(world, 500)
    _approve(world, _submit(world)["id"], max_calls_per_day=60)
    _approve(world, _submit(world)["id"])
    found = world.call(who, "govshare_entry_capacity", package_id=world.conditional["name"])
    assert found == {
        "package_id": world.conditional["id"],
        "daily_capacity": 500,
        "allocated": 160,
        "grants": 2,
        "unlimited": 0,
        "left": 340,
    }


def test_a_revoked_grant_takes_no_capacity(world: World) -> None:
    _capacity(world, 500)
    grant = _approve(world, _submit(world)["id"], max_calls_per_day=60)["grant"]
    world.call(
        "provider_officer",
        "govshare_grant_revoke",
        id=grant["id"],
        reason="停止使用",
        **world.filing(grant),
    )
    found = world.call(
        "provider_officer", "govshare_entry_capacity", package_id=grant["package_id"]
    )
    assert (found["allocated"], found["left"]) == (0, 500)


@pytest.mark.parametrize("who", ["requester", "requester_officer", "other", "outsider", None])
def test_others_do_not_see_the_capacity(world: World, who: str | None) -> None:
    with pytest.raises(tk.NotAuthorized):
        world.call(who, "govshare_entry_capacity", package_id=world.conditional["id"])


def test_the_approve_form_shows_the_quota_and_sets_it(app: Any, world: World, as_user: Any) -> None:  # noqa: F811
    _capacity(world, 500)
    _approve(world, _submit(world)["id"], max_calls_per_day=70)
    request = _submit(world)
    officer = as_user("provider_officer")
    page = app.get(f"{EN}/govshare/requests/{request['id']}", headers=officer).body
    assert 'name="max_calls_per_day"' in page and 'max="100"' in page
    assert "Expected calls a day" in page and "daily capacity" in page
    assert "70 calls a day (1 grants)" in page and ">430<" in page
    too_many = app.post(
        f"{EN}/govshare/requests/{request['id']}/decide",
        data={"decision": "approve", "max_calls_per_day": "500"},
        headers=officer,
    )
    assert too_many.status_code == 200 and "cannot exceed" in too_many.body
    response = app.post(
        f"{EN}/govshare/requests/{request['id']}/decide",
        data={"decision": "approve", "max_calls_per_day": "30"},
        headers=officer,
        follow_redirects=False,
    )
    assert response.status_code == 302
    grants = world.call("requester", "govshare_grant_list", direction="outgoing")["results"]
    assert sorted(g["max_calls_per_day"] for g in grants) == [30, 70]
    staff = app.get(f"{EN}/govshare/requests/{request['id']}", headers=as_user("requester")).body
    assert 'name="max_calls_per_day"' not in staff


def test_the_authority_deciding_a_dispute_sets_the_quota_too(world: World) -> None:
    form = request_form(
        world,
        package_id=world.not_shared["id"],
        share_method="api",
        expected_calls_per_day=80,
        reason="请协商共享",
    )
    negotiation = world.call("requester", "govshare_negotiation_open", **form)
    world.call("requester", "govshare_request_escalate", id=negotiation["id"], reason="协商未果")
    with pytest.raises(tk.ValidationError) as refused:
        world.call(
            "authority",
            "govshare_escalation_decide",
            id=negotiation["id"],
            decision="grant",
            reason="准予共享",
            max_calls_per_day=81,
        )
    assert "(80)" in refused.value.error_dict["max_calls_per_day"][0]
    decided = world.call(
        "authority",
        "govshare_escalation_decide",
        id=negotiation["id"],
        decision="grant",
        reason="准予共享",
        max_calls_per_day=20,
    )
    assert decided["grant"]["max_calls_per_day"] == 20

"""Internal sign-off (2025 Regulations art. 20) under both rule profiles: under the 2016
Measures nothing waits for a head, staff neither see nor draft, and nothing is signed off."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit as tk

from ckanext.govshare.access.model import request_table
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

from .conftest import World, request_form

pytestmark = pytest.mark.usefixtures("with_request_context")


def _status(request_id: str) -> str:
    return model.Session.execute(
        sa.select(request_table.c.status).where(request_table.c.id == request_id)
    ).scalar_one()


def test_a_members_request(world: World, rule_profile: str):  # noqa: F811
    request = world.call("requester", "govshare_request_create", **request_form(world))
    if rule_profile == "regulation-2025":
        assert request["status"] == "awaiting_signoff" and request["due_date"] is None
    else:
        assert request["status"] == "submitted" and request["due_date"]
        assert request["signed_off_by"] is None


def test_the_providers_staff(world: World, rule_profile: str):  # noqa: F811
    request = world.call("requester_officer", "govshare_request_create", **request_form(world))
    args = {"id": request["id"], "decision": "approve"}
    if rule_profile == "regulation-2025":
        shown = world.call("provider_staff", "govshare_request_show", id=request["id"])
        assert shown["allowed_actions"] == ["draft_answer"]
        assert world.call("provider_staff", "govshare_request_decide", **args)["status"] == (
            "submitted"
        )
        return
    with pytest.raises(tk.NotAuthorized):  # staff neither see nor answer (issue 5)
        world.call("provider_staff", "govshare_request_show", id=request["id"])
    with pytest.raises(tk.NotAuthorized):
        world.call("provider_staff", "govshare_request_decide", **args)
    listed = world.call("provider_staff", "govshare_request_list", direction="incoming")
    assert listed["count"] == 0
    assert _status(request["id"]) == "submitted"


def test_signing_off(world: World, rule_profile: str):  # noqa: F811
    request = world.call("requester_officer", "govshare_request_create", **request_form(world))
    with pytest.raises(tk.ValidationError) as raised:
        world.call(
            "requester_officer", "govshare_request_signoff", id=request["id"], decision="approve"
        )
    assert " | " in raised.value.error_dict["id"][0]
    decided = world.call(
        "provider_officer", "govshare_request_decide", id=request["id"], decision="approve"
    )
    assert decided["status"] == "approved"
    if rule_profile == "regulation-2025":
        assert decided["answer_signed_off_by"] == world.users["provider_officer"]["id"]
        assert request["signed_off_by"] == world.users["requester_officer"]["id"]
    else:
        assert decided["answer_signed_off_by"] is None and request["signed_off_by"] is None

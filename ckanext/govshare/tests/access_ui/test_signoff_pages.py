"""The pages of internal sign-off (2025 Regulations art. 20): the request page's sign-off state
and forms on both sides, and the workbench's section of what waits for the user's sign-off."""

from __future__ import annotations

from typing import Any

import pytest

from ckanext.govshare.tests.access.conftest import World, request_form

pytestmark = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")

EN = "/en"


def _page(app: Any, as_user: Any, who: str, request_id: str, lang: str = EN) -> Any:
    return app.get(f"{lang}/govshare/requests/{request_id}", headers=as_user(who))


def test_the_drafter_sees_it_waits_and_the_head_signs_it_off(app, world: World, as_user):
    request = world.call("requester", "govshare_request_create", **request_form(world))
    drafter = _page(app, as_user, "requester", request["id"], lang="")
    assert drafter.status_code == 200
    assert "待本部门负责人审核" in drafter.body
    english = _page(app, as_user, "requester", request["id"]).body
    assert "govshare-signoff-waiting" in english
    assert "govshare-signoff-form" not in english  # the drafter does not sign off
    assert _page(app, as_user, "provider_officer", request["id"]).status_code == 403
    head = _page(app, as_user, "requester_officer", request["id"]).body
    assert "Sign off the request" in head and 'value="approve"' in head
    inbox = app.get(f"{EN}/govshare/inbox", headers=as_user("requester_officer")).body
    assert "govshare-signoff-queue" in inbox and f"/govshare/requests/{request['id']}" in inbox
    response = app.post(
        f"{EN}/govshare/requests/{request['id']}/signoff",
        data={"decision": "approve"},
        headers=as_user("requester_officer"),
        follow_redirects=False,
    )
    assert response.status_code == 302
    assert world.call("requester", "govshare_request_show", id=request["id"])["status"] == (
        "submitted"
    )
    page = _page(app, as_user, "provider_officer", request["id"]).body
    assert "govshare-signed-off" in page
    inbox = app.get(f"{EN}/govshare/inbox", headers=as_user("requester_officer")).body
    assert "govshare-signoff-queue" not in inbox


def test_a_return_without_reason_comes_back_with_the_error(app, world: World, as_user):
    request = world.call("requester", "govshare_request_create", **request_form(world))
    response = app.post(
        f"{EN}/govshare/requests/{request['id']}/signoff",
        data={"decision": "return", "reason": ""},
        headers=as_user("requester_officer"),
    )
    assert response.status_code == 200
    assert "govshare-form-errors" in response.body and "Say why it goes back" in response.body
    assert world.call("requester", "govshare_request_show", id=request["id"])["status"] == (
        "awaiting_signoff"
    )
    response = app.post(
        f"{EN}/govshare/requests/{request['id']}/signoff",
        data={"decision": "return", "reason": "请补充办事场景"},
        headers=as_user("requester_officer"),
        follow_redirects=False,
    )
    assert response.status_code == 302
    drafter = _page(app, as_user, "requester", request["id"]).body
    assert "govshare-signoff-returned" in drafter and "请补充办事场景" in drafter
    assert "govshare-resubmit" in drafter  # change it and send it again


def test_staff_draft_the_answer_and_the_officer_signs_it_off(app, world: World, as_user):
    request = world.call("requester_officer", "govshare_request_create", **request_form(world))
    inbox = app.get(f"{EN}/govshare/inbox", headers=as_user("provider_staff")).body
    assert f"/govshare/requests/{request['id']}" in inbox  # staff find what to draft
    assert "govshare-inbox-count" in inbox  # and the header links to it
    staff = _page(app, as_user, "provider_staff", request["id"]).body
    assert "Draft the answer" in staff and 'value="approve"' in staff
    response = app.post(
        f"{EN}/govshare/requests/{request['id']}/decide",
        data={"decision": "approve", "data_items": ["统一社会信用代码"]},
        headers=as_user("provider_staff"),
        follow_redirects=False,
    )
    assert response.status_code == 302
    staff = _page(app, as_user, "provider_staff", request["id"]).body
    assert "govshare-answer-draft" in staff and "govshare-draft-waiting" in staff
    assert "Draft the answer" not in staff  # one draft at a time
    requester = _page(app, as_user, "requester", request["id"]).body
    assert "govshare-answer-draft" not in requester
    officer = _page(app, as_user, "provider_officer", request["id"]).body
    assert "Sign off the drafted answer" in officer and "govshare-answer-draft" in officer
    inbox = app.get(f"{EN}/govshare/inbox", headers=as_user("provider_officer")).body
    assert "govshare-signoff-answer" in inbox
    response = app.post(
        f"{EN}/govshare/requests/{request['id']}/signoff",
        data={"decision": "approve"},
        headers=as_user("provider_officer"),
        follow_redirects=False,
    )
    assert response.status_code == 302
    shown = world.call("requester", "govshare_request_show", id=request["id"])
    assert shown["status"] == "approved"
    requester = _page(app, as_user, "requester", request["id"]).body
    assert "View the grant" in requester
    assert "govshare-answer-signed-off" in requester and "drafted by its staff" in requester

"""A second request for the same entry by the same department while one is open is refused
(issue 19, item 3): 409 on ``package_id`` in both languages naming the open request, through
the API and the form."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest

from ckanext.govshare.core.messages import halves
from ckanext.govshare.tests.access.conftest import World, request_form

EN = "/en"


def _refusal(error: tk.ValidationError, request_id: str) -> tuple[str, str]:
    (text,) = error.error_dict["package_id"]
    en, zh = halves(text)
    assert request_id in en and "already has an open request for this entry" in en
    assert request_id in zh and "本部门已有该信息资源尚未办结的申请" in zh
    return en, zh


def test_a_second_request_while_one_is_open_is_refused(world: World):
    first = world.submit(**request_form(world))
    with pytest.raises(tk.ValidationError) as refused:
        world.call("requester", "govshare_request_create", **request_form(world))
    _refusal(refused.value, first["id"])
    # Nothing was made: the department still has exactly one request.
    mine = world.call("requester", "govshare_request_list", direction="outgoing")
    assert [r["id"] for r in mine["results"]] == [first["id"]]
    # Returned for completion, it is still open.
    world.call(
        "provider_officer",
        "govshare_request_decide",
        id=first["id"],
        decision="return",
        reason="请补充申请依据",
    )
    with pytest.raises(tk.ValidationError) as again:
        world.call("requester_officer", "govshare_request_create", **request_form(world))
    _refusal(again.value, first["id"])


def test_another_department_and_a_request_after_withdrawal_are_accepted(world: World):
    first = world.submit(**request_form(world))
    gs_other = world.call(
        "other",
        "govshare_request_create",
        **request_form(world, requesting_org=world.other_org["name"]),
    )
    assert gs_other["id"] != first["id"]
    world.call("requester", "govshare_request_withdraw", id=first["id"], reason="重新申请")
    second = world.submit(**request_form(world))
    assert second["id"] != first["id"]


def test_a_second_negotiation_while_one_is_open_is_refused(world: World):
    form = request_form(world, package_id=world.not_shared["id"], reason="业务需要")
    first = world.call("requester", "govshare_negotiation_open", **form)
    with pytest.raises(tk.ValidationError) as refused:
        world.call("requester", "govshare_negotiation_open", **form)
    _refusal(refused.value, first["id"])


def test_the_api_answers_409_in_both_languages(app, world: World, as_user):
    first = world.submit(**request_form(world))
    response = app.post(
        "/api/3/action/govshare_request_create",
        json=request_form(world),
        headers=as_user("requester"),
        status=409,
    )
    body = response.json
    assert body["success"] is False
    assert body["error"]["__type"] == "Validation Error"
    (text,) = body["error"]["package_id"]
    assert first["id"] in text
    assert "already has an open request" in text and "尚未办结的申请" in text


def test_the_form_refuses_and_names_the_open_request(app, world: World, as_user):
    first = world.submit(**request_form(world))
    url = f"{EN}/govshare/requests/new?package_id={world.conditional['id']}"
    form = request_form(world)
    form["pledge"] = "true"
    response = app.post(url, data=form, headers=as_user("requester"))
    assert response.status_code == 200
    assert "already has an open request for this entry" in response.body
    assert first["id"] in response.body
    assert "尚未办结" not in response.body  # one language at a time
    chinese = app.post(url.removeprefix(EN), data=form, headers=as_user("requester")).body
    assert "本部门已有该信息资源尚未办结的申请" in chinese and first["id"] in chinese
    mine = world.call("requester", "govshare_request_list", direction="outgoing")
    assert mine["count"] == 1
    # The form itself links to the open request, before anything is filled in.
    page = app.get(url, headers=as_user("requester")).body
    link = f'href="{EN}/govshare/requests/{first["id"]}"'
    assert "govshare-open-request-notice" in page and link in page

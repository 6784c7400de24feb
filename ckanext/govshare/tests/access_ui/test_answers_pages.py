"""The pages of answers and deliveries (2025 Regulations art. 21, 22): the request page's
extension panel and the authority's list, the return's rows of missing materials and the
rejection's grounds, the grant page's delivery and its "mark delivered" button."""

from __future__ import annotations

from typing import Any

import pytest

from ckanext.govshare.tests.access.conftest import World, request_form

PROFILE = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")

EN = "/en"


def _request(world: World) -> dict[str, Any]:
    """Submitted at once (the requesting department's data officer needs no sign-off)."""
    return world.call("requester_officer", "govshare_request_create", **request_form(world))


def _page(app: Any, as_user: Any, who: str, path: str, lang: str = EN) -> Any:
    return app.get(f"{lang}{path}", headers=as_user(who))


@PROFILE
def test_the_provider_asks_for_an_extension_and_the_authority_decides(
    app: Any, world: World, as_user: Any
) -> None:
    request = _request(world)
    path = f"/govshare/requests/{request['id']}"
    officer = _page(app, as_user, "provider_officer", path).body
    assert "govshare-extend" in officer and "Ask for an extension" in officer
    assert "govshare-extend" not in _page(app, as_user, "requester", path).body
    response = app.post(
        f"{EN}{path}/extend",
        data={"days": "3", "reason": "数据量大，需协调技术部门"},
        headers=as_user("provider_officer"),
        follow_redirects=False,
    )
    assert response.status_code == 302 and "#extensions" in response.headers["Location"]
    pending = world.call("authority", "govshare_extension_list", status="pending")["results"]
    assert [e["request_id"] for e in pending] == [request["id"]]

    listed = _page(app, as_user, "authority", "/govshare/extensions").body
    assert "govshare-extension-pending" in listed and "Approve the extension" in listed
    authority = _page(app, as_user, "authority", path).body
    assert "govshare-extension-decide" in authority
    assert "govshare-extension-decide" not in _page(app, as_user, "provider_officer", path).body
    response = app.post(
        f"{EN}/govshare/extensions/{pending[0]['id']}/decide",
        data={"decision": "approve", "request_id": request["id"], "back": "request"},
        headers=as_user("authority"),
        follow_redirects=False,
    )
    assert response.status_code == 302 and path in response.headers["Location"]
    shown = world.call("requester", "govshare_request_show", id=request["id"])
    assert shown["extended_days"] == 3
    requester = _page(app, as_user, "requester", path).body
    assert "govshare-extension-approved" in requester and "Due date moved" in requester


@PROFILE
def test_an_extension_refused_comes_back_flashed(app: Any, world: World, as_user: Any) -> None:
    request = _request(world)
    response = app.post(
        f"{EN}/govshare/requests/{request['id']}/extend",
        data={"days": "11", "reason": "太多"},
        headers=as_user("provider_officer"),
    )
    assert response.status_code == 200
    assert "At most 10 working days" in response.body
    assert world.call("authority", "govshare_extension_list")["count"] == 0
    forbidden = app.post(
        f"{EN}/govshare/requests/{request['id']}/extend",
        data={"days": "2", "reason": "太多"},
        headers=as_user("requester"),
    )
    assert forbidden.status_code == 403


@PROFILE
def test_a_return_lists_its_rows_and_the_requester_sees_them(
    app: Any, world: World, as_user: Any
) -> None:
    request = _request(world)
    path = f"/govshare/requests/{request['id']}"
    officer = _page(app, as_user, "provider_officer", path).body
    assert "govshare-missing-fields" in officer and "govshare-grounds" in officer
    empty = app.post(
        f"{EN}{path}/decide",
        data={"decision": "return", "reason": "材料不全", "missing_field": "", "missing_note": ""},
        headers=as_user("provider_officer"),
    )
    assert empty.status_code == 200 and "List every missing material at once" in empty.body
    response = app.post(
        f"{EN}{path}/decide",
        data={
            "decision": "return",
            "reason": "材料不全",
            "missing_field": ["basis", "", "attachment"],
            "missing_note": ["缺少法律条文", "", "请上传申请函"],
        },
        headers=as_user("provider_officer"),
        follow_redirects=False,
    )
    assert response.status_code == 302
    shown = world.call("requester", "govshare_request_show", id=request["id"])
    assert [(i["field"], i["note"]) for i in shown["missing_items"]] == [
        ("basis", "缺少法律条文"),
        ("attachment", "请上传申请函"),
    ]
    page = _page(app, as_user, "requester", path).body
    assert page.count("govshare-missing-basis") == 2  # the panel and the resubmit form
    assert "请上传申请函" in page


@PROFILE
def test_a_rejection_on_missing_materials_alone_is_refused_on_the_page(
    app: Any, world: World, as_user: Any
) -> None:
    request = _request(world)
    path = f"/govshare/requests/{request['id']}"
    response = app.post(
        f"{EN}{path}/decide",
        data={"decision": "reject", "reason": "材料不全", "grounds": "missing_materials"},
        headers=as_user("provider_officer"),
    )
    assert response.status_code == 200
    assert "return the request listing what is missing instead" in response.body
    assert 'value="missing_materials" id="ground-missing_materials" checked' in response.body
    response = app.post(
        f"{EN}{path}/decide",
        data={"decision": "reject", "reason": "超出职责", "grounds": ["beyond_duties"]},
        headers=as_user("provider_officer"),
        follow_redirects=False,
    )
    assert response.status_code == 302
    assert world.call("requester", "govshare_request_show", id=request["id"])["status"] == (
        "rejected"
    )


@PROFILE
def test_the_grant_page_shows_the_delivery_and_the_provider_marks_it(
    app: Any, world: World, as_user: Any
) -> None:
    request = _request(world)
    decided = world.call(
        "provider_officer", "govshare_request_decide", id=request["id"], decision="approve"
    )
    path = f"/govshare/grants/{decided['grant']['id']}"
    officer = _page(app, as_user, "provider_officer", path).body
    assert "govshare-delivery-due" in officer and "Mark as delivered" in officer
    holder = _page(app, as_user, "requester", path).body
    assert "govshare-delivery-due" in holder and "Mark as delivered" not in holder
    response = app.post(
        f"{EN}{path}/deliver",
        data={"method": "other", "reason": "光盘交付"},
        headers=as_user("provider_officer"),
        follow_redirects=False,
    )
    assert response.status_code == 302 and "#delivery" in response.headers["Location"]
    page = _page(app, as_user, "requester", path).body
    assert "Mark as delivered" not in _page(app, as_user, "provider_officer", path).body
    assert "Not yet" not in page
    shown = world.call("requester", "govshare_grant_show", id=decided["grant"]["id"])
    assert shown["delivery_method"] == "other"
    forbidden = app.post(f"{EN}{path}/deliver", data={}, headers=as_user("requester"))
    assert forbidden.status_code == 403


def test_the_2016_pages_have_no_extension_form(app: Any, world: World, as_user: Any) -> None:
    request = world.call("requester", "govshare_request_create", **request_form(world))
    page = _page(app, as_user, "provider_officer", f"/govshare/requests/{request['id']}").body
    assert "govshare-extend" not in page
    assert "govshare-missing-fields" in page  # the rows are there, optional
    assert "Extensions" not in _page(app, as_user, "provider_officer", "/govshare/inbox").body

"""The access pages (issue 5, item 4): who sees what, forms that keep input, the steps."""

from __future__ import annotations

import io
from typing import Any

import pytest

from ckanext.govshare.tests.access.conftest import World, request_form

EN = "/en"


def test_the_entry_page_offers_the_action_that_fits_its_share_type(app, world: World, as_user):
    staff = as_user("requester")
    cases = [
        (world.unconditional, "/govshare/obtain/", "Obtain data"),
        (world.conditional, "/govshare/requests/new", "Apply"),
        (world.not_shared, "/govshare/negotiations/new", "Open negotiation"),
    ]
    for entry, link, label in cases:
        page = app.get(f"{EN}/dataset/{entry['name']}", headers=staff).body
        assert link in page and label in page
    chinese = app.get(f"/dataset/{world.conditional['name']}", headers=staff).body
    assert "申请" in chinese and "/govshare/requests/new" in chinese
    # The provider's own staff and anonymous visitors get no button.
    provider = app.get(
        f"{EN}/dataset/{world.conditional['name']}", headers=as_user("provider_staff")
    )
    assert "/govshare/requests/new" not in provider.body
    assert "/govshare/requests/new" not in app.get(f"{EN}/dataset/{world.conditional['name']}").body


def test_anonymous_visitors_are_sent_to_log_in(app, world: World, submitted):
    for url in (
        "/govshare/requests",
        "/govshare/inbox",
        "/govshare/grants",
        "/govshare/escalations",
        f"/govshare/requests/{submitted['id']}",
        f"/govshare/requests/new?package_id={world.conditional['id']}",
    ):
        response = app.get(url, follow_redirects=False)
        assert response.status_code == 302, url
        assert "/user/login" in response.headers["Location"], url
    refused = app.post(f"/govshare/requests/{submitted['id']}/withdraw", data={})
    assert refused.status_code in (400, 403)


def test_the_request_form_shows_items_and_keeps_input_on_error(app, world: World, as_user):
    staff = as_user("requester")
    world.conditional["data_items"][1]["share_type"] = "not_shared"
    from ckan.tests import helpers

    helpers.call_action(
        "package_patch",
        context={"user": world.users["sysadmin"]["name"]},
        id=world.conditional["id"],
        data_items=world.conditional["data_items"],
    )
    url = f"{EN}/govshare/requests/new?package_id={world.conditional['id']}"
    page = app.get(url, headers=staff).body
    assert 'name="data_items" value="统一社会信用代码"' in page
    assert "not shared: open a negotiation" in page  # 法定代表人 is shown disabled
    assert 'data-govshare-show-when="share_method=api"' in page

    form = request_form(world, purpose_detail="", share_method="api", pledge="")
    form.pop("pledge")
    form["scenario"] = "企业开办 keep me"
    response = app.post(url, data=form, headers=staff)
    assert response.status_code == 200
    body = response.body
    assert "企业开办 keep me" in body  # input kept
    assert "Missing value" in body  # the purpose detail's error, in English on /en
    assert "Accept the usage pledge" in body
    assert "| 缺少必填项" not in body  # one language at a time
    chinese = app.post(url.removeprefix(EN), data=form, headers=staff).body
    assert "缺少必填项" in chinese


def test_applying_redirects_to_the_request_page_with_its_due_date(app, world: World, as_user):
    staff = as_user("requester")
    url = f"{EN}/govshare/requests/new?package_id={world.conditional['id']}"
    form = {**request_form(world), "pledge": "true", "data_items": ["统一社会信用代码"]}
    form["attachment"] = (io.BytesIO(b"%PDF-1.4 basis"), "依据.pdf")
    response = app.post(url, data=form, headers=staff, follow_redirects=False)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "/govshare/requests/" in location
    page = app.get(location, headers=staff).body
    # (The flash "submitted; due by …" needs a browser session: see the browser journey.)
    listed = world.call("requester", "govshare_request_list", direction="outgoing")
    assert listed["results"][0]["data_items"] == ["统一社会信用代码"]
    assert listed["results"][0]["due_date"] in page
    assert "working days left" in page
    assert "统一社会信用代码" in page and "依据.pdf" in page
    assert app.get(f"{EN}/govshare/requests", headers=staff).body.count("govshare-request-row") == 1


def test_request_page_is_refused_to_other_departments(app, world: World, as_user, submitted):
    url = f"{EN}/govshare/requests/{submitted['id']}"
    assert app.get(url, headers=as_user("requester")).status_code == 200
    assert app.get(url, headers=as_user("provider_officer")).status_code == 200
    assert app.get(url, headers=as_user("authority")).status_code == 200
    for who in ("other", "provider_staff", "outsider"):
        assert app.get(url, headers=as_user(who)).status_code == 403, who
    assert app.get(f"{EN}/govshare/requests/nope", headers=as_user("requester")).status_code == 404


def test_the_inbox_lists_incoming_requests_for_data_officers_only(
    app, world: World, as_user, submitted
):
    officer = app.get(f"{EN}/govshare/inbox", headers=as_user("provider_officer")).body
    assert submitted["id"] in officer
    assert "working days left" in officer
    staff = app.get(f"{EN}/govshare/inbox", headers=as_user("provider_staff")).body
    assert submitted["id"] not in staff
    requester = app.get(f"{EN}/govshare/inbox", headers=as_user("requester")).body
    assert submitted["id"] not in requester
    # The header counts what awaits an answer.
    header = app.get(f"{EN}/dataset/", headers=as_user("provider_officer")).body
    assert "govshare-inbox-count" in header


# The header's access links for each role of workflows.md (measures-2016: staff draft
# nothing, so only data officers have the inbox): inbox, requests and grants, batch
# exchange, disputes.
HEADER_LINKS = {
    "provider_officer": {"inbox", "requests", "exchange"},
    "provider_editor": {"inbox", "requests", "exchange"},
    "provider_staff": {"requests"},
    "requester": {"requests"},
    "requester_officer": {"inbox", "requests", "exchange"},
    "other": {"requests"},
    "authority": {"requests", "exchange", "escalations"},
    "conference": {"requests", "exchange", "escalations"},
    "outsider": set(),
    "sysadmin": {"inbox", "requests", "exchange", "escalations"},
}
_LINK_PATHS = {
    "inbox": "/govshare/inbox",
    "requests": "/govshare/requests",
    "exchange": "/govshare/exchange",
    "escalations": "/govshare/escalations",
}


def test_the_header_links_each_role_to_its_access_pages(app, world: World, as_user):
    import re

    assert set(HEADER_LINKS) == set(world.users), "every user of the world"
    for who, expected in HEADER_LINKS.items():
        body = app.get(f"{EN}/dataset/", headers=as_user(who)).body
        header = body.split("</header>", 1)[0]
        hrefs = set(re.findall(r'href="(?:/en)?(/govshare/[a-z]+)"', header))
        shown = {link for link, path in _LINK_PATHS.items() if path in hrefs}
        assert shown == expected, who
    anonymous = app.get(f"{EN}/dataset/").body.split("</header>", 1)[0]
    assert not any(path in anonymous for path in _LINK_PATHS.values())


@pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
def test_under_the_2025_regulations_staff_have_the_inbox(app, world: World, as_user):
    """2025 art. 20: staff draft their department's answers, so they read its inbox."""
    import re

    for who in ("provider_staff", "requester", "other"):
        header = app.get(f"{EN}/dataset/", headers=as_user(who)).body.split("</header>", 1)[0]
        assert re.search(r'href="(?:/en)?/govshare/inbox"', header), who
    outsider = app.get(f"{EN}/dataset/", headers=as_user("outsider")).body
    assert "/govshare/inbox" not in outsider.split("</header>", 1)[0]


def test_overdue_requests_are_highlighted(app, world: World, as_user, frozen):
    import datetime as dt

    frozen(dt.datetime(2026, 1, 5, 2, tzinfo=dt.timezone.utc))
    form = request_form(world, period_start="2026-01-05", period_end="2030-01-05")
    old = world.call("requester", "govshare_request_create", **form)
    frozen(dt.datetime(2026, 3, 2, 2, tzinfo=dt.timezone.utc))
    page = app.get(f"{EN}/govshare/inbox", headers=as_user("provider_officer")).body
    assert "govshare-overdue" in page and "Overdue" in page
    only = app.get(
        f"{EN}/govshare/inbox",
        query_string={"status": "overdue"},
        headers=as_user("provider_officer"),
    ).body
    assert old["id"] in only


def test_officer_approves_and_the_requester_sees_the_grant(app, world: World, as_user, submitted):
    officer = as_user("provider_officer")
    page = app.get(f"{EN}/govshare/requests/{submitted['id']}", headers=officer).body
    assert 'value="approve"' in page and 'value="reject"' in page
    response = app.post(
        f"{EN}/govshare/requests/{submitted['id']}/decide",
        data={"decision": "approve", "reason": "同意", "data_items": ["统一社会信用代码"]},
        headers=officer,
        follow_redirects=False,
    )
    assert response.status_code == 302
    requester = as_user("requester")
    page = app.get(f"{EN}/govshare/requests/{submitted['id']}", headers=requester).body
    assert "Approved" in page and "View the grant" in page
    grants = app.get(f"{EN}/govshare/grants", headers=requester).body
    assert world.conditional["title"] in grants
    entry = app.get(f"{EN}/dataset/{world.conditional['name']}", headers=requester).body
    assert "You hold a grant" in entry
    held = world.call("requester", "govshare_grant_list", direction="held")["results"][0]
    assert held["data_items"] == ["统一社会信用代码"]
    grant_page = app.get(f"{EN}/govshare/grants/{held['id']}", headers=requester).body
    assert "Revoke the grant" not in grant_page  # the holder may not revoke
    assert (
        app.get(f"{EN}/govshare/grants/{held['id']}", headers=as_user("other")).status_code == 403
    )


def test_a_rejection_without_reason_comes_back_with_the_error(
    app, world: World, as_user, submitted
):
    response = app.post(
        f"{EN}/govshare/requests/{submitted['id']}/decide",
        data={"decision": "reject", "reason": ""},
        headers=as_user("provider_officer"),
    )
    assert response.status_code == 200
    assert "Give the reason" in response.body
    assert world.call("requester", "govshare_request_show", id=submitted["id"])["status"] == (
        "submitted"
    )


def test_the_member_of_the_requesting_department_cannot_decide(
    app, world: World, as_user, submitted
):
    response = app.post(
        f"{EN}/govshare/requests/{submitted['id']}/decide",
        data={"decision": "approve"},
        headers=as_user("requester"),
    )
    assert response.status_code == 403


def test_return_resubmit_comment_and_withdraw(app, world: World, as_user, submitted):
    url = f"{EN}/govshare/requests/{submitted['id']}"
    officer, staff = as_user("provider_officer"), as_user("requester")
    app.post(
        url + "/decide", data={"decision": "return", "reason": "缺少依据文件"}, headers=officer
    )
    page = app.get(url, headers=staff).body
    assert "Complete and resubmit" in page and "缺少依据文件" in page
    app.post(url + "/comment", data={"message": "已补充"}, headers=staff)
    app.post(url + "/resubmit", data={"basis": "新的依据", "message": "补充"}, headers=staff)
    shown = world.call("requester", "govshare_request_show", id=submitted["id"])
    assert shown["status"] == "submitted" and shown["basis"] == "新的依据"
    page = app.get(url, headers=staff).body
    assert "已补充" in page and "Resubmitted" in page
    empty = app.post(url + "/comment", data={"message": ""}, headers=staff)
    assert "Missing value" in empty.body
    app.post(url + "/withdraw", data={}, headers=staff)
    assert world.call("requester", "govshare_request_show", id=submitted["id"])["status"] == (
        "withdrawn"
    )


def test_the_attachment_is_served_only_to_those_who_see_the_request(app, world: World, as_user):
    staff = as_user("requester")
    url = f"{EN}/govshare/requests/new?package_id={world.conditional['id']}"
    form = {**request_form(world), "pledge": "true"}
    form["attachment"] = (io.BytesIO(b"basis text"), "basis.txt")
    location = app.post(url, data=form, headers=staff, follow_redirects=False).headers["Location"]
    request_id = location.rstrip("/").rsplit("/", 1)[-1]
    link = f"/govshare/requests/{request_id}/attachment"
    for who in ("requester", "provider_officer", "authority"):
        response = app.get(link, headers=as_user(who))
        assert response.status_code == 200, who
        assert response.data == b"basis text"
    for who in ("other", "provider_staff"):
        assert app.get(link, headers=as_user(who)).status_code == 403, who
    assert app.get(link, follow_redirects=False).status_code == 302


def test_obtain_an_unconditional_entry(app, world: World, as_user):
    staff = as_user("requester")
    url = f"{EN}/govshare/obtain/{world.unconditional['name']}"
    page = app.get(url, headers=staff).body
    assert 'name="purpose"' in page and 'name="pledge"' in page
    missing = app.post(
        url, data={"purpose": "work_reference", "purpose_detail": "参考"}, headers=staff
    )
    assert "Accept the usage pledge" in missing.body and "参考" in missing.body
    response = app.post(
        url,
        data={"purpose": "work_reference", "purpose_detail": "参考", "pledge": "true"},
        headers=staff,
        follow_redirects=False,
    )
    assert response.status_code == 302 and "/govshare/grants/" in response.headers["Location"]
    entry = app.get(f"{EN}/dataset/{world.unconditional['name']}", headers=staff).body
    assert "You hold a grant" in entry


def test_negotiation_on_a_not_shared_entry_and_its_escalation(app, world: World, as_user):
    staff = as_user("requester")
    url = f"{EN}/govshare/negotiations/new?package_id={world.not_shared['id']}"
    page = app.get(url, headers=staff).body
    assert "First message to the providing department" in page
    form = {**request_form(world, package_id=world.not_shared["id"]), "pledge": "true"}
    form["message"] = "请求共享"
    response = app.post(url, data=form, headers=staff, follow_redirects=False)
    assert response.status_code == 302
    request_id = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    page = app.get(f"{EN}/govshare/requests/{request_id}", headers=staff).body
    assert "请求共享" in page and "Escalate the dispute" in page
    app.post(
        f"{EN}/govshare/requests/{request_id}/escalate",
        data={"message": "协商不成"},
        headers=staff,
    )
    queue = app.get(f"{EN}/govshare/escalations", headers=as_user("authority")).body
    assert request_id in queue
    assert app.get(f"{EN}/govshare/escalations", headers=staff).status_code == 403
    authority = as_user("authority")
    page = app.get(f"{EN}/govshare/requests/{request_id}", headers=authority).body
    assert "Decide the dispute" in page
    refused = app.post(
        f"{EN}/govshare/requests/{request_id}/escalation",
        data={"decision": "deny", "reason": ""},
        headers=authority,
    )
    assert "Missing value" in refused.body
    app.post(
        f"{EN}/govshare/requests/{request_id}/escalation",
        data={"decision": "deny", "reason": "依法不予共享"},
        headers=authority,
    )
    assert world.call("requester", "govshare_request_show", id=request_id)["status"] == "denied"


def test_the_provider_revokes_a_grant_with_a_reason(app, world: World, as_user, submitted):
    world.call(
        "provider_officer", "govshare_request_decide", id=submitted["id"], decision="approve"
    )
    grant = world.call("requester", "govshare_grant_list", direction="held")["results"][0]
    officer = as_user("provider_officer")
    listed = app.get(
        f"{EN}/govshare/grants", query_string={"direction": "provided"}, headers=officer
    )
    assert "Revoke the grant" in listed.body
    url = f"{EN}/govshare/grants/{grant['id']}/revoke"
    missing = app.post(url, data={"reason": ""}, headers=officer)
    assert "Missing value" in missing.body
    assert (
        app.post(url, data={"reason": "违规使用"}, headers=as_user("requester")).status_code == 403
    )
    app.post(url, data={"reason": "违规使用"}, headers=officer)
    assert world.call("requester", "govshare_grant_show", id=grant["id"])["status"] == "revoked"


@pytest.mark.parametrize("lang", ["", EN])
def test_every_page_renders_in_both_languages(app, world: World, as_user, submitted, lang: str):
    officer = as_user("provider_officer")
    for url in ("/govshare/requests", "/govshare/inbox", "/govshare/grants"):
        assert app.get(lang + url, headers=officer).status_code == 200, url
    assert app.get(lang + "/govshare/escalations", headers=as_user("authority")).status_code == 200
    page: Any = app.get(f"{lang}/govshare/requests/{submitted['id']}", headers=officer)
    assert ("已提交" if not lang else "Submitted") in page.body

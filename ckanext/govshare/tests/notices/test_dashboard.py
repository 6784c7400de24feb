"""Notices on the dashboard: the actions (own notices only) and ``/dashboard/notices``."""

from __future__ import annotations

from typing import Any

import pytest
from ckan import model
from ckan.tests import factories, helpers

from ckanext.govshare import notices as api

from .conftest import notices

PARAMS = {
    "request_id": "r-1",
    "package_id": "p-1",
    "entry_title": "人口基础信息",
    "requesting_org": "公安局",
    "provider_org": "统计局",
    "link": "/govshare/requests/r-1",
}


def as_user(user: dict[str, Any]) -> dict[str, Any]:
    return {"user": user["name"], "ignore_auth": False}


@pytest.fixture
def two_users(clean_db: Any, no_smtp: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    mine, theirs = factories.UserWithToken(), factories.UserWithToken()
    api.notify("request_received", recipients=[mine["id"]], key="a", params=PARAMS)
    api.notify(
        "request_decided",
        recipients=[mine["id"]],
        key="b",
        params={**PARAMS, "status": "rejected", "reason": "不符合共享条件"},
    )
    api.notify(
        "grant_created",
        recipients=[theirs["id"]],
        key="c",
        params={**PARAMS, "entry_title": "他人的授权"},
    )
    model.Session.commit()
    return mine, theirs


def test_list_shows_own_notices_only(two_users):
    mine, theirs = two_users
    result = helpers.call_action("govshare_notice_list", as_user(mine))
    assert (result["count"], result["unread"]) == (2, 2)
    assert {n["kind"] for n in result["results"]} == {"request_received", "request_decided"}
    assert all(n["unread"] for n in result["results"])
    other = helpers.call_action("govshare_notice_list", as_user(theirs))
    assert [n["kind"] for n in other["results"]] == ["grant_created"]


def test_sysadmins_see_their_own_notices_too_not_everyones(two_users):
    admin = factories.Sysadmin()
    assert helpers.call_action("govshare_notice_list", as_user(admin))["count"] == 0


def test_mark_read_own_only(two_users):
    mine, theirs = two_users
    (theirs_notice,) = notices(user_id=theirs["id"])
    with pytest.raises(helpers.logic.NotFound):
        helpers.call_action("govshare_notice_mark_read", as_user(mine), id=theirs_notice["id"])
    assert notices(user_id=theirs["id"])[0]["read_at"] is None
    first = notices(user_id=mine["id"], key="a")[0]
    done = helpers.call_action("govshare_notice_mark_read", as_user(mine), id=first["id"])
    assert done == {"marked": 1, "unread": 1}
    unread = helpers.call_action("govshare_notice_list", as_user(mine), unread=True)
    assert [n["kind"] for n in unread["results"]] == ["request_decided"]
    assert helpers.call_action("govshare_notice_mark_read", as_user(mine), all=True) == {
        "marked": 1,
        "unread": 0,
    }
    assert notices(user_id=theirs["id"])[0]["read_at"] is None
    with pytest.raises(helpers.logic.ValidationError):
        helpers.call_action("govshare_notice_mark_read", as_user(mine))


def test_paging(two_users):
    mine, _ = two_users
    page = helpers.call_action("govshare_notice_list", as_user(mine), limit=1, offset=1)
    assert page["count"] == 2 and len(page["results"]) == 1
    with pytest.raises(helpers.logic.ValidationError):
        helpers.call_action("govshare_notice_list", as_user(mine), limit=0)


@pytest.mark.parametrize("action", ["govshare_notice_list", "govshare_notice_mark_read"])
def test_anonymous_may_not(two_users, action):
    with pytest.raises(helpers.logic.NotAuthorized):
        helpers.call_action(action, {"user": "", "ignore_auth": False}, all=True)


def test_the_api_refuses_anonymous_callers(app, two_users):
    response = app.get("/api/3/action/govshare_notice_list", status=403)
    assert response.json["success"] is False


def test_dashboard_page_lists_own_notices_with_unread_highlighted(app, two_users):
    mine, theirs = two_users
    headers = {"Authorization": mine["token"]}
    page = app.get("/en/dashboard/notices/", headers=headers).body
    assert "人口基础信息" in page and "不符合共享条件" in page
    assert "他人的授权" not in page
    assert page.count("govshare-notice-unread") == 2
    assert "/govshare/requests/r-1" in page
    # The tab and its count are on every dashboard page.
    datasets = app.get("/en/dashboard/datasets", headers=headers).body
    assert "/dashboard/notices" in datasets and "govshare-unread-count" in datasets
    # Mark one read (POST), then all.
    first = notices(user_id=mine["id"], key="a")[0]
    app.post("/en/dashboard/notices/read", data={"id": first["id"]}, headers=headers)
    page = app.get("/en/dashboard/notices/", headers=headers).body
    assert page.count("govshare-notice-unread") == 1
    app.post("/en/dashboard/notices/read", data={"all": "1"}, headers=headers)
    page = app.get("/en/dashboard/notices/", headers=headers).body
    assert "govshare-notice-unread" not in page
    assert "govshare-unread-count" not in page
    assert notices(user_id=theirs["id"])[0]["read_at"] is None


def test_marking_someone_elses_notice_is_not_found(app, two_users):
    mine, theirs = two_users
    theirs_notice = notices(user_id=theirs["id"])[0]
    app.post(
        "/en/dashboard/notices/read",
        data={"id": theirs_notice["id"]},
        headers={"Authorization": mine["token"]},
        status=404,
    )
    assert notices(user_id=theirs["id"])[0]["read_at"] is None


def test_the_chinese_page(app, two_users):
    mine, _ = two_users
    page = app.get("/dashboard/notices/", headers={"Authorization": mine["token"]}).body
    assert "通知" in page and "全部标为已读" in page


def test_visitors_are_sent_to_log_in(app, two_users):
    response = app.get("/en/dashboard/notices/", follow_redirects=False)
    assert response.status_code == 302
    assert "/user/login" in response.headers["Location"]


def test_the_news_feed_shows_the_tab(app, two_users):
    mine, _ = two_users
    page = app.get("/en/dashboard/", headers={"Authorization": mine["token"]}).body
    assert "/dashboard/notices" in page and "govshare-unread-count" in page

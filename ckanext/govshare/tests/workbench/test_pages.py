"""The workbench page, the landing after login, and the header's unread-notice badge on every
page (issue 19, item 2), through the web app."""

from __future__ import annotations

import datetime as dt
import re

from ckan.tests import factories, helpers

from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access_ui.conftest import as_user  # noqa: F401

from .conftest import World, request_form

EN = "/en"
MONDAY = dt.datetime(2026, 9, 28, 2, 0, tzinfo=dt.timezone.utc)


def _header(body: str) -> str:
    """The account bar of a page."""
    return body.split('class="account-masthead"', 1)[1].split("</header>", 1)[0]


def test_the_workbench_shows_what_waits_for_the_provider(app, world: World, as_user, frozen):  # noqa: F811
    frozen(MONDAY)
    request = world.submit(**request_form(world))
    page = app.get(f"{EN}/govshare/workbench", headers=as_user("provider_officer"))
    assert page.status_code == 200
    body = page.body
    assert "<h1" in body and "Workbench" in body
    section = body.split('id="workbench-requests_to_answer"', 1)[1].split("</section>", 1)[0]
    assert "Requests to answer" in section
    assert f"/govshare/requests/{request['id']}" in section
    assert "税务局" in section
    assert "Due 2026-10-16: 10 working days left" in section
    assert re.search(r'govshare-workbench-count">\s*1\s*<', section)
    # Sections of other roles are not there.
    assert 'id="workbench-disputes"' not in body
    assert "Acting for" in body and "市场监管局" in body


def test_the_workbench_in_chinese(app, world: World, as_user):  # noqa: F811
    body = app.get("/govshare/workbench", headers=as_user("authority")).body
    assert "待协调的争议" in body and "没有待协调的争议。" in body
    assert 'id="workbench-requests_to_answer"' not in body


def test_a_user_with_no_department_is_told_so(app, world: World, as_user):  # noqa: F811
    body = app.get(f"{EN}/govshare/workbench", headers=as_user("outsider")).body
    assert "You belong to no department yet" in body
    assert 'id="workbench-notices"' in body and "No notice yet." in body


def test_visitors_are_sent_to_log_in(app, world: World):
    answer = app.get("/govshare/workbench", follow_redirects=False)
    assert answer.status_code == 302
    assert "/user/login" in answer.headers["Location"]


def test_users_land_on_the_workbench_after_logging_in(app, world: World):
    user = factories.User(password="Correct-horse-9")
    gs.Membership(
        by=world.users["sysadmin"], organization=world.requester_org, user=user, role="member"
    )
    answer = app.test_client().post(
        "/user/login",
        data={"login": user["name"], "password": "Correct-horse-9"},
        follow_redirects=False,
    )
    assert answer.status_code == 302
    landing = answer.headers["Location"]
    if "/user/me" in landing or "/dashboard" in landing:  # CKAN's "me" redirects once more
        raise AssertionError(f"landed on {landing}, not the workbench")
    assert landing.endswith("/govshare/workbench")


def test_the_header_counts_unread_notices_on_an_ordinary_page(app, world: World, as_user):  # noqa: F811
    world.submit(**request_form(world))  # a notice to the provider's data officers
    unread = helpers.call_action(
        "govshare_notice_list",
        context={"user": world.users["provider_officer"]["name"]},
        unread=True,
        limit=1,
    )["count"]
    assert unread >= 1
    header = _header(app.get(f"{EN}/dataset/", headers=as_user("provider_officer")).body)
    badge = re.search(r'govshare-unread-count">.*?<span aria-hidden="true">(\d+)</span>', header)
    assert badge is not None and int(badge.group(1)) == unread
    assert "/dashboard/notices" in header
    # The workbench comes first; CKAN's activity count and its dashboard link are gone.
    links = re.findall(r'<a href="([^"]+)"', header)
    assert links[0].endswith("/govshare/workbench")
    assert "/dashboard/" not in [link.removeprefix(EN) for link in links]
    assert "fa-tachometer" not in header
    assert len(links) == len(set(links)), links  # no link twice
    # A user with nothing unread has no badge.
    quiet = _header(app.get(f"{EN}/dataset/", headers=as_user("other")).body)
    assert "govshare-unread-count" not in quiet and "/govshare/workbench" in quiet


def test_the_old_dashboard_leads_to_the_workbench(app, world: World, as_user):  # noqa: F811
    body = app.get(f"{EN}/dashboard/datasets", headers=as_user("requester")).body
    tabs = body.split('class="nav nav-tabs"', 1)[1].split("</ul>", 1)[0]
    hrefs = re.findall(r'href="([^"]+)"', tabs)
    assert hrefs[0].endswith("/govshare/workbench")
    assert any(h.endswith("/dashboard/notices/") for h in hrefs)
    assert "govshare-dashboard-workbench" in body and "Open the workbench" in body

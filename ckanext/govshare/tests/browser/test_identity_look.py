"""The platform's own look in a real browser (issue 19, item 1): the header shows the name
beside the emblem (drawn by the one stylesheet), people and departments are shown by their
initials, and not one request leaves the platform (no Gravatar, no outside image), on the main
pages of a logged-in person."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from ckan.tests import factories
from playwright.sync_api import Page, expect

from ckanext.govshare.tests import factories as gs

from .conftest import PASSWORD, axe_violations, keep_screenshot, log_in

pytestmark = pytest.mark.browser


def test_the_platforms_look_and_no_request_leaves_it(page: Page, live_server: str):
    person = factories.User(
        name="mps-officer",
        fullname="张伟（公安部数据管理员）",
        password=PASSWORD,
        # Someone's picture on another site: never fetched.
        image_url="https://www.gravatar.com/avatar/0000?s=100",
    )
    department = gs.Department(
        name="ministry-of-public-security",
        title="公安部",
        image_url="https://example.org/logo.png",
        users=[{"name": person["name"], "capacity": "admin"}],
    )
    entry = gs.SharingEntry(
        name="household-registration", owner_org=department["id"], share_type="conditional"
    )
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))

    log_in(page, live_server, person["name"])
    page.goto(live_server + "/")
    logo = page.locator(".masthead hgroup .h1 a")
    expect(logo).to_have_text("政务数据共享平台")
    emblem: Any = logo.evaluate("a => getComputedStyle(a, '::before').backgroundImage")
    assert "/govshare/emblem.svg" in emblem
    header_avatar = page.locator(".account-masthead .govshare-avatar")
    expect(header_avatar).to_have_text("张伟")
    colour = header_avatar.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    contrast = [v for v in axe_violations(page) if v["id"] == "color-contrast"]
    assert contrast == []
    keep_screenshot(page, "identity-home")

    page.goto(f"{live_server}/user/{person['name']}")
    expect(page.locator("#user-info .govshare-avatar")).to_have_text("张伟")
    expect(page.locator("#user-info .heading")).to_have_text("张伟（公安部数据管理员）")
    keep_screenshot(page, "identity-user")

    page.goto(f"{live_server}/organization/{department['name']}")
    expect(page.locator("#organization-info .govshare-avatar")).to_have_text("公安")
    page.goto(f"{live_server}/dataset/{entry['name']}")
    expect(page.locator(".govshare-share-box")).to_contain_text("有条件共享")
    page.goto(live_server + "/about")
    expect(page.locator(".govshare-about h1")).to_contain_text("政务数据共享平台")
    keep_screenshot(page, "identity-about")

    assert hosts == {urlsplit(live_server).netloc}

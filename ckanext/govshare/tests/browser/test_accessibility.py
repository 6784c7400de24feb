"""Accessibility of the main pages of every role (issue 19, item 11), and the README's
screenshots (item 12).

The demo site (``ckan govshare demo``, what ``make run`` serves) is loaded under the law in
force, then each role's main pages are opened in Debian's chromium in the Chinese UI and checked
with axe-core: no serious or critical violation of WCAG 2.1 A/AA or axe's best practices. The
same walk takes the pictures in ``docs/screenshots/`` (``make screenshots``).
"""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from playwright.sync_api import Page

from ckanext.govshare import demo
from ckanext.govshare.demo import access as demo_access
from ckanext.govshare.demo import logins as demo_logins

from .conftest import PASSWORD, axe_violations, keep_screenshot, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025"),
]

REQUESTER, PROVIDER = demo_access.PAIRS[0]


def _pages(entry: str, request_id: str, grant_id: str) -> dict[str, list[tuple[str, str]]]:
    """Each role's main pages, as (screenshot name, path)."""
    return {
        "": [
            ("home", "/"),
            ("search", "/dataset/"),
            ("entry-anonymous", f"/dataset/{entry}"),
            ("about", "/about"),
            ("rules", "/govshare/rules"),
            ("departments", "/organization/"),
        ],
        f"{REQUESTER}-staff": [
            ("workbench-staff", "/govshare/workbench"),
            ("entry-staff", f"/dataset/{entry}"),
            ("requests", "/govshare/requests"),
            ("request", f"/govshare/requests/{request_id}"),
            ("grants", "/govshare/grants"),
            ("grant", f"/govshare/grants/{grant_id}"),
            ("cart", "/govshare/cart"),
            ("tokens", "/govshare/tokens"),
            ("notices", "/dashboard/notices"),
        ],
        f"{PROVIDER}-officer": [
            ("workbench-officer", "/govshare/workbench"),
            ("inbox", "/govshare/inbox"),
            ("request-provider", f"/govshare/requests/{request_id}"),
            ("exchange", "/govshare/exchange"),
            ("feedback", "/govshare/feedback"),
        ],
        "sharing-authority-officer": [
            ("workbench-authority", "/govshare/workbench"),
            ("disputes", "/govshare/escalations"),
            ("audit", "/govshare/audit"),
            ("reports", "/govshare/reports"),
            ("reviews", "/govshare/catalogue/reviews"),
        ],
        "a11y-sysadmin": [
            ("mail", "/govshare/mail"),
            ("sysadmin-config", "/ckan-admin/config"),
        ],
    }


def _approved(site: dict[str, Any]) -> tuple[str, str, str]:
    """The demo's approved request of the first pair: its entry, request and grant."""
    grants = call_action(
        "govshare_grant_list", context=dict(site), requesting_org=REQUESTER, provider_org=PROVIDER
    )["results"]
    grant = next(g for g in grants if g.get("request_id"))
    entry = call_action("package_show", context=dict(site), id=grant["package_id"])["name"]
    return entry, grant["request_id"], grant["id"]


def test_main_pages_of_every_role_have_no_serious_violation(page: Page, live_server: str):
    demo.load(entries=40)
    factories.Sysadmin(name="a11y-sysadmin", password=PASSWORD)
    site = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    entry, request_id, grant_id = _approved(site)
    password = demo_logins._demo_password()
    page.set_viewport_size({"width": 1280, "height": 900})

    found: dict[str, list[dict[str, Any]]] = {}
    statuses: dict[str, int] = {}
    for user, pages in _pages(entry, request_id, grant_id).items():
        if user:
            log_in(page, live_server, user, PASSWORD if user == "a11y-sysadmin" else password)
        else:
            page.context.clear_cookies()
        for name, path in pages:
            response = page.goto(live_server + path)
            statuses[name] = response.status if response else 0
            violations = axe_violations(page)
            if violations:
                found[f"{name} ({path})"] = violations
            keep_screenshot(page, name, docs=True)

    failed = {name: code for name, code in statuses.items() if code != 200}
    assert {"not shown": failed, "violations": found} == {"not shown": {}, "violations": {}}

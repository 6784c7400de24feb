"""No forbidden link through the pages and actions the 2025 Regulations add (issue 18), for
every role of ``test_crawler``.

``test_crawler`` walks every route and action in the 2016 baseline's world, where the 2025
objects do not exist (their pages answer 404). This walk runs under ``regulation-2025`` in the
access world with the objects only those rules make (``hardening/world2025``: a request waiting
for sign-off, a drafted answer, an extension, suspended and terminated grants, a usage record,
a service filing, catalogue reviews pending and returned, a use-change request, a dispute at
the upper authority), and requests, as every role, each govshare page that names one of them
(request, grant, filing, extension and review pages), every govshare page without arguments
(the queues and lists: /govshare/extensions, /govshare/catalogue/reviews, ...) and the GET-able
govshare actions with their ids. The whole crawl under 2025 would rebuild test_crawler's world
of HTTP-made entries (several minutes); this walk covers what 2025 adds, roles × those routes.

The restricted entries carry links of their own (the conditional and not-shared entries, and
the two entries waiting for or returned from review): none of them, nor CKAN's download path of
their resources, may reach anyone but the providing department and the sysadmin; the platform's
download path of a resource only the department holding a grant on it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from ckan.logic import _actions

from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import World, _as_admin, build_world
from ckanext.govshare.tests.datalinks.test_crawler import ROLES, _texts
from ckanext.govshare.tests.hardening import world2025

pytestmark = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")

PROVIDER = {"provider_officer", "provider_editor", "provider_staff", "sysadmin"}
# The kind of object each route family names (the first path argument).
FAMILIES = {
    "/govshare/requests/<": "request",
    "/govshare/grants/<": "grant",
    "/govshare/filings/<": "filing",
    "/govshare/extensions/<": "extension",
    "/govshare/catalogue/reviews/<": "package",
    "/govshare/obtain/<": "package",
}
# GET-able actions and the kind of object their id names.
ID_ACTIONS = {
    "govshare_request_show": ("id", "request"),
    "govshare_grant_show": ("id", "grant"),
    "govshare_usage_record_list": ("grant_id", "grant"),
    "govshare_service_filing_show": ("id", "filing"),
    "package_show": ("id", "package"),
}
_ARGUMENT = re.compile(r"<(?:[^<>]*:)?(\w+)>")


def _secret(key: str) -> list[dict[str, str]]:
    return [{"url": f"http://{key}.example/secret-{key}.csv", "name": f"{key}.csv"}]


def _build() -> tuple[World, dict[str, list[str]], dict[str, Any]]:
    w = build_world()
    admin = _as_admin()
    provider = w.provider["id"]
    w.conditional = gs.SharingEntry(
        context=admin, owner_org=provider, share_type="conditional", resources=_secret("cond")
    )
    w.not_shared = gs.SharingEntry(
        context=admin,
        owner_org=provider,
        share_type="not_shared",
        resource_category="departmental",
        resources=_secret("notshared"),
    )
    made = world2025.build(w)
    restricted = [w.conditional, w.not_shared]
    restricted += [gs_show(i) for i in made["package"]]
    return w, made, {"restricted": restricted}


def gs_show(package: str) -> dict[str, Any]:
    from ckan.tests import helpers

    return helpers.call_action("package_show", context=_as_admin(), id=package)


@pytest.fixture
def crawl(module_world: Any) -> tuple[World, dict[str, list[str]], dict[str, Any]]:
    return module_world(_build)


def _forbidden(w: World, made: dict[str, Any], who: str, granted: set[str]) -> set[str]:
    if who in PROVIDER:
        return set()
    found: set[str] = set()
    for entry in made["restricted"]:
        for resource in entry["resources"]:
            found |= {resource["url"], f"/resource/{resource['id']}/download"}
            if not (who == "requester" and resource["id"] in granted):
                found.add(f"/govshare/download/{resource['id']}")
    return found


def _urls(app: Any, made: dict[str, list[str]]) -> list[str]:
    urls = []
    for rule in app.flask_app.url_map.iter_rules():
        if not rule.endpoint.startswith("govshare_") or "GET" not in rule.methods:
            continue
        if rule.endpoint == "govshare_downloads.download":
            continue  # hands out data and counts downloads (tests/downloads)
        names = _ARGUMENT.findall(rule.rule)
        if not names:
            urls.append(rule.rule)
            continue
        kind = next((k for prefix, k in FAMILIES.items() if rule.rule.startswith(prefix)), None)
        if kind is None or len(names) > 1:
            continue  # names no 2025 object (test_crawler walks it)
        urls += [_ARGUMENT.sub(quote(i, safe=""), rule.rule) for i in made[kind]]
    for name, (key, kind) in ID_ACTIONS.items():
        urls += [f"/api/3/action/{name}?{urlencode({key: i})}" for i in made[kind]]
    tk_action = sorted(
        n
        for n, f in _actions.items()
        if n.startswith("govshare_") and getattr(f, "side_effect_free", False)
    )
    urls += [f"/api/3/action/{n}" for n in tk_action]
    urls.append("/api/3/action/package_search?include_private=true&q=*:*")
    return urls


@pytest.mark.parametrize("who", ROLES)
def test_no_forbidden_link_through_the_2025_pages_and_actions(app: Any, crawl: Any, who: str):
    w, made, secret = crawl
    headers = {}
    if who != "anonymous":
        from ckan.tests import factories

        headers = {"Authorization": factories.APIToken(user=w.users[who]["name"])["token"]}
    granted = {
        rid
        for g in w.call("requester", "govshare_grant_list", limit=1000)["results"]
        if g.get("status") == "active"
        for rid in (g.get("resource_ids") or [])
    }
    forbidden = _forbidden(w, secret, who, granted)
    assert who in PROVIDER or forbidden
    urls = _urls(app, made)
    assert len(urls) > 60, urls
    problems, answered = [], 0
    for url in urls:
        response = app.get(url, headers=headers, follow_redirects=False, status=None)
        answered += response.status_code == 200
        if response.status_code >= 500:
            problems.append(f"{url}: HTTP {response.status_code}")
            continue
        text = "\n".join(_texts(response))
        problems += [f"{url}: {f}" for f in sorted(forbidden) if f in text]
    print(f"{who}: {len(urls)} calls, {answered} answered 200")
    assert answered, "nothing answered"
    assert not problems, "\n".join(problems)

"""No link to restricted data reaches anyone who may not have it: every page and API answer,
walked as each role (issue 6, item 4).

Each restricted resource has a link found nowhere else (``http://secret.example/…``) and, for
uploads, CKAN's own download path. The crawler follows every link of the site it finds from
the start pages, and calls the APIs that hand out entries, resources, activities and feeds;
any answer that carries a forbidden string fails the test with the URL that carried it.
"""

from __future__ import annotations

import io
import json
import re
from collections import deque
from typing import Any
from urllib.parse import urljoin, urlparse

import pytest
from ckan.tests import factories, helpers
from werkzeug.datastructures import FileStorage

from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import World

MAX_PAGES = 50


def _create(world: World, share_type: str, open_to_public: str, url: str, **extra: Any):
    fields: dict[str, Any] = {
        **gs.entry_fields(),
        "share_type": share_type,
        "open_to_public": open_to_public,
        "resources": [{"url": url, "name": "data.csv", "format": "CSV"}],
        **extra,
    }
    if share_type == "conditional":
        fields["share_conditions"] = "条件"
    if share_type == "not_shared":
        fields["legal_basis"] = "依据"
    return helpers.call_action(
        "package_create",
        context={"user": world.users["provider_officer"]["name"], "ignore_auth": False},
        name=gs.unique_name("leak"),
        title=f"{share_type} {open_to_public}",
        notes="摘要",
        owner_org=world.provider["id"],
        **fields,
    )


@pytest.fixture
def site(world: World, ckan_config: Any, tmp_path: Any, monkeypatch: Any) -> dict[str, Any]:
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    monkeypatch.setattr("ckan.lib.uploader._storage_path", None, raising=False)
    officer = {"user": world.users["provider_officer"]["name"], "ignore_auth": False}
    entries = {
        "open": _create(world, "unconditional", "open", "http://open.example/open.csv"),
        "unconditional": _create(world, "unconditional", "not_open", "http://secret.example/u.csv"),
        "conditional": _create(world, "conditional", "not_open", "http://secret.example/c.csv"),
        "not_shared": _create(world, "not_shared", "not_open", "http://secret.example/n.csv"),
    }
    upload = helpers.call_action(
        "resource_create",
        context=officer,
        package_id=entries["unconditional"]["id"],
        name="upload.csv",
        upload=FileStorage(io.BytesIO(b"a,b\n1,2\n"), "uploaded-secret.csv", "text/csv"),
    )
    # An update, so that activities carry the links twice.
    helpers.call_action(
        "package_patch", context=officer, id=entries["conditional"]["id"], notes="更新摘要"
    )
    # The requesting department holds grants: it obtains the unconditional entry, and has its
    # request for the conditional one approved.
    world.call(
        "requester",
        "govshare_access_obtain",
        package_id=entries["unconditional"]["id"],
        purpose="work_reference",
        purpose_detail="统计",
        pledge=True,
    )
    request = world.call(
        "requester",
        "govshare_request_create",
        package_id=entries["conditional"]["id"],
        purpose="administrative_basis",
        purpose_detail="核验",
        scenario="办事",
        basis="依据",
        share_method="file_download",
        period_start="2026-01-01",
        period_end="2099-12-31",
        pledge=True,
    )
    world.call("provider_officer", "govshare_request_decide", id=request["id"], decision="approve")
    for who in ("requester", "other", "provider_staff"):
        helpers.call_action(
            "follow_dataset",
            context={"user": world.users[who]["name"], "ignore_auth": False},
            id=entries["conditional"]["id"],
        )
    restricted = [e for k, e in entries.items() if k != "open"]
    secrets = ["secret.example", "uploaded-secret"]
    ckan_paths = [
        f"/resource/{r['id']}/download"
        for e in restricted
        for r in helpers.call_action("package_show", id=e["id"])["resources"]
    ]
    platform = [
        f"/govshare/download/{r['id']}"
        for e in restricted
        for r in helpers.call_action("package_show", id=e["id"])["resources"]
    ]
    return {
        "entries": entries,
        "upload": upload,
        "secrets": secrets,
        "ckan_paths": ckan_paths,
        "platform": platform,
        "request": request,
    }


def _api_calls(site: dict[str, Any], world: World) -> list[str]:
    calls = ["/api/3/action/package_search?q=*:*&rows=100"]
    calls += [
        f"/api/3/action/package_search?q=*:*&fl={fl}"
        for fl in ("res_url", "data_dict", "validated_data_dict", "urls", "*")
    ]
    calls += [
        "/api/3/action/current_package_list_with_resources",
        "/api/3/action/recently_changed_packages_activity_list",
        f"/api/3/action/organization_activity_list?id={world.provider['id']}",
        f"/api/3/action/organization_show?id={world.provider['id']}&include_datasets=true",
        f"/api/3/action/group_package_show?id={world.provider['id']}",
        "/api/3/action/resource_search?query=name:data",
        "/api/3/action/resource_search?query=format:CSV",
        "/api/3/action/dashboard_activity_list",
        "/api/3/action/dataset_followee_list?id=" + world.users["requester"]["name"],
        "/api/3/action/govshare_grant_list",
        "/api/3/action/govshare_request_list",
        "/catalog.ttl",
        "/catalog.jsonld",
        "/feeds/dataset.atom",
    ]
    for entry in site["entries"].values():
        calls += [
            f"/api/3/action/package_show?id={entry['id']}",
            f"/api/3/action/package_activity_list?id={entry['id']}",
            f"/dataset/{entry['name']}.ttl",
            f"/dataset/{entry['name']}.jsonld",
        ]
        shown = helpers.call_action("package_show", id=entry["id"])
        for resource in shown["resources"]:
            calls.append(f"/api/3/action/resource_show?id={resource['id']}")
        activities = helpers.call_action(
            "package_activity_list", context={"ignore_auth": True}, id=entry["id"]
        )
        for activity in activities:
            calls += [
                f"/api/3/action/activity_show?id={activity['id']}",
                f"/api/3/action/activity_data_show?id={activity['id']}",
                f"/api/3/action/activity_diff?id={activity['id']}&object_type=package",
                f"/dataset/changes/{activity['id']}",
            ]
    return calls


def _start_pages(site: dict[str, Any], world: World) -> list[str]:
    pages = [
        "/",
        "/dataset/",
        "/organization/",
        f"/organization/{world.provider['name']}",
        "/dashboard/",
        "/dashboard/datasets",
        "/govshare/requests",
        "/govshare/grants",
        "/govshare/inbox",
        f"/govshare/requests/{site['request']['id']}",
    ]
    for entry in site["entries"].values():
        pages += [f"/dataset/{entry['name']}", f"/dataset/activity/{entry['name']}"]
        for resource in helpers.call_action("package_show", id=entry["id"])["resources"]:
            pages.append(f"/dataset/{entry['name']}/resource/{resource['id']}")
    return pages


_HREF = re.compile(r'(?:href|src|action)="([^"#]+)"')
_SKIP = re.compile(
    r"/user/_logout|/logout|/download|\.(?:css|js|png|svg|ico|woff2?)(?:\?|$)|/webassets/"
)


def _crawl(app: Any, headers: dict[str, str], start: list[str], extra: list[str]):
    seen: set[str] = set()
    queue = deque(start)
    answers: list[tuple[str, str]] = []
    for url in extra:
        response = app.get(url, headers=headers, status=None)
        answers.append((url, response.get_data(as_text=True)))
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = app.get(url, headers=headers, status=None, follow_redirects=False)
        body = response.get_data(as_text=True)
        answers.append((url, body))
        if "html" not in (response.content_type or ""):
            continue
        for link in _HREF.findall(body):
            if link.startswith(("javascript:", "mailto:", "tel:", "data:")):
                continue
            target = urljoin("http://test.ckan.net" + url, link.replace("&amp;", "&"))
            parsed = urlparse(target)
            if parsed.netloc not in ("", "test.ckan.net") or _SKIP.search(parsed.path):
                continue
            path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
            if path not in seen:
                queue.append(path)
    return answers


ROLES = {
    # role: (may see the raw links, may see the platform's download URLs)
    None: (False, False),
    "other": (False, False),
    "outsider": (False, False),
    "requester": (False, True),
    "authority": (False, False),
    "provider_staff": (True, True),
    "sysadmin": (True, True),
}


@pytest.mark.parametrize("who", list(ROLES), ids=lambda w: w or "anonymous")
def test_no_forbidden_link_anywhere(app: Any, world: World, site: dict[str, Any], who: str | None):
    raw_ok, platform_ok = ROLES[who]
    headers = {}
    if who:
        headers["Authorization"] = factories.APIToken(user=world.users[who]["name"])["token"]
    answers = _crawl(app, headers, _start_pages(site, world), _api_calls(site, world))
    forbidden = [] if raw_ok else site["secrets"] + site["ckan_paths"]
    if not platform_ok:
        forbidden += site["platform"]
    leaks = [(url, s) for url, body in answers for s in forbidden if s in body]
    assert not leaks, leaks[:10]
    assert len(answers) > 40  # the walk went somewhere
    # The role's own view of the catalogue came through (not an anonymous walk).
    if who not in (None, "outsider"):
        assert any(site["entries"]["conditional"]["title"] in body for _, body in answers)
    if raw_ok:
        assert any("secret.example" in body for _, body in answers)
    if who == "requester":
        assert any("/govshare/download/" in body for _, body in answers)
    # Open data is open to everyone who sees the entry.
    assert any("open.example/open.csv" in body for _, body in answers)


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 403), ("other", 403), ("requester", 403), ("provider_staff", 200), ("sysadmin", 200)],
)
def test_ckans_own_download_route(app: Any, world: World, site: dict[str, Any], who, status):
    headers = {}
    if who:
        headers["Authorization"] = factories.APIToken(user=world.users[who]["name"])["token"]
    upload = site["upload"]
    url = f"/dataset/{upload['package_id']}/resource/{upload['id']}/download/uploaded-secret.csv"
    response = app.get(url, headers=headers, status=None)
    assert response.status_code == status
    if status == 200:
        assert response.get_data() == b"a,b\n1,2\n"
    import sqlalchemy as sa
    from ckan import model

    from ckanext.govshare.audit.model import event_table

    outcome = model.Session.execute(
        sa.select(event_table.c.outcome)
        .where(event_table.c.action == "ckan_resource_download")
        .order_by(event_table.c.seq.desc())
        .limit(1)
    ).scalar()
    assert outcome == ("success" if status == 200 else "refused")


def test_searching_resources_by_link_is_for_sysadmins(app: Any, world: World, site):
    token = factories.APIToken(user=world.users["other"]["name"])["token"]
    response = app.get(
        "/api/3/action/resource_search?query=url:secret",
        headers={"Authorization": token},
        status=409,
    )
    assert "sysadmins" in json.dumps(response.json, ensure_ascii=False)

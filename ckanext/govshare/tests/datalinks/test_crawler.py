"""No link to data reaches anyone who may not have it, through any route or action
(issue 6, item 4; issue 14, item 1).

The walk is generated, not written: every rule of the application's route map (``url_map``)
and every GET-able (side-effect-free) action of CKAN's action registry is requested, its
arguments filled from a world of entries, resources, activities, departments, groups, users,
requests, grants, feedback and obligations; each skip says why, and the test fails when a
route or action is neither requested nor skipped (a future CKAN's new page is walked, or the
test says what it cannot fill). ``package_search`` is asked with every ``fl`` CKAN accepts:
each stored field of the index alone, combinations, ``*``, and the JSON copies.

The world's entries are created and changed over HTTP by the provider's data officer, as in a
browser, so that CKAN stores each activity's copy with the links; some entries change share
type, open attribute or department after creation, lose or change a resource, are deleted, or
sit in an index written before the link policy. The walk runs as every role, and the strings
each role may not read (links, CKAN's download paths of restricted resources, platform
download URLs of resources it holds no grant for) come from what the world says of each entry,
not from the policy under test.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import inspect
import io
import itertools
import json
import re
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

from ckanext.govshare.core import clock
from ckanext.govshare.datalinks import stored
from ckanext.govshare.search import fields as index_fields
from ckanext.govshare.search.model import search_index_table
from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import World, build_world
from ckanext.govshare.tests.datalinks.test_leak_paths import _index_as_stored_before_the_policy

ROLES = (
    "anonymous",  # the public
    "other",  # a department with no grant
    "outsider",  # a user of no department
    "requester",  # a department holding grants: platform URLs only
    "authority",  # the sharing authority
    "provider_staff",  # the providing department's staff
    "sysadmin",
)

# Routes the walk does not request, each with its reason. Anything else with GET is requested.
SKIPPED_ROUTES = {
    "static": "static files: no entry data",
    "webassets.index": "static assets: no entry data",
    "user.logout": "logs the walking user out",
    "harvester.delete": "deletes the harvest source on GET (ckanext-harvest)",
    "harvester.refresh": "starts a harvest job on GET (ckanext-harvest)",
    "harvester.clear": "clears the harvest source on GET (ckanext-harvest)",
    "harvester.job_abort": "aborts a harvest job on GET (ckanext-harvest)",
    "govshare_downloads.download": (
        "the platform's download route hands out data, not links, and counts each download "
        "(tests/downloads)"
    ),
}
# GET-able actions the walk does not call, each with its reason.
SKIPPED_ACTIONS = {
    "harvest_source_reindex": "writes the search index (flagged side-effect-free)",
    "harvest_sources_reindex": "writes the search index (flagged side-effect-free)",
}
# Each route is requested with SAMPLE objects of its family, the routes of a family taking
# them in turn, and every object left over is requested by the family's first route: every
# entry, resource and activity is read through some page, and every route reads several. The
# actions that hand out copies (COPY_ACTIONS) are called with every object.
FULL_ROUTES: set[str] = set()
SAMPLE = 1
HTMX_ROUTES = {
    "activity.package_activity",
    "activity.organization_activity",
    "activity.group_activity",
    "activity.user_activity",
    "activity.dashboard",
}
# The walk may not shrink below this, whatever a version adds or removes.
MIN_ROUTES = 150
MIN_ACTIONS = 100
MIN_FL_VALUES = 50
# Endpoints and actions that render stored copies of entries: each must answer 200 to someone.
COPY_READERS = {
    "activity.package_history",
    "activity.resource_history",
    "activity.package_changes",
    "activity.package_changes_multiple",
    "activity.package_activity",
    "activity.organization_activity",
    "activity.group_activity",
    "activity.user_activity",
    "activity.dashboard",
    "feeds.general",
    "dcat.read_catalog",
    "dcat.read_dataset",
}
COPY_ACTIONS = {
    "activity_show",
    "activity_data_show",
    "activity_diff",
    "package_activity_list",
    "organization_activity_list",
    "group_activity_list",
    "user_activity_list",
    "dashboard_activity_list",
    "recently_changed_packages_activity_list",
    "package_search",
    "resource_search",
    "current_package_list_with_resources",
    "dcat_catalog_search",
    "dcat_dataset_show",
    "package_show",
    "resource_show",
    "tag_show",
    "dataset_followee_list",
    "followee_list",
    "organization_show",
    "group_show",
    "group_package_show",
}


# --- the world ---------------------------------------------------------------------------


@dataclass
class Entry:
    """One entry of the world and what may be seen of its links."""

    key: str
    pkg: dict[str, Any]
    owner: str  # world attribute of the department providing it now
    open_now: bool  # open data now (and active)
    resources: list[dict[str, Any]] = field(default_factory=list)  # as created, then current
    gone: list[dict[str, Any]] = field(default_factory=list)  # resources deleted since
    old_links: list[str] = field(default_factory=list)  # links a resource had before
    granted: set[str] = field(default_factory=set)  # resource ids the requester holds
    activities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Site:
    world: World
    entries: dict[str, Entry]
    group: dict[str, Any]
    tag: str
    requests: list[dict[str, Any]]
    grants: list[dict[str, Any]]
    feedback: list[dict[str, Any]]
    obligations: list[dict[str, Any]]
    harvest_sources: list[dict[str, Any]]
    upload: dict[str, Any]
    fl: list[str] = field(default_factory=list)
    setup_seconds: float = 0.0
    tokens: dict[str, str] = field(default_factory=dict)


def _token(site_world: World, who: str) -> str:
    return factories.APIToken(user=site_world.users[who]["name"])["token"]


class _Http:
    def __init__(self, app: Any, world: World) -> None:
        self.app = app
        self.world = world
        self.tokens: dict[str, str] = {}

    def headers(self, who: str) -> dict[str, str]:
        if who not in self.tokens:
            self.tokens[who] = _token(self.world, who)
        return {"Authorization": self.tokens[who]}

    def action(self, who: str, action: str, /, **data: Any) -> Any:
        response = self.app.post(
            f"/api/3/action/{action}", json=data, headers=self.headers(who), status=None
        )
        assert response.status_code == 200, (action, response.get_data(as_text=True)[:2000])
        return response.json["result"]

    def upload(self, who: str, **data: Any) -> Any:
        response = self.app.post(
            "/api/3/action/resource_create",
            data=data,
            headers=self.headers(who),
            content_type="multipart/form-data",
            status=None,
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
        return response.json["result"]


# The bytes of the restricted upload: no answer but its provider's may carry them.
UPLOADED = b"code,name\ngovshare-crawl-uploaded-bytes,1\n"


def _link(kind: str, key: str, n: int = 0) -> str:
    return f"http://{kind}.example/{key}-{n}.csv"


def _fields(share_type: str, open_to_public: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        **gs.entry_fields(),
        "share_type": share_type,
        "open_to_public": open_to_public,
        "share_methods": ["file_download", "api"],
    }
    if share_type == "conditional":
        fields["share_conditions"] = "仅限核验用途"
    if share_type == "not_shared":
        fields["legal_basis"] = "《保守国家秘密法》第九条"
    if open_to_public == "conditional_open":
        fields["open_conditions"] = "实名申请"
    return fields


def _build(app: Any, world: World) -> Site:
    started = time.perf_counter()
    http = _Http(app, world)
    officer = "provider_officer"

    def sysadmin_ctx() -> dict[str, Any]:
        """A fresh context for each call: CKAN keeps the last object it handled in the
        context, and a later create with the same context would change that object."""
        return {"user": world.users["sysadmin"]["name"], "ignore_auth": True}

    group = helpers.call_action("group_create", context=sysadmin_ctx(), name=gs.unique_name("grp"))
    tag = "leaktag"
    entries: dict[str, Entry] = {}

    def create(key: str, share: str, opened: str, n_resources: int = 1, **extra: Any) -> Entry:
        kind = "open" if opened == "open" else "secret"
        data = {
            **_fields(share, opened),
            "name": gs.unique_name(f"crawl-{key}"),
            "title": f"crawl {key} 条目",
            "notes": "摘要",
            "owner_org": world.provider["id"],
            "tags": [{"name": tag}],
            "resources": [
                {"url": _link(kind, key, n), "name": f"{key}-{n}.csv", "format": "CSV"}
                for n in range(n_resources)
            ],
            **extra,
        }
        created = http.action(officer, "package_create", **data)
        helpers.call_action(
            "member_create",
            context=sysadmin_ctx(),
            id=group["id"],
            object=created["id"],
            object_type="package",
            capacity="public",
        )
        entry = Entry(key, created, "provider", opened == "open", list(created["resources"]))
        entries[key] = entry
        return entry

    def patch(entry: Entry, **changes: Any) -> None:
        http.action(officer, "package_patch", id=entry.pkg["id"], **changes)

    # Entries that keep what they were created as.
    create("open", "unconditional", "open", 3)
    unconditional = create("unconditional", "unconditional", "not_open")
    conditional = create("conditional", "conditional", "not_open")
    create("not-shared", "not_shared", "not_open", resource_category="departmental")
    create("conditional-open", "conditional", "conditional_open")
    # Changed after creation: every copy made before says what it was.
    was_open = create("open-to-closed", "unconditional", "open")
    patch(was_open, notes="第二版")
    patch(was_open, open_to_public="not_open")
    was_open.open_now = False
    to_conditional = create("unconditional-to-conditional", "unconditional", "open", 2)
    patch(
        to_conditional,
        share_type="conditional",
        share_conditions="仅限核验用途",
        open_to_public="conditional_open",
        open_conditions="实名申请",
    )
    to_conditional.open_now = False
    to_not_shared = create("conditional-to-not-shared", "conditional", "conditional_open")
    patch(
        to_not_shared,
        share_type="not_shared",
        legal_basis="《保守国家秘密法》第九条",
        open_to_public="not_open",
        resource_category="departmental",
    )
    moved = create("moved", "unconditional", "not_open")
    http.action(
        "sysadmin",
        "package_owner_org_update",
        id=moved.pkg["id"],
        organization_id=world.other_org["id"],
    )
    moved.owner = "other_org"
    deleted = create("deleted", "unconditional", "open")
    http.action(officer, "package_delete", id=deleted.pkg["id"])
    deleted.open_now = False
    # The open entry: one resource's link changes, another resource is deleted.
    opened = entries["open"]
    changed, dropped = opened.resources[1], opened.resources[2]
    http.action(officer, "resource_patch", id=changed["id"], url=_link("open", "open", 9))
    opened.old_links.append(changed["url"])
    http.action(officer, "resource_delete", id=dropped["id"])
    opened.gone.append(dropped)
    # An upload on a restricted entry: CKAN's own download path is a link too.
    upload = http.upload(
        officer,
        package_id=unconditional.pkg["id"],
        name="upload.csv",
        format="CSV",
        upload=(io.BytesIO(UPLOADED), "uploaded-secret.csv"),
    )

    # Grants: the requesting department obtains one entry, has a request approved on another,
    # and one on a third narrowed to one of its two resources.
    world.call(
        "requester",
        "govshare_access_obtain",
        package_id=unconditional.pkg["id"],
        purpose="work_reference",
        purpose_detail="统计",
        pledge=True,
    )
    requests = []
    today = clock.today()
    for entry, resource_ids in ((conditional, None), (to_conditional, "first")):
        current = helpers.call_action("package_show", context=sysadmin_ctx(), id=entry.pkg["id"])[
            "resources"
        ]
        request = world.call(
            "requester",
            "govshare_request_create",
            package_id=entry.pkg["id"],
            requesting_org=world.requester_org["name"],
            purpose="administrative_basis",
            purpose_detail="核验",
            scenario="办事",
            basis="依据",
            share_method="file_download",
            period_start=today.isoformat(),
            period_end=(today + dt.timedelta(days=180)).isoformat(),
            pledge=True,
        )
        decision: dict[str, Any] = {"id": request["id"], "decision": "approve"}
        if resource_ids == "first":
            decision["resource_ids"] = [current[0]["id"]]
        world.call("provider_officer", "govshare_request_decide", **decision)
        requests.append(world.call("requester", "govshare_request_show", id=request["id"]))
    grants = world.call("requester", "govshare_grant_list", limit=100)["results"]
    # A request still open, for the inbox and request pages.
    requests.append(
        world.call(
            "requester",
            "govshare_request_create",
            package_id=entries["conditional-open"].pkg["id"],
            requesting_org=world.requester_org["name"],
            purpose="administrative_basis",
            purpose_detail="核验",
            scenario="办事",
            basis="依据",
            share_method="file_download",
            period_start=today.isoformat(),
            period_end=(today + dt.timedelta(days=90)).isoformat(),
            pledge=True,
        )
    )

    feedback = [
        world.call(
            "requester",
            "govshare_feedback_create",
            package_id=conditional.pkg["id"],
            kind="error",
            description="字段有误",
            organization=world.requester_org["name"],
        )
    ]
    obligations = [
        world.call(
            "provider_officer",
            "govshare_obligation_create",
            organization=world.provider["name"],
            kind="other",
            description="职能调整",
            effective_date=today.isoformat(),
        )
    ]
    harvest_sources = []
    try:
        harvest_sources.append(
            helpers.call_action(
                "harvest_source_create",
                context=sysadmin_ctx(),
                name=gs.unique_name("harvest"),
                title="上级平台",
                url="http://harvest.example/",
                source_type="ckan",
                owner_org=world.provider["id"],
            )
        )
    except Exception as error:  # the harvest routes are then walked with an unknown id
        print("harvest source not created:", error)
    for who in ("requester", "other", "provider_staff", "outsider", "authority"):
        for entry in (was_open, conditional, moved):
            # those who may not see the entry may not follow it
            with contextlib.suppress(Exception):
                helpers.call_action(
                    "follow_dataset",
                    context={"user": world.users[who]["name"]},
                    id=entry.pkg["id"],
                )

    # An index written before the link policy: the document holds the links.
    _index_as_stored_before_the_policy(entries["conditional-open"].pkg["id"])

    # What each entry has now, and every activity with its copy.
    sysadmin_name = world.users["sysadmin"]["name"]
    for entry in entries.values():
        shown = helpers.call_action("package_show", context=sysadmin_ctx(), id=entry.pkg["id"])
        assert shown["type"] == "dataset" and shown["name"].startswith("crawl-"), shown["name"]
        entry.pkg = shown
        current = {r["id"]: r for r in shown["resources"]}
        entry.resources = list(current.values())
        entry.granted = {
            rid
            for g in grants
            if g.get("package_id") == shown["id"] and g.get("status") == "active"
            for rid in (g.get("resource_ids") or current)
        }
        entry.activities = helpers.call_action(
            "package_activity_list",
            context={"user": sysadmin_name, "ignore_auth": True},
            id=shown["id"],
            limit=100,
        )
    model.Session.remove()
    return Site(
        world=world,
        entries=entries,
        group=group,
        tag=tag,
        requests=requests,
        grants=grants,
        feedback=feedback,
        obligations=obligations,
        harvest_sources=harvest_sources,
        upload=upload,
        fl=fl_values(),
        setup_seconds=time.perf_counter() - started,
        tokens=http.tokens,
    )


@pytest.fixture
def site(module_world: Any, app: Any) -> Site:
    """One world for every role, built once per module (``module_world``)."""

    def build() -> Site:
        return _build(app, build_world())

    return module_world(build)


# --- what each role may read -------------------------------------------------------------


def _may_see_raw(site: Site, who: str, entry: Entry) -> bool:
    if who == "sysadmin":
        return True
    members = {
        "provider": {"provider_officer", "provider_staff", "provider_editor"},
        "other_org": {"other"},
    }
    return who in members.get(entry.owner, set())


def _links(entry: Entry) -> list[tuple[str, str]]:
    """(resource id, link) of every link the entry has had."""
    found = [(r["id"], r["url"]) for r in entry.resources + entry.gone]
    for activity in entry.activities:
        copy = (activity.get("data") or {}).get("package") or {}
        found += [(r["id"], r["url"]) for r in copy.get("resources") or [] if r.get("url")]
    return found


def forbidden_for(site: Site, who: str) -> set[str]:
    """What ``who`` may read nowhere, from what the world says of each entry."""
    forbidden: set[str] = set()
    for entry in site.entries.values():
        if _may_see_raw(site, who, entry):
            continue
        today = {r["id"]: r["url"] for r in entry.resources}
        for rid, link in _links(entry):
            if not (entry.open_now and today.get(rid) == link):
                forbidden.add(link)
                forbidden.add(f"/resource/{rid}/download")
            if not (who == "requester" and rid in entry.granted and rid in today):
                forbidden.add(f"/govshare/download/{rid}")
    forbidden |= {
        old for e in site.entries.values() for old in e.old_links if not _may_see_raw(site, who, e)
    }
    if not _may_see_raw(site, who, site.entries["unconditional"]):
        forbidden.add(UPLOADED.decode().splitlines()[1])
    return {f for f in forbidden if f}


# --- the walk ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    kind: str  # "route" or "action"
    key: str  # endpoint or action name
    url: str
    headers: tuple[tuple[str, str], ...] = ()


def _fill(rule: str, values: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        return quote(str(values[match.group(1)]), safe="")

    return re.sub(r"<(?:[^<>]*:)?(\w+)>", one, rule)


def _arguments(rule: str) -> set[str]:
    return set(re.findall(r"<(?:[^<>]*:)?(\w+)>", rule))


def _bindings(site: Site) -> dict[str, list[dict[str, str]]]:
    """Argument values of every kind of object the routes name, from the world."""
    world = site.world
    entries = list(site.entries.values())
    orgs = [world.provider, world.requester_org, world.other_org, world.authority]
    year = str(clock.today().year)
    resources = [
        {"id": e.pkg["name"], "resource_id": r["id"], "filename": r["url"].rsplit("/", 1)[-1]}
        for e in entries
        for r in e.resources + e.gone
    ]
    history = []
    for e in entries:
        for activity in e.activities:
            copy = (activity.get("data") or {}).get("package") or {}
            for r in copy.get("resources") or []:
                history.append(
                    {"id": e.pkg["name"], "resource_id": r["id"], "activity_id": activity["id"]}
                )
    harvest = [{"id": h["name"], "source": h["name"]} for h in site.harvest_sources] or [
        {"id": "no-harvest-source", "source": "no-harvest-source"}
    ]
    return {
        "entry": [
            {"id": e.pkg["name"], "_id": e.pkg["name"], "package_id": e.pkg["id"]} for e in entries
        ],
        "resource": resources,
        "entry_activity": [
            {"id": e.pkg["name"], "activity_id": a["id"]} for e in entries for a in e.activities
        ],
        "resource_activity": history,
        "activity": [{"id": a["id"]} for e in entries for a in e.activities],
        "org": [{"id": o["name"], "org": o["name"], "year": year} for o in orgs],
        "org_activity": [{"id": a["id"]} for a in _group_activities(site, world.provider)],
        "group": [{"id": site.group["name"]}],
        "group_activity": [{"id": a["id"]} for a in _group_activities(site, site.group)],
        "user": [{"id": world.users[w]["name"]} for w in ("provider_officer", "requester")],
        "request": [{"id": r["id"]} for r in site.requests],
        "grant": [{"id": g["id"]} for g in site.grants],
        # Batch exchange (issue 17): subscribing under each grant; the world has no
        # subscription or exchange target, so their pages answer 404 to everyone.
        "exchange_grant": [{"grant_id": g["id"]} for g in site.grants],
        "subscription": [{"id": "no-subscription"}],
        # Service filings (issue 18) exist only under regulation-2025; this world is the 2016
        # baseline's, so the filing page answers 404 to everyone (tests/usage walk its policy;
        # test_crawler_2025 walks the real filing's page and the other 2025 pages as every role).
        "filing": [{"id": "no-filing"}],
        "exchange_target": [{"id": "no-exchange-target"}],
        "feedback": [{"id": f["id"]} for f in site.feedback],
        "obligation": [{"id": o["id"]} for o in site.obligations],
        "harvest": harvest,
        "harvest_job": [{**h, "id": "no-job"} for h in harvest],
        "harvest_resource": [
            {**h, "resource_id": "no-resource", "filename": "no.csv"} for h in harvest
        ],
        "harvest_object": [{"id": "no-harvest-object"}],
        "tag": [{"id": site.tag}],
        # CKAN 2.12's file routes: no file record exists; the restricted upload's place in the
        # resource storage (not a public storage: refused)
        "file": [
            {
                "id": "no-file",
                "token": "no-token",
                "storage_name": "resources",
                "location": "/".join(
                    (site.upload["id"][:3], site.upload["id"][3:6], site.upload["id"][6:])
                ),
            }
        ],
        "year": [{"year": year}],
    }


def _group_activities(site: Site, group: dict[str, Any]) -> list[dict[str, Any]]:
    action = (
        "organization_activity_list" if group.get("is_organization") else ("group_activity_list")
    )
    return helpers.call_action(
        action,
        context={"user": site.world.users["sysadmin"]["name"], "ignore_auth": True},
        id=group["id"],
        limit=5,
    )


# Values of arguments that name no object of the world.
_PLAIN = {
    "_format": ["ttl", "jsonld", "xml", "n3"],
    "ver": ["3", "1", "2"],
    "lang": ["zh_Hans_CN", "en"],
    "snippet_path": ["package_item.html"],
    "path": ["dataset/"],
    "view_id": ["no-resource-view"],  # no view plugin is enabled: no view exists
    "jti": ["no-token"],
    "message_id": ["no-message"],  # the development mail sink keeps none in the walk
}


def _family(endpoint: str, rule: str, args: set[str]) -> str | None:
    """Which objects of the world fill a route's arguments."""
    head = rule.strip("/").split("/")[0]
    if head == "file":
        return "file"
    if "activity_id" in args:
        return "resource_activity" if "resource_id" in args else "entry_activity"
    if endpoint.endswith("_changes"):
        return {"package": "activity", "organization": "org_activity"}.get(
            endpoint.split(".")[1].split("_")[0], "group_activity"
        )
    if "object" in rule.split("/") or "harvest_object" in rule:
        return "harvest_object"
    if "resource_id" in args:
        return "harvest_resource" if head == "harvest" else "resource"
    if "source" in args:
        return "harvest_job" if "id" in args else "harvest"
    if "org" in args:
        return "org"
    if "year" in args:
        return "year"
    if head == "govshare" and "grant_id" in args:
        return "exchange_grant"
    if not args & {"id", "_id", "package_id"}:
        return "plain"
    by_path = {
        "dataset": "entry",
        "dataset_series": "entry",
        "organization": "org",
        "group": "group",
        "user": "user",
        "harvest": "harvest",
    }
    if head == "feeds":
        return {"organization": "org", "group": "group", "tag": "tag"}.get(
            rule.strip("/").split("/")[1]
        )
    if head == "govshare":
        section = rule.strip("/").split("/")[1]
        if section == "exchange":
            part = rule.strip("/").split("/")[2]
            return {"subscriptions": "subscription", "targets": "exchange_target"}.get(part)
        return {
            "requests": "request",
            "grants": "grant",
            "feedback": "feedback",
            "obligations": "obligation",
            "obtain": "entry",
            "filings": "filing",
        }.get(section)
    return by_path.get(head)


# Query strings the route map cannot know, for pages that read them.
def _queries(site: Site, endpoint: str) -> list[dict[str, str]]:
    entries = list(site.entries.values())
    if endpoint.endswith("changes_multiple"):
        pairs = []
        kind = endpoint.split(".")[1].split("_")[0]
        if kind == "package":
            for e in entries:
                if len(e.activities) >= 2:
                    pairs.append(
                        {"new_id": e.activities[0]["id"], "old_id": e.activities[-1]["id"]}
                    )
        else:
            group = site.world.provider if kind == "organization" else site.group
            acts = _group_activities(site, group)
            if len(acts) >= 2:
                pairs.append({"new_id": acts[0]["id"], "old_id": acts[-1]["id"]})
        return pairs
    if endpoint in ("dataset.search", "feeds.custom", "dcat.read_catalog"):
        return [{}, {"q": "crawl"}, {"q": "secret"}]
    if endpoint.endswith("_autocomplete"):
        return [{"incomplete": "crawl", "q": "crawl"}]
    if endpoint in ("activity.package_activity", "activity.organization_activity"):
        return [{}, {"activity_type": "changed package"}]
    return [{}]


def _ckan_at_least(version: str) -> bool:
    import ckan

    def parts(v: str) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", v)[:2])

    return parts(ckan.__version__) >= parts(version)


@dataclass
class Plan:
    calls: list[Call]
    skipped: dict[str, str]  # "endpoint rule" -> why it is not requested
    endpoints: set[str]  # endpoints requested (several may share one URL)
    unused: dict[str, list[dict[str, str]]]  # bindings no route used, by family


def route_calls(app: Any, site: Site) -> Plan:
    """A request for every GET route of the application, and the reasons for those skipped.

    Routes that render stored copies of entries (``FULL_ROUTES``) are requested with every
    object of the world; every other route with ``SAMPLE`` of them, each route of a family
    taking the next ones, so that every object is requested by some route. Rules that share a
    URL (CKAN registers the resource pages twice) are requested once.
    """
    flask_app = app.flask_app
    bindings = _bindings(site)
    by_url: dict[tuple[str, tuple[tuple[str, str], ...]], Call] = {}
    skipped: dict[str, str] = {}
    endpoints: set[str] = set()
    unfillable: list[str] = []
    used: dict[str, set[int]] = {}
    turn: dict[str, int] = {}
    samplers: dict[str, tuple[Any, list[str]]] = {}
    htmx_pages = _ckan_at_least("2.12")  # CKAN 2.12 answers htmx requests with a fragment
    for rule in sorted(flask_app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        name = f"{rule.endpoint} {rule.rule}"
        if "GET" not in (rule.methods or set()):
            skipped[name] = "POST only: changes state"
            continue
        if rule.endpoint in SKIPPED_ROUTES:
            skipped[name] = SKIPPED_ROUTES[rule.endpoint]
            continue
        if rule.endpoint == "api.action":
            skipped[name] = "walked by the action crawl (every GET-able action)"
            continue
        args = _arguments(rule.rule)
        family = _family(rule.endpoint, rule.rule, args) or ""
        plain = sorted(args & set(_PLAIN))
        rows = list(enumerate(bindings.get(family, [])))
        if family == "plain":
            rows = list(enumerate([{}] * max([len(_PLAIN[a]) for a in plain] or [1])))
        elif rule.endpoint not in FULL_ROUTES and len(rows) > SAMPLE:
            start = turn.get(family, 0)
            turn[family] = start + SAMPLE
            rows = [rows[(start + j) % len(rows)] for j in range(SAMPLE)]
        # plain arguments rotate over the rows, not multiply them: each value is used once
        values_for_rows = [
            (n, {**row, **{a: _PLAIN[a][k % len(_PLAIN[a])] for a in plain}})
            for k, (n, row) in enumerate(rows)
        ]
        if not values_for_rows or any(not args <= set(v) for _, v in values_for_rows):
            unfillable.append(f"{name} {sorted(args)}")
            continue
        endpoints.add(rule.endpoint)
        if family != "plain":
            samplers.setdefault(family, (rule, plain))
        variants: list[tuple[tuple[str, str], ...]] = [()]
        if htmx_pages and rule.endpoint in HTMX_ROUTES:
            variants.append((("HX-Request", "true"),))
        for n, values in values_for_rows:
            used.setdefault(family, set()).add(n)
            path = _fill(rule.rule, values)
            for query in _queries(site, rule.endpoint):
                url = path + (f"?{urlencode(query)}" if query else "")
                for headers in variants:
                    known = by_url.get((url, headers))
                    key = f"{known.key}|{rule.endpoint}" if known else rule.endpoint
                    by_url[(url, headers)] = Call("route", key, url, headers)
    assert not unfillable, (
        "routes whose arguments the world cannot fill (add a binding or a skip with its "
        f"reason): {unfillable}"
    )
    # Objects the samples left out: requested by the first route of their family.
    for family, (rule, plain) in samplers.items():
        for n, row in enumerate(bindings.get(family, [])):
            if n in used.get(family, set()):
                continue
            used[family].add(n)
            url = _fill(rule.rule, {**row, **{a: _PLAIN[a][0] for a in plain}})
            by_url.setdefault((url, ()), Call("route", rule.endpoint, url))
    unused = {  # of the families some route names (CKAN 2.11 has no file routes)
        family: [row for n, row in enumerate(rows) if n not in used.get(family, set())]
        for family, rows in bindings.items()
        if family in used
    }
    return Plan(list(by_url.values()), skipped, endpoints, {f: u for f, u in unused.items() if u})


# --- actions --------------------------------------------------------------------------------


def _action_functions() -> dict[str, Any]:
    from ckan.logic import _actions, get_action

    get_action("package_show")  # the registry is filled on first use
    return dict(_actions)


def _documented_params(function: Any) -> set[str]:
    """Parameters an action documents, through chained actions (each keeps the next)."""
    params: set[str] = set()
    seen = set()
    stack = [function]
    while stack:
        fn = stack.pop()
        if id(fn) in seen or fn is None:
            continue
        seen.add(id(fn))
        params |= set(re.findall(r":param (\w+):", inspect.getdoc(fn) or ""))
        if isinstance(fn, functools.partial):
            stack += [fn.func, *fn.args]
        stack += [getattr(fn, "__wrapped__", None), getattr(fn, "auth_audit_exempt", None)]
        for cell in getattr(fn, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if callable(value):
                stack.append(value)
    return params


def stored_fields() -> list[str]:
    """Every field the search index stores, as CKAN's Solr schema and the embedded backend
    declare it, and every stored field the world's documents hold."""
    found: set[str] = {f for f in index_fields._EXACT if index_fields.is_stored(f)}
    docs = model.Session.execute(sa.select(search_index_table.c.doc)).scalars().all()
    for doc in docs:
        found |= {k for k in doc if index_fields.is_stored(k)}
    return sorted(found)


def fl_values() -> list[str]:
    stored_ = stored_fields()
    link_fields = [f for f in stored_ if f in ("res_url", "url", "download_url", "ckan_url")]
    combos = [
        "*",
        "data_dict",
        "validated_data_dict",
        "data_dict,validated_data_dict",
        "id,data_dict",
        "name validated_data_dict",
        ",".join(link_fields),
        ",".join(["id", *link_fields]),
        ",".join(stored_),
        "res_*",
        "res_extras_*",
        "extras_*",
        "*,score",
        "name",
        "id",
    ]
    return list(dict.fromkeys([*stored_, *combos]))


def action_calls(site: Site) -> tuple[list[Call], dict[str, str]]:
    """A call of every GET-able action, with its documented parameters filled from the world."""
    functions = _action_functions()
    world = site.world
    entries = list(site.entries.values())
    activities = [a for e in entries for a in e.activities]
    resources = [r for e in entries for r in e.resources + e.gone]
    orgs = [world.provider, world.requester_org, world.other_org]
    year = clock.today().year
    skipped: dict[str, str] = {}
    calls: list[Call] = []
    turn: dict[str, int] = {}
    by_id: dict[str, list[str]] = {
        "package": [e.pkg["id"] for e in entries],
        "dataset": [e.pkg["id"] for e in entries],
        "resource": [r["id"] for r in resources],
        "resource_view": ["no-resource-view"],
        "organization": [o["id"] for o in orgs],
        "group": [site.group["id"]],
        "member": [world.provider["id"], site.group["id"]],
        "user": [world.users[w]["name"] for w in ("provider_officer", "requester", "other")],
        "activity": [a["id"] for a in activities],
        "govshare_request": [r["id"] for r in site.requests],
        "govshare_grant": [g["id"] for g in site.grants],
        "govshare_feedback": [f["id"] for f in site.feedback],
        "govshare_obligation": [o["id"] for o in site.obligations],
        "harvest_source": [h["id"] for h in site.harvest_sources] or ["no-harvest-source"],
        "tag": [site.tag],
        "followee": [world.users["requester"]["name"]],
        "am_following": [entries[0].pkg["id"]],
    }
    defaults: dict[str, Any] = {
        "limit": 100,
        "rows": 1000,
        "offset": 0,
        "all_fields": "true",
        "include_datasets": "true",
        "include_dataset_count": "true",
        "include_extras": "true",
        "include_users": "true",
        "include_groups": "true",
        "include_tags": "true",
        "include_followers": "true",
        "include_hidden_activity": "true",
        "include_data": "true",
        "include_private": "true",
        "include_drafts": "true",
        "include_deleted": "true",
        "use_default_schema": "true",
        "include_plugin_data": "true",
        "object_type": "package",
        "year": str(year),
        "organization": world.provider["name"],
        "name": "package_show",
        "key": "ckan.site_title",
        "terms": "摘要",
        "type": "dataset",
        "q": "",
        "query": "",
        "expanded": "true",
        "direction": "incoming",
        "capacity": "member",
        "permission": "read",
    }
    for name in sorted(n for n, f in functions.items() if getattr(f, "side_effect_free", False)):
        if name in SKIPPED_ACTIONS:
            skipped[name] = SKIPPED_ACTIONS[name]
            continue
        params = _documented_params(functions[name]) | {"id"}
        base = {k: v for k, v in defaults.items() if k in params and k not in ("q", "query")}
        noun = next(
            (n for n in sorted(by_id, key=len, reverse=True) if name.startswith(n + "_")),
            "package",
        )
        if "_followee_" in name or name.startswith("followee_") or name.endswith("_for_user"):
            noun = "user"
        variants: list[dict[str, Any]] = []
        if name == "package_search":
            variants = [
                {"q": "*:*", "rows": 1000, "include_private": "true", "facet": "false", "fl": fl}
                for fl in site.fl
            ]
            variants += [
                {"q": "*:*", "rows": 1000},
                {"q": "*:*", "use_default_schema": "true"},
                {"q": "res_url:*secret*"},
                {"q": "secret"},
                {"fq": "tags:leaktag"},
            ]
        elif name == "resource_search":
            variants = [{"query": q} for q in ("name:crawl", "format:CSV", "description:")]
        elif name in ("activity_diff",):
            variants = [
                {"id": a, "object_type": "package", "diff_type": t}
                for a, t in zip(by_id["activity"], itertools.cycle(["unified", "html", "context"]))
            ]
        elif name == "activity_show":
            # its auth reads include_data (a KeyError without it); with false, ckanext-activity
            # lets anyone who sees the entry in and still answers with the data
            variants = [
                {"id": a, "include_data": flag}
                for a in by_id["activity"]
                for flag in ("true", "false")
            ]
        elif name == "activity_data_show":
            variants = [{**base, "id": a} for a in by_id["activity"]]
        elif name == "dcat_dataset_show":
            variants = [
                {"id": i, "format": f}
                for i, f in zip(by_id["package"], itertools.cycle(["ttl", "jsonld", "xml"]))
            ]
        elif name == "dcat_catalog_search":
            variants = [{"q": "", "format": "ttl"}, {"q": "crawl", "format": "jsonld"}]
        elif name in ("govshare_token_list",):
            variants = [{"grant_id": g} for g in by_id["govshare_grant"]]
        elif name in ("govshare_grant_list", "govshare_request_list"):
            variants = [{"direction": d} for d in ("incoming", "outgoing")]
        elif name in ("harvest_job_list", "harvest_object_list"):
            variants = [{"source_id": s} for s in by_id["harvest_source"]]
        elif "id" in _documented_params(functions[name]) and noun in by_id:
            ids = by_id[noun]
            if name not in COPY_ACTIONS and len(ids) > SAMPLE:  # in turn, as routes
                start = turn.get(noun, 0)
                turn[noun] = start + SAMPLE
                ids = [ids[(start + j) % len(ids)] for j in range(SAMPLE)]
            variants = [{**base, "id": i} for i in ids]
        else:
            variants = [base]
        for data in variants:
            calls.append(Call("action", name, f"/api/3/action/{name}?{urlencode(data)}"))
    # CKAN's unversioned API route, once for each kind of answer.
    calls.append(
        Call("action", "package_show", f"/api/action/package_show?id={entries[0].pkg['id']}")
    )
    return calls, skipped


# --- reading answers ----------------------------------------------------------------------


def _texts(response: Any) -> list[str]:
    """Everything an answer says: its headers, its body, and what a ZIP (xlsx) or a PDF
    holds compressed."""
    body = response.get_data()
    texts = [str(response.headers), body.decode("utf-8", "replace")]
    if body[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                texts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
        except zipfile.BadZipFile:
            pass
    if body[:5] == b"%PDF-":
        for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S):
            with contextlib.suppress(zlib.error):
                texts.append(zlib.decompress(stream).decode("latin-1"))
    return texts


@dataclass
class Answer:
    call: Call
    status: int
    texts: list[str]


def walk(app: Any, headers: dict[str, str], calls: list[Call]) -> Iterator[Answer]:
    for call in calls:
        try:
            response = app.get(
                call.url,
                headers={**headers, **dict(call.headers)},
                status=None,
                follow_redirects=False,
            )
        except Exception as error:  # CKAN 2.12's test app lets a view's exception through
            model.Session.remove()
            yield Answer(call, 500, [f"{type(error).__name__}: {error}"])
            continue
        yield Answer(call, response.status_code, _texts(response))


# --- the test --------------------------------------------------------------------------------

_REPORT: dict[str, Any] = {}


@pytest.mark.parametrize("who", ROLES)
def test_no_forbidden_link_through_any_route_or_action(app: Any, site: Site, who: str):
    started = time.perf_counter()
    headers = {} if who == "anonymous" else {"Authorization": _token(site.world, who)}
    plan = route_calls(app, site)
    actions, skipped_actions = action_calls(site)
    answers = list(walk(app, headers, plan.calls + actions))
    forbidden = forbidden_for(site, who)

    forms = _forms(forbidden)
    pattern = re.compile("|".join(map(re.escape, sorted(forms, key=len, reverse=True))))
    pattern = pattern if forms else None
    leaks = sorted({(a.call.url, s) for a in answers for s in _found(forms, pattern, a)})
    assert not leaks, f"{len(leaks)} leaks as {who}: {leaks[:20]}"

    # The walk covered the application, and cannot shrink unnoticed: every GET route is
    # requested or skipped with its reason, every GET-able action called or skipped, and
    # every object of the world requested by some route.
    endpoints = {r.endpoint for r in app.flask_app.url_map.iter_rules()}
    assert endpoints == plan.endpoints | {s.split(" ")[0] for s in plan.skipped}
    assert len(plan.endpoints) >= MIN_ROUTES, len(plan.endpoints)
    assert not plan.unused, plan.unused
    called = {c.key for c in actions}
    registered = {
        n for n, f in _action_functions().items() if getattr(f, "side_effect_free", False)
    }
    assert registered == called | set(skipped_actions)
    assert len(called) >= MIN_ACTIONS, len(called)
    fls = site.fl
    assert len(fls) >= MIN_FL_VALUES, len(fls)
    # Nothing the walk did rewrote the index written before the policy: every role read it.
    raw = _link("secret", "conditional-open")
    assert raw in json.dumps(_document(entries_now_id(site, "conditional-open")))
    ok = {key for a in answers if a.status == 200 for key in a.call.key.split("|")}
    _REPORT.setdefault("ok", set()).update(ok)

    # The role's view came through: what it may see, it sees.
    everything = "\n".join(t for a in answers for t in a.texts)
    entries = site.entries
    assert entries["open"].resources[0]["url"] in everything  # open data is open to all
    if who in ("provider_staff", "sysadmin"):
        assert entries["unconditional"].resources[0]["url"] in everything
        assert _link("open", "open-to-closed") in everything  # its own history
    if who == "other":  # the moved entry's department now
        assert entries["moved"].resources[0]["url"] in everything
    if who == "requester":
        for key in ("unconditional", "conditional", "unconditional-to-conditional"):
            assert entries[key].granted, key
            for rid in entries[key].granted:
                assert f"/govshare/download/{rid}" in everything, key
        data_dicts = [
            a
            for a in answers
            if parse_qs(urlsplit(a.call.url).query).get("fl") == ["data_dict"] and a.status == 200
        ]
        assert data_dicts and "/govshare/download/" in data_dicts[0].texts[1]
    if who in ("other", "requester", "authority", "provider_staff"):
        assert entries["not-shared"].pkg["title"] in everything
    if who in ("anonymous", "outsider"):
        assert entries["conditional-open"].pkg["title"] in everything
        assert entries["not-shared"].pkg["title"] not in everything

    statuses: dict[str, int] = {}
    for a in answers:
        statuses[str(a.status)] = statuses.get(str(a.status), 0) + 1
    _REPORT.setdefault("errors", {})[who] = sorted({a.call.key for a in answers if a.status >= 500})
    _REPORT.setdefault("roles", {})[who] = {
        "routes": len(plan.endpoints),
        "route_requests": len(plan.calls),
        "actions": len(called),
        "action_calls": len(actions),
        "fl_values": len(fls),
        "forbidden_strings": len(forbidden),
        "statuses": statuses,
        "seconds": round(time.perf_counter() - started, 1),
    }
    _REPORT["setup_seconds"] = round(site.setup_seconds, 1)
    _REPORT["skipped_routes"] = plan.skipped
    _REPORT["skipped_actions"] = skipped_actions


def _forms(forbidden: set[str]) -> dict[str, str]:
    """Each forbidden string as written, URL-encoded and JSON-escaped, to what it stands for."""
    forms = {}
    for s in forbidden:
        for form in (s, quote(s, safe=""), quote(s, safe="/"), s.replace("/", "\\/")):
            forms[form] = s
    return forms


def entries_now_id(site: Site, key: str) -> str:
    return str(site.entries[key].pkg["id"])


def _document(entry_id: str) -> dict[str, Any]:
    query = sa.select(search_index_table.c.doc).where(search_index_table.c.package_id == entry_id)
    return model.Session.execute(query).scalar_one()


def _found(forms: dict[str, str], pattern: re.Pattern[str] | None, answer: Answer) -> set[str]:
    """The forbidden strings an answer holds; a string the request itself carried (an error
    page naming the URL asked for) tells the asker nothing new."""
    if pattern is None:
        return set()
    asked = unquote(answer.call.url)
    found = {forms[m] for text in answer.texts for m in pattern.findall(text)}
    return {s for s in found if s not in asked}


def test_every_reader_of_stored_copies_answered_someone(site: Site):
    """The walk reached the pages and actions that render stored copies (run after the roles)."""
    ok = _REPORT.get("ok", set())
    if len(_REPORT.get("roles", {})) < len(ROLES):
        pytest.skip("runs after the walk of every role")
    assert not COPY_READERS - ok, COPY_READERS - ok
    assert not COPY_ACTIONS - ok, COPY_ACTIONS - ok
    assert stored.installed()
    print("crawler coverage:", json.dumps(_REPORT["roles"], indent=1))
    print("answered 500:", json.dumps(_REPORT.get("errors", {}), indent=1))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 403),
        ("other", 403),
        ("requester", 403),
        ("provider_staff", 200),
        ("sysadmin", 200),
    ],
)
def test_ckans_own_download_route(app: Any, site: Site, who: str, status: int):
    headers = {} if who == "anonymous" else {"Authorization": _token(site.world, who)}
    upload = site.upload
    url = f"/dataset/{upload['package_id']}/resource/{upload['id']}/download/uploaded-secret.csv"
    response = app.get(url, headers=headers, status=None)
    assert response.status_code == status
    if status == 200:
        assert response.get_data() == UPLOADED
    from ckanext.govshare.audit.model import event_table

    outcome = model.Session.execute(
        sa.select(event_table.c.outcome)
        .where(event_table.c.action == "ckan_resource_download")
        .order_by(event_table.c.seq.desc())
        .limit(1)
    ).scalar()
    assert outcome == ("success" if status == 200 else "refused")


def test_searching_resources_by_link_is_for_sysadmins(app: Any, site: Site):
    response = app.get(
        "/api/3/action/resource_search?query=url:secret",
        headers={"Authorization": _token(site.world, "other")},
        status=409,
    )
    assert "sysadmins" in json.dumps(response.json, ensure_ascii=False)

"""The demo catalogue: loaded through the action API, repeatable and idempotent."""

from __future__ import annotations

from collections import Counter
from typing import Any

import ckan.cli.cli
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.govshare import demo
from ckanext.govshare.demo import exchange as demo_exchange


def test_demo_loads_once_and_stays_the_same(cli: Any, clean_db: Any):
    args = ["govshare", "demo", "--entries", "20", "--no-users"]
    first = cli.invoke(ckan.cli.cli.ckan, [*args, "--if-empty"])
    assert first.exit_code == 0, first.output
    assert call_action("package_search", rows=1000)["count"] == 20
    codes = {
        d["name"]: d["resource_code"] for d in call_action("package_search", rows=1000)["results"]
    }
    again = cli.invoke(ckan.cli.cli.ckan, args)
    assert again.exit_code == 0, again.output
    assert "(0 created)" in again.output
    assert {
        d["name"]: d["resource_code"] for d in call_action("package_search", rows=1000)["results"]
    } == codes
    skipped = cli.invoke(ckan.cli.cli.ckan, [*args, "--if-empty"])
    assert "not loaded" in skipped.output


def test_demo_catalogue_is_realistic(clean_db: Any):
    summary = demo.load(entries=60, users=False)
    assert summary["organizations"] == 32  # 30 departments, the authority, the conference
    entries = call_action("package_search", rows=1000, include_private=True)["results"]
    shares = Counter(e["share_type"] for e in entries)
    assert shares["unconditional"] > shares["conditional"] > shares["not_shared"] > 0
    for e in entries:
        if e["share_type"] == "not_shared":
            assert e["legal_basis"] and e["open_to_public"] == "not_open"
            assert e["resource_category"] != "basic"
        if e["share_type"] == "conditional":
            assert e["share_conditions"]
    orgs = call_action("organization_list", all_fields=True, include_extras=True)
    assert all(o.get("provider_code") for o in orgs)
    site_user = call_action("get_site_user")["name"]  # a sysadmin: sees the links
    dataset = call_action("package_show", context={"user": site_user}, id="population-basic-info")
    assert dataset["resources"][0]["url_type"] == "upload"
    assert dataset["data_items"][0]["base_item"] == "true"
    # Data return (issue 17): a province and its cities; the provincial legal entity registry
    # returned to each city department by the rows of its region.
    assert {o["name"]: o.get("region_code") for o in orgs}["municipal-transport"] == "330200"
    shown = call_action("govshare_return_show", package_id="legal-entity-registration")
    assert shown["enabled"] and shown["region_item"] == "住所所在区划代码"
    prefixes = {d["requesting_org"]: d["prefix"] for d in shown["departments"]}
    assert prefixes["municipal-transport"] == "3302" and prefixes["municipal-education"] == "3301"
    assert all(d["grant"] and d["grant"]["status"] == "active" for d in shown["departments"])


def test_demo_logins(clean_db: Any):
    demo.load(entries=1, users=True)
    officer = model.User.by_name("ministry-of-public-security-officer")
    staff = model.User.by_name("ministry-of-public-security-staff")
    assert officer is not None and staff is not None
    members = call_action("member_list", id="ministry-of-public-security", object_type="user")
    roles = {model.User.get(uid).name: role for uid, _, role in members}
    assert roles["ministry-of-public-security-officer"] == "Admin"
    assert roles["ministry-of-public-security-staff"] == "Member"


def test_demo_requests_show_every_path(clean_db: Any):
    summary = demo.load(entries=120, users=True)
    assert summary["requests"] > 0
    sysadmin = {"ignore_auth": True, "user": call_action("get_site_user")["name"]}
    requests = call_action("govshare_request_list", context=sysadmin, limit=100)["results"]
    statuses = {r["status"] for r in requests}
    assert {"submitted", "approved", "returned"} <= statuses
    assert "escalated_authority" in statuses or "negotiating" in statuses
    grants = call_action("govshare_grant_list", context=sysadmin)["results"]
    assert {g["source"] for g in grants} >= {"self_service", "approval"}
    # The authority has demo logins to decide escalations with.
    assert model.User.by_name("sharing-authority-officer") is not None
    # Batch exchange (issue 17): the city market regulator's directory target and its
    # subscription to the province's returned registry, full, daily at 02:00, never run yet.
    officer = {"ignore_auth": False, "user": "municipal-market-regulation-officer"}
    targets = call_action(
        "govshare_exchange_target_list", context=officer, organization="municipal-market-regulation"
    )["results"]
    assert [(t["name"], t["kind"], t["path"]) for t in targets] == [
        ("市场监管前置机目录", "directory", "municipal-market-regulation/legal-entities")
    ]
    subscriptions = call_action("govshare_subscription_list", context=officer)["results"]
    assert len(subscriptions) == 1
    sub = subscriptions[0]
    assert sub["target_id"] == targets[0]["id"] and sub["table"] == "legal_entity_registration"
    assert sub["mode"] == "full" and sub["schedule"] == {"kind": "daily", "at": "02:00"}
    assert sub["status"] == "active" and sub["last_run"] is None
    grant = call_action("govshare_grant_show", context=officer, id=sub["grant_id"])
    assert grant["source"] == "return" and grant["package_name"] == "legal-entity-registration"
    # Loading again adds nothing.
    assert demo.load(entries=120, users=True)["requests"] == 0
    assert call_action("govshare_subscription_list", context=officer)["count"] == 1


def test_demo_exchange_is_skipped_without_an_exchange_root(ckan_config: Any, monkeypatch: Any):
    monkeypatch.setitem(ckan_config, "ckanext.govshare.exchange.root", "")
    assert demo_exchange.load() == 0  # before any look-up: no target, no subscription

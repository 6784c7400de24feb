"""The demo catalogue: loaded through the action API, repeatable and idempotent."""

from __future__ import annotations

from collections import Counter
from typing import Any

import ckan.cli.cli
import pytest
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.govshare import demo
from ckanext.govshare.demo import exchange as demo_exchange
from ckanext.govshare.demo import regulation as demo_regulation
from ckanext.govshare.demo import review as demo_review


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


@pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
def test_demo_under_the_2025_regulations_passes_their_rules(clean_db: Any):
    """``make run``'s profile: every step of the demo goes through the 2025 rules (issue 18)."""
    summary = demo.load(entries=120, users=True)
    sysadmin = {"ignore_auth": True, "user": call_action("get_site_user")["name"]}
    # Catalogue (art. 13-15): graded, assessed, approved by the head; not-shared entries name
    # the kind of their basis; conditional ones their scope and use.
    entries = call_action("package_search", context=sysadmin, rows=1000, include_private=True)
    assert entries["count"] == 120
    for e in entries["results"]:
        assert e["data_grade"] in ("general", "important")
        assert e["personal_information"] in ("yes", "no")
        assert e["confidentiality_assessment"] and e["head_approved_by"] and e["head_approved_on"]
        assert bool(e.get("pi_impact_assessment")) == (e["personal_information"] == "yes")
        if e["share_type"] == "not_shared":
            assert e["legal_basis_type"] in ("law", "administrative_regulation")
        if e["share_type"] == "conditional":
            assert e["use_scope"]
    assert (
        call_action("package_show", id="real-estate-registration")["legal_basis_type"]
        == "administrative_regulation"
    )
    # Review (art. 16): the authority approved all but its queue: one returned, the rest pending.
    reviews = call_action("govshare_catalogue_review_list", context=sysadmin, limit=1000)
    by_status = Counter(r["status"] for r in reviews["results"])
    queue = [r for r in reviews["results"] if r["provider_org"] == demo_review.QUEUE_ORG]
    assert by_status["returned"] == 1 and by_status["pending"] == len(queue) - 1 >= 1
    assert by_status["approved"] == summary["approved"] == 120 - len(queue)
    assert all(r["status"] in ("returned", "pending") for r in queue)
    returned = next(r for r in reviews["results"] if r["status"] == "returned")
    assert returned["reasons"] == demo_review.RETURN_REASONS
    assert returned["decided_by"] == "sharing-authority-officer"

    requests = call_action("govshare_request_list", context=sysadmin, limit=100)["results"]
    by_state = {r["status"]: r for r in requests}
    assert {"awaiting_signoff", "submitted", "approved", "returned", "rejected"} <= set(by_state)
    shown = {
        s: call_action("govshare_request_show", context=sysadmin, id=by_state[s]["id"])
        for s in ("awaiting_signoff", "submitted", "approved", "returned", "rejected")
    }
    # Sign-off (art. 20): staff's requests signed off by their officer, one left waiting; the
    # approval drafted by the provider's staff and signed off by its officer.
    assert shown["awaiting_signoff"]["signed_off_by"] is None
    assert all(shown[s]["signed_off_by"] for s in ("submitted", "approved", "returned"))
    actions = [e["action"] for e in shown["approved"]["history"]]
    assert "draft_answer" in actions and shown["approved"]["answer_signed_off_by"]
    # Answers (art. 21): the return lists every missing item; the rejection gives its grounds;
    # the open request's extension approved by the authority moved its due date.
    assert [i["field"] for i in shown["returned"]["missing_items"]] == [
        "basis",
        "scenario",
        "attachment",
    ]
    extensions = call_action("govshare_extension_list", context=sysadmin)["results"]
    assert [(x["status"], x["days"]) for x in extensions] == [("approved", 5)]
    assert extensions[0]["request_id"] == shown["submitted"]["id"]
    assert shown["submitted"]["due_date"] == extensions[0]["due_after"]
    # After delivery (art. 22, 27, 29).
    grants = call_action("govshare_grant_list", context=sysadmin, limit=100)["results"]
    approved_grant = next(g for g in grants if g["source"] == "approval")
    assert approved_grant["delivered_at"] and approved_grant["delivery_due"]
    records = call_action(
        "govshare_usage_record_list", context=sysadmin, grant_id=approved_grant["id"]
    )
    assert sorted(r["kind"] for r in records["results"]) == ["process", "scenario"]
    suspended = [g for g in grants if g["status"] == "suspended"]
    assert len(suspended) == 1 and suspended[0]["suspend_reason"] == demo_regulation.SUSPEND_REASON
    filings = call_action("govshare_service_filing_list", context=sysadmin)["results"]
    assert [f["kind"] for f in filings] == ["change"]
    # The dispute (art. 28): cross-level, referred on to the common upper authority.
    dispute = next(r for r in requests if r["status"] == "escalated_upper_authority")
    referral = call_action("govshare_request_show", context=sysadmin, id=dispute["id"])["referral"]
    assert referral["platform"] == demo_regulation.REFERRAL["upper_platform"]
    # Loading again adds nothing.
    again = demo.load(entries=120, users=True)
    assert again["requests"] == 0 and again["approved"] == 0
    assert call_action("govshare_catalogue_review_list", context=sysadmin)["count"] == len(
        reviews["results"]
    )

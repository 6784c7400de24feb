"""The catalogue review and catalogue-update extension pages (2025 Regulations art. 13, 16,
17), through the web app as the users of the world."""

from __future__ import annotations

from typing import Any

import pytest

from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import World

EN = "/en"
pytestmark = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")


def _new_entry(w: World) -> dict[str, Any]:
    return gs.SharingEntry(
        context={"user": w.users["provider_officer"]["name"], "ignore_auth": False},
        owner_org=w.provider["id"],
        reviewed=False,
    )


def test_queue_panel_and_decision(app, world: World, as_user):
    entry = _new_entry(world)
    authority = as_user("authority")
    queue = app.get(f"{EN}/govshare/catalogue/reviews", headers=authority).body
    assert entry["title"] in queue and "govshare-review-row" in queue
    assert "Catalogue reviews" in queue
    # Another department sees no review of it, and not the entry.
    other_queue = app.get(f"{EN}/govshare/catalogue/reviews", headers=as_user("other")).body
    assert f"/dataset/{entry['name']}" not in other_queue
    app.get(f"{EN}/dataset/{entry['name']}", headers=as_user("other"), status=404)

    staff_page = app.get(f"{EN}/dataset/{entry['name']}", headers=as_user("provider_staff")).body
    assert "Waiting for review" in staff_page and "govshare-review-form" not in staff_page
    assert "Data grade" in staff_page and "General data" in staff_page  # sharing panel
    page = app.get(f"{EN}/dataset/{entry['name']}", headers=authority).body
    assert "govshare-review-form" in page

    url = f"{EN}/govshare/catalogue/reviews/{entry['id']}/decide"
    refused = app.post(url, data={"decision": "return"}, headers=authority, follow_redirects=True)
    assert "reasons" in refused.body.lower() or "理由" in refused.body
    assert world.call("authority", "package_show", id=entry["id"])["review_status"] == "pending"
    app.post(url, data={"decision": "approve"}, headers=as_user("provider_officer"), status=403)
    done = app.post(url, data={"decision": "approve"}, headers=authority, follow_redirects=False)
    assert done.status_code == 302
    assert world.call("other", "package_show", id=entry["id"])["review_status"] == "approved"
    page = app.get(f"{EN}/dataset/{entry['name']}", headers=as_user("other")).body
    assert "Approved and announced" in page


def test_change_pending_is_shown(app, world: World, as_user):
    world.call(
        "provider_officer", "package_patch", id=world.unconditional["id"], data_grade="important"
    )
    page = app.get(f"{EN}/dataset/{world.unconditional['name']}", headers=as_user("other")).body
    assert "Change waiting for review" in page  # 变更待审核 (po-catalogue.txt)


def test_obligation_extension_forms(app, world: World, as_user):
    obligation = world.call(
        "authority",
        "govshare_obligation_create",
        provider_org=world.provider["name"],
        kind="law_revised",
        description="条例修订",
        effective_date="2026-09-28",
    )
    url = f"{EN}/govshare/obligations/{obligation['id']}"
    officer = as_user("provider_officer")
    assert "Ask for more time" in app.get(url, headers=officer).body
    assert "Ask for more time" not in app.get(url, headers=as_user("provider_staff")).body
    app.post(f"{url}/extend", data={"reason": "条目多"}, headers=officer, follow_redirects=False)
    page = app.get(url, headers=as_user("authority")).body
    assert "Decide the extension" in page and "Extension asked" in page
    app.post(
        f"{url}/extension",
        data={"decision": "approve"},
        headers=as_user("authority"),
        follow_redirects=False,
    )
    shown = world.call("provider_officer", "govshare_obligation_show", id=obligation["id"])
    assert shown["extension_status"] == "approved"
    assert shown["original_due_date"] == "2026-10-16"


def test_dcat_export_leaves_out_an_unreviewed_entry(app, world: World, as_user):
    entry = gs.SharingEntry(
        context={"user": world.users["provider_officer"]["name"], "ignore_auth": False},
        owner_org=world.provider["id"],
        open_to_public="open",
        reviewed=False,
    )
    for headers in ({}, as_user("other")):
        catalog = app.get("/catalog.ttl?page=1", headers=headers).body
        assert entry["id"] not in catalog
        refused = app.get(f"/dataset/{entry['id']}.ttl", headers=headers)
        assert refused.status_code in (403, 404) and "dcat:Dataset" not in refused.body
    assert entry["id"] in app.get("/catalog.ttl?page=1", headers=as_user("authority")).body
    world.call("authority", "govshare_catalogue_review", id=entry["id"], decision="approve")
    assert entry["id"] in app.get("/catalog.ttl?page=1").body
    assert entry["id"] in app.get(f"/dataset/{entry['id']}.ttl").body


def test_the_form_asks_for_grading_and_offers_no_policy(app, world: World, as_user):
    form = app.get(f"{EN}/dataset/new", headers=as_user("provider_officer")).body
    for name in (
        "data_grade",
        "personal_information",
        "confidentiality_assessment",
        "pi_impact_assessment",
        "head_approved_by",
        "head_approved_on",
        "use_scope",
        "legal_basis_type",
    ):
        assert f'name="{name}"' in form, name
    assert 'value="state_council_decision"' in form
    assert 'value="policy"' not in form  # 2025 art. 14

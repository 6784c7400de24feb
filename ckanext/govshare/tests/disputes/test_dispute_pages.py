"""The request page shows the dispute path and its forms (2025 Regulations art. 28)."""

from __future__ import annotations

from typing import Any

import pytest

from ckanext.govshare.tests.access.conftest import another_entry

from .conftest import World, request_form
from .test_dispute_path import REFERRAL, _regions

EN = "/en"


def _at_authority(world: World, entry: dict[str, Any] | None = None) -> dict[str, Any]:
    package_id = (entry or world.not_shared)["id"]
    form = request_form(world, package_id=package_id, reason="请协商共享")
    negotiation = world.call("requester", "govshare_negotiation_open", **form)
    return world.call(
        "requester", "govshare_request_escalate", id=negotiation["id"], reason="协商未果"
    )


@pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
@pytest.mark.ckan_config("ckanext.govshare.harvest_accounts", "province-platform")
def test_the_authority_refers_a_cross_level_dispute_from_the_page(app, world: World, as_user):
    _regions(world, "330100", "330000")
    request = _at_authority(world)
    url = f"{EN}/govshare/requests/{request['id']}"
    authority = as_user("authority")
    page = app.get(url, headers=authority).body
    assert "refer it to the common upper sharing authority" in page
    assert 'name="upper_platform"' in page and 'name="reference"' in page
    assert '<option value="province-platform">' in page  # the harvesting upper platform
    assert "Dispute path" in page
    # The requester sees the path too.
    requester = app.get(url, headers=as_user("requester")).body
    assert "Dispute path" in requester
    # A referral without its document number comes back with the error, input kept.
    missing = app.post(
        f"{url}/escalate",
        data={"reason": "跨层级争议", "upper_platform": "province-platform"},
        headers=authority,
    )
    assert missing.status_code == 200
    assert "document number" in missing.body and 'value="province-platform"' in missing.body
    done = app.post(
        f"{url}/escalate",
        data={"reason": "跨层级争议", "note": "随附协商记录", **REFERRAL},
        headers=authority,
        follow_redirects=False,
    )
    assert done.status_code == 302
    page = app.get(url, headers=authority).body
    assert "Referred to the common upper authority" in page
    assert REFERRAL["reference"] in page and REFERRAL["upper_platform"] in page
    assert "Enter the common upper authority's outcome" in page
    assert 'name="reference"' in page
    # The requester takes it on to the people's government; the authority enters its decision.
    app.post(f"{url}/escalate", data={"reason": "报请政府"}, headers=as_user("requester"))
    page = app.get(url, headers=authority).body
    assert "Enter the people's government's decision" in page
    app.post(
        f"{url}/escalation",
        data={"decision": "deny", "reason": "市政府决定不予共享", "reference": "杭政〔2026〕5号"},
        headers=authority,
    )
    page = app.get(url, headers=authority).body
    assert "decided by People's government" in page
    assert "杭政〔2026〕5号" in page
    chinese = app.get(url.removeprefix(EN), headers=authority).body
    assert "已报请本级人民政府决定" in chinese  # the state's label, in Chinese


@pytest.mark.ckan_config("ckanext.govshare.rule_profile", "measures-2016")
def test_the_2016_page_offers_the_joint_conference(app, world: World, as_user):
    from .test_dispute_path import _patch_org

    _patch_org(world, world.provider, is_central="true")
    request = _at_authority(world)
    page = app.get(f"{EN}/govshare/requests/{request['id']}", headers=as_user("authority")).body
    assert "Take it on to the joint conference" in page
    assert 'name="upper_platform"' not in page


@pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
def test_the_authoritys_dispute_queue_holds_every_level(app, world: World, as_user):
    _regions(world, "330100", "330000")
    referred = _at_authority(world)
    world.call(
        "authority", "govshare_request_escalate", id=referred["id"], reason="移送", **REFERRAL
    )
    _regions(world, "330100", "330100")
    # A second dispute of the same department: on another entry (one open request per entry).
    before_government = _at_authority(world, another_entry(world, "not_shared"))
    world.call("authority", "govshare_request_escalate", id=before_government["id"], reason="报请")
    page = app.get(f"{EN}/govshare/escalations", headers=as_user("authority")).body
    assert "referred to the common upper authority" in page
    assert "where a central department is involved" not in page  # the 2016 text
    assert referred["id"] in page and before_government["id"] in page
    # The joint conference has no disputes to decide under the 2025 Regulations.
    conference = app.get(f"{EN}/govshare/escalations", headers=as_user("conference")).body
    assert referred["id"] not in conference and before_government["id"] not in conference

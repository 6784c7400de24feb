"""The data return pages (issue 17, item 4): the entry page's panel and switch for the
provider's officers, and the sharing authority's coverage page with its gaps."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import helpers

from ckanext.govshare.regional import service

from .conftest import RegionWorld

pytestmark = pytest.mark.usefixtures("with_plugins")
EN = "/en"


@pytest.fixture
def headers(rw: RegionWorld):
    tokens: dict[str, str] = {}

    def make(who: str) -> dict[str, str]:
        if who not in tokens:
            tokens[who] = helpers.call_action(
                "api_token_create",
                context={"user": rw.users["sysadmin"]["name"], "ignore_auth": True},
                user=rw.users[who]["name"],
                name="pages",
            )["token"]
        return {"Authorization": tokens[who]}

    return make


def test_the_panel_shows_the_state_and_the_departments_to_the_providers_officer(
    app: Any, rw: RegionWorld, headers: Any
) -> None:
    url = f"{EN}/dataset/{rw.returned['name']}"
    page = app.get(url, headers=headers("provider_officer")).body
    assert "govshare-return-departments" in page and "Turn data return off" in page
    for org in (rw.hangzhou, rw.shangcheng, rw.ningbo):
        assert f'data-organization="{org["name"]}"' in page
    assert "<code>330102</code>" in page
    for who in ("requester_officer", "authority", "provider_staff"):
        assert "govshare-return" not in app.get(url, headers=headers(who)).body, who


def test_the_switch_turns_return_off_and_on(app: Any, rw: RegionWorld, headers: Any) -> None:
    url = f"{EN}/dataset/{rw.returned['name']}/return"
    me = headers("provider_officer")
    off = app.post(url, data={"enabled": "false"}, headers=me, follow_redirects=False)
    assert off.status_code == 302 and service.return_grants(rw.returned["id"]) == []
    on = app.post(url, data={"enabled": "true"}, headers=me, follow_redirects=True)
    assert "Data return is on: 3 lower-level departments" in on.body
    assert len(service.return_grants(rw.returned["id"])) == 3
    refused = app.post(url, data={"enabled": "false"}, headers=headers("requester_officer"))
    assert refused.status_code == 403
    plain = app.post(
        f"{EN}/dataset/{rw.plain['name']}/return",
        data={"enabled": "true"},
        headers=me,
        follow_redirects=True,
    )
    assert "region_item" in plain.body  # the 409's message, flashed


def test_the_authority_sees_coverage_with_gaps(app: Any, rw: RegionWorld, headers: Any) -> None:
    page = app.get(f"{EN}/govshare/returns", headers=headers("authority")).body
    assert page.count('data-status="covered"') == 3
    assert 'data-status="return_off"' in page and 'data-status="no_region"' in page
    assert "govshare-return-gap" in page
    gaps = app.get(f"{EN}/govshare/returns?gaps_only=1", headers=headers("authority")).body
    assert 'data-status="covered"' not in gaps
    assert rw.hangzhou["title"] in page and rw.world.provider["title"] in page
    theirs = f"{EN}/govshare/returns?provider_org={rw.ningbo['name']}"
    assert "data-status=" not in app.get(theirs, headers=headers("authority")).body
    bad = app.get(f"{EN}/govshare/returns?region=x", headers=headers("authority")).body
    assert "2 to 12 digits" in bad
    reports = app.get(f"{EN}/govshare/reports", headers=headers("authority")).body
    assert "/govshare/returns" in reports
    for who in ("provider_officer", "requester_officer", "conference"):
        assert app.get(f"{EN}/govshare/returns", headers=headers(who)).status_code == 403, who

"""Every entry page says where the user stands (issue 19, item 3): the department's open
request, its grant (scope, period, what is left), why nothing can be downloaded — and offers
申请 or 下载 only when they fit; each field once; no raw JSON behind a resource's link; no
"Follow"."""

from __future__ import annotations

import datetime as dt
import re

from ckanext.govshare.core import clock
from ckanext.govshare.tests.access.conftest import World, request_form
from ckanext.govshare.tests.entry.conftest import approve, use_up

EN = "/en"
APPLY = "/govshare/requests/new"


def _standing(page: str) -> str:
    """The entry page's standing section."""
    found = re.search(r'<section class="govshare-standing.*?</section>', page, re.S)
    assert found, "no standing section on the page"
    return found.group(0)


def _entry(app, world: World, headers, lang: str = EN) -> str:
    return app.get(f"{lang}/dataset/{world.conditional['name']}", headers=headers).body


def _resource_buttons(page: str) -> list[str]:
    """The one-click download forms of the page's resource list."""
    return re.findall(r'<form method="post" class="govshare-download[^>]*action="([^"]+)"', page)


def test_no_request_and_no_grant_offers_apply(app, world: World, as_user):
    section = _standing(_entry(app, world, as_user("requester")))
    assert "Your department has no request and no grant for this entry." in section
    assert APPLY in section and "Apply" in section


def test_an_open_request_shows_its_status_due_date_and_link_and_no_apply(
    app, world: World, as_user
):
    request = world.submit(**request_form(world))
    page = _entry(app, world, as_user("requester"))
    section = _standing(page)
    assert "Submitted" in section
    assert f"The provider answers by {request['due_date']}." in section
    assert "working days left" in section
    assert f'href="/en/govshare/requests/{request["id"]}"' in section
    assert APPLY not in page
    # In Chinese: the status label the catalogue has.
    chinese = _standing(_entry(app, world, as_user("requester"), lang=""))
    assert "已提交" in chinese and APPLY not in chinese
    # Returned for completion is open too.
    world.call(
        "provider_officer",
        "govshare_request_decide",
        id=request["id"],
        decision="return",
        reason="请补充申请依据",
    )
    returned = _standing(_entry(app, world, as_user("requester")))
    assert "Returned for more information" in returned and APPLY not in returned
    # Another department sees none of it, and may apply.
    other = _standing(_entry(app, world, as_user("other")))
    assert request["id"] not in other and APPLY in other


def test_a_live_grant_shows_scope_period_and_downloads_left(app, world: World, as_user):
    request = world.submit(**request_form(world))
    grant = approve(world, request, data_items=["统一社会信用代码"], max_downloads=2)
    page = _entry(app, world, as_user("requester"))
    section = _standing(page)
    assert "You hold a grant" in section
    assert f'href="/en/govshare/grants/{grant["id"]}"' in section
    assert f"{grant['period_start']} – {grant['period_end']}" in section
    assert re.search(r'govshare-grant-items">\s*统一社会信用代码\s*<', section)
    assert re.search(r'govshare-grant-resources">\s*data.csv\s*<', section)
    assert re.search(r'govshare-grant-rows">\s*Every row\s*<', section)
    assert re.search(r'govshare-downloads-left">\s*2 of 2\s*<', section)
    assert "govshare-no-download" not in section
    assert APPLY not in page
    resource_id = world.conditional["resources"][0]["id"]
    assert _resource_buttons(page) == [f"/en/govshare/download/{resource_id}/start"]


def test_a_used_up_limit_says_why_and_offers_no_download(app, world: World, as_user):
    request = world.submit(**request_form(world))
    grant = approve(world, request, max_downloads=1)
    use_up(grant)
    page = _entry(app, world, as_user("requester"))
    section = _standing(page)
    assert re.search(r'govshare-downloads-left">\s*0 of 1\s*<', section)
    assert "The download limit of the grant is used up (1 of 1 downloads)" in section
    assert _resource_buttons(page) == []
    assert APPLY not in page
    # The resource page says the same, and has no button either.
    resource_id = world.conditional["resources"][0]["id"]
    res_page = app.get(
        f"{EN}/dataset/{world.conditional['name']}/resource/{resource_id}",
        headers=as_user("requester"),
    ).body
    assert "The download limit of the grant is used up" in res_page
    assert "govshare-download " not in res_page


def test_a_grant_not_yet_in_effect_counts_and_downloads_nothing(app, world: World, as_user):
    start = clock.today() + dt.timedelta(days=10)
    form = request_form(world, period_start=start.isoformat())
    grant = approve(world, world.submit(**form))
    page = _entry(app, world, as_user("requester"))
    section = _standing(page)
    assert "Grant not yet in effect" in section
    assert f"The grant takes effect on {grant['period_start']}" in section
    assert _resource_buttons(page) == [] and APPLY not in page


def test_an_expired_grant_says_so_and_the_department_may_apply_again(
    app, world: World, as_user, later
):
    grant = approve(world, world.submit(**request_form(world)))
    later(dt.date.fromisoformat(grant["period_end"]) + dt.timedelta(days=1))
    page = _entry(app, world, as_user("requester"))
    section = _standing(page)
    assert "Grant ended" in section
    assert f"The grant ended on {grant['period_end']}" in section
    assert _resource_buttons(page) == []
    assert APPLY in section


def test_a_revoked_grant_gives_its_reason(app, world: World, as_user):
    grant = approve(world, world.submit(**request_form(world)))
    world.call(
        "provider_officer", "govshare_grant_revoke", id=grant["id"], reason="超出申请用途使用"
    )
    page = _entry(app, world, as_user("requester"))
    section = _standing(page)
    assert (
        "Grant ended" in section and "was revoked on" in section and "超出申请用途使用" in section
    )
    assert _resource_buttons(page) == [] and APPLY in section


def test_the_provider_and_anonymous_visitors_get_no_standing(app, world: World, as_user):
    assert "govshare-standing" not in _entry(app, world, as_user("provider_staff"))
    assert "govshare-standing" not in _entry(app, world, None)


def test_each_field_once_and_no_empty_rows(app, world: World, as_user):
    page = _entry(app, world, as_user("requester"))
    assert "Additional Info" not in page  # scheming's table of every field is gone
    assert page.count(">Resource code<") == 1 and page.count(">Share methods<") == 1
    assert page.count('class="table table-sm govshare-data-items"') == 1
    details = re.search(
        r'<section class="additional-info govshare-entry-details">.*?</section>', page, re.S
    )
    assert details
    cells = re.findall(r'<td class="dataset-details">(.*?)</td>', details.group(0), re.S)
    assert cells and all(re.sub(r"<[^>]+>", "", c).strip() for c in cells)
    assert ">Resource format<" in details.group(0)  # a field shown nowhere else


def test_no_follow_button_on_entry_pages(app, world: World, as_user):
    page = _entry(app, world, as_user("requester"))
    resource_id = world.conditional["resources"][0]["id"]
    res_page = app.get(
        f"{EN}/dataset/{world.conditional['name']}/resource/{resource_id}",
        headers=as_user("requester"),
    ).body
    for body in (page, res_page):
        assert "/dataset/follow/" not in body and "/dataset/unfollow/" not in body
        assert ">Followers<" not in body


def test_a_resource_page_never_links_to_a_raw_json_answer(app, world: World, as_user):
    resource_id = world.conditional["resources"][0]["id"]
    url = f"{EN}/dataset/{world.conditional['name']}/resource/{resource_id}"
    platform = f"/govshare/download/{resource_id}"
    # No grant: the resource is described, no link at all.
    without = app.get(url, headers=as_user("requester")).body
    assert f'{platform}"' not in without and "URL:" not in without
    assert "delivered through the platform to departments holding a grant" in without
    # A live grant: the one-click button (a POST), never the token URL as a link.
    approve(world, world.submit(**request_form(world)))
    held = app.get(url, headers=as_user("requester")).body
    assert f'{platform}"' not in held and "URL:" not in held
    assert f'action="/en{platform}/start"' in held
    assert "Download it with the button above" in held
    # The provider sees the entry's own link (not an API answer).
    provider = app.get(url, headers=as_user("provider_staff")).body
    assert 'href="http://example.org/data.csv"' in provider


def test_a_provider_link_to_an_api_answer_is_not_shown(app, world: World, as_user):
    from ckan.tests import helpers

    api = "http://127.0.0.1:5000/api/3/action/datastore_search?resource_id=x"
    resource = helpers.call_action(
        "resource_create",
        context={"user": world.users["sysadmin"]["name"]},
        package_id=world.conditional["id"],
        url=api,
        name="接口",
    )
    page = app.get(
        f"{EN}/dataset/{world.conditional['name']}/resource/{resource['id']}",
        headers=as_user("provider_staff"),
    ).body
    assert api not in page and "datastore_search" not in page

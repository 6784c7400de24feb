"""CKAN's own routes and actions that answered 500 on this platform (issue 14, item 4): views
letting ``NotAuthorized`` escape, auth functions that crash instead of refusing, and paging
numbers past 64 bits handed to PostgreSQL. Each now refuses with a 4xx."""

from __future__ import annotations

from typing import Any

import pytest
from ckan import model
from ckan.tests import factories

from ckanext.govshare.tests.access.conftest import World

BIG = "100000000000000000000"  # 10^20, past a bigint


def _headers(world: World, who: str | None) -> dict[str, str]:
    if who is None:
        return {}
    return {"Authorization": factories.APIToken(user=world.users[who]["name"])["token"]}


def _two_activities(world: World) -> tuple[str, str]:
    """The ids of an entry's two latest activities, older first."""
    from ckanext.activity.model import Activity

    for notes in ("改一", "改二"):
        world.call("provider_officer", "package_patch", id=world.conditional["id"], notes=notes)
    found = (
        model.Session.query(Activity.id)
        .filter(Activity.object_id == world.conditional["id"])
        .order_by(Activity.timestamp.desc())
        .limit(2)
        .all()
    )
    return found[1][0], found[0][0]


@pytest.mark.parametrize("who", [None, "other", "provider_officer", "sysadmin"])
@pytest.mark.parametrize("kind", ["dataset", "organization", "group"])
def test_the_activity_changes_pages_refuse_instead_of_failing(
    app: Any, world: World, who: str | None, kind: str
):
    old, new = _two_activities(world)
    url = f"/{kind}/changes_multiple?new_id={new}&old_id={old}"
    response = app.get(url, headers=_headers(world, who), status=None)
    assert response.status_code < 500, response.status_code
    if who is None:
        assert response.status_code == 403


@pytest.mark.parametrize("kind", ["user", "group", "organization"])
def test_autocomplete_refuses_the_anonymous_instead_of_failing(app: Any, world: World, kind: str):
    response = app.get(f"/api/2/util/{kind}/autocomplete?q=a", status=None)
    assert response.status_code < 500
    if kind == "user":
        assert response.status_code == 403


def test_collaborators_of_an_entry_are_refused_to_the_anonymous(app: Any, world: World):
    url = f"/api/3/action/package_collaborator_list?id={world.conditional['id']}"
    response = app.get(url, status=None)
    assert response.status_code == 403
    assert "请先登录" in response.json["error"]["message"]


@pytest.mark.parametrize(("who", "expected"), [("other", 403), ("sysadmin", 200)])
def test_the_harvest_log_is_for_sysadmins(app: Any, world: World, who: str, expected: int):
    response = app.get("/api/3/action/harvest_log_list", headers=_headers(world, who), status=None)
    assert response.status_code == expected


@pytest.mark.parametrize(
    "url",
    [
        f"/api/3/action/package_list?offset={BIG}",
        f"/api/3/action/package_list?limit={BIG}",
        f"/api/3/action/organization_list?offset={BIG}",
        f"/api/3/action/user_list?limit={BIG}",
        f"/api/3/action/current_package_list_with_resources?offset=-{BIG}",
    ],
)
def test_paging_past_64_bits_is_a_validation_error(app: Any, world: World, url: str):
    headers = _headers(world, "sysadmin")
    response = app.get(url, headers=headers, status=None)
    assert response.status_code == 409, response.get_data(as_text=True)[:300]
    error = response.json["error"]
    assert error["__type"] == "Validation Error"
    (field,) = [k for k in error if k != "__type"]
    assert "64" in error[field][0] and "|" in error[field][0]
    response = app.post(
        url.split("?")[0], json={field: int(url.split("=")[1])}, headers=headers, status=None
    )
    assert response.status_code == 409

"""A restricted resource on the entry and resource pages: the grant holder's one-click
download, nothing for the others (issue 6, items 2 and 4)."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories, helpers

from ckanext.govshare.tests.access.conftest import World


@pytest.fixture
def obtained(world: World) -> dict[str, Any]:
    world.unconditional = helpers.call_action(
        "package_patch",
        context={"user": world.users["sysadmin"]["name"], "ignore_auth": True},
        id=world.unconditional["id"],
        open_to_public="not_open",
    )
    return world.call(
        "requester",
        "govshare_access_obtain",
        package_id=world.unconditional["id"],
        purpose="work_reference",
        purpose_detail="统计",
        pledge=True,
    )


@pytest.mark.parametrize(("who", "button"), [("requester", True), ("other", False)])
def test_the_holder_gets_a_download_button(
    app: Any, world: World, obtained: dict[str, Any], who: str, button: bool
):
    headers = {"Authorization": factories.APIToken(user=world.users[who]["name"])["token"]}
    entry = world.unconditional
    resource = entry["resources"][0]
    start = f"/govshare/download/{resource['id']}/start"
    for page in (
        f"/dataset/{entry['name']}",
        f"/dataset/{entry['name']}/resource/{resource['id']}",
    ):
        body = app.get(page, headers=headers).get_data(as_text=True)
        assert (start in body) is button, page
        assert "http://example.org/data.csv" not in body

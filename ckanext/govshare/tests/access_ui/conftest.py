"""The sharing world of the access tests, and a way to browse it as each of its users."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import helpers

from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import (  # noqa: F401
    World,
    frozen,
    request_form,
    world,
)


@pytest.fixture
def as_user(world: World):  # noqa: F811
    """Request headers that log in as a user of the world (``None``: anonymous)."""
    tokens: dict[str, str] = {}

    def headers(who: str | None) -> dict[str, str]:
        if who is None:
            return {}
        if who not in tokens:
            tokens[who] = helpers.call_action(
                "api_token_create",
                context={"user": world.users["sysadmin"]["name"], "ignore_auth": True},
                user=world.users[who]["name"],
                name="ui-test",
            )["token"]
        return {"Authorization": tokens[who]}

    return headers


@pytest.fixture
def submitted(world: World) -> dict[str, Any]:  # noqa: F811
    """A conditional request of the requesting department, awaiting the provider."""
    return gs.AccessRequest(user=world.users["requester"], **request_form(world))

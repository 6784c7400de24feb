"""Authorization comes before input errors (the charter; docs/api.md "Errors"): a caller an
action refuses gets its 403, recorded in the audit trail, whatever the input; only a caller
it admits hears what is wrong with the input (409)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.logic import _actions  # the registry CKAN builds from every plugin's actions
from ckan.tests import helpers

from ckanext.govshare.tests.access.conftest import World, request_form
from ckanext.govshare.tests.audit.conftest import events

# Refused by the guard (a NUL byte), by a schema (wrong types, a negative page) or both.
BAD_INPUTS: list[dict[str, Any]] = [
    {"id": "a\x00b"},
    {"id": ["x"], "limit": -5, "decision": {"a": 1}, "year": "x", "day": "2026-02-30"},
]


def _govshare_actions() -> list[str]:
    tk.get_action("govshare_request_list")  # the registry is built on first use
    return sorted(name for name in _actions if name.startswith("govshare_"))


def _refuses(name: str, context: dict[str, Any]) -> bool:
    try:
        tk.check_access(name, dict(context), {})
    except tk.NotAuthorized:
        return True
    return False


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_every_action_refusing_the_anonymous_refuses_them_whatever_the_input():
    anonymous = {"user": "", "ignore_auth": False}
    refusing = [name for name in _govshare_actions() if _refuses(name, anonymous)]
    assert len(refusing) > 20, refusing
    for name in refusing:
        for bad in BAD_INPUTS:
            with pytest.raises(tk.NotAuthorized):
                helpers.call_action(name, context=dict(anonymous), **bad)


def test_a_department_with_no_part_in_a_request_gets_a_recorded_403_for_bad_input(
    world: World,
):
    request = world.call("requester", "govshare_request_create", **request_form(world))
    before = len(events(action="govshare_request_decide", outcome="refused"))
    with pytest.raises(tk.NotAuthorized):
        world.call("other", "govshare_request_decide", id=request["id"], decision=["approve"])
    refused = events(action="govshare_request_decide", outcome="refused")
    assert len(refused) == before + 1
    assert refused[-1]["actor_name"] == world.users["other"]["name"]


def test_the_provider_hears_what_is_wrong_with_the_input(world: World):
    request = world.call("requester", "govshare_request_create", **request_form(world))
    with pytest.raises(tk.ValidationError) as error:
        world.call(
            "provider_officer", "govshare_request_decide", id=request["id"], decision=["x"]
        )
    assert "decision" in error.value.error_dict

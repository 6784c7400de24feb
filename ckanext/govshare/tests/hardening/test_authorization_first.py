"""Authorization comes before input errors (the charter; docs/api.md "Errors"): a caller an
action refuses gets its 403, recorded in the audit trail, whatever the input; only a caller
it admits hears what is wrong with the input (409). The registry is enumerated, so a new action
is covered once registered; the walks run under both rule profiles (issue 18: under the 2016
Measures the 2025 actions answer early, so only ``regulation-2025`` reaches their guards)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.logic import _actions  # the registry CKAN builds from every plugin's actions
from ckan.tests import helpers

from ckanext.govshare.tests.access.conftest import World, request_form
from ckanext.govshare.tests.audit.conftest import events
from ckanext.govshare.tests.hardening import world2025
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

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


# The actions of the 2025 Regulations (issue 18): each must be among those walked.
ACTIONS_2025 = {
    "govshare_request_signoff",
    "govshare_request_extend",
    "govshare_extension_decide",
    "govshare_grant_deliver",
    "govshare_grant_suspend",
    "govshare_grant_resume",
    "govshare_grant_terminate",
    "govshare_use_change_request",
    "govshare_usage_record_create",
    "govshare_grant_dispose",
    "govshare_service_filing_create",
    "govshare_catalogue_review",
    "govshare_obligation_extend",
    "govshare_obligation_extension_decide",
}


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_every_action_refusing_the_anonymous_refuses_them_whatever_the_input(
    rule_profile: str,  # noqa: F811
):
    anonymous = {"user": "", "ignore_auth": False}
    refusing = [name for name in _govshare_actions() if _refuses(name, anonymous)]
    assert len(refusing) > 20, refusing
    assert set(refusing) >= ACTIONS_2025, ACTIONS_2025 - set(refusing)
    for name in refusing:
        for bad in BAD_INPUTS:
            with pytest.raises(tk.NotAuthorized):
                helpers.call_action(name, context=dict(anonymous), **bad)


# (action, the kind of 2025 object it names, its index in world2025.build's list, the key).
REFUSED_2025 = (
    ("govshare_request_signoff", "request", 0, "id"),
    ("govshare_request_extend", "request", 2, "id"),
    ("govshare_extension_decide", "extension", 0, "id"),
    ("govshare_grant_deliver", "grant", 0, "id"),
    ("govshare_grant_suspend", "grant", 0, "id"),
    ("govshare_grant_resume", "grant", 1, "id"),
    ("govshare_grant_terminate", "grant", 0, "id"),
    ("govshare_grant_dispose", "grant", 2, "id"),
    ("govshare_use_change_request", "grant", 0, "grant_id"),
    ("govshare_usage_record_create", "grant", 0, "grant_id"),
    ("govshare_usage_record_list", "grant", 0, "grant_id"),
    ("govshare_service_filing_show", "filing", 0, "id"),
    ("govshare_service_filing_create", "package", 0, "package_id"),
    ("govshare_catalogue_review", "package", 0, "id"),
)
# Wrong in every other field (a NUL, wrong types, a negative page).
BAD_2025 = {"reason": "a\x00b", "days": "x", "decision": {"a": 1}, "kind": ["x"], "limit": -5}


@pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
def test_a_department_with_no_part_gets_a_recorded_403_from_each_2025_action(world: World):
    """Each action of the 2025 Regulations on a real object of another department, with bad
    input besides: the 403 comes first and is recorded (the id is not what is wrong)."""
    made = world2025.build(world)
    assert {name for name, *_ in REFUSED_2025} | {
        "govshare_obligation_extend",  # walked with the anonymous above
        "govshare_obligation_extension_decide",
    } >= ACTIONS_2025
    for name, kind, index, key in REFUSED_2025:
        before = len(events(action=name, outcome="refused"))
        with pytest.raises(tk.NotAuthorized):
            world.call("other", name, **{key: made[kind][index], **BAD_2025})
        assert len(events(action=name, outcome="refused")) == before + 1, name


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
        world.call("provider_officer", "govshare_request_decide", id=request["id"], decision=["x"])
    assert "decision" in error.value.error_dict

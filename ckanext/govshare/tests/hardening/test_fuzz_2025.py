"""The fuzzers of ``test_fuzz`` under the 2025 Regulations (issue 18): every govshare action
and route answers any input without a server error while the rules of ``regulation-2025`` are
in force (under the 2016 Measures the 2025 actions refuse early, so their input handling and
pages are never reached), in a world that also holds the objects only those rules make
(``world2025.build``: a request waiting for sign-off, a drafted answer, an extension, a
suspended and a terminated grant, usage records, a service filing, catalogue reviews pending
and returned, a use-change request, a dispute at the upper authority), so that their ids are
among the valid values."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from . import test_fuzz, world2025
from .conftest import Objects, Platform, build_world, headers_for, renew
from .test_fuzz import (  # noqa: F401  (collected here too, under regulation-2025)
    test_every_govshare_action_answers_any_input_without_a_server_error,
    test_every_govshare_route_answers_any_input_without_a_server_error,
)

pytestmark = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")


@pytest.fixture
def platform(module_world: Any, app: Any) -> Platform:
    """The hardening world with the 2025 objects, built once per module."""

    def build() -> tuple[Any, Objects, dict[str, list[str]]]:
        w = build_world()
        extra = world2025.build(w)
        return w, renew(w, Objects()), extra

    w, objects, extra = module_world(build)
    return Platform(world=w, app=app, headers=headers_for(w), objects=objects, extra=extra)


def test_a_number_for_the_extension_lists_status_is_a_409(platform: Platform):
    """Found by the fuzzer: ``status`` -2e-165 (a JSON number) raised TypeError (a 500)."""
    response = platform.app.post(
        "/api/3/action/govshare_extension_list",
        json={"status": -2.1625645075277503e-165},
        headers=platform.headers("requester"),
        status=409,
    )
    assert "status" in response.json["error"]


# The routes of the 2025 pages, and the kind of object each names.
ROUTES_2025 = {
    "/signoff": "request",
    "/extend": "request",
    "/escalat": "request",
    "/use-change": "grant",
    "/deliver": "grant",
    "/suspend": "grant",
    "/resume": "grant",
    "/terminate": "grant",
    "/dispose": "grant",
    "/usage-records": "grant",
    "/filings": "filing",
    "/extensions": "extension",
    "/catalogue/reviews": "package",
}
EXAMPLES_PER_2025_ROUTE = 8


def test_the_2025_routes_answer_any_input_on_their_own_objects(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
):
    """Each 2025 page fuzzed with the objects of its own kind as the valid path values (the
    route fuzzer above draws them among every object's ids), with more examples."""
    rules = [
        (rule, kind)
        for rule in test_fuzz._route_rules(platform)
        for part, kind in ROUTES_2025.items()
        if part in rule.rule and not (part == "/extend" and "/obligations/" in rule.rule)
    ]
    assert len(rules) >= 14, [r.rule for r, _ in rules]
    monkeypatch.setattr(test_fuzz, "EXAMPLES_PER_ROUTE", EXAMPLES_PER_2025_ROUTE)
    valid = test_fuzz.valid_values(platform)
    form_pool = sorted({*test_fuzz.schema_keys(), *test_fuzz.FORM_KEYS})
    failures: list[str] = []
    calls = 0
    for rule, kind in rules:
        own = dataclasses.replace(platform, extra={kind: platform.extra[kind]})
        calls += test_fuzz._fuzz_route(own, rule, valid, form_pool, failures)
    print(f"{len(rules)} routes of 2025, {calls} requests, {len(failures)} failed")
    assert not failures, f"{len(failures)} of {calls} requests failed ({test_fuzz.drawn()}):\n" + (
        "\n".join(failures)
    )


@pytest.mark.parametrize("purpose", [{"a": 1}, ["work_reference"]])
def test_a_use_change_purpose_that_is_no_text_is_a_409(platform: Platform, purpose: Any):
    """A dict or a list for ``purpose`` raised TypeError (unhashable, looked up in a frozenset
    of codes): a 500 of ``govshare_use_change_request``."""
    response = platform.app.post(
        "/api/3/action/govshare_use_change_request",
        json={
            "grant_id": platform.extra["grant"][0],
            "kinds": ["purpose"],
            "purpose": purpose,
            "reason": "用途变更",
        },
        headers=platform.headers("sysadmin"),
        status=409,
    )
    assert "purpose" in response.json["error"]

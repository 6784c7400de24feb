"""The sharing world of the access tests with one object of every kind the govshare actions
name (request, grant, token, feedback, obligation, notice), and a way to call the platform
over HTTP as each of its users (issue 14, items 3 and 4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from ckan.tests import helpers

from ckanext.govshare.core import clock
from ckanext.govshare.tests.access.conftest import World, request_form, world  # noqa: F401

# The users the fuzzers act as: a sysadmin, a provider's data officer, a department member.
ACTORS = ("sysadmin", "provider_officer", "requester")


@dataclass
class Objects:
    """Ids of live objects, made again whenever a fuzzed call may have used them up."""

    request: dict[str, Any] = field(default_factory=dict)
    grant: dict[str, Any] = field(default_factory=dict)
    token: dict[str, Any] = field(default_factory=dict)
    feedback: dict[str, Any] = field(default_factory=dict)
    obligation: dict[str, Any] = field(default_factory=dict)
    notice: str = ""


@dataclass
class Platform:
    world: World
    app: Any
    headers: Callable[[str | None], dict[str, str]]
    objects: Objects

    def renew(self) -> Objects:
        """A submitted request, a live grant with a token, open feedback and an open obligation."""
        w = self.world
        today = clock.today()
        self.objects.request = w.call("requester", "govshare_request_create", **request_form(w))
        self.objects.grant = w.call(
            "requester",
            "govshare_access_obtain",
            package_id=w.unconditional["id"],
            requesting_org=w.requester_org["name"],
            purpose="work_reference",
            purpose_detail="比对",
            pledge=True,
        )
        self.objects.token = w.call(
            "requester", "govshare_token_create", grant_id=self.objects.grant["id"]
        )
        self.objects.feedback = w.call(
            "requester",
            "govshare_feedback_create",
            package_id=w.conditional["id"],
            kind="doubt",
            description="数据有疑问",
            organization=w.requester_org["name"],
        )
        self.objects.obligation = w.call(
            "authority",
            "govshare_obligation_create",
            organization=w.provider["name"],
            kind="law_revised",
            description="法律修订",
            effective_date=(today - dt.timedelta(days=1)).isoformat(),
        )
        notices = w.call("provider_officer", "govshare_notice_list", limit=1)["results"]
        self.objects.notice = notices[0]["id"] if notices else ""
        return self.objects


@pytest.fixture
def platform(world: World, app: Any) -> Platform:  # noqa: F811
    tokens: dict[str, str] = {}

    def headers(who: str | None) -> dict[str, str]:
        if who is None:
            return {}
        if who not in tokens:
            tokens[who] = helpers.call_action(
                "api_token_create",
                context={"user": world.users["sysadmin"]["name"], "ignore_auth": True},
                user=world.users[who]["name"],
                name="hardening",
            )["token"]
        return {"Authorization": tokens[who]}

    result = Platform(world=world, app=app, headers=headers, objects=Objects())
    result.renew()
    return result

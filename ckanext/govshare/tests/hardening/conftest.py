"""The sharing world of the access tests with one object of every kind the govshare actions
name (request, grant, token, feedback, obligation, notice), and a way to call the platform
over HTTP as each of its users (issue 14, items 3 and 4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from ckan import model
from ckan.tests import helpers

from ckanext.govshare.access import workflow
from ckanext.govshare.access.model import request_table
from ckanext.govshare.core import clock
from ckanext.govshare.search import result_cache
from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import (  # noqa: F401
    World,
    build_world,
    request_form,
    world,
)
from ckanext.govshare.tests.db import SNAPSHOT_SCHEMA, Snapshot

# The users the fuzzers act as: a sysadmin, a provider's data officer, a department member.
ACTORS = ("sysadmin", "provider_officer", "requester")
#: The schema of the snapshot the action fuzz restores before each action (``Platform.fresh``);
#: dropped with the module worlds' at the end of the run (``tests.db.SNAPSHOT_SCHEMA`` prefix).
FUZZ_SNAPSHOT = f"{SNAPSHOT_SCHEMA}_fuzz"


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
    # Ids of the objects only the 2025 Regulations make, by kind (``world2025.build``).
    extra: dict[str, list[str]] = field(default_factory=dict)

    # The database as the first action's fuzz found it (``fresh``).
    _start: Snapshot | None = None

    def renew(self) -> Objects:
        """A submitted request, a live grant with a token, open feedback and an open obligation."""
        return renew(self.world, self.objects)

    def fresh(self) -> None:
        """The database as this test began, before each action's fuzz: what the calls before
        did (a request decided, a grant revoked, a token used up, a 2025 object moved on) is
        taken back by restoring a snapshot, a few milliseconds where creating the objects
        again cost about a quarter of a second an action.

        The actors' API tokens are made before the snapshot: made after it, the restore would
        take them back and every later call would be refused (403), no input ever reaching
        the action. When the snapshot cannot be put back, the objects are made again and a
        new one is taken."""
        if self._start is not None and self._start.restore():
            result_cache.bump()  # the index may have been put back behind the cache
            return
        if self._start is not None:
            self.renew()
        for who in ACTORS:
            self.headers(who)
        self._start = Snapshot.take(FUZZ_SNAPSHOT)


def renew(w: World, objects: Objects) -> Objects:
    """A submitted request, a live grant with a token, open feedback and an open obligation."""
    today = clock.today()
    requester = w.users["requester"]
    _withdraw_open_requests(w)
    objects.request = gs.AccessRequest(user=requester, **request_form(w))
    objects.grant = gs.Grant(
        user=requester,
        package_id=w.unconditional["id"],
        requesting_org=w.requester_org["name"],
    )
    objects.token = gs.DownloadToken(user=requester, grant_id=objects.grant["id"])
    objects.feedback = gs.Feedback(
        user=requester, package_id=w.conditional["id"], organization=w.requester_org["name"]
    )
    objects.obligation = gs.Obligation(
        user=w.users["authority"],
        organization=w.provider["name"],
        effective_date=(today - dt.timedelta(days=1)).isoformat(),
    )
    notices = w.call("provider_officer", "govshare_notice_list", limit=1)["results"]
    objects.notice = notices[0]["id"] if notices else ""
    return objects


def _withdraw_open_requests(w: World) -> None:
    """A department has one open request per entry (issue 19, item 3): the last fresh request,
    and any a fuzzed call made on the conditional entry, are set aside (withdrawn) first."""
    c = request_table.c
    model.Session.execute(
        request_table.update()
        .where(
            c.package_id == w.conditional["id"],
            c.requesting_org_id == w.requester_org["id"],
            c.status.in_(sorted(workflow.OPEN_STATES)),
        )
        .values(status=workflow.WITHDRAWN)
    )
    model.Session.commit()


@pytest.fixture
def platform(module_world: Any, app: Any) -> Platform:
    """The world and one object of every kind, built once per module (``module_world``)."""

    def build() -> tuple[World, Objects]:
        w = build_world()
        return w, renew(w, Objects())

    w, objects = module_world(build)
    return Platform(world=w, app=app, headers=headers_for(w), objects=objects)


def headers_for(w: World) -> Callable[[str | None], dict[str, str]]:
    """The API headers of each user of ``w`` (an API token made on first use)."""
    tokens: dict[str, str] = {}

    def headers(who: str | None) -> dict[str, str]:
        if who is None:
            return {}
        if who not in tokens:
            tokens[who] = helpers.call_action(
                "api_token_create",
                context={"user": w.users["sysadmin"]["name"], "ignore_auth": True},
                user=w.users[who]["name"],
                name="hardening",
            )["token"]
        return {"Authorization": tokens[who]}

    return headers

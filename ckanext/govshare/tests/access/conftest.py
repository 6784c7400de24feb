"""A small sharing world: two departments, the authority, the joint conference, one entry of
each share type, and the users of every role in workflows.md.

Built from the factories (``tests/factories.py``) once per test module (``module_world`` in
``tests/conftest.py``); what a test writes into it is taken away before the next test."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories, helpers

from ckanext.govshare import profiles
from ckanext.govshare.core import clock
from ckanext.govshare.tests import factories as gs


@dataclass
class World:
    provider: dict[str, Any]
    requester_org: dict[str, Any]
    other_org: dict[str, Any]
    authority: dict[str, Any]
    conference: dict[str, Any]
    users: dict[str, dict[str, Any]]
    conditional: dict[str, Any]
    unconditional: dict[str, Any]
    not_shared: dict[str, Any]

    def call(self, who: str | None, action: str, **data: Any) -> Any:
        """Call an action as a user of the world (``None``: anonymous), auth checked."""
        context = {"ignore_auth": False, "user": self.users[who]["name"] if who else ""}
        return helpers.call_action(action, context=context, **data)

    def submit(self, who: str = "requester", **form: Any) -> dict[str, Any]:
        """A request as the suites mean it: ``submitted`` to the provider (art. 12(2)).

        ``who`` makes it (``govshare_request_create``); under internal sign-off (2025 art. 20)
        a member's request waits for the department's head, so ``requester_officer`` signs
        it off, and the answer is the signed-off request. Tests of who may do what call the
        actions themselves."""
        return self._sent(who, self.call(who, "govshare_request_create", **form))

    def resubmit(self, who: str = "requester", **data: Any) -> dict[str, Any]:
        """A returned request sent again (``govshare_request_resubmit``), signed off by the
        department's head where internal sign-off asks for it (2025 art. 20)."""
        return self._sent(who, self.call(who, "govshare_request_resubmit", **data))

    def filing(self, grant: dict[str, Any]) -> dict[str, Any]:
        """What the provider's data officer names when ending ``grant`` before its time: under
        the ``service_filing`` rule (2025 art. 27) the end of the service filed with the
        authority after consulting the holder (``{"filing_id"}``); nothing under the 2016
        Measures."""
        if not profiles.on("service_filing"):
            return {}
        filed = self.call(
            "provider_officer",
            "govshare_service_filing_create",
            package_id=grant["package_id"],
            kind="end",
            description="停止向该部门提供共享服务",
            consultation="已书面征求使用部门意见",
            effective_date=clock.today().isoformat(),
            grant_ids=[grant["id"]],
        )
        return {"filing_id": filed["id"]}

    def _sent(self, who: str, request: dict[str, Any]) -> dict[str, Any]:
        waits = profiles.on("internal_signoff") and who in _STAFF
        assert request["status"] == ("awaiting_signoff" if waits else "submitted"), request
        if not waits:
            return request
        signed = self.call(
            "requester_officer", "govshare_request_signoff", id=request["id"], decision="approve"
        )
        assert signed["status"] == "submitted", signed
        return signed


#: Members of the requesting department who are not its data officers: their requests wait
#: for the department's head under internal sign-off (2025 art. 20).
_STAFF = ("requester",)
_ADMIN: dict[str, Any] = {}


def _as_admin(world: World | None = None) -> dict[str, Any]:
    """A sysadmin's context: the world's (a kept world may be handed out again after another
    build made a new sysadmin), or, while a world is being built, the one it made."""
    admin = world.users["sysadmin"] if world is not None else _ADMIN
    return {"user": admin["name"], "ignore_auth": True}


@pytest.fixture
def world(module_world: Any) -> World:
    """The sharing world, built once per module; what a test writes is gone for the next."""
    return module_world(build_world)


# (department, user, role) of every member of the world.
_MEMBERS = (
    ("provider", "provider_officer", "admin"),
    ("provider", "provider_editor", "editor"),
    ("provider", "provider_staff", "member"),
    ("requester_org", "requester", "member"),
    ("requester_org", "requester_officer", "admin"),
    ("other_org", "other", "member"),
    ("authority", "authority", "member"),
    ("conference", "conference", "member"),
)


def build_world() -> World:
    """Five departments, a user of every role of workflows.md (and an outsider), and one
    entry of each share type, all made through the factories."""
    _ADMIN.clear()
    _ADMIN.update(factories.Sysadmin())
    orgs = {
        "provider": gs.Department(title="市场监管局"),
        "requester_org": gs.Department(title="税务局"),
        "other_org": gs.Department(title="教育局"),
        "authority": gs.Department(
            name=tk.config["ckanext.govshare.authority_org"], title="数据局"
        ),
        "conference": gs.Department(
            name=tk.config["ckanext.govshare.joint_conference_org"], title="联席会议"
        ),
    }
    users = {
        name: factories.User(name=gs.unique_name(name), email=f"{name}@example.org")
        for name in (
            "provider_officer",
            "provider_editor",
            "provider_staff",
            "requester",
            "requester_officer",
            "other",
            "authority",
            "conference",
            "outsider",
        )
    }
    users["sysadmin"] = dict(_ADMIN)
    for org, user, role in _MEMBERS:
        gs.Membership(by=_ADMIN, organization=orgs[org], user=users[user], role=role)
    provider = orgs["provider"]["id"]
    return World(
        **orgs,
        users=users,
        conditional=gs.SharingEntry(
            context=_as_admin(), owner_org=provider, share_type="conditional"
        ),
        unconditional=gs.SharingEntry(
            context=_as_admin(), owner_org=provider, share_type="unconditional"
        ),
        not_shared=gs.SharingEntry(
            context=_as_admin(),
            owner_org=provider,
            share_type="not_shared",
            resource_category="departmental",
        ),
    )


def request_form(world: World, **overrides: Any) -> dict[str, Any]:
    today = clock.today()
    form = {
        "package_id": world.conditional["id"],
        "requesting_org": world.requester_org["name"],
        "purpose": "administrative_basis",
        "purpose_detail": "核验纳税人登记信息",
        "scenario": "企业注销一网通办",
        "basis": "《税收征收管理法》第十五条",
        "share_method": "file_download",
        "period_start": today.isoformat(),
        "period_end": (today + dt.timedelta(days=180)).isoformat(),
        "pledge": True,
    }
    form.update(overrides)
    return form


def another_entry(world: World, share_type: str = "conditional") -> dict[str, Any]:
    """A further entry of the provider: a department has one open request per entry at a time
    (issue 19, item 3), so a test that needs several open at once asks for several entries."""
    return gs.SharingEntry(
        context=_as_admin(world), owner_org=world.provider["id"], share_type=share_type
    )


#: What a 2025 return lists and a 2025 rejection gives (art. 21), in the suites' answers.
MISSING_ITEMS = [{"field": "basis", "note": "请补充申请依据原文"}]
GROUNDS = ["beyond_duties"]


def told_at_once(decision: str) -> dict[str, Any]:
    """What an answer says beside its reason while the profile asks to tell everything at
    once (``tell_all_at_once``, 2025 art. 21): a return lists the missing materials
    (``missing_items``), a rejection gives its ``grounds``; nothing under the 2016 Measures,
    whose answers the suites keep sending as they were."""
    if not profiles.on("tell_all_at_once"):
        return {}
    return {"return": {"missing_items": MISSING_ITEMS}, "reject": {"grounds": GROUNDS}}.get(
        decision, {}
    )


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch):
    """Pin the platform's clock (UTC) for deadline arithmetic."""

    def pin(moment: dt.datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)

    return pin

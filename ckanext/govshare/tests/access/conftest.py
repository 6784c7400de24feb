"""A small sharing world: two departments, the authority, the joint conference, one entry of
each share type, and the users of every role in workflows.md."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from ckan.tests import factories, helpers

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


_ADMIN: dict[str, Any] = {}


def _as_admin() -> dict[str, Any]:
    return {"user": _ADMIN["name"], "ignore_auth": True}


def _member(org: dict[str, Any], user: dict[str, Any], capacity: str) -> None:
    helpers.call_action(
        "organization_member_create",
        context=_as_admin(),
        id=org["id"],
        username=user["name"],
        role=capacity,
    )


def _entry(org: dict[str, Any], share_type: str, **extra: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        **gs.entry_fields(),
        "share_type": share_type,
        "share_methods": ["file_download", "api"],
        "data_items": [
            {"name": "统一社会信用代码", "data_type": "string"},
            {"name": "法定代表人", "data_type": "string"},
        ],
        "resources": [{"url": "http://example.org/data.csv", "name": "data.csv"}],
        **extra,
    }
    if share_type == "conditional":
        fields["share_conditions"] = "仅限市场监管用途"
        fields["open_to_public"] = "not_open"
    if share_type == "not_shared":
        fields["legal_basis"] = "《中华人民共和国保守国家秘密法》第九条"
        fields["open_to_public"] = "not_open"
    return helpers.call_action(
        "package_create",
        context=_as_admin(),
        name=gs.unique_name("entry"),
        title=f"{share_type} entry",
        notes="摘要",
        owner_org=org["id"],
        **fields,
    )


@pytest.fixture
def world(clean_db: Any, ckan_config: Any) -> World:
    _ADMIN.update(factories.Sysadmin())
    provider = gs.Department(title="市场监管局")
    requester_org = gs.Department(title="税务局")
    other_org = gs.Department(title="教育局")
    authority = gs.Department(name=ckan_config["ckanext.govshare.authority_org"], title="数据局")
    conference = gs.Department(
        name=ckan_config["ckanext.govshare.joint_conference_org"], title="联席会议"
    )
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
    _member(provider, users["provider_officer"], "admin")
    _member(provider, users["provider_editor"], "editor")
    _member(provider, users["provider_staff"], "member")
    _member(requester_org, users["requester"], "member")
    _member(requester_org, users["requester_officer"], "admin")
    _member(other_org, users["other"], "member")
    _member(authority, users["authority"], "member")
    _member(conference, users["conference"], "member")
    return World(
        provider=provider,
        requester_org=requester_org,
        other_org=other_org,
        authority=authority,
        conference=conference,
        users=users,
        conditional=_entry(provider, "conditional"),
        unconditional=_entry(provider, "unconditional"),
        not_shared=_entry(provider, "not_shared", resource_category="departmental"),
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


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch):
    """Pin the platform's clock (UTC) for deadline arithmetic."""

    def pin(moment: dt.datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)

    return pin

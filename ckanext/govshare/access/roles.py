"""Which roles of workflows.md a user holds towards a request or a grant.

A user acts for one department at a time (workflows.md): the requester role is held by the
members of the department a request was made for, whatever their capacity; the provider role
by the data officers (admins, editors) of the providing department.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ckan import model

from ..audit import who
from ..core import config
from .workflow import Role

OFFICER_CAPACITIES = ("admin", "editor")


def _org_id(name: str) -> str | None:
    org = model.Group.get(name)
    return org.id if org is not None and org.is_organization else None


def authority_org_id() -> str | None:
    return _org_id(config.authority_org())


def conference_org_id() -> str | None:
    return _org_id(config.joint_conference_org())


class Person:
    """A user's memberships, read once per action."""

    def __init__(self, user: model.User | None) -> None:
        self.user = user
        self.id: str | None = user.id if user else None
        self.name: str | None = user.name if user else None
        self.sysadmin = bool(user and user.sysadmin)
        self.orgs: set[str] = set(who.organizations_of(self.id))
        self.officer_of: set[str] = set(who.organizations_of(self.id, OFFICER_CAPACITIES))
        self.authority = bool(authority_org_id() in self.orgs) if self.orgs else False
        self.conference = bool(conference_org_id() in self.orgs) if self.orgs else False

    @classmethod
    def of(cls, context: Mapping[str, Any]) -> Person:
        name = context.get("user")
        return cls(model.User.get(name) if name else None)

    def request_roles(self, request: Mapping[str, Any]) -> frozenset[Role]:
        roles: set[Role] = set()
        if self.sysadmin:
            roles.add(Role.SYSADMIN)
        if request.get("requesting_org_id") in self.orgs:
            roles.add(Role.REQUESTER)
        if request.get("provider_org_id") in self.officer_of:
            roles.add(Role.PROVIDER)
        if self.authority:
            roles.add(Role.AUTHORITY)
        if self.conference:
            roles.add(Role.CONFERENCE)
        return frozenset(roles)

    def may_see_request(self, request: Mapping[str, Any]) -> bool:
        """Requesting department, provider's officers, authority, the joint conference once
        the request reached it, sysadmins (issue 5) — nobody else."""
        roles = self.request_roles(request)
        if roles & {Role.SYSADMIN, Role.REQUESTER, Role.PROVIDER, Role.AUTHORITY}:
            return True
        return Role.CONFERENCE in roles and request.get("escalation_level") == "joint_conference"

    def may_see_grant(self, grant: Mapping[str, Any]) -> bool:
        """The holding department, the provider's officers, the authority, sysadmins."""
        return bool(
            self.sysadmin
            or self.authority
            or grant.get("organization_id") in self.orgs
            or grant.get("provider_org_id") in self.officer_of
        )

    def may_revoke_grant(self, grant: Mapping[str, Any]) -> bool:
        """A provider's data officer or the sharing authority (art. 14: misuse ends access)."""
        return bool(
            self.sysadmin or self.authority or grant.get("provider_org_id") in self.officer_of
        )

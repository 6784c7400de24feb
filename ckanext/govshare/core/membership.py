"""Memberships and roles, looked up once (issue 15): which departments a user belongs to and
in which capacity, which department they act for, who the members of a department are, and
the roles of workflows.md a user holds towards a request or a grant (``Person``).

A user acts for one department at a time (workflows.md): the requester role is held by the
members of the department a request was made for, whatever their capacity; the provider role
by the data officers (admins, editors) of the providing department; the authority and
conference roles by any member of the bodies named by ``ckanext.govshare.authority_org`` and
``ckanext.govshare.joint_conference_org``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from ckan import model

from . import config
from .roles import OFFICER_CAPACITIES, Role

__all__ = [
    "INTERNAL_STATES",
    "OFFICER_CAPACITIES",
    "Person",
    "acting_department",
    "authority_org_id",
    "conference_org_id",
    "organizations_of",
    "users_of",
]


def organizations_of(user_id: str | None, capacities: Iterable[str] | None = None) -> list[str]:
    """Ids of the active organizations the user is an active member of (optionally in one of
    ``capacities``), sorted."""
    if not user_id:
        return []
    query = (
        model.Session.query(model.Member.group_id)
        .join(model.Group, model.Group.id == model.Member.group_id)
        .filter(
            model.Member.table_name == "user",
            model.Member.table_id == user_id,
            model.Member.state == "active",
            model.Group.is_organization.is_(True),
            model.Group.state == "active",
        )
    )
    if capacities:
        query = query.filter(model.Member.capacity.in_(list(capacities)))
    return sorted({row[0] for row in query})


def acting_department(user_id: str | None, hint: str | None = None) -> str | None:
    """The department (organization id) the user acts for.

    A user acts for one department at a time (workflows.md). Until requests carry it
    explicitly, it is the object's department when the user belongs to it, else the user's only
    department, else unknown (``None``) rather than a guess among several.
    """
    orgs = organizations_of(user_id)
    if hint and hint in orgs:
        return hint
    return orgs[0] if len(orgs) == 1 else None


def users_of(org_ids: Iterable[str], capacities: Iterable[str] | None = None) -> list[str]:
    """Ids of the active users who are active members of the given active organizations (ids
    or names; optionally in one of ``capacities``), sorted."""
    org_ids = [o for o in org_ids if o]
    if not org_ids:
        return []
    org_q = (
        model.Session.query(model.Group.id)
        .filter(sa.or_(model.Group.id.in_(org_ids), model.Group.name.in_(org_ids)))
        .filter(model.Group.is_organization.is_(True))
        .filter(model.Group.state == "active")
    )
    query = (
        model.Session.query(model.User.id)
        .join(model.Member, model.Member.table_id == model.User.id)
        .filter(model.Member.table_name == "user")
        .filter(model.Member.state == "active")
        .filter(model.Member.group_id.in_(org_q.scalar_subquery()))
        .filter(model.User.state == "active")
    )
    if capacities:
        query = query.filter(model.Member.capacity.in_(list(capacities)))
    return sorted({row[0] for row in query.all()})


def _org_id(name: str | None) -> str | None:
    org = model.Group.get(name) if name else None
    return org.id if org is not None and org.is_organization else None


def authority_org_id() -> str | None:
    """The sharing authority's organization id (``ckanext.govshare.authority_org``)."""
    return _org_id(config.authority_org())


def conference_org_id() -> str | None:
    """The joint conference's organization id (``ckanext.govshare.joint_conference_org``)."""
    return _org_id(config.joint_conference_org())


#: States of a request not yet sent, waiting for the requesting department's head (2025
#: art. 20; ``access.workflow.AWAITING_SIGNOFF``, ``SIGNOFF_RETURNED``): its department's only.
INTERNAL_STATES = frozenset({"awaiting_signoff", "signoff_returned"})


class Person:
    """A user's memberships, read once per action, and the roles they give."""

    def __init__(self, user: model.User | None) -> None:
        self.user = user
        self.id: str | None = user.id if user else None
        self.name: str | None = user.name if user else None
        self.sysadmin = bool(user and user.sysadmin)
        self.orgs: set[str] = set(organizations_of(self.id))
        self.officer_of: set[str] = set(organizations_of(self.id, OFFICER_CAPACITIES))
        self.authority = bool(authority_org_id() in self.orgs) if self.orgs else False
        self.conference = bool(conference_org_id() in self.orgs) if self.orgs else False

    @classmethod
    def of(cls, context: Mapping[str, Any]) -> Person:
        name = context.get("user")
        return cls(model.User.get(name) if name else None)

    def acting_for(self, value: str | None) -> str | None:
        """The id of the department the user acts for (workflows.md: one at a time): the one
        ``value`` names (id or name) if it is theirs (any department for a sysadmin), else
        their only department when they name none; ``None`` when they must choose one.
        ``LookupError`` when ``value`` names no department of theirs."""
        if value:
            group = model.Group.get(value)
            if (
                group is None
                or not group.is_organization
                or (group.id not in self.orgs and not self.sysadmin)
            ):
                raise LookupError(value)
            return group.id
        if len(self.orgs) == 1:
            return next(iter(self.orgs))
        return None

    def request_roles(self, request: Mapping[str, Any]) -> frozenset[Role]:
        """The roles the user holds towards a request (its two departments by id)."""
        roles: set[Role] = set()
        if self.sysadmin:
            roles.add(Role.SYSADMIN)
        if request.get("requesting_org_id") in self.orgs:
            roles.add(Role.REQUESTER)
        if request.get("requesting_org_id") in self.officer_of:
            roles.add(Role.REQUESTER_OFFICER)
        if request.get("provider_org_id") in self.officer_of:
            roles.add(Role.PROVIDER)
        elif request.get("provider_org_id") in self.orgs:
            roles.add(Role.PROVIDER_STAFF)
        if self.authority:
            roles.add(Role.AUTHORITY)
        if self.conference:
            roles.add(Role.CONFERENCE)
        return frozenset(roles)

    def may_see_request(self, request: Mapping[str, Any], *, staff_draft: bool = False) -> bool:
        """Requesting department, provider's officers, authority, the joint conference once
        the request reached it, sysadmins (issue 5) — nobody else.

        A request still waiting for its own department's head (2025 art. 20: states
        ``awaiting_signoff``, ``signoff_returned``) is that department's and the sysadmins'
        only. ``staff_draft``: internal sign-off is on, so the provider's staff, who draft its
        answers, see the requests that reached their department too.
        """
        roles = self.request_roles(request)
        if request.get("status") in INTERNAL_STATES:
            return bool(roles & {Role.SYSADMIN, Role.REQUESTER})
        if roles & {Role.SYSADMIN, Role.REQUESTER, Role.PROVIDER, Role.AUTHORITY}:
            return True
        if staff_draft and Role.PROVIDER_STAFF in roles:
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

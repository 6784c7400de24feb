"""Who may read the audit trail: sysadmins (by CKAN), the sharing authority, data officers, the
joint conference (its own events)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ...audit import who

__all__ = ["govshare_audit_list"]

OFFICER_CAPACITIES = ("admin", "editor")


def authority_member(user_id: str | None) -> bool:
    """A member (any capacity) of the organization named by ``ckanext.govshare.authority_org``."""
    org = model.Group.get(tk.config.get("ckanext.govshare.authority_org"))
    return bool(user_id and org and org.is_organization and org.id in who.organizations_of(user_id))


def conference_member(user_id: str | None) -> str | None:
    """The joint conference's organization id when the user is a member of it (any capacity)."""
    org = model.Group.get(tk.config.get("ckanext.govshare.joint_conference_org"))
    if user_id and org and org.is_organization and org.id in who.organizations_of(user_id):
        return org.id
    return None


def officer_departments(user_id: str | None) -> list[str]:
    """Organizations where the user is a data officer (admin or editor)."""
    return who.organizations_of(user_id, OFFICER_CAPACITIES)


@tk.auth_disallow_anonymous_access
def govshare_audit_list(context: Any, data_dict: Any) -> dict[str, Any]:
    user = model.User.get(context.get("user"))
    user_id = user.id if user else None
    if authority_member(user_id) or officer_departments(user_id) or conference_member(user_id):
        return {"success": True}
    return {
        "success": False,
        "msg": tk._("Only the sharing authority and data officers may read the audit trail"),
    }

"""Who may read the yearly reports and compliance findings (art. 16–18, 24).

A department's report: its data officers (organization admins and editors, who compile and
submit it, art. 18), the sharing authority (any member: it assesses every department, art. 16)
and sysadmins. The platform-wide report: the sharing authority and sysadmins. Members without
an officer's capacity, other departments, the joint conference and anonymous visitors are
refused: findings name the department's records and users.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ...access.roles import Person
from ..guard import lookup_key

__all__ = ["govshare_findings_list", "govshare_report_list", "govshare_report_show"]


def reads_everything(person: Person) -> bool:
    return person.sysadmin or person.authority


def organization_id(value: Any) -> str | None:
    """The organization's id for an id or name (``None``: no such organization)."""
    group = model.Group.get(str(value)) if value else None
    return group.id if group is not None and group.is_organization else None


def may_read(person: Person, org_value: Any) -> bool:
    """``org_value`` empty: the platform report."""
    if reads_everything(person):
        return True
    if not org_value:
        return False
    org_id = organization_id(org_value)
    return org_id is not None and org_id in person.officer_of


def _report(context: Any, data_dict: Any) -> dict[str, Any]:
    person = Person.of(context)
    org = lookup_key((data_dict or {}).get("organization")) or None  # issue 14: text only
    if may_read(person, org):
        return {"success": True}
    if not org:
        msg = tk._("Only the sharing authority may read the platform-wide report")
    else:
        msg = tk._(
            "Only the department's data officers and the sharing authority may read its report"
        )
    return {"success": False, "msg": msg}


@tk.auth_disallow_anonymous_access
def govshare_report_show(context: Any, data_dict: Any) -> dict[str, Any]:
    return _report(context, data_dict)


@tk.auth_disallow_anonymous_access
def govshare_findings_list(context: Any, data_dict: Any) -> dict[str, Any]:
    return _report(context, data_dict)


@tk.auth_disallow_anonymous_access
def govshare_report_list(context: Any, data_dict: Any) -> dict[str, Any]:
    """Any signed-in user: the answer lists only the reports they may read."""
    return {"success": True}

"""Who may read the yearly reports and compliance findings (art. 16–18, 24).

A department's report: its data officers (organization admins and editors, who compile and
submit it, art. 18), the sharing authority (any member: it assesses every department, art. 16)
and sysadmins. The platform-wide report: the sharing authority and sysadmins. Members without
an officer's capacity, other departments, the joint conference and anonymous visitors are
refused: findings name the department's records and users. Every refusal is in English and
Chinese (docs/api.md, "Conventions"), the anonymous caller's too.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ...core.membership import Person
from ...core.messages import message
from ..guard import lookup_key

__all__ = [
    "govshare_findings_list",
    "govshare_mail_list",
    "govshare_mail_show",
    "govshare_report_export",
    "govshare_report_list",
    "govshare_report_show",
]

LOG_IN = message("Log in to read the yearly reports", "请登录后查看年度报告")
PLATFORM_IS_THE_AUTHORITYS = message(
    "Only the sharing authority may read the platform-wide report",
    "只有共享主管部门可以查看全平台报告",
)
SYSADMINS_ONLY = message(
    "Only system administrators may read the mail the platform sent",
    "只有系统管理员可以查看平台发出的邮件",
)
DEPARTMENTS_OWN = message(
    "Only the department's data officers and the sharing authority may read its report",
    "只有本部门数据管理员和共享主管部门可以查看该部门的报告",
)


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


def _report(context: Context, data_dict: DataDict) -> AuthResult:
    if not context.get("auth_user_obj"):
        return {"success": False, "msg": LOG_IN}
    person = Person.of(context)
    org = lookup_key((data_dict or {}).get("organization")) or None  # issue 14: text only
    if may_read(person, org):
        return {"success": True}
    return {"success": False, "msg": DEPARTMENTS_OWN if org else PLATFORM_IS_THE_AUTHORITYS}


@tk.auth_allow_anonymous_access
def govshare_report_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _report(context, data_dict)


@tk.auth_allow_anonymous_access
def govshare_findings_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _report(context, data_dict)


@tk.auth_allow_anonymous_access
def govshare_report_export(context: Context, data_dict: DataDict) -> AuthResult:
    return _report(context, data_dict)


@tk.auth_allow_anonymous_access
def govshare_report_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Any signed-in user: the answer lists only the reports they may read."""
    if not context.get("auth_user_obj"):
        return {"success": False, "msg": LOG_IN}
    return {"success": True}


def _sysadmin(context: Context) -> AuthResult:
    """The development sink's mail (issue 19, item 10) carries other users' reset links and
    notices: system administrators only (they pass CKAN's auth before this is asked)."""
    if not context.get("auth_user_obj"):
        return {"success": False, "msg": LOG_IN}
    return {"success": False, "msg": SYSADMINS_ONLY}


@tk.auth_allow_anonymous_access
def govshare_mail_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _sysadmin(context)


@tk.auth_allow_anonymous_access
def govshare_mail_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _sysadmin(context)

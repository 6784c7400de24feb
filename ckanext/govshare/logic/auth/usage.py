"""Auth functions: Usage records (2025 art. 29), disposal (art. 27) and service filings (art. 27).

Who may call them at all; whether the profile asks for them and whether the grant's state
allows the step is the action's answer (409). Every refusal is in English and Chinese.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ...access import grants
from ...core.membership import Person
from ...core.messages import message
from ...usage import service
from ..guard import lookup_key

__all__ = [
    "govshare_grant_dispose",
    "govshare_service_filing_create",
    "govshare_service_filing_list",
    "govshare_service_filing_show",
    "govshare_usage_record_create",
    "govshare_usage_record_list",
]

ONLY_HOLDER = message(
    "Only members of the department holding the grant record its use",
    "只有持有该授权的部门人员可以记录数据使用情况",
)
MAY_NOT_READ = message(
    "Only the holding department, the provider's data officers and the sharing authority may "
    "read a grant's usage records",
    "只有持有部门、提供部门的数据管理员和共享主管部门可以查看授权的使用记录",
)
ONLY_HOLDER_OFFICER = message(
    "Only a data officer of the department holding the grant records the disposal of its data",
    "只有持有该授权部门的数据管理员可以记录数据处置",
)
ONLY_PROVIDER_OFFICER = message(
    "Only a data officer of the providing department files the end or a change of its service",
    "只有提供部门的数据管理员可以报备终止或变更共享服务",
)
MAY_NOT_SEE_FILING = message("You may not see this service filing", "您无权查看该备案")


def _ok() -> AuthResult:
    return {"success": True}


def _refuse(msg: str) -> AuthResult:
    return {"success": False, "msg": msg}


def _grant(data_dict: DataDict, key: str) -> dict | None:
    return grants.load_grant(str(lookup_key((data_dict or {}).get(key)) or ""))


@tk.auth_disallow_anonymous_access
def govshare_usage_record_create(context: Context, data_dict: DataDict) -> AuthResult:
    grant = _grant(data_dict, "grant_id")
    if grant is None or service.may_record(Person.of(context), grant):
        return _ok()  # none: the action answers "not found"
    return _refuse(ONLY_HOLDER)


@tk.auth_disallow_anonymous_access
def govshare_usage_record_list(context: Context, data_dict: DataDict) -> AuthResult:
    grant = _grant(data_dict, "grant_id")
    if grant is None or service.may_read_records(Person.of(context), grant):
        return _ok()
    return _refuse(MAY_NOT_READ)


@tk.auth_disallow_anonymous_access
def govshare_grant_dispose(context: Context, data_dict: DataDict) -> AuthResult:
    grant = _grant(data_dict, "id")
    if grant is None or grant["organization_id"] in Person.of(context).officer_of:
        return _ok()
    return _refuse(ONLY_HOLDER_OFFICER)


@tk.auth_disallow_anonymous_access
def govshare_service_filing_create(context: Context, data_dict: DataDict) -> AuthResult:
    pkg = model.Package.get(str(lookup_key((data_dict or {}).get("package_id")) or ""))
    if pkg is None or pkg.owner_org in Person.of(context).officer_of:
        return _ok()
    return _refuse(ONLY_PROVIDER_OFFICER)


@tk.auth_disallow_anonymous_access
def govshare_service_filing_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _ok()  # each user sees the filings they may see


@tk.auth_disallow_anonymous_access
def govshare_service_filing_show(context: Context, data_dict: DataDict) -> AuthResult:
    filing = service.load_filing(str(lookup_key((data_dict or {}).get("id")) or ""))
    if filing is None or service.may_see_filing(Person.of(context), filing):
        return _ok()
    return _refuse(MAY_NOT_SEE_FILING)

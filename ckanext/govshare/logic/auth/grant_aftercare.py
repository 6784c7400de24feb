"""Auth functions: After delivery (2025 art. 25, 27): suspension, resumption, termination, use
changes, disposal.

Suspending, resuming and terminating a grant is for the sharing authority and the provider's
data officers (and sysadmins) — art. 27: "the authority or the provider suspends"; a use
change is asked by a member of the holding department (art. 25). Every refusal is in English
and Chinese.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...access import grants
from ...core.membership import Person
from ...core.messages import message
from ..guard import lookup_key

__all__ = [
    "govshare_grant_resume",
    "govshare_grant_suspend",
    "govshare_grant_terminate",
    "govshare_use_change_request",
]

MAY_NOT_SUSPEND = message(
    "Only a data officer of the providing department or the sharing authority may suspend, "
    "resume or terminate a grant (2025 art. 27)",
    "只有提供部门的数据管理员或共享主管部门可以暂停、恢复或终止授权（第二十七条）",
)
MAY_NOT_CHANGE = message(
    "Only a member of the department holding the grant may ask to change its use (2025 art. 25)",
    "只有持有该授权的部门的用户可以申请变更使用范围、用途或向第三方提供（第二十五条）",
)


def _on_grant(context: Context, data_dict: DataDict, key: str = "id") -> AuthResult:
    grant = grants.load_grant(lookup_key((data_dict or {}).get(key)))
    if grant is None or Person.of(context).may_revoke_grant(grant):
        return {"success": True}  # the action answers "not found"
    return {"success": False, "msg": MAY_NOT_SUSPEND}


@tk.auth_disallow_anonymous_access
def govshare_grant_suspend(context: Context, data_dict: DataDict) -> AuthResult:
    return _on_grant(context, data_dict)


@tk.auth_disallow_anonymous_access
def govshare_grant_resume(context: Context, data_dict: DataDict) -> AuthResult:
    return _on_grant(context, data_dict)


@tk.auth_disallow_anonymous_access
def govshare_grant_terminate(context: Context, data_dict: DataDict) -> AuthResult:
    return _on_grant(context, data_dict)


@tk.auth_disallow_anonymous_access
def govshare_use_change_request(context: Context, data_dict: DataDict) -> AuthResult:
    grant = grants.load_grant(lookup_key((data_dict or {}).get("grant_id")))
    if grant is None:
        return {"success": True}  # the action answers "not found"
    person = Person.of(context)
    if person.sysadmin or grant["organization_id"] in person.orgs:
        return {"success": True}
    return {"success": False, "msg": MAY_NOT_CHANGE}

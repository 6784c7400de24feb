"""Auth functions: Internal sign-off of requests and answers (2025 art. 20):
govshare_request_signoff.

A head signs off what their own staff drafted: a data officer of the requesting department
the request of its staff (while it waits, nobody outside that department sees it), a data
officer of the provider the answer its staff drafted; sysadmins both. Whether there is
anything to sign off is the action's answer (a 409).
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ... import profiles
from ...access import requests, signoff
from ...access.workflow import Role
from ...core.membership import Person
from ...core.messages import message
from .access import MAY_NOT_SEE_REQUEST

__all__ = ["govshare_request_signoff"]

ONLY_HEADS = message(
    "Only a data officer (the sharing-work head) of the department concerned may sign it off: "
    "the requesting department's for a request, the providing department's for an answer",
    "只有相关部门的数据管理员（共享工作机构负责人）可以审核：申请由申请部门审核，答复由提供部门审核",
)


@tk.auth_disallow_anonymous_access
def govshare_request_signoff(context: Context, data_dict: DataDict) -> AuthResult:
    request = requests.load_request(str((data_dict or {}).get("id") or ""))
    if request is None:
        return {"success": True}  # the action answers "not found"
    person = Person.of(context)
    if not person.may_see_request(request, staff_draft=profiles.on("internal_signoff")):
        return {"success": False, "msg": MAY_NOT_SEE_REQUEST}
    roles = person.request_roles(request)
    heads = {
        signoff.REQUESTER_SIDE: {Role.REQUESTER_OFFICER, Role.SYSADMIN},
        signoff.PROVIDER_SIDE: {Role.PROVIDER, Role.SYSADMIN},
    }.get(
        signoff.side_of(request) or "",
        {Role.REQUESTER_OFFICER, Role.PROVIDER, Role.SYSADMIN},
    )
    if roles & heads:
        return {"success": True}
    return {"success": False, "msg": ONLY_HEADS}

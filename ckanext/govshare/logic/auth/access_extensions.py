"""Auth functions: Extensions of an answer (2025 art. 21) and delivery of approved data (art. 22).

Who may take a step at all; whether the request's state (or the profile) allows it is the
action's answer (a 409). Every refusal is in English and Chinese.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...access import extensions, grants
from ...access.workflow import Action
from ...core.membership import Person
from ...core.messages import message
from .access import _on_request

__all__ = [
    "govshare_extension_decide",
    "govshare_extension_list",
    "govshare_grant_deliver",
    "govshare_request_extend",
]

MAY_NOT_DELIVER = message(
    "Only a data officer of the providing department may mark its data delivered",
    "只有提供部门的数据管理员可以标记数据已提供",
)


@tk.auth_disallow_anonymous_access
def govshare_request_extend(context: Context, data_dict: DataDict) -> AuthResult:
    """A data officer of the provider (art. 21: the provider asks for more time)."""
    return _on_request(context, data_dict, Action.EXTEND)


@tk.auth_disallow_anonymous_access
def govshare_extension_decide(context: Context, data_dict: DataDict) -> AuthResult:
    """The sharing authority (art. 21: an extension needs its consent)."""
    extension = extensions.load_extension(str((data_dict or {}).get("id") or ""))
    if extension is None:
        return {"success": True}  # the action answers "not found"
    return _on_request(context, {"id": extension["request_id"]}, Action.EXTENSION_DECIDE)


@tk.auth_disallow_anonymous_access
def govshare_extension_list(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}  # each user sees the extensions of the requests they may see


@tk.auth_disallow_anonymous_access
def govshare_grant_deliver(context: Context, data_dict: DataDict) -> AuthResult:
    """A data officer of the providing department (art. 22: the provider delivers)."""
    grant = grants.load_grant(str((data_dict or {}).get("id") or ""))
    person = Person.of(context)
    if grant is None or person.sysadmin or grant["provider_org_id"] in person.officer_of:
        return {"success": True}
    return {"success": False, "msg": MAY_NOT_DELIVER}

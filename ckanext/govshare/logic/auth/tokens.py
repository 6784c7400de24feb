"""Who may issue, list and revoke download tokens (art. 14; workflows.md "Grants and
download tokens"). Every refusal is in English and Chinese (docs/api.md, "Conventions"), the
anonymous caller's too."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...access import grants as access_grants
from ...core.membership import Person
from ...core.messages import message
from ...downloads import service

__all__ = [
    "govshare_token_create",
    "govshare_token_list",
    "govshare_token_revoke",
    "govshare_token_rotate",
]

LOG_IN = message("Log in to use download tokens", "请登录后使用下载令牌")
NOT_HOLDER = message(
    "Only members of the department that holds the grant may take tokens",
    "只有持有该授权的部门的成员才能申请下载令牌",
)
NOT_REVOKER = message(
    "Only the token's owner, the data officers of the holding or providing department or the "
    "sharing authority may revoke a token",
    "只有令牌持有人、持有授权部门或提供部门的数据管理员、共享主管部门可以撤销令牌",
)

NOT_OWNER = message(
    "Only the token's owner, while a member of the department that holds its grant, may rotate it",
    "只有令牌持有人（且仍为持有授权部门的成员）才能轮换令牌",
)

_OK: AuthResult = {"success": True}


def _refuse(msg: str) -> AuthResult:
    return {"success": False, "msg": msg}


@tk.auth_sysadmins_check
@tk.auth_allow_anonymous_access
def govshare_token_create(context: Context, data_dict: DataDict | None) -> AuthResult:
    """A member of the grant's holding department, for themselves (sysadmins included: a
    token is a department's user's own)."""
    if not context.get("user"):
        return _refuse(LOG_IN)
    grant = access_grants.load_grant(str((data_dict or {}).get("grant_id") or ""))
    if grant is None:
        return _OK  # the action answers "not found"
    if grant["organization_id"] in Person.of(context).orgs:
        return _OK
    return _refuse(NOT_HOLDER)


@tk.auth_allow_anonymous_access
def govshare_token_list(context: Context, data_dict: DataDict | None) -> AuthResult:
    """Each user lists their own tokens."""
    return _OK if context.get("user") else _refuse(LOG_IN)


def may_revoke(person: Person, token: dict[str, Any]) -> bool:
    """The owner, the holding department's officers, the provider's officers, the authority."""
    if person.sysadmin or person.authority or person.id == token["user_id"]:
        return True
    if token["organization_id"] in person.officer_of:
        return True
    grant = access_grants.load_grant(token["grant_id"])
    return bool(grant and grant["provider_org_id"] in person.officer_of)


@tk.auth_allow_anonymous_access
def govshare_token_revoke(context: Context, data_dict: DataDict | None) -> AuthResult:
    if not context.get("user"):
        return _refuse(LOG_IN)
    token = service.load(str((data_dict or {}).get("id") or ""))
    if token is None or may_revoke(Person.of(context), token):
        return _OK
    return _refuse(NOT_REVOKER)


@tk.auth_sysadmins_check
@tk.auth_allow_anonymous_access
def govshare_token_rotate(context: Context, data_dict: DataDict | None) -> AuthResult:
    """The token's owner, still a member of the holding department (issue 16, item 8): a
    secret is its user's own, so nobody else is handed a new one (sysadmins included)."""
    if not context.get("user"):
        return _refuse(LOG_IN)
    token = service.load(str((data_dict or {}).get("id") or ""))
    if token is None:
        return _OK  # the action answers "not found"
    person = Person.of(context)
    if person.id == token["user_id"] and token["organization_id"] in person.orgs:
        return _OK
    return _refuse(NOT_OWNER)

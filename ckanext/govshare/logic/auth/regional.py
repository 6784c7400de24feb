"""Who may turn data return on or off and see it (2025 Regulations art. 24; issue 17).

- ``govshare_return_update``: the providing department's data officers (art. 24 is the
  provider's duty) and sysadmins;
- ``govshare_return_show``: those, and the sharing authority (it supervises, art. 38); a lower
  department sees its own return grant on the grant pages;
- ``govshare_return_coverage``: the sharing authority and sysadmins.

Everyone else — anonymous visitors, department users, other departments' officers, the joint
conference — is refused, in English and Chinese.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ...core.membership import Person
from ...core.messages import message
from ..guard import lookup_key

__all__ = ["govshare_return_coverage", "govshare_return_show", "govshare_return_update"]

LOG_IN = message("Log in to see data return", "请登录后查看数据回流")
PROVIDERS_ONLY = message(
    "Only the providing department's data officers may turn data return on or off",
    "只有提供部门的数据管理员可以开启或关闭数据回流",
)
PROVIDER_OR_AUTHORITY = message(
    "Only the providing department's data officers and the sharing authority may see the "
    "entry's data return",
    "只有提供部门的数据管理员和共享主管部门可以查看该信息资源的数据回流",
)
AUTHORITY_ONLY = message(
    "Only the sharing authority may see data return coverage",
    "只有共享主管部门可以查看数据回流覆盖情况",
)


def _refuse(msg: str) -> AuthResult:
    return {"success": False, "msg": msg}


def _owner(data_dict: DataDict) -> str | None:
    """The entry's providing department (``None``: no such entry; the action answers 404)."""
    pkg = model.Package.get(lookup_key((data_dict or {}).get("package_id")))
    return pkg.owner_org if pkg is not None else None


def _entry_rule(context: Context, data_dict: DataDict, *, authority: bool, msg: str) -> AuthResult:
    person = Person.of(context)
    if person.id is None:
        return _refuse(LOG_IN)
    if person.sysadmin or (authority and person.authority):
        return {"success": True}
    owner = _owner(data_dict)
    if owner is None or owner in person.officer_of:
        return {"success": True}  # no such entry: the action answers 404
    return _refuse(msg)


@tk.auth_allow_anonymous_access
def govshare_return_update(context: Context, data_dict: DataDict) -> AuthResult:
    return _entry_rule(context, data_dict, authority=False, msg=PROVIDERS_ONLY)


@tk.auth_allow_anonymous_access
def govshare_return_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _entry_rule(context, data_dict, authority=True, msg=PROVIDER_OR_AUTHORITY)


@tk.auth_allow_anonymous_access
def govshare_return_coverage(context: Context, data_dict: DataDict) -> AuthResult:
    person = Person.of(context)
    if person.id is None:
        return _refuse(LOG_IN)
    if person.sysadmin or person.authority:
        return {"success": True}
    return _refuse(AUTHORITY_ONLY)

"""Who may see and change exchange targets (前置机, 2016 Measures art. 12; issue 17, item 1):
the data officers (admins, editors) of the department the target belongs to, and sysadmins.
Nobody else, the sharing authority and the joint conference included: a target says where a
department's data lands. Every refusal is in English and Chinese, the anonymous caller's too.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ...core.membership import Person
from ...core.messages import message
from ...exchange import targets
from ..guard import lookup_key

__all__ = [
    "govshare_exchange_target_create",
    "govshare_exchange_target_delete",
    "govshare_exchange_target_list",
    "govshare_exchange_target_show",
    "govshare_exchange_target_update",
]

LOG_IN = message("Log in to manage exchange targets", "请登录后管理交换目标")
OFFICERS_ONLY = message(
    "Only the department's data officers may see or change its exchange targets",
    "只有本部门的数据管理员可以查看或修改本部门的交换目标",
)

_OK: AuthResult = {"success": True}


def _refuse(msg: str) -> AuthResult:
    return {"success": False, "msg": msg}


def _officer_of(context: Context, org: object) -> AuthResult:
    """A data officer of the department ``org`` names (id or name)."""
    person = Person.of(context)
    if person.user is None:
        return _refuse(LOG_IN)
    if person.sysadmin:
        return _OK
    group = model.Group.get(lookup_key(org)) if org else None
    if group is None:
        # an unknown department: officers of some department hear "no such department"
        return _OK if person.officer_of else _refuse(OFFICERS_ONLY)
    return _OK if group.id in person.officer_of else _refuse(OFFICERS_ONLY)


def _on_target(context: Context, data_dict: DataDict | None) -> AuthResult:
    """A data officer of the target's department; no such target: officers go on (404)."""
    if not context.get("user"):
        return _refuse(LOG_IN)
    target = targets.load_target(lookup_key((data_dict or {}).get("id")) or "")
    if target is None:
        person = Person.of(context)
        return _OK if person.sysadmin or person.officer_of else _refuse(OFFICERS_ONLY)
    return _officer_of(context, target["organization_id"])


@tk.auth_allow_anonymous_access
def govshare_exchange_target_create(context: Context, data_dict: DataDict | None) -> AuthResult:
    if not context.get("user"):
        return _refuse(LOG_IN)
    return _officer_of(context, (data_dict or {}).get("organization"))


@tk.auth_allow_anonymous_access
def govshare_exchange_target_list(context: Context, data_dict: DataDict | None) -> AuthResult:
    """One department's targets: its officers; without ``organization``: any data officer
    (they see their own departments')."""
    if not context.get("user"):
        return _refuse(LOG_IN)
    org = (data_dict or {}).get("organization")
    if org:
        return _officer_of(context, org)
    person = Person.of(context)
    return _OK if person.sysadmin or person.officer_of else _refuse(OFFICERS_ONLY)


@tk.auth_allow_anonymous_access
def govshare_exchange_target_show(context: Context, data_dict: DataDict | None) -> AuthResult:
    return _on_target(context, data_dict)


@tk.auth_allow_anonymous_access
def govshare_exchange_target_update(context: Context, data_dict: DataDict | None) -> AuthResult:
    return _on_target(context, data_dict)


@tk.auth_allow_anonymous_access
def govshare_exchange_target_delete(context: Context, data_dict: DataDict | None) -> AuthResult:
    return _on_target(context, data_dict)

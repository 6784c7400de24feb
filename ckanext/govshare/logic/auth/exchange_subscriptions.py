"""Who may call the batch exchange subscription actions (issue 17, item 2; 2025 Regulations
art. 22; workflows.md "Roles").

The holder department's data officers (and sysadmins) subscribe, change, run and delete; the
holder's and the provider's data officers, the sharing authority (supervision) and sysadmins
see a subscription; nobody else. Every refusal is in English and Chinese.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...access import grants
from ...core.membership import Person
from ...core.messages import message
from ...exchange import subscriptions
from ..guard import lookup_key

__all__ = [
    "govshare_subscription_create",
    "govshare_subscription_delete",
    "govshare_subscription_list",
    "govshare_subscription_run",
    "govshare_subscription_show",
    "govshare_subscription_update",
]

MAY_NOT_SUBSCRIBE = message(
    "Only a data officer of the department holding the grant may subscribe to batch exchange",
    "只有持有授权的部门的数据管理员可以订阅批量交换",
)
MAY_NOT_SEE = message(
    "Only the data officers of the two departments and the sharing authority see a batch "
    "exchange subscription",
    "只有双方部门的数据管理员和共享主管部门可以查看批量交换订阅",
)
MAY_NOT_MANAGE = message(
    "Only a data officer of the receiving department may change, run or delete a batch "
    "exchange subscription",
    "只有使用部门的数据管理员可以修改、执行或删除批量交换订阅",
)


def _ok() -> AuthResult:
    return {"success": True}


def _refuse(msg: str) -> AuthResult:
    return {"success": False, "msg": msg}


def _subscription(data_dict: DataDict) -> dict | None:
    return subscriptions.load(lookup_key((data_dict or {}).get("id")))


@tk.auth_disallow_anonymous_access
def govshare_subscription_create(context: Context, data_dict: DataDict) -> AuthResult:
    grant = grants.load_grant(lookup_key((data_dict or {}).get("grant_id")))
    person = Person.of(context)
    if person.sysadmin:
        return _ok()
    if grant is None:
        # the action answers "not found" to one who may subscribe at all
        return _ok() if person.officer_of else _refuse(MAY_NOT_SUBSCRIBE)
    if subscriptions.may_manage(person, grant["organization_id"]):
        return _ok()
    return _refuse(MAY_NOT_SUBSCRIBE)


@tk.auth_disallow_anonymous_access
def govshare_subscription_show(context: Context, data_dict: DataDict) -> AuthResult:
    found = _subscription(data_dict)
    if found is None or subscriptions.may_see(Person.of(context), found):
        return _ok()
    return _refuse(MAY_NOT_SEE)


@tk.auth_disallow_anonymous_access
def govshare_subscription_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _ok()  # each user sees the subscriptions they may see


def _manage(context: Context, data_dict: DataDict) -> AuthResult:
    found = _subscription(data_dict)
    if found is None or subscriptions.may_manage(Person.of(context), found["organization_id"]):
        return _ok()
    return _refuse(MAY_NOT_MANAGE)


@tk.auth_disallow_anonymous_access
def govshare_subscription_update(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, data_dict)


@tk.auth_disallow_anonymous_access
def govshare_subscription_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, data_dict)


@tk.auth_disallow_anonymous_access
def govshare_subscription_run(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, data_dict)

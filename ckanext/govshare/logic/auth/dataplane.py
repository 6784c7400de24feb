"""Who may see what of a resource's table on the platform's pages (issue 16, item 9).

The data item ↔ column mapping and xloader's load status are the providing department's to
check (its members and sysadmins): a column that matches no data item is never shown outside
the department (issue 16, item 1). A preview of the rows is for the provider (every column)
and for a department holding a live grant on the resource (its granted columns and rows
only, cut by the one scope rule, ``access.scope``; 2016 Measures art. 14). The daily capacity
an entry's interface grants take is the provider's, the sharing authority's and sysadmins'.
Every refusal is in English and Chinese.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ...access import grants as access_grants
from ...access import suspension
from ...core.membership import Person
from ...core.messages import message
from ..guard import lookup_key

__all__ = ["govshare_data_preview", "govshare_entry_capacity", "govshare_resource_mapping"]

LOG_IN = message("Log in to see a resource's data", "请登录后查看资源数据")
PROVIDER_ONLY = message(
    "Only the providing department's members and sysadmins see how a resource's columns "
    "match the entry's data items",
    "只有提供部门成员和系统管理员可以查看资源的列与信息项的对应关系",
)
NO_GRANT = message(
    "A preview is for the providing department and for departments holding a live grant on "
    "this resource (their granted data items only)",
    "数据预览仅限提供部门和持有该资源有效授权的部门（仅限授权的信息项）",
)
CAPACITY_PROVIDER_ONLY = message(
    "Only the providing department, the sharing authority and sysadmins see what an entry's "
    "interface grants take of its daily capacity",
    "只有提供部门、共享主管部门和系统管理员可以查看信息资源服务接口每日调用量的分配情况",
)

_OK: AuthResult = {"success": True}


def _refuse(msg: str) -> AuthResult:
    return {"success": False, "msg": msg}


def resource_of(data_dict: DataDict | None) -> model.Resource | None:
    """The active resource the call names (``resource_id``), else None."""
    rid = lookup_key((data_dict or {}).get("resource_id"))
    resource = model.Resource.get(rid) if rid else None
    return resource if resource is not None and resource.state == "active" else None


def provides(person: Person, package_id: str | None) -> bool:
    """A sysadmin, or a member (any role) of the department that provides the entry now."""
    if person.sysadmin:
        return True
    package = model.Package.get(package_id) if package_id else None
    return package is not None and package.owner_org in person.orgs


@tk.auth_allow_anonymous_access
def govshare_resource_mapping(context: Context, data_dict: DataDict | None) -> AuthResult:
    if not context.get("user"):
        return _refuse(LOG_IN)
    resource = resource_of(data_dict)
    if resource is None:
        return _OK  # the action answers "not found"
    person = Person.of(context)
    return _OK if provides(person, resource.package_id or "") else _refuse(PROVIDER_ONLY)


def holds(person: Person, resource: Any, grant_id: str | None) -> bool:
    """The person's department holds a live grant on the resource (the one named, if any),
    or a suspended one: the action then says why it shows nothing (2025 art. 27)."""
    grants = access_grants.live_grants_for(person.orgs, resource.package_id, resource.id)
    if any(not grant_id or g["id"] == grant_id for g in grants):
        return True
    suspended = suspension.suspended_for(
        person.orgs,
        resource.package_id,
        resource.id,
        accept=lambda g: not grant_id or g["id"] == grant_id,
    )
    return suspended is not None


@tk.auth_allow_anonymous_access
def govshare_data_preview(context: Context, data_dict: DataDict | None) -> AuthResult:
    if not context.get("user"):
        return _refuse(LOG_IN)
    resource = resource_of(data_dict)
    if resource is None:
        return _OK
    person = Person.of(context)
    if provides(person, resource.package_id or ""):
        return _OK  # every column, or what a grant on it delivers (``grant_id``)
    grant_id = lookup_key((data_dict or {}).get("grant_id")) or None
    return _OK if holds(person, resource, grant_id) else _refuse(NO_GRANT)


@tk.auth_allow_anonymous_access
def govshare_entry_capacity(context: Context, data_dict: DataDict | None) -> AuthResult:
    if not context.get("user"):
        return _refuse(LOG_IN)
    package = model.Package.get(lookup_key((data_dict or {}).get("package_id")))
    if package is None:
        return _OK
    person = Person.of(context)
    if person.authority or provides(person, package.id):
        return _OK
    return _refuse(CAPACITY_PROVIDER_ONLY)

"""CKAN's DataStore is no side door to restricted data (issue 16, item 4, last sentence).

``datastore_search``, ``datastore_info``, ``datastore_search_sql`` and the DataStore dump route
(``/datastore/dump/<id>``, which reads through ``datastore_search``; so do CKAN's
``datatables_view`` and recline previews) answer a resource of a restricted entry only for the
providing department's members and sysadmins. Restricted is what the link policy says
(``datalinks.policy.access_now``): every entry that is not open data (open to the public
without conditions, listed). A department holding a grant does not read rows here either: what
it was granted (columns × rows) is cut for it by the platform's own methods (file download,
the service interface, the preview), all through one scope rule (``access.scope``) — CKAN's
DataStore would answer every column and row (2016 Measures art. 14; 2025 Regulations art. 25:
no use beyond the granted scope).

Each function is chained (``tk.chained_auth_function``): it refuses what the platform must
refuse and hands the rest to CKAN's own check (``resource_show``). They are registered only
while the ``datastore`` plugin is loaded (``plugin.GovsharePlugin.get_auth_functions``): a
chained auth function without its base stops CKAN from starting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ...core.messages import message
from ...datalinks import hooks as datalinks
from ...datalinks import policy
from ..guard import lookup_key

__all__: list[str] = []  # registered by the plugin when the DataStore is loaded: functions()

RESTRICTED = message(
    "The rows of a restricted entry are not read through CKAN's DataStore: only the providing "
    "department's members and sysadmins may. A department holding a grant gets what it was "
    "granted from the platform: the download (/govshare/download/<resource_id>), the service "
    "interface (/govshare/query/<resource_id>) or the grant page's preview",
    "非无条件开放的信息资源不能通过CKAN数据表接口读取，仅限提供部门成员和系统管理员。持有授权的部门"
    "请通过平台按授权范围获取：文件下载（/govshare/download/<资源ID>）、服务接口"
    "（/govshare/query/<资源ID>）或授权页面的数据预览",
)


def may_read(user_name: str | None, resource_id: str) -> bool:
    """Whether ``user_name`` may read ``resource_id``'s rows through the DataStore: a sysadmin,
    a member of the department that provides its entry now, or anyone when the entry is open
    data (``policy.access_now`` with no grant: a grant is never a way in here)."""
    viewer = datalinks.viewer_of(user_name)
    if viewer.sysadmin:
        return True
    resource = model.Resource.get(resource_id) if resource_id else None
    if resource is None or resource.state != "active":
        return False  # an alias or a deleted resource: CKAN's own check is for sysadmins
    package_id = resource.package_id or ""
    now = datalinks.entries_now([package_id]).get(package_id)
    return policy.access_now(now, resource.id, viewer, False) == policy.RAW


def _resource_id(data_dict: DataDict | None) -> str:
    data = data_dict or {}
    return lookup_key(data.get("resource_id") or data.get("id"))


def _refused() -> AuthResult:
    return {"success": False, "msg": RESTRICTED}


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_search(
    next_auth: Callable[..., AuthResult], context: Context, data_dict: DataDict | None
) -> AuthResult:
    """Rows of a resource (also the dump route's and the data previews' way in)."""
    if not may_read(context.get("user"), _resource_id(data_dict)):
        return _refused()
    return next_auth(context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_info(
    next_auth: Callable[..., AuthResult], context: Context, data_dict: DataDict | None
) -> AuthResult:
    """A table's columns, types and row count: the provider's to know for a restricted entry
    (a column that matches no data item is never shown outside the department)."""
    if not may_read(context.get("user"), _resource_id(data_dict)):
        return _refused()
    return next_auth(context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_search_sql(
    next_auth: Callable[..., AuthResult], context: Context, data_dict: DataDict | None
) -> AuthResult:
    """SQL over the DataStore: every table it names must be one the user may read here
    (CKAN lists them in ``context["table_names"]``; a call without the list is refused)."""
    names: Any = context.get("table_names")  # type: ignore[typeddict-item]
    user = context.get("user")
    if not isinstance(names, list) or not all(
        isinstance(n, str) and may_read(user, lookup_key(n)) for n in names
    ):
        return _refused()
    return next_auth(context, data_dict)


def functions() -> dict[str, Any]:
    """The chained auth functions, for the plugin to register beside the others."""
    return {
        "datastore_search": datastore_search,
        "datastore_info": datastore_info,
        "datastore_search_sql": datastore_search_sql,
    }

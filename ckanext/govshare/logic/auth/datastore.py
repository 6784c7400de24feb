"""CKAN's DataStore is no side door to restricted data (issue 16, item 4, last sentence).

``datastore_search``, ``datastore_info``, ``datastore_search_sql`` and the DataStore dump route
(``/datastore/dump/<id>``, which reads through ``datastore_search``; so do CKAN's
``datatables_view`` and recline previews) answer a resource of a restricted entry only for the
providing department's members and sysadmins. Restricted is what the link policy says
(``datalinks.policy.access_now``): every entry that is not open data (open to the public
without conditions, listed); and an open entry's table is read whole outside the provider only
when every column is for everyone (no partly shared data item, no column of no data item).
A department holding a grant does not read rows here either: what it was granted (columns ×
rows) is cut for it by the platform's own methods (file download, the service interface, the
preview), all through one scope rule (``access.scope``) — CKAN's DataStore would answer every
column and row (2016 Measures art. 14; 2025 Regulations art. 25: no use beyond the granted
scope).

Each function is chained (``tk.chained_auth_function``): it refuses what the platform must
refuse and hands the rest to CKAN's own check (``resource_show``). They are registered only
while the ``datastore`` plugin is loaded (``logic.auth.registered``): a
chained auth function without its base stops CKAN from starting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ...access import rules as access_rules
from ...core.messages import message
from ...datalinks import hooks as datalinks
from ...datalinks import policy
from ...dataplane import service as dataplane
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


NOT_FOR_EVERYONE = message(
    "This open entry's table holds columns that are not for everyone — a data item shared more "
    "narrowly than the entry (partly shared, art. 9) or a column that matches no data item — so "
    "CKAN's DataStore does not answer it outside the providing department. A department with a "
    "grant gets its granted columns from the platform",
    "该开放信息资源的数据表含有并非对所有人共享的列（共享范围窄于信息资源的信息项，或与信息项不对应的列），"
    "因此CKAN数据表接口不向提供部门以外的用户提供。持有授权的部门请通过平台获取其获授权的列",
)


def refusal(user_name: str | None, resource_id: str) -> str | None:
    """Why ``user_name`` may not read ``resource_id``'s rows through the DataStore, or None
    when they may: a sysadmin, a member of the department that provides its entry now, or
    anyone when the entry is open data (``policy.access_now`` with no grant: a grant is never
    a way in here) and its whole table is for everyone (:func:`whole_table_for_all`)."""
    viewer = datalinks.viewer_of(user_name)
    if viewer.sysadmin:
        return None
    resource = model.Resource.get(resource_id) if resource_id else None
    if resource is None or resource.state != "active":
        return RESTRICTED  # an alias or a deleted resource: CKAN's own check is for sysadmins
    package_id = resource.package_id or ""
    now = datalinks.entries_now([package_id]).get(package_id)
    if policy.access_now(now, resource.id, viewer, False) != policy.RAW:
        return RESTRICTED
    if policy.is_provider(now, viewer) or whole_table_for_all(package_id, resource.id):
        return None
    return NOT_FOR_EVERYONE


def whole_table_for_all(package_id: str, resource_id: str) -> bool:
    """An open entry's table may be read whole by anyone only when no data item is shared more
    narrowly than the entry (art. 9: partly shared) and every column is a data item's (issue 16,
    item 1: a column that matches no data item never leaves the providing department) — the
    rule CKAN's own download route applies to whole files (``datalinks.downloads``)."""
    entry = dataplane.entry(package_id)
    share_type = entry.get("share_type") or "unconditional"
    items = entry.get("data_items") or []
    if any(access_rules.item_share_type(entry, item) != share_type for item in items):
        return False
    mapping = dataplane.mapping(entry, resource_id)
    return not (mapping["in_datastore"] and mapping["unmatched_columns"])


def _resource_id(data_dict: DataDict | None) -> str:
    data = data_dict or {}
    return lookup_key(data.get("resource_id") or data.get("id"))


def _refused(msg: str = RESTRICTED) -> AuthResult:
    return {"success": False, "msg": msg}


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_search(
    next_auth: Callable[..., AuthResult], context: Context, data_dict: DataDict | None
) -> AuthResult:
    """Rows of a resource (also the dump route's and the data previews' way in)."""
    why = refusal(context.get("user"), _resource_id(data_dict))
    if why is not None:
        return _refused(why)
    return next_auth(context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_info(
    next_auth: Callable[..., AuthResult], context: Context, data_dict: DataDict | None
) -> AuthResult:
    """A table's columns, types and row count: the provider's to know for a restricted entry
    (a column that matches no data item is never shown outside the department)."""
    why = refusal(context.get("user"), _resource_id(data_dict))
    if why is not None:
        return _refused(why)
    return next_auth(context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_search_sql(
    next_auth: Callable[..., AuthResult], context: Context, data_dict: DataDict | None
) -> AuthResult:
    """SQL over the DataStore: every table it names must be one the user may read here
    (CKAN lists them in ``context["table_names"]``: a list on 2.11, a generator on 2.12, read
    once here and handed on as a list; a call without them is refused)."""
    given: Any = context.get("table_names")  # type: ignore[typeddict-item]
    user = context.get("user")
    if given is None or isinstance(given, (str, bytes, Mapping)):
        return _refused()
    try:
        names = list(given)
    except TypeError:
        return _refused()
    if not all(isinstance(n, str) for n in names):
        return _refused()
    context["table_names"] = names  # type: ignore[typeddict-unknown-key]
    for name in names:
        why = refusal(user, lookup_key(name))
        if why is not None:
            return _refused(why)
    return next_auth(context, data_dict)


def functions() -> dict[str, Any]:
    """The chained auth functions, for the plugin to register beside the others."""
    return {
        "datastore_search": datastore_search,
        "datastore_info": datastore_info,
        "datastore_search_sql": datastore_search_sql,
    }

"""What the pages show of a resource's table (issue 16, item 9), through the action API too.

- ``govshare_resource_mapping``: for the providing department, whether the resource is loaded
  into the DataStore (xloader's last job) and how its columns meet the entry's data items —
  the columns that match no data item (never delivered outside the department) and the data
  items no column holds (issue 16, item 1).
- ``govshare_data_preview``: the first 20 rows a caller may have — the provider every column;
  a department holding a live grant only the columns and rows of its grant, cut by the one
  scope rule (``dataplane.service.scope_for``, read afresh: a revoked grant previews nothing
  from the next call on; 2016 Measures art. 14, 2025 Regulations art. 25).
- ``govshare_entry_capacity``: what the live interface grants on an entry take of its daily
  capacity (``daily_capacity``), shown to the provider when approving (issue 16, item 6).

Each action validates its input, checks access first (a refusal is recorded against the
providing department) and reads through the dataplane and access services.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...access import grants as access_grants
from ...access import suspension
from ...access.rules import SUSPENDED
from ...access.scope import Scope
from ...audit import store as audit_store
from ...core.membership import Person
from ...core.messages import message
from ...core.transaction import commit
from ...dataplane import service, store
from .. import loading
from ..auth import dataplane as auth
from ..schema import dataplane as schema

__all__ = ["govshare_data_preview", "govshare_entry_capacity", "govshare_resource_mapping"]

#: Rows of a preview (issue 16, item 9).
PREVIEW_ROWS = 20

NO_RESOURCE = message("No such resource", "资源不存在")
NO_ENTRY = message("No such entry", "信息资源不存在")
NOT_IN_DATASTORE = message(
    "This resource is not loaded into the DataStore, so there are no rows to preview: the "
    "providing department loads a CSV or XLSX file into it",
    "此资源尚未导入数据表，无可预览的数据行。请提供部门将CSV或XLSX文件导入数据表",
)


def _resource(
    context: Context, data_dict: DataDict, auth_name: str
) -> tuple[model.Resource, Person]:
    """Check access (a refusal recorded against the providing department), then the resource."""
    resource = auth.resource_of(data_dict)
    package = model.Package.get(resource.package_id) if resource is not None else None
    loading.check(
        auth_name,
        context,
        data_dict,
        object_type="resource",
        object_id=data_dict.get("resource_id"),
        department=package.owner_org if package is not None else None,
    )
    if resource is None:
        raise tk.ObjectNotFound(NO_RESOURCE)
    return resource, Person.of(context)


@tk.side_effect_free
@validate(schema.resource_mapping_schema)
def govshare_resource_mapping(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """For the providing department (its members and sysadmins): the resource's load status
    and its data item ↔ column mapping (issue 16, items 1 and 9).

    :param resource_id: the resource
    :returns: ``resource_id``, ``package_id``, ``in_datastore``, ``columns`` (the table's, in
        order), ``pairs`` (``[{"data_item", "column"}]``), ``unmatched_columns`` (never
        delivered outside the department), ``unmatched_items``, ``load_status``
        (``{"status", "last_updated", "error"}`` of xloader's last job, or null)
    """
    resource, _ = _resource(context, data_dict, "govshare_resource_mapping")
    entry = service.entry(str(resource.package_id))
    return {
        "resource_id": resource.id,
        "package_id": resource.package_id,
        **service.mapping(entry, resource.id),
        "load_status": service.load_status(resource.id),
    }


def _grant_scope(
    grants: list[dict[str, Any]],
    resource_id: str,
    entry: dict[str, Any],
    context: Context | None = None,
) -> tuple[Scope, dict[str, Any]]:
    """The first of ``grants`` with a scope on the resource, or the refusal of the first (a
    suspended grant's recorded, outcome ``refused`` with reason ``suspended``: 2025 art. 27)."""
    refusal, refused_grant = None, None
    for grant in grants:
        found = service.scope_for(grant, resource_id, entry)
        if isinstance(found, Scope):
            return found, grant
        if refusal is None:
            refusal, refused_grant = found, grant
    if refusal is None:
        raise tk.NotAuthorized(auth.NO_GRANT)
    if refusal.reason == SUSPENDED and refused_grant is not None and context is not None:
        _record_suspended(context, refused_grant, resource_id)
    raise tk.ValidationError({"resource_id": [message(*refusal.texts)]})


def _record_suspended(context: Context, grant: dict[str, Any], resource_id: str) -> None:
    """A preview refused under a suspended grant, in the audit trail (committed on its own:
    the refusal is raised next)."""
    person = Person.of(context)
    audit_store.record(
        "govshare_data_preview",
        actor_id=person.id,
        actor_name=person.name,
        actor_department=grant["organization_id"],
        object_type="resource",
        object_id=resource_id,
        object_department=grant["provider_org_id"],
        outcome="refused",
        detail={"reason": SUSPENDED, "grant_id": grant["id"]},
    )
    commit(context)


@tk.side_effect_free
@validate(schema.data_preview_schema)
def govshare_data_preview(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The first 20 rows of a resource's table that the caller may have (issue 16, item 9).

    The providing department's members and sysadmins see every column; a department holding
    a live grant sees the columns of its granted data items and the rows of its row filter
    only (a narrowed grant is never shown more). The provider may give ``grant_id`` to see
    what that grant delivers.

    :param resource_id: the resource (loaded into the DataStore)
    :param grant_id: preview as this grant (optional; default: the provider's view for the
        provider, else the caller's department's live grant on the resource)
    :returns: ``resource_id``, ``grant_id`` (null for the provider's view), ``fields``
        (``[{"id", "type"}]``), ``records`` (at most 20), ``total`` (rows in the scope),
        ``row_filter``
    """
    resource, person = _resource(context, data_dict, "govshare_data_preview")
    package_id = str(resource.package_id)
    entry = service.entry(package_id)
    grant_id = data_dict.get("grant_id")
    provider = auth.provides(person, package_id)
    grant: dict[str, Any] | None = None
    if grant_id:
        named = access_grants.load_grant(grant_id)
        if named is None or not (provider or named["organization_id"] in person.orgs):
            raise tk.NotAuthorized(auth.NO_GRANT)
        scope, grant = _grant_scope([named], resource.id, entry, context)
    elif provider:
        scope = service.provider_scope(resource.id)
    else:
        held = access_grants.live_grants_for(person.orgs, package_id, resource.id)
        if not held:  # a suspended grant says why (2025 art. 27), not "no grant"
            suspended = suspension.suspended_for(person.orgs, package_id, resource.id)
            held = [suspended] if suspended is not None else []
        scope, grant = _grant_scope(held, resource.id, entry, context)
    if scope.whole:
        raise tk.ValidationError({"resource_id": [NOT_IN_DATASTORE]})
    try:
        page = store.select(resource.id, scope.columns, scope.rows, limit=PREVIEW_ROWS)
    except store.BadValue as error:
        raise tk.ValidationError({"resource_id": [str(error)]}) from error
    return {
        "resource_id": resource.id,
        "grant_id": grant["id"] if grant else None,
        "fields": page.fields,
        "records": page.records,
        "total": page.total,
        "row_filter": scope.rows.as_dict() if scope.rows else None,
    }


def _count(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


@tk.side_effect_free
@validate(schema.entry_capacity_schema)
def govshare_entry_capacity(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What the live interface grants on an entry take of its daily capacity, for the
    provider approving a request (issue 16, item 6; 2025 Regulations art. 22).

    :param package_id: the entry (id or name)
    :returns: ``package_id``, ``daily_capacity`` (calls a day the entry can serve; null when
        not declared), ``allocated`` (the summed ``max_calls_per_day`` of live grants),
        ``grants`` (live grants with a quota), ``unlimited`` (live interface grants without
        one), ``left`` (capacity minus allocated; null without a capacity)
    """
    package = model.Package.get(str(data_dict["package_id"]))
    loading.check(
        "govshare_entry_capacity",
        context,
        data_dict,
        object_type="package",
        object_id=package.id if package is not None else None,
        department=package.owner_org if package is not None else None,
    )
    if package is None or package.state != "active":
        raise tk.ObjectNotFound(NO_ENTRY)
    capacity = _count(service.entry(package.id).get("daily_capacity"))
    taken = access_grants.allocated_calls(package.id)
    return {
        "package_id": package.id,
        "daily_capacity": capacity,
        **taken,
        "left": None if capacity is None else capacity - taken["allocated"],
    }

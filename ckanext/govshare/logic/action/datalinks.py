"""Core and activity actions that hand out entries or resources without ``package_show``, made
to show them as ``package_show`` does: without links to restricted data (issue 6, item 4).

Activities keep a copy of the entry as it was, links included; ``resource_search``,
``dataset_followee_list`` and ``followee_list`` dictize entries themselves. Each result is shown
to the caller through the one policy (``datalinks/policy.py``).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ...catalogue.rules import message
from ...datalinks import hooks

__all__ = [
    "activity_data_show",
    "activity_diff",
    "activity_show",
    "dashboard_activity_list",
    "dataset_followee_list",
    "followee_list",
    "group_activity_list",
    "organization_activity_list",
    "package_activity_list",
    "recently_changed_packages_activity_list",
    "resource_search",
    "user_activity_list",
]


def _packages_in(activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for activity in activities:
        data = activity.get("data") if isinstance(activity, dict) else None
        package = data.get("package") if isinstance(data, dict) else None
        if isinstance(package, dict):
            found.append(package)
    return found


def _listing(up_func: Any, context: Any, data_dict: Any) -> Any:
    activities = up_func(context, data_dict)
    hooks.apply_to(_packages_in(activities), hooks.viewer_from_context(context))
    return activities


package_activity_list = tk.chained_action(tk.side_effect_free(_listing))
organization_activity_list = tk.chained_action(tk.side_effect_free(_listing))
group_activity_list = tk.chained_action(tk.side_effect_free(_listing))
user_activity_list = tk.chained_action(tk.side_effect_free(_listing))
dashboard_activity_list = tk.chained_action(tk.side_effect_free(_listing))
recently_changed_packages_activity_list = tk.chained_action(tk.side_effect_free(_listing))


@tk.chained_action
@tk.side_effect_free
def activity_show(up_func: Any, context: Any, data_dict: Any) -> Any:
    activity = up_func(context, data_dict)
    hooks.apply_to(_packages_in([activity]), hooks.viewer_from_context(context))
    return activity


@tk.chained_action
@tk.side_effect_free
def activity_data_show(up_func: Any, context: Any, data_dict: Any) -> Any:
    data = up_func(context, data_dict)
    if isinstance(data, dict) and isinstance(data.get("resources"), list):
        hooks.apply_to([data], hooks.viewer_from_context(context))  # object_type=package
    elif isinstance(data, dict):
        hooks.apply_to(_packages_in([{"data": data}]), hooks.viewer_from_context(context))
    return data


@tk.chained_action
@tk.side_effect_free
def activity_diff(up_func: Any, context: Any, data_dict: Any) -> Any:
    """A diff shows both versions line by line, links included: only for those who may see
    the links of every resource in it."""
    result = up_func(context, data_dict)
    viewer = hooks.viewer_from_context(context)
    for activity in result.get("activities", []):
        shown = _packages_in([activity])
        before = [[r.get("url") for r in p.get("resources") or []] for p in shown]
        hooks.apply_to(shown, viewer)
        after = [[r.get("url") for r in p.get("resources") or []] for p in shown]
        if before != after:
            raise tk.NotAuthorized(
                message(
                    "This change history shows links to restricted data: only the providing "
                    "department and sysadmins may compare its versions",
                    "该变更记录含受限数据的链接，仅提供部门和系统管理员可以比较版本",
                )
            )
    return result


def _with_resources(resources: list[dict[str, Any]], viewer: Any) -> None:
    """Resources found on their own (``resource_search``), each shown as in its entry."""
    from ckan import model

    by_package: dict[str, list[dict[str, Any]]] = {}
    for resource in resources:
        by_package.setdefault(resource.get("package_id", ""), []).append(resource)
    entries = []
    for package_id, found in by_package.items():
        package = model.Package.get(package_id)
        if package is None:
            continue
        entries.append(
            {
                "id": package.id,
                "owner_org": package.owner_org,
                "open_to_public": (package.extras or {}).get("open_to_public"),
                "resources": found,
            }
        )
    hooks.apply_to(entries, viewer)
    shown = {r["id"]: r for e in entries for r in e["resources"]}
    for i, resource in enumerate(resources):
        if resource.get("id") in shown:
            resources[i] = shown[resource["id"]]


SEARCH_BY_LINK = message(
    "Searching resources by their link is for sysadmins: search by name, description or format",
    "按链接检索资源仅限系统管理员，请按名称、描述或格式检索",
)


@tk.chained_action
@tk.side_effect_free
def resource_search(up_func: Any, context: Any, data_dict: Any) -> Any:
    """No search by link (its hit count alone would tell a link), and no link in the hits."""
    viewer = hooks.viewer_from_context(context)
    query = (data_dict or {}).get("query") or []
    fields = (data_dict or {}).get("fields") or {}
    terms = [query] if isinstance(query, str) else list(query)
    if not viewer.sysadmin and (
        "url" in fields or any(str(t).strip().lower().startswith("url:") for t in terms)
    ):
        raise tk.ValidationError({"query": [SEARCH_BY_LINK]})
    result = up_func(context, data_dict)
    if isinstance(result, dict) and isinstance(result.get("results"), list):
        resources = [r for r in result["results"] if isinstance(r, dict)]
        _with_resources(resources, viewer)
        result["results"] = resources
    return result


@tk.chained_action
@tk.side_effect_free
def dataset_followee_list(up_func: Any, context: Any, data_dict: Any) -> Any:
    datasets = up_func(context, data_dict)
    hooks.apply_to([d for d in datasets if isinstance(d, dict)], hooks.viewer_from_context(context))
    return datasets


@tk.chained_action
@tk.side_effect_free
def followee_list(up_func: Any, context: Any, data_dict: Any) -> Any:
    followees = up_func(context, data_dict)
    datasets = [
        f["dict"]
        for f in followees
        if f.get("type") == "dataset" and isinstance(f.get("dict"), dict)
    ]
    hooks.apply_to(datasets, hooks.viewer_from_context(context))
    return followees

"""Core and activity actions that hand out entries or resources without ``package_show``, made
to show them as ``package_show`` does: without links to restricted data (issue 6, item 4;
issue 14, item 1).

Activities are judged where they are read (``datalinks/stored.py``: the ORM and
ckanext-activity's dictization), so every activity action shows them through the one policy
(``datalinks/policy.py``); ``activity_diff`` compares the versions as the caller may see them.
``resource_search``, ``dataset_followee_list`` and ``followee_list`` dictize entries themselves;
``tag_show`` reads the search index's copies itself, past ``package_search`` and its filters.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...core.messages import message
from ...core.transaction import atomic
from ...datalinks import downloads, hooks
from ..schema import downloads as schema

__all__ = [
    "activity_diff",
    "dataset_followee_list",
    "followee_list",
    "govshare_ckan_download_authorize",
    "resource_search",
    "tag_show",
]


@validate(schema.ckan_download_authorize_schema)
@atomic
def govshare_ckan_download_authorize(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """May the caller download this resource's whole file through CKAN's own route (issue 6,
    item 4; art. 14: restricted data leaves only through the platform's counted route;
    issue 16, item 4: never a whole file to someone outside the providing department when it
    holds more than every department may have)? Recorded either way
    (``ckan_resource_download``), so open-data downloads count in the yearly report. Serves
    CKAN's download route only (``logic/auth/downloads.py``).

    :param resource_id: the resource
    :param route: the endpoint that was asked (recorded)
    :returns: ``{"found", "allowed", "reason", "message_en", "message_zh"}`` (not found:
        nothing recorded, CKAN answers 404; refused: ``reason`` is one of
        ``datalinks.downloads.REASONS``)
    """
    tk.check_access("govshare_ckan_download_authorize", context, data_dict)
    result = downloads.judge(
        data_dict["resource_id"],
        hooks.viewer_from_context(context),
        actor_name=context.get("user") or None,
        route=data_dict.get("route"),
    )
    return result


def _diff(objects: list[Any], diff_type: str) -> str:
    """ckanext-activity's diff (2.11 and 2.12 alike), of the versions the caller may see."""
    import difflib
    import re

    before, after = (json.dumps(obj, indent=2, sort_keys=True).split("\n") for obj in objects)
    if diff_type == "unified":
        return "\n".join(difflib.unified_diff(before, after))
    if diff_type == "context":
        return "\n".join(difflib.context_diff(before, after))
    # "html": lines word-wrapped first, as ckanext-activity does
    wrap = re.compile(r".{1,70}(?:\s+|$)")
    old, new = ([w for line in side for w in wrap.findall(line)] for side in (before, after))
    return difflib.HtmlDiff().make_table(old, new)


@tk.chained_action
@tk.side_effect_free
def activity_diff(up_func: Any, context: Any, data_dict: Any) -> Any:
    """A diff shows both versions line by line: it is made from the versions as the caller may
    see them (each judged on the entry as it is now), not from the stored ones."""
    result = up_func(context, data_dict)
    object_type = data_dict.get("object_type")
    activities = result.get("activities") or []
    objects = [(a.get("data") or {}).get(object_type) for a in activities]
    if len(objects) == 2 and all(isinstance(o, dict) for o in objects):
        result["diff"] = _diff(objects, data_dict.get("diff_type", "unified"))
    return result


def _with_resources(resources: list[dict[str, Any]], viewer: Any) -> None:
    """Resources found on their own (``resource_search``), each shown as in its entry now."""
    by_package: dict[str, list[dict[str, Any]]] = {}
    for resource in resources:
        by_package.setdefault(str(resource.get("package_id") or ""), []).append(resource)
    entries = [{"id": package_id, "resources": found} for package_id, found in by_package.items()]
    hooks.apply_to(entries, viewer)
    shown = {r["id"]: r for e in entries for r in e["resources"] if "id" in r}
    for i, resource in enumerate(resources):
        resources[i] = shown.get(resource.get("id"), {"url": "", "govshare_restricted": True})


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


def _visible(context: Any, ids: list[str]) -> set[str]:
    """Which of these entries the action's user may see (the permission labels CKAN's search
    and ``package_show`` check)."""
    from ckan import authz, model
    from ckan.lib.plugins import get_permission_labels

    user = context.get("user")
    if context.get("ignore_auth") or (user and authz.is_sysadmin(user)):
        return set(ids)
    labels = get_permission_labels()
    mine = set(labels.get_user_dataset_labels(model.User.get(user) if user else None))
    packages = model.Session.query(model.Package).filter(model.Package.id.in_(ids)).all()
    return {p.id for p in packages if mine & set(labels.get_dataset_labels(p))}


@tk.chained_action
@tk.side_effect_free
def tag_show(up_func: Any, context: Any, data_dict: Any) -> Any:
    """With ``include_datasets``, CKAN reads each entry's copy from the search index itself,
    with neither the permission labels nor the link policy of ``package_search`` (issue 14,
    item 1): here the entries are those the user may see, shown as ``package_show`` shows
    them."""
    result = up_func(context, data_dict)
    packages = result.get("packages") if isinstance(result, dict) else None
    if isinstance(packages, list):
        entries = [p for p in packages if isinstance(p, dict) and isinstance(p.get("id"), str)]
        visible = _visible(context, [p["id"] for p in entries])
        entries = [p for p in entries if p["id"] in visible]
        hooks.apply_to(entries, hooks.viewer_from_context(context))
        result["packages"] = entries
    return result

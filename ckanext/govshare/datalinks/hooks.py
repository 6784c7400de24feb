"""Applying the link policy wherever CKAN hands out entries: ``package_show`` (and so
``resource_show``, pages, DCAT), search results, the activity stream, and CKAN's own
download route.

The search index itself is written from ``package_show`` as nobody (``ignore_auth`` without a
user), so it holds restricted entries without their links: no ``fl=`` or ``res_url`` query can
read them back. Viewers who may see the links get them restored from the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ..audit import who
from . import policy
from .policy import Viewer


def viewer_of(user_name: str | None) -> Viewer:
    if not user_name:
        return Viewer()
    user = model.User.get(user_name)
    if user is None or user.state != "active":
        return Viewer()
    return Viewer(user.id, bool(user.sysadmin), frozenset(who.organizations_of(user.id)))


def viewer_from_context(context: Mapping[str, Any] | None) -> Viewer:
    """The action's user; an action run by nobody (the search indexer) sees as the public."""
    return viewer_of((context or {}).get("user"))


def current_viewer() -> Viewer:
    """The logged-in user (API token or session), else the public."""
    return viewer_of(who.current_user_name())


def granted(viewer: Viewer, package_ids: Iterable[str]) -> dict[str, set[str] | None]:
    """Per entry, the resources the viewer's departments hold a live grant for (``None``: all)."""
    ids = sorted(set(package_ids))
    if not viewer.orgs or not ids:
        return {}
    from ..access.model import grant_table
    from ..access.service import today

    on: dt.date = today()
    g = grant_table.c
    rows = model.Session.execute(
        sa.select(g.package_id, g.resource_ids).where(
            g.package_id.in_(ids),
            g.organization_id.in_(sorted(viewer.orgs)),
            g.status == "active",
            g.period_start <= on,
            g.period_end >= on,
        )
    ).all()
    result: dict[str, set[str] | None] = {}
    for package_id, resource_ids in rows:
        if resource_ids is None or result.get(package_id, set()) is None:
            result[package_id] = None
        else:
            result.setdefault(package_id, set()).update(resource_ids)
    return result


def platform_url(resource_id: str) -> str:
    return tk.config.get("ckan.site_url", "").rstrip("/") + f"/govshare/download/{resource_id}"


def _raw_resource(for_edit: bool):
    from ckan.lib.dictization import model_dictize

    def load(resource: Mapping[str, Any]) -> dict[str, Any]:
        obj = model.Resource.get(resource["id"])
        if obj is None:
            return policy.redact_resource(resource, None)
        return model_dictize.resource_dictize(obj, {"model": model, "for_edit": for_edit})

    return load


def apply_to(entries: list[dict[str, Any]], viewer: Viewer, *, for_edit: bool = False) -> None:
    grants = granted(viewer, [e["id"] for e in entries if e.get("id")])
    load = _raw_resource(for_edit)
    for entry in entries:
        policy.apply(
            entry,
            viewer,
            grants.get(entry.get("id", ""), False),
            raw_resource=load,
            platform_url=platform_url,
        )


def after_dataset_show(context: Mapping[str, Any], pkg_dict: dict[str, Any]) -> None:
    apply_to([pkg_dict], viewer_from_context(context), for_edit=bool(context.get("for_edit")))


def after_dataset_search(results: list[dict[str, Any]]) -> None:
    apply_to(results, current_viewer())


def may_download_raw(package: model.Package, viewer: Viewer) -> bool:
    """CKAN's own download route: open data, the provider and sysadmins only; grant holders
    download through the platform's route, where each download is checked and counted."""
    entry = {
        "open_to_public": (package.extras or {}).get("open_to_public"),
        "owner_org": package.owner_org,
    }
    return policy.is_open_data(entry) or viewer.sysadmin or package.owner_org in viewer.orgs


def _redacted_json(text: Any) -> Any:
    import json

    try:
        entry = json.loads(text)
    except (TypeError, ValueError):
        return text
    if isinstance(entry, dict) and isinstance(entry.get("resources"), list):
        entry["resources"] = [
            policy.redact_resource(r, None) for r in entry["resources"] if isinstance(r, dict)
        ]
    return json.dumps(entry)


def index_document(doc: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_index``: a restricted entry is indexed without its links.

    Whatever dict the indexer was given (CKAN versions differ in who it reads the entry as),
    the index never holds them, so no ``fl=`` query reads them back; ``after_dataset_search``
    restores them for those who may see them.
    """
    if policy.is_open_data(doc):
        return doc
    for key in ("data_dict", "validated_data_dict"):
        if key in doc:
            doc[key] = _redacted_json(doc[key])
    if isinstance(doc.get("res_url"), list):
        doc["res_url"] = ["" for _ in doc["res_url"]]
    elif "res_url" in doc:
        doc["res_url"] = ""
    return doc

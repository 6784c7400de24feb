"""Applying the link policy wherever CKAN hands out entries: ``package_show`` (and so
``resource_show``, pages, DCAT), search results whatever ``fl`` asked for, the activity stream
(``stored.py``), and CKAN's own download route.

Every copy is judged when it is read, on the entry as the database holds it then
(:func:`entries_now`), never on what the copy says (issue 14, item 1). The search index is
also written without the links of restricted entries (defence in depth: a document indexed
before a change of policy, or by other code, is still judged when read). Viewers who may see
the links get them restored from the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from sqlalchemy import event, orm

from ..audit import who
from ..core import clock, membership
from . import policy
from .policy import Viewer

_CACHE = "govshare_datalinks"


def _cache(kind: str) -> dict[Any, Any]:
    """Per-session memo of users and entries as they are now: one activity list judges many
    copies of the same entry. Dropped whenever the session flushes, commits or rolls back, so
    a change in the same transaction is seen at once."""
    caches = model.Session().info.setdefault(_CACHE, {})
    return caches.setdefault(kind, {})


def _forget(session: Any, *_: Any) -> None:
    session.info.pop(_CACHE, None)


for _event in ("after_flush", "after_commit", "after_soft_rollback"):
    event.listen(orm.Session, _event, _forget)


def viewer_of(user_name: str | None) -> Viewer:
    if not user_name:
        return Viewer()
    cache = _cache("viewers")
    if user_name not in cache:
        user = model.User.get(user_name)
        if user is None or user.state != "active":
            cache[user_name] = Viewer()
        else:
            orgs = frozenset(membership.organizations_of(user.id))
            cache[user_name] = Viewer(user.id, bool(user.sysadmin), orgs)
    return cache[user_name]


def viewer_from_context(context: Mapping[str, Any] | None) -> Viewer:
    """The action's user; an action run by nobody (the search indexer) sees as the public."""
    return viewer_of((context or {}).get("user"))


def current_viewer() -> Viewer:
    """The logged-in user (API token or session), else the public."""
    return viewer_of(who.current_user_name())


def granted(viewer: Viewer, package_ids: Iterable[str]) -> dict[str, set[str] | None]:
    """Per entry, the resources the viewer's departments hold a live grant for (``None``: all);
    entries with no grant are left out. Memoised like :func:`entries_now`."""
    wanted = sorted(set(package_ids))
    if not viewer.orgs or not wanted:
        return {}
    cache = _cache("grants")
    key = viewer.orgs
    known = cache.setdefault(key, {})
    missing = [i for i in wanted if i not in known]
    if missing:
        found = _granted(viewer.orgs, missing)
        for package_id in missing:
            known[package_id] = found.get(package_id, False)
    return {i: known[i] for i in wanted if known[i] is not False}


def _granted(orgs: frozenset[str], ids: list[str]) -> dict[str, set[str] | None]:
    from ..access.grants import live_condition
    from ..access.model import grant_table

    on: dt.date = clock.today()
    g = grant_table.c
    rows = model.Session.execute(
        sa.select(g.package_id, g.resource_ids).where(
            g.package_id.in_(ids),
            g.organization_id.in_(sorted(orgs)),
            live_condition(on),
        )
    ).all()
    result: dict[str, set[str] | None] = {}
    for package_id, resource_ids in rows:
        held = result.get(package_id, set())
        if resource_ids is None or held is None:
            result[package_id] = None
        else:
            result[package_id] = held | set(resource_ids)
    return result


def platform_url(resource_id: str) -> str:
    return tk.config.get("ckan.site_url", "").rstrip("/") + f"/govshare/download/{resource_id}"


def _open_to_public(packages: list[Any]) -> dict[str, str | None]:
    """Each entry's open attribute now: CKAN 2.11 keeps extras in ``package_extra``, 2.12 in a
    column of ``package``; one statement either way."""
    ids = [p.id for p in packages]
    extra = getattr(model, "PackageExtra", None)
    if extra is None:  # CKAN 2.12: Package.extras is a JSONB column, already loaded
        return {p.id: (p.extras or {}).get("open_to_public") for p in packages}
    rows = model.Session.execute(
        sa.select(extra.package_id, extra.value).where(
            extra.package_id.in_(ids), extra.key == "open_to_public", extra.state == "active"
        )
    ).all()
    found: dict[str, str | None] = dict.fromkeys(ids)
    found.update({package_id: value for package_id, value in rows})
    return found


def entries_now(ids: Iterable[str]) -> dict[str, policy.EntryNow | None]:
    """The entries as the database holds them now (``None``: no such entry), each copy of which
    is judged on this. Two or three statements for any number of entries; memoised until the
    session next writes."""
    from ckan.lib.dictization import model_dictize

    wanted = {i for i in ids if isinstance(i, str) and i}
    cache = _cache("entries")
    resources = _cache("resources")
    missing = sorted(wanted - set(cache))
    if missing:
        packages = model.Session.query(model.Package).filter(model.Package.id.in_(missing)).all()
        opens = _open_to_public(packages) if packages else {}
        rows = (
            model.Session.query(model.Resource)
            .filter(
                model.Resource.package_id.in_([p.id for p in packages]),
                model.Resource.state == "active",
            )
            .order_by(model.Resource.position)
            .all()
            if packages
            else []
        )
        links: dict[str, dict[str, str]] = {p.id: {} for p in packages}
        for row in rows:
            shown = model_dictize.resource_dictize(row, {})
            resources[row.id] = shown
            links[row.package_id][row.id] = shown.get("url") or ""
        for package in packages:
            cache[package.id] = policy.EntryNow(
                id=package.id,
                owner_org=package.owner_org,
                open_to_public=opens.get(package.id),
                listed=package.state == "active" and not package.private,
                links=links[package.id],
            )
        for package_id in missing:
            cache.setdefault(package_id, None)
    return {i: cache.get(i) for i in wanted}


def _restorer(for_edit: bool):
    """The resource as it is now, link included, for those who may see it (a copy may have been
    stored without it)."""
    from ckan.lib.dictization import model_dictize

    def load(resource: Mapping[str, Any]) -> dict[str, Any]:
        rid = resource.get("id") or ""
        if not for_edit and rid in _cache("resources"):
            return dict(_cache("resources")[rid])
        obj = model.Resource.get(rid) if rid else None
        if obj is None or obj.state != "active":
            return policy.redact_resource(resource, None)
        return model_dictize.resource_dictize(obj, {"for_edit": for_edit})

    return load


def apply_to(entries: list[dict[str, Any]], viewer: Viewer, *, for_edit: bool = False) -> None:
    """Show copies of entries (``package_show`` answers, activity copies, followee lists) to
    ``viewer``, each judged on its entry as it is now."""
    ids = [e["id"] for e in entries if isinstance(e.get("id"), str)]
    nows = entries_now(ids)
    grants = granted(viewer, ids)
    restore = _restorer(for_edit)
    for entry in entries:
        entry_id = entry.get("id") or ""
        now, granted_now = nows.get(entry_id), grants.get(entry_id, False)
        forbidden = policy.forbidden_strings(now, viewer, granted_now, policy.stored_links(entry))
        policy.show_copy(
            entry,
            now,
            viewer,
            granted_now,
            restore=restore,
            platform_url=platform_url,
            forbidden=forbidden,
        )
        if forbidden:  # in place: the caller holds this dict
            shown = policy.scrub(entry, forbidden)
            entry.clear()
            entry.update(shown)


def after_dataset_show(context: Mapping[str, Any], pkg_dict: dict[str, Any]) -> None:
    apply_to([pkg_dict], viewer_from_context(context), for_edit=bool(context.get("for_edit")))


def _result_id(result: Mapping[str, Any]) -> str | None:
    """The entry a search result is about, whatever ``fl`` kept of it."""
    import json

    if isinstance(result.get("id"), str):
        return result["id"]
    for key in policy.COPY_FIELDS:
        try:
            copy = json.loads(result[key]) if isinstance(result.get(key), str) else None
        except ValueError:
            continue
        if isinstance(copy, dict) and isinstance(copy.get("id"), str):
            return copy["id"]
    if isinstance(result.get("name"), str):
        package = model.Package.get(result["name"])
        return package.id if package is not None else None
    return None


def search_params(params: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_search``: whatever ``fl`` asks for, each result says which entry it is
    about (``id``), so that its fields can be judged on that entry."""
    fl = params.get("fl")
    if not fl:
        return params
    parts = fl if isinstance(fl, list) else [fl]
    words = {w for part in parts for w in str(part).replace(",", " ").split()}
    if words & {"id", "*"} or words <= {"name", "score"}:
        return params
    params["fl"] = [*parts, "id"] if isinstance(fl, list) else f"{fl} id"
    return params


def after_dataset_search(results: list[dict[str, Any]]) -> None:
    """Every result as the user may read it, whatever ``fl`` was (issue 14, item 1)."""
    viewer = current_viewer()
    ids = {i: _result_id(r) for i, r in enumerate(results) if isinstance(r, dict)}
    nows = entries_now(i for i in ids.values() if i)
    grants = granted(viewer, [i for i in ids.values() if i])
    restore = _restorer(False)
    for index, entry_id in ids.items():
        results[index] = policy.show_index_result(
            results[index],
            nows.get(entry_id or ""),
            viewer,
            grants.get(entry_id or "", False),
            restore=restore,
            platform_url=platform_url,
        )


def may_download_raw(package: model.Package, viewer: Viewer) -> bool:
    """CKAN's own download route: open data, the provider and sysadmins only; grant holders
    download through the platform's route, where each download is checked and counted."""
    entry = {
        "open_to_public": (package.extras or {}).get("open_to_public"),
        "owner_org": package.owner_org,
    }
    return policy.is_open_data(entry) or viewer.sysadmin or package.owner_org in viewer.orgs


def index_document(doc: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_index``: a restricted entry is indexed without its links.

    Whatever dict the indexer was given (CKAN versions differ in who it reads the entry as),
    the index never holds them (``policy.index_document``); ``after_dataset_search`` judges
    every result again, on the entry as it is when read, and restores the links for those who
    may see them.
    """
    return policy.index_document(doc)

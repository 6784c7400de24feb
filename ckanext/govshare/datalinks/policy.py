"""Who sees the links that lead to an entry's data, and what the others see instead.

Plain Python over ``package_show``-shaped dicts. Entries open to the public (``open``) are open
data: everyone sees their links. For every other entry, the links (resource ``url`` and any
other field that leads to the bytes) are for the providing department's members and
sysadmins, who manage them; a department holding a live grant for a resource sees the
platform's download URL instead, where each download is checked and counted; everyone else
sees the resource described, without a link.

Copies of an entry are kept in several places: the search index (``data_dict``,
``validated_data_dict``, ``res_url`` …), every activity (CKAN keeps the whole entry as it was),
and whatever a future CKAN stores. A copy says what the entry *was*; who may see a link is
decided on what the entry *is* (issue 14, item 1): its share of the public, its providing
department and the live grants today, read from the database when the copy is read
(:class:`EntryNow`). A resource the entry no longer has keeps its old link from everyone but the
provider and sysadmins.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# What a resource may show without its link: descriptive metadata only. Anything else (url,
# url_type, cache_url, datastore_active, …) is dropped: a whitelist, so a field added by a
# plugin tomorrow stays hidden until someone decides it is safe.
SAFE_RESOURCE_KEYS = frozenset(
    {
        "id",
        "package_id",
        "name",
        "description",
        "format",
        "mimetype",
        "size",
        "created",
        "last_modified",
        "metadata_modified",
        "position",
        "state",
        "resource_type",
    }
)

RAW = "raw"  # the stored link (provider, sysadmin, open data)
PLATFORM = "platform"  # the govshare download URL (grant holders)
NONE = "none"  # no link at all


@dataclass(frozen=True)
class Viewer:
    user_id: str | None = None
    sysadmin: bool = False
    orgs: frozenset[str] = field(default_factory=frozenset)


def is_open_data(entry: Mapping[str, Any]) -> bool:
    return entry.get("open_to_public") == "open"


@dataclass(frozen=True)
class EntryNow:
    """An entry as the database holds it when a copy of it is read: every copy is judged on
    this, never on what the copy itself says (issue 14, item 1).

    ``links``: each resource the entry has now (active), by id, with its link as
    ``package_show`` gives it (an upload's is CKAN's download URL), in position order.
    ``listed``: active and not private; a deleted or private entry shows its links to its
    provider and sysadmins only.
    """

    id: str
    owner_org: str | None
    open_to_public: str | None
    listed: bool = True
    links: Mapping[str, str] = field(default_factory=dict)

    @property
    def open_data(self) -> bool:
        return self.listed and self.open_to_public == "open"


def is_provider(now: EntryNow | None, viewer: Viewer) -> bool:
    """Sysadmins, and the members of the department that provides the entry *now* (an entry
    moved to another department is managed by its new one, art. 8)."""
    if viewer.sysadmin:
        return True
    return now is not None and bool(now.owner_org) and now.owner_org in viewer.orgs


def access_now(
    now: EntryNow | None, resource_id: str, viewer: Viewer, granted: set[str] | None | bool
) -> str:
    """How ``viewer`` sees the link of one resource, judged on the entry as it is now.

    ``granted``: the resources the viewer's departments hold a live grant for on this entry
    today (``None``: all of them; ``False``: no grant). An entry gone from the database
    (purged) or a resource it no longer has: no link but for sysadmins and the provider.
    """
    if is_provider(now, viewer):
        return RAW
    if now is None or resource_id not in now.links:
        return NONE
    if now.open_data:
        return RAW
    if not now.listed:
        return NONE
    if granted is None or (isinstance(granted, set) and resource_id in granted):
        return PLATFORM
    return NONE


# A harvested resource's service interfaces on its source platform (ckanext-dcat's key, as
# ``dcat/access_service.py`` reads them): addresses and descriptions of an interface that
# answers only under a grant there, so users of an upper platform find it and apply at the
# source (issue 20, item 2). Kept without the link only when no text of it names the link.
SERVICES_KEY = "access_services"


def _services_without(services: Any, link: str) -> Any:
    """``services`` when no text of them contains ``link`` (nor the resource's CKAN download
    path), else ``None``: a description that names the data's address is not shown."""
    if not services:
        return None
    text = services if isinstance(services, str) else json.dumps(services, ensure_ascii=False)
    if link and link in text:
        return None
    if "/download/" in text or "/resource/" in text:
        return None
    return services


def redact_resource(resource: Mapping[str, Any], download_url: str | None) -> dict[str, Any]:
    kept = {k: v for k, v in resource.items() if k in SAFE_RESOURCE_KEYS}
    services = _services_without(resource.get(SERVICES_KEY), str(resource.get("url") or ""))
    if services is not None:
        kept[SERVICES_KEY] = services
    kept["url"] = download_url or ""
    kept["govshare_restricted"] = True
    return kept


def show_copy(
    copy: dict[str, Any],
    now: EntryNow | None,
    viewer: Viewer,
    granted: set[str] | None | bool,
    *,
    restore: Callable[[Mapping[str, Any]], dict[str, Any]],
    platform_url: Callable[[str], str],
    forbidden: set[str] | frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Rewrite the resources of a copy of an entry (``package_show`` answer, index document,
    activity) in place for ``viewer``, judged on ``now``, and return it.

    ``forbidden`` (:func:`forbidden_strings`) is scrubbed from the copies it holds as JSON
    text before they are written back; the caller scrubs the copy itself.

    The provider and sysadmins see the copy as it was (a copy stored without its links gets
    them back from ``restore``, the resource as it is now). Others see a link of open data only
    when it is the resource's link today: an old link of an entry that was open then, or of a
    resource that has changed since, is not open data now.
    """
    provider = is_provider(now, viewer)
    resources = []
    for resource in copy.get("resources") or []:
        if not isinstance(resource, dict):
            continue
        rid = str(resource.get("id") or "")
        how = access_now(now, rid, viewer, granted)
        if how == RAW:
            if resource.get("govshare_restricted"):
                resource = restore(resource)
            elif not provider and now is not None and resource.get("url") != now.links[rid]:
                resource = redact_resource(resource, None)
            resources.append(resource)
        elif how == PLATFORM:
            resources.append(redact_resource(resource, platform_url(rid)))
        else:
            resources.append(redact_resource(resource, None))
    if "resources" in copy:
        copy["resources"] = resources
    # A copy may hold further copies as JSON text (CKAN indexes ``data_dict`` with the
    # ``validated_data_dict`` inside it): each is shown by the same rules.
    for key in COPY_FIELDS & set(copy):
        nested = _parsed(copy[key])
        if nested is not None:
            options = {"restore": restore, "platform_url": platform_url, "forbidden": forbidden}
            shown = show_copy(nested, now, viewer, granted, **options)
            copy[key] = json.dumps(scrub(shown, set(forbidden)))
        elif isinstance(copy[key], str) and not viewer.sysadmin:
            copy[key] = ""
    return copy


def _parsed(text: Any) -> dict[str, Any] | None:
    """A copy kept as JSON text, or ``None`` when it is not one."""
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


# Index fields (CKAN's Solr schema.xml, the embedded backend's fields.py) that hold a whole copy
# of the entry as JSON text.
COPY_FIELDS = frozenset({"data_dict", "validated_data_dict"})
# Index fields that hold links (schema.xml copies them all into ``urls``).
LINK_FIELDS = frozenset({"res_url", "urls", "download_url", "ckan_url"})
# Resource extra columns (``ckan.extra_resource_fields``) flattened per resource: any may be a
# link, and the index gives no way to tell which.
LINK_FIELD_PREFIXES = ("res_extras_",)
# A link shorter than this is no link (``""``, ``"x"``): never looked for inside other text.
MIN_LINK_LENGTH = 8


def stored_links(copy: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(resource id, link) of every resource a copy names, as stored in it and in the copies
    it holds."""
    found = []
    for resource in copy.get("resources") or []:
        if isinstance(resource, Mapping) and isinstance(resource.get("url"), str):
            found.append((str(resource.get("id") or ""), resource["url"]))
    for key in COPY_FIELDS & set(copy):
        nested = _parsed(copy[key])
        if nested is not None:
            found += stored_links(nested)
    return found


def _redacted(copy: dict[str, Any]) -> dict[str, Any]:
    """A copy with no link: each resource described only, and the copies it holds alike."""
    if isinstance(copy.get("resources"), list):
        copy["resources"] = [
            redact_resource(r, None) for r in copy["resources"] if isinstance(r, Mapping)
        ]
    for key in COPY_FIELDS & set(copy):
        nested = _parsed(copy[key])
        copy[key] = json.dumps(_redacted(nested)) if nested is not None else ""
    return copy


def index_document(doc: dict[str, Any]) -> dict[str, Any]:
    """What the search index stores of an entry that is not open data: no link at all (the
    copies in it, nested ones included, every link field, and any text holding a link). The
    index is written as nobody; every read judges it again (:func:`show_index_result`), so
    this is defence in depth, and the only defence for code that reads the index bypassing
    the search action.
    """
    if is_open_data(doc):
        return doc
    links = {link for _, link in stored_links(doc)}
    for key in COPY_FIELDS & set(doc):
        nested = _parsed(doc[key])
        if nested is not None:
            links |= {link for _, link in stored_links(nested)}
            doc[key] = json.dumps(_redacted(nested))
        else:
            doc[key] = ""
    for key in list(doc):
        if key in LINK_FIELDS or key.startswith(LINK_FIELD_PREFIXES):
            value = doc[key]
            links |= {
                v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)
            }
            doc[key] = _blank(value)
    return scrub(doc, {link for link in links if len(link) >= MIN_LINK_LENGTH})


def forbidden_strings(
    now: EntryNow | None,
    viewer: Viewer,
    granted: set[str] | None | bool,
    old_links: Iterable[tuple[str, str]] = (),
) -> set[str]:
    """What may appear nowhere in an answer to ``viewer`` about this entry: the links it may
    not see (today's and any a copy kept), CKAN's download path of those resources, and the
    platform's download URL of those it holds no grant for. Empty for the provider."""
    if is_provider(now, viewer):
        return set()
    today = dict(now.links) if now is not None else {}
    forbidden: set[str] = set()
    visible: set[str] = set()
    for rid, link in [*today.items(), *old_links]:
        how = access_now(now, rid, viewer, granted)
        if how == RAW and link == today.get(rid):
            visible.add(link)
        elif len(link) >= MIN_LINK_LENGTH:
            forbidden.add(link)
        if how != RAW and rid:
            forbidden.add(f"/resource/{rid}/download")
        if how == NONE and rid:
            forbidden.add(f"/govshare/download/{rid}")
    return forbidden - visible


def scrub(value: Any, forbidden: set[str]) -> Any:
    """``value`` with every text that contains a forbidden string emptied, at any depth: the
    net under the field-by-field rules, for links kept where no rule looked (a description, an
    extra, a field a plugin adds)."""
    if not forbidden:
        return value
    if isinstance(value, str):
        return "" if any(f in value for f in forbidden) else value
    if isinstance(value, list):
        return [scrub(v, forbidden) for v in value]
    if isinstance(value, tuple):
        return tuple(scrub(v, forbidden) for v in value)
    if isinstance(value, dict):
        return {k: scrub(v, forbidden) for k, v in value.items()}
    return value


def _blank(value: Any) -> Any:
    if isinstance(value, list):
        return ["" for _ in value]
    return "" if isinstance(value, str) else None


def shown_links(
    now: EntryNow | None,
    viewer: Viewer,
    granted: set[str] | None | bool,
    platform_url: Callable[[str], str],
) -> list[str]:
    """``res_url`` as ``viewer`` may read it: one link per resource the entry has now."""
    if now is None:
        return []
    shown = []
    for rid, link in now.links.items():
        how = access_now(now, rid, viewer, granted)
        shown.append(link if how == RAW else platform_url(rid) if how == PLATFORM else "")
    return shown


def show_index_result(
    result: dict[str, Any],
    now: EntryNow | None,
    viewer: Viewer,
    granted: set[str] | None | bool,
    *,
    restore: Callable[[Mapping[str, Any]], dict[str, Any]],
    platform_url: Callable[[str], str],
) -> dict[str, Any]:
    """One ``package_search`` result, whatever ``fl`` asked for, as ``viewer`` may read it.

    A whole entry (the default answer) and the JSON copies (``data_dict``,
    ``validated_data_dict``) go through :func:`show_copy`; ``res_url`` is rebuilt from the entry
    as it is now; other link fields are emptied unless the viewer may see the entry's links;
    then anything left that holds a forbidden link is emptied (:func:`scrub`). A copy that does
    not parse is emptied for all but sysadmins.
    """
    may_see_links = is_provider(now, viewer) or (now is not None and now.open_data)
    forbidden = forbidden_strings(now, viewer, granted, stored_links(result))
    show_copy(
        result,
        now,
        viewer,
        granted,
        restore=restore,
        platform_url=platform_url,
        forbidden=forbidden,
    )
    for key in list(result):
        if key == "res_url":
            if now is None and viewer.sysadmin:
                continue
            links = shown_links(now, viewer, granted, platform_url)
            result[key] = links if isinstance(result[key], list) else (links[:1] or [""])[0]
        elif (key in LINK_FIELDS or key.startswith(LINK_FIELD_PREFIXES)) and not may_see_links:
            result[key] = _blank(result[key])
    return scrub(result, forbidden)


def show_activity_data(
    data: dict[str, Any],
    activity_type: str | None,
    now: EntryNow | None,
    viewer: Viewer,
    granted: set[str] | None | bool,
    *,
    restore: Callable[[Mapping[str, Any]], dict[str, Any]],
    platform_url: Callable[[str], str],
) -> dict[str, Any]:
    """The ``data`` of one stored activity about an entry, as ``viewer`` may read it.

    The entry's copy (``data["package"]``) goes through :func:`show_copy`; a resource view's
    settings (which may embed a link) are kept from those who may not see the resource's link;
    then anything left that holds a forbidden link is emptied. ``data`` is not changed: the
    answer is a new dict (sharing what it shows unchanged with ``data``).
    """
    data = dict(data)
    options = {"restore": restore, "platform_url": platform_url}
    copy = data.get("package")
    old_links = stored_links(copy) if isinstance(copy, dict) else []
    forbidden = forbidden_strings(now, viewer, granted, old_links)
    if isinstance(copy, dict):
        copy = dict(copy)  # show_copy replaces its resources, never changes them
        data["package"] = show_copy(copy, now, viewer, granted, forbidden=forbidden, **options)
    view = "resource view" in (activity_type or "") and "config" in data
    if view and access_now(now, str(data.get("resource_id") or ""), viewer, granted) != RAW:
        data["config"] = {}
    return scrub(data, forbidden)

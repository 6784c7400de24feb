"""Who sees the links that lead to an entry's data, and what the others see instead.

Plain Python over ``package_show``-shaped dicts. Entries open to the public (``open``) are open
data: everyone sees their links. For every other entry, the links (resource ``url`` and any
other field that leads to the bytes) are for the providing department's members and
sysadmins, who manage them; a department holding a live grant for a resource sees the
platform's download URL instead, where each download is checked and counted; everyone else
sees the resource described, without a link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


def access(
    entry: Mapping[str, Any], resource_id: str, viewer: Viewer, granted: set[str] | None | bool
) -> str:
    """How ``viewer`` sees the link of one resource of ``entry``.

    ``granted``: the resources the viewer's departments hold a live grant for on this entry
    (``None``: all of them; ``False``: no grant).
    """
    if is_open_data(entry) or viewer.sysadmin or entry.get("owner_org") in viewer.orgs:
        return RAW
    if granted is None or (granted and resource_id in granted):
        return PLATFORM
    return NONE


def redact_resource(resource: Mapping[str, Any], download_url: str | None) -> dict[str, Any]:
    kept = {k: v for k, v in resource.items() if k in SAFE_RESOURCE_KEYS}
    kept["url"] = download_url or ""
    kept["govshare_restricted"] = True
    return kept


def apply(
    entry: dict[str, Any],
    viewer: Viewer,
    granted: set[str] | None | bool,
    *,
    raw_resource: Callable[[Mapping[str, Any]], dict[str, Any]],
    platform_url: Callable[[str], str],
) -> dict[str, Any]:
    """Rewrite ``entry``'s resources in place for ``viewer`` and return it.

    ``raw_resource(resource)`` gives the stored resource back, link included (the dict may
    come from a redacted index document); ``platform_url(resource_id)`` the govshare download
    URL.
    """
    resources = []
    for resource in entry.get("resources") or []:
        how = access(entry, resource.get("id", ""), viewer, granted)
        if how == RAW:
            if resource.get("govshare_restricted"):
                resource = raw_resource(resource)
            resources.append(resource)
        elif how == PLATFORM:
            resources.append(redact_resource(resource, platform_url(resource["id"])))
        else:
            resources.append(redact_resource(resource, None))
    if "resources" in entry:
        entry["resources"] = resources
    return entry

"""Where a harvested entry comes from, and where a department applies for it (art. 8, 11).

Plain Python. An upper platform keeps, on every harvested entry, the source platform's name
and address (from the harvest source), the providing department's name (from the harvested
metadata) and the page on the source platform where a department obtains, applies or
negotiates for the entry (federation.md: "the entry carries where to apply"). The catalogue
codes travel unchanged: the source platform assigned them (catalogue.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from ..access import rules as access_rules

# The schema fields that say an entry was harvested (schemas/dataset.yaml). Only the platform
# itself (harvesters, sysadmins) sets them; a department's edit keeps them as stored.
FIELDS = ("source_platform", "source_platform_url", "source_department", "source_apply_url")

# Fields whose local derivation makes no sense for a harvested entry: they are kept as the
# source platform sent them (logic/validators.py).
KEPT_AS_HARVESTED = ("resource_code", "provider_code", "related_resource_codes")

# The extra in which the ``govshare`` DCAT profile hands over the source's request page
# (``dcat/profile.py``, ``govshare:requestPage``).
REQUEST_PAGE_EXTRA = "govshare_request_page"


def is_harvested(entry: Mapping[str, Any]) -> bool:
    return bool(entry.get("source_platform_url"))


def apply_url(base_url: str, ref: str, share_type: str | None) -> str:
    """The source platform's page for the path the entry's share type opens (art. 12).

    unconditional → obtain, conditional → request form, not shared → negotiation form; the
    routes of ``views/access.py`` on the source platform.
    """
    base = base_url.rstrip("/")
    path = access_rules.path_for(share_type)
    if path == access_rules.OBTAIN:
        return f"{base}/govshare/obtain/{quote(ref, safe='')}"
    if path == access_rules.NEGOTIATE:
        return f"{base}/govshare/negotiations/new?{urlencode({'package_id': ref})}"
    return f"{base}/govshare/requests/new?{urlencode({'package_id': ref})}"


def site_root(url: str) -> str:
    """The platform's root from a harvest source URL (``…/catalog.ttl`` or the site itself)."""
    url = url.split("?", 1)[0].rstrip("/")
    head, _, tail = url.rpartition("/")
    if tail.startswith("catalog.") and head:
        return head
    return url


def _extra(entry: Mapping[str, Any], key: str) -> Any:
    for extra in entry.get("extras") or []:
        if isinstance(extra, Mapping) and extra.get("key") == key:
            return extra.get("value")
    return None


def _department(entry: Mapping[str, Any]) -> str:
    organization = entry.get("organization")
    if isinstance(organization, Mapping) and (
        organization.get("title") or organization.get("name")
    ):
        return str(organization.get("title") or organization.get("name"))
    for key in ("publisher_name", "source_department"):
        if entry.get(key):
            return str(entry[key])
    publisher = entry.get("publisher")
    if isinstance(publisher, list) and publisher and isinstance(publisher[0], Mapping):
        return str(publisher[0].get("name") or "")
    return str(_extra(entry, "publisher_name") or "")


def stamp(
    entry: dict[str, Any],
    *,
    source_title: str,
    source_url: str,
    remote_ref: str | None = None,
) -> dict[str, Any]:
    """Write the origin fields on a harvested entry (in place) and return it.

    ``remote_ref`` is the entry's name or id on the source platform; an apply page the source
    already published (``source_apply_url``) is kept.
    """
    root = site_root(source_url)
    entry["source_platform"] = source_title or root
    entry["source_platform_url"] = root
    entry["source_department"] = _department(entry) or entry.get("source_department") or ""
    published = entry.get("source_apply_url") or _extra(entry, REQUEST_PAGE_EXTRA)
    if isinstance(published, str) and published.startswith(("http://", "https://")):
        entry["source_apply_url"] = published
    else:
        ref = remote_ref or entry.get("name") or entry.get("id") or ""
        entry["source_apply_url"] = apply_url(root, str(ref), entry.get("share_type"))
    return entry

"""The name (URL) a harvested entry gets on the upper platform.

Plain Python. ckanext-dcat's RDF harvester names a new entry after its title, and a Chinese
title has no letter a URL name keeps: every entry of a Chinese catalogue became ``__``,
``__-1``, ``__-2``… And each of those names was checked by loading every name that starts
with ``__`` (a ``LIKE`` pattern that matches all of them), once per entry in every harvest:
a re-harvest of N entries read N × N names. The entry's name on the source platform is
meaningful, stable and found in its landing page (``…/dataset/<name>``, as the ``govshare``
profile and CKAN write it).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from ckan.lib.munge import munge_title_to_name

# CKAN's rule for dataset names (ckan.logic.validators.name_validator).
_NAME = re.compile(r"^[a-z0-9_-]{2,100}$")
_MAX = 100


def source_name(entry: Mapping[str, Any]) -> str:
    """A name for a harvested entry: its name on the source platform where its landing page
    shows one, else its title's if that keeps a letter, else one derived from its URI."""
    path = urlsplit(str(entry.get("url") or "")).path.rstrip("/")
    head, _, slug = path.rpartition("/")
    if head.endswith("/dataset") and _NAME.match(slug):
        return slug
    title = str(entry.get("title") or "")
    munged = re.sub("-+", "-", munge_title_to_name(title).replace("_", "-")).strip("-")
    if _NAME.match(munged) and re.search("[a-z]", munged):
        return munged
    key = str(entry.get("uri") or entry.get("identifier") or title)
    return "entry-" + hashlib.sha1(key.encode()).hexdigest()[:12]


def unique_name(name: str, key: str, taken: Callable[[str], bool]) -> str:
    """``name``, or the first of ``name-<5 hex>``, ``name-<12 hex>`` (from ``key``, the
    entry's guid: the same entry gets the same name again) that no entry has taken."""
    if not taken(name):
        return name
    digest = hashlib.sha1(key.encode()).hexdigest()
    for size in (5, 12):
        candidate = f"{name[: _MAX - size - 1]}-{digest[:size]}"
        if not taken(candidate):
            return candidate
    return f"{name[: _MAX - 33]}-{uuid.uuid4().hex}"

"""What an entry's kept RDF is filed under, and when it may be served (issue 20 item 3).

Plain Python over the entry dicts the catalogue search hands the DCAT profile. The search has
already applied the link policy for the reader (``datalinks``: art. 14, docs/federation.md
"Links"), so the dict *is* what this reader may see. A kept copy is served only to a reader whose
own dict hashes to the copy's :func:`digest`: it was built from exactly what this reader was
given, so it can hold no link, and no value, that this reader's search did not give them. The
:func:`variant` only keeps readers who see different links from overwriting each other's copy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

# Variant names: every link as stored (open data, the provider, sysadmins), no link at all (the
# public and departments without a grant, for an entry that is not open data), or a mix (a
# grant holder's platform download URLs, a grant covering some resources only).
ALL_LINKS = "links"
NO_LINKS = "no-links"
SOME_LINKS = "some:"

# Formats whose syntax takes N-Triples lines as they are: a page is the catalogue part
# serialised by rdflib, followed by the kept lines (Turtle and N3 are supersets of N-Triples).
LINE_FORMATS = frozenset({"turtle", "n3", "nt", "nt11", "ntriples"})


def variant(entry: Mapping[str, Any]) -> str:
    """The link-visibility class the entry was shown in, from its resources as shown."""
    marks = []
    for resource in entry.get("resources") or []:
        if not isinstance(resource, Mapping):
            continue
        if not resource.get("govshare_restricted"):
            marks.append("r")  # the stored link
        elif resource.get("url"):
            marks.append("p")  # the platform's download URL (a grant)
        else:
            marks.append("n")  # no link
    shown = "".join(marks)
    if set(shown) <= {"r"}:
        return ALL_LINKS
    if set(shown) <= {"n"}:
        return NO_LINKS
    return SOME_LINKS + hashlib.sha1(shown.encode()).hexdigest()[:16]


def canonical(entry: Mapping[str, Any]) -> str:
    """The entry as one text, the same for equal dicts whatever their key order."""
    return json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str)


def digest(
    fingerprint: str, entry: Mapping[str, Any], stored: Mapping[str, str] | None = None
) -> str:
    """What a kept copy must match to be served: the profile's output shape, the entry, and
    the version of each of its resources' rows as stored (``stored``: resource id → row
    version), which the profile reads beyond the dict for resources the link policy cut."""
    text = fingerprint + "\n" + canonical(entry)
    if stored:
        text += "\n" + json.dumps(sorted(stored.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def resource_ids(entry: Mapping[str, Any]) -> list[str]:
    """The ids of the entry's resources as shown (cut ones keep their id)."""
    found = []
    for resource in entry.get("resources") or []:
        if isinstance(resource, Mapping) and resource.get("id"):
            found.append(str(resource["id"]))
    return found


def versions_of(entry: Mapping[str, Any], versions: Mapping[str, str]) -> dict[str, str]:
    """The row versions of the entry's resources; a resource without a row is ``"-"``."""
    return {rid: versions.get(rid, "-") for rid in resource_ids(entry)}


def fingerprint(code_version: str, profiles: Iterable[str], settings: Mapping[str, Any]) -> str:
    """The profile's output shape: its code (and ckanext-dcat's, rdflib's), the profiles asked
    for and the settings that appear in an entry's RDF (site URL, vocabulary base URI, …)."""
    text = json.dumps(
        [code_version, list(profiles), sorted((k, str(v)) for k, v in settings.items())],
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def assembled(head: str, fragments: Iterable[str]) -> str:
    """A page in a line format: the catalogue part, then each entry's kept N-Triples."""
    body = "".join(f if f.endswith("\n") else f + "\n" for f in fragments if f)
    return head.rstrip("\n") + "\n\n" + body if body else head

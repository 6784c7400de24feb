"""A renamed department's entries are found by its new title (issue 19, item 4).

The index holds each entry with its department's title as it was when the entry was indexed
(``index_text``), and CKAN re-indexes no entry when a department changes. After a department is
saved, ``reindex_if_renamed`` asks the index (either backend, through CKAN's search query) for
the title one of its entries was indexed under; when it differs, every entry of the department
is indexed again, so a search for the new title finds them and result rows show it. A save that
leaves the title alone costs one indexed lookup.
"""

from __future__ import annotations

import json
from typing import Any

from ckan import model
from ckan.lib import search
from ckan.lib.search.query import solr_literal

from . import reindex


def indexed_title(org_id: str) -> str | None:
    """The department title one of its entries was indexed under, or None when none is."""
    query = search.query_for(model.Package)
    query.run(
        {
            "q": "*:*",
            "fq": f"+owner_org:{solr_literal(org_id)} +state:(active OR draft)",
            "fl": "id validated_data_dict",
            "rows": 1,
            "facet": "false",
        },
        permission_labels=None,
    )
    for result in query.results:
        raw: Any = result.get("validated_data_dict") if isinstance(result, dict) else None
        try:
            org = json.loads(raw or "{}").get("organization")
        except (TypeError, ValueError, AttributeError):
            return None
        return str(org.get("title") or "") if isinstance(org, dict) else ""
    return None


def entry_ids(org_id: str) -> list[str]:
    """The department's entries the index holds (every state but deleted)."""
    rows = (
        model.Session.query(model.Package.id)
        .filter(model.Package.owner_org == org_id)
        .filter(model.Package.state != "deleted")
        .order_by(model.Package.id)
    )
    return [row[0] for row in rows]


def reindex_if_renamed(org_id: str, title: str | None) -> int:
    """Index the department's entries again when the index holds them under another title;
    how many were indexed. Nothing is committed to the database here: the entries are read in
    the caller's transaction (the department's update), as CKAN's own indexing does."""
    held = indexed_title(org_id)
    if held is None or held == (title or ""):
        return 0
    # The department's new title is still pending in the session when CKAN calls the hook, and
    # package_show reads the department with a plain SELECT: flush it first (not a commit).
    model.Session.flush()
    ids = entry_ids(org_id)
    reindex.entries(ids, defer_commit=True)
    if ids:
        search.index_for(model.Package).commit()
    return len(ids)

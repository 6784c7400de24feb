"""What a search for a department finds: its title in the index document (issue 19, item 4).

CKAN indexes an entry's department by its URL name only (``organization``), so a civil servant
searching 公安部 found nothing. ``before_dataset_index`` puts the department's title into the
catch-all ``text`` field, which CKAN's Solr ``schema.xml`` searches (``qf`` ends in ``text``)
and which the embedded backend weighs as Solr's copy-field sources (``fields.TEXT_SOURCES_D``),
so both backends find the entry by it, with the same CJK bigram analysis
(``analysis.py``, ``docker/solr/schema.xml``). No new index field: both schemas stay as they
are (``tests/search/test_schema_parity.py``).

A data item's name reaches ``text`` the same way (``catalogue.facets.index_document``), so the
entry a data item belongs to is found by the item's name (catalogue guide: 信息项).
"""

from __future__ import annotations

import json
from typing import Any


def _as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value:
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def department_title(doc: dict[str, Any]) -> str | None:
    """The title of the entry's department, as the entry was shown when indexed."""
    for source in ("validated_data_dict", "data_dict"):
        org = _as_dict(doc.get(source)).get("organization")
        if isinstance(org, dict) and org.get("title"):
            return str(org["title"])
    return None


def add_department_title(doc: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_index``: the department's title searchable as free text."""
    title = department_title(doc)
    if not title:
        return doc
    text = doc.get("text")
    values = (
        list(text) if isinstance(text, (list, tuple)) else ([] if text in (None, "") else [text])
    )
    if title not in values:
        values.append(title)
    doc["text"] = values
    return doc

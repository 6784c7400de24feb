"""Catalogue fields in the search index and as facets (both search backends alike).

Multi-valued fields are stored as JSON text; the index gets them as lists so that each value
is a facet value and a filter (``fq=share_methods:api``). Facet values show as their labels
in the reader's language.
"""

from __future__ import annotations

import json
from typing import Any

from .codes import FIELD_CHOICES, Choice

# Facet fields of /dataset, in order, with their code lists.
FACETS: dict[str, tuple[Choice, ...]] = {
    field: FIELD_CHOICES[field]
    for field in (
        "share_type",
        "resource_category",
        "basic_category",
        "theme",
        "update_cycle",
        "share_methods",
        "open_to_public",
        "format_type",
        "data_grade",
    )
}

LIST_FIELDS = ("share_methods", "related_resource_codes")


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, str) and value.startswith("["):
        try:
            parsed = json.loads(value)
        except ValueError:
            return [value]
        return parsed if isinstance(parsed, list) else [value]
    return [] if value in (None, "") else [value]


def index_document(doc: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_index``: list fields as lists; data item names searchable."""
    for field in LIST_FIELDS:
        if field in doc:
            doc[field] = _as_list(doc[field])
    # Data items: their names are searchable; their other parts (types, flags, as JSON or as
    # the flattened "data_items__…" fields other plugins make) would match every query.
    try:
        validated = json.loads(doc.get("validated_data_dict") or "{}")
    except ValueError:
        validated = {}
    items = validated.get("data_items") if isinstance(validated, dict) else None
    if isinstance(items, list):
        names = [str(i.get("name")) for i in items if isinstance(i, dict) and i.get("name")]
        doc["data_item_names"] = names
        doc["text"] = [*_as_list(doc.get("text")), *names]
    for key in [k for k in doc if k.startswith(("data_items", "extras_data_items"))]:
        del doc[key]
    return doc


def label(choices: tuple[Choice, ...], value: str, lang: str) -> str:
    for choice in choices:
        if choice.value == value:
            return choice.zh if lang.startswith("zh") else choice.en
    return value


def localise(search_facets: dict[str, Any], lang: str) -> dict[str, Any]:
    """``after_dataset_search``: code values shown as labels in the reader's language."""
    for field, choices in FACETS.items():
        for item in search_facets.get(field, {}).get("items", []):
            item["display_name"] = label(choices, item["name"], lang)
    return search_facets

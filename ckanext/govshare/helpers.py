"""Template helpers (registered with ``toolkit.blanket.helpers``)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from .catalogue import codes

__all__ = ["govshare_catalogue_stats", "govshare_choices", "govshare_label", "govshare_labels"]


def govshare_catalogue_stats() -> dict[str, Any]:
    """Counts for the home page: entries and departments the visitor may see."""
    result = tk.get_action("package_search")(
        {}, {"rows": 0, "facet.field": ["organization"], "facet.limit": -1}
    )
    departments = result["search_facets"].get("organization", {}).get("items", [])
    return {"entries": result["count"], "departments": len(departments)}


_CHOICES = codes.FIELD_CHOICES


def govshare_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices of a scheming field, with labels in both languages, from ``catalogue.codes``."""
    # In a repeating block the form names the field "data_items-0-data_type".
    name = field["field_name"].rsplit("-", 1)[-1]
    choices = [
        {"value": c.value, "label": {"en": c.en, "zh_Hans_CN": c.zh}} for c in _CHOICES[name]
    ]
    if field.get("govshare_blank_choice"):
        blank = field["govshare_blank_choice"]
        choices.insert(0, {"value": "", "label": blank})
    return choices


def govshare_label(field: str, value: Any) -> str:
    """The label of a code value in the page's language (the value itself if unknown)."""
    choices = _CHOICES.get(field)
    if not choices or value in (None, ""):
        return "" if value is None else str(value)
    lang = tk.h.lang() or ""
    for choice in choices:
        if choice.value == value:
            return choice.zh if lang.startswith("zh") else choice.en
    return str(value)


def govshare_labels(field: str, values: Any) -> list[str]:
    if isinstance(values, str):
        values = [values]
    return [govshare_label(field, v) for v in values or []]

"""Template helpers (registered with ``toolkit.blanket.helpers``)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["govshare_catalogue_stats"]


def govshare_catalogue_stats() -> dict[str, Any]:
    """Counts for the home page: entries and departments the visitor may see."""
    result = tk.get_action("package_search")(
        {}, {"rows": 0, "facet.field": ["organization"], "facet.limit": -1}
    )
    departments = result["search_facets"].get("organization", {}).get("items", [])
    return {"entries": result["count"], "departments": len(departments)}

"""The facets of every catalogue search page, titled in the reader's language (issue 19, item 4).

/dataset, a department's page and a group's page offer the same facets: the providing
department (not on a department's own page), the catalogue's coded fields (catalogue guide;
the data grade under the 2025 Regulations, art. 13), then CKAN's groups, tags and formats. No
licence facet: CKAN titles it 授权, which on this platform is a grant, and its labels are
English licence names; an entry's openness is the 开放属性 facet. ``facet.field=license_id``
still works in the API.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from .. import profiles

#: CKAN's facets the pages leave out.
LEFT_OUT = ("license_id",)


def _catalogue_titles() -> dict[str, str]:
    titles = {
        "share_type": tk._("Share type"),
        "resource_category": tk._("Resource category"),
        "basic_category": tk._("Basic resource category"),
        "theme": tk._("Theme"),
        "update_cycle": tk._("Update cycle"),
        "share_methods": tk._("Share methods"),
        "open_to_public": tk._("Open to the public"),
        "format_type": tk._("Resource format"),
    }
    if profiles.on("catalogue_grading"):
        titles["data_grade"] = tk._("Data grade")  # 2025 Regulations art. 13
    return titles


def ordered(facets_dict: Any, *, department: bool = True) -> Any:
    """``IFacets``: the catalogue's facets first, then CKAN's (same mapping type as given)."""
    result = type(facets_dict)()
    if department:
        result["organization"] = tk._("Providing departments")
    result.update(_catalogue_titles())
    for key, value in facets_dict.items():
        if key in result or key in LEFT_OUT or (key == "organization" and not department):
            continue
        result[key] = value
    return result

"""The DCAT endpoints' actions, chained so ``export_not_shared`` holds on all of them."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from . import export

# dcat_datasets_list belongs to the dcat_json_interface plugin, which the platform does not
# enable (chaining an action nobody defines stops CKAN from starting).
__all__ = ["dcat_catalog_search", "dcat_catalog_show", "dcat_dataset_show"]


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(up: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    """A catalogue page (``/catalog.ttl?page=N``): searched with the export filter."""
    with export.exporting():
        return up(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_search(up: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    with export.exporting():
        return up(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def dcat_dataset_show(up: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    """One entry's RDF: not found when it is not shared and those are not exported."""
    tk.check_access("dcat_dataset_show", context, data_dict)
    if not export.export_not_shared():
        package = model.Package.get(str(data_dict.get("id") or ""))
        if package is not None and (package.extras or {}).get("share_type") == "not_shared":
            raise tk.ObjectNotFound(tk._("Dataset not found"))
    return up(context, data_dict)

"""The DCAT endpoints' actions (ckanext-dcat's), chained so ``export_not_shared`` holds on all
of them (``dcat/export.py``; issue 7 item 3)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ...core.messages import message
from ...dcat import cache, export
from ..guard import lookup_key

# dcat_datasets_list belongs to the dcat_json_interface plugin, which the platform does not
# enable (chaining an action nobody defines stops CKAN from starting).
__all__ = ["dcat_catalog_search", "dcat_catalog_show", "dcat_dataset_show"]

NOT_FOUND = message("Dataset not found", "信息资源不存在")
NOT_AN_ID = message("Give the entry's id or name", "请提供信息资源的标识或名称")


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(up: Any, context: Context, data_dict: DataDict) -> Any:
    """A catalogue page (``/catalog.ttl?page=N``): searched with the export filter; under the
    govshare profile, assembled from each entry's kept RDF (``dcat/cache.py``, issue 20 item 3)."""
    with export.exporting():
        if cache.applies(data_dict):
            tk.check_access("dcat_catalog_show", context, data_dict)
            return cache.catalog(context, data_dict)
        return up(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_search(up: Any, context: Context, data_dict: DataDict) -> Any:
    """A catalogue search (``/catalog.ttl?q=…``): searched with the export filter, assembled
    like a page."""
    with export.exporting():
        if cache.applies(data_dict):
            tk.check_access("dcat_catalog_search", context, data_dict)
            return cache.catalog(context, data_dict)
        return up(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def dcat_dataset_show(up: Any, context: Context, data_dict: DataDict) -> Any:
    """One entry's RDF: not found when it is not shared and those are not exported (art. 8,
    11: the setting is about what leaves for the upper platform)."""
    tk.check_access("dcat_dataset_show", context, data_dict)
    key = lookup_key(data_dict.get("id"))
    if not key:  # a list, a number or 60,000 characters reached package_show: a 500 (issue 14)
        raise tk.ValidationError({"id": [NOT_AN_ID]})
    if export.left_out(key):
        raise tk.ObjectNotFound(NOT_FOUND)
    return up(context, {**data_dict, "id": key})

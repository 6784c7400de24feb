"""Which entries the DCAT endpoints export (issue 7 item 3).

``ckanext.govshare.export_not_shared`` (default true): when false, not-shared entries are left
out of every DCAT endpoint. The catalogue endpoints get a search filter while they run, so
counts and paging links stay right; the per-entry RDF of a not-shared entry is not found.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import ckan.plugins.toolkit as tk

SETTING = "ckanext.govshare.export_not_shared"
NOT_SHARED_FILTER = "-share_type:not_shared"

_exporting: ContextVar[bool] = ContextVar("govshare_dcat_exporting", default=False)


def export_not_shared() -> bool:
    return tk.asbool(tk.config.get(SETTING, True))


@contextlib.contextmanager
def exporting() -> Iterator[None]:
    """Mark the searches made inside as a DCAT endpoint's."""
    token = _exporting.set(True)
    try:
        yield
    finally:
        _exporting.reset(token)


def add_filter(search_params: dict[str, Any], *, exporting: bool, export_all: bool) -> None:
    """Add the not-shared filter to a search a DCAT endpoint makes, unless all are exported."""
    if exporting and not export_all:
        fq_list = list(search_params.get("fq_list") or [])
        if NOT_SHARED_FILTER not in fq_list:
            fq_list.append(NOT_SHARED_FILTER)
        search_params["fq_list"] = fq_list


def search_filter(search_params: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_search``: the filter, for searches made by a DCAT endpoint."""
    if _exporting.get():
        add_filter(search_params, exporting=True, export_all=export_not_shared())
    return search_params

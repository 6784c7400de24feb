"""Which entries the DCAT endpoints export (issue 7 item 3).

``ckanext.govshare.export_not_shared`` (default true): when false, not-shared entries are left
out of every DCAT endpoint. The catalogue endpoints get a search filter while they run, so
counts and paging links stay right; the per-entry RDF of a not-shared entry is not found.

The CKAN harvester reads ``package_search`` and ``package_show`` instead: the accounts upper
platforms harvest with (``ckanext.govshare.harvest_accounts``) get the same filter there, and
are refused a not-shared entry, while departments using those actions still see the whole
catalogue (art. 8, 11: the setting is about what leaves for the upper platform).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import ckan.plugins.toolkit as tk
from flask import has_request_context

from ..core import config

NOT_SHARED_FILTER = "-share_type:not_shared"

_exporting: ContextVar[bool] = ContextVar("govshare_dcat_exporting", default=False)


def export_not_shared() -> bool:
    return config.export_not_shared()


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


def harvest_account(user_name: str | None) -> bool:
    """Whether an upper platform harvests with this account (``…harvest_accounts``)."""
    return bool(user_name) and user_name in config.harvest_accounts()


def withheld_from(user_name: str | None) -> bool:
    """Whether not-shared entries are withheld from this caller of the search and show actions."""
    return not export_not_shared() and harvest_account(user_name)


def not_shared(package_id: str) -> bool:
    """Whether the entry (id or name) is a not-shared one (``share_type`` ``not_shared``)."""
    from ckan import model

    package = model.Package.get(package_id) if package_id else None
    return package is not None and (package.extras or {}).get("share_type") == "not_shared"


def left_out(package_id: str) -> bool:
    """Whether the per-entry DCAT endpoint leaves this entry out: a not-shared entry while
    ``ckanext.govshare.export_not_shared`` is false (art. 8, 11)."""
    return not export_not_shared() and not_shared(package_id)


def _caller() -> str | None:
    if not has_request_context():
        return None
    user = tk.current_user
    return None if user.is_anonymous else user.name


def search_filter(search_params: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_search``: the filter, for searches made by a DCAT endpoint or by an
    upper platform's harvesting account."""
    if _exporting.get() or harvest_account(_caller()):
        add_filter(search_params, exporting=True, export_all=export_not_shared())
    return search_params

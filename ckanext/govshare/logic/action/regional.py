"""Data return (数据回流, 2025 Regulations art. 24; issue 17, item 4): the provider's switch,
an entry's return, and the sharing authority's view of coverage.

Each action validates its input (``@validate``), checks access first (a refusal is recorded
against the entry's providing department) and calls ``regional/service.py``.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...core import paging
from ...core.membership import Person
from ...core.messages import field_errors, message
from ...core.transaction import atomic
from ...regional import service
from .. import loading
from ..schema import regional as schema

__all__ = ["govshare_return_coverage", "govshare_return_show", "govshare_return_update"]

NO_SUCH_ENTRY = message("No such catalogue entry", "信息资源不存在")


def _load(package_id: str, /, *, for_update: bool = False) -> dict[str, Any] | None:
    return service.entry(package_id)


def _entry(context: Context, data_dict: DataDict, auth: str) -> dict[str, Any]:
    """Check access (a refusal recorded against the entry's provider), then the entry."""
    return loading.load_checked(
        auth,
        context,
        data_dict,
        load=_load,
        object_type="package",
        department=lambda found: found["owner_org"],
        not_found=NO_SUCH_ENTRY,
        key="package_id",
    )


@validate(schema.return_update_schema)
@atomic
def govshare_return_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Turn data return on or off for an entry (the provider's data officers, sysadmins).

    On: every lower-level department whose region lies within the entry's coverage gets a
    standing grant (source ``return``) to the rows of its own region, by every method the
    entry offers, without extra conditions (art. 24); departments that join later get theirs
    when they join. Off: those grants are revoked. The entry needs a region item
    (``region_item``) and its provider a level above county (409 otherwise).

    :param package_id: the entry (id or name)
    :param enabled: true to turn return on, false to turn it off
    :returns: as ``govshare_return_show``
    """
    the_entry = _entry(context, data_dict, "govshare_return_update")
    enabled = bool(data_dict["enabled"])
    problems = service.problems(the_entry) if enabled else {}
    if problems:
        raise field_errors(tk.ValidationError, problems)
    return service.set_return(the_entry, enabled, Person.of(context))


@tk.side_effect_free
@validate(schema.return_show_schema)
def govshare_return_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An entry's data return: whether it is on, what keeps it from being turned on
    (``problems``), and each lower department in its coverage with its row prefix and grant
    (the provider's data officers, the sharing authority, sysadmins).

    :param package_id: the entry (id or name)
    :returns: ``{"package_id", "name", "title", "provider_org_id", "provider_org",
        "provider_org_title", "provider_level", "provider_region", "region_item",
        "region_column", "coverage_region", "coverage", "enabled", "modified", "modified_by",
        "problems", "departments": [{"requesting_org_id", "requesting_org",
        "requesting_org_title", "department_level", "region_code", "prefix", "grant"}]}``
    """
    return service.show(_entry(context, data_dict, "govshare_return_show"))


@tk.side_effect_free
@validate(schema.return_coverage_schema)
def govshare_return_coverage(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Data return coverage per entry and region (the sharing authority, sysadmins): a row
    for each upper-level entry with a region item × each lower department in its coverage,
    with its grant and ``status`` (and ``status_label``) — ``covered``, ``missing`` (return
    on, no grant), ``return_off``, or ``no_region`` (the department has no division code) —
    and ``gap``. The entry's department is ``provider_org_id``, the lower one
    ``requesting_org_id``.

    :param provider_org: only this providing department's entries (id or name)
    :param region: only departments whose division code starts with this (e.g. 3301)
    :param gaps_only: only the rows that are not covered
    :param limit: page size (default 50, at most 1000)
    :param offset: rows to skip
    :returns: ``{"count", "results", "limit", "offset"}``
    """
    loading.check("govshare_return_coverage", context, data_dict, object_type="return")
    rows = service.coverage(data_dict)
    limit, offset = paging.bounds(data_dict)
    return paging.answer(len(rows), rows[offset : offset + limit], limit, offset)

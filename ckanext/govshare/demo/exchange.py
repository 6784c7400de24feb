"""Batch exchange in the demo (批量交换, 2025 Regulations art. 22, 24; 2016 Measures art. 12).

The city's market regulation bureau (Hangzhou, 330100) holds the province's data-return grant
on the legal entity registry (the rows of its region; a return grant may use every method the
entry offers, bulk download among them). Its data officer registers a directory exchange
target (前置机目录) under ``ckanext.govshare.exchange.root`` and subscribes the registry's
table to it, full, daily at 02:00 — through the actions, as that officer — so /govshare/exchange
shows a target and a subscription. No run is made here: the first is at the next 02:00
(``ckan govshare exchange run`` in cron), or "Run now" on the subscription's page.

Skipped, with a line in the log, when the exchange root is not configured, the logins or the
registry are not loaded, or the return grant is missing. Nothing is added when the
subscription exists.
"""

from __future__ import annotations

import csv
import io
import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ..core import config
from . import tables
from .context import as_user, site_context

__all__ = ["load"]

log = logging.getLogger(__name__)

HOLDER = "municipal-market-regulation"
ENTRY = "legal-entity-registration"
TARGET_NAME = "市场监管前置机目录"
TARGET_PATH = "municipal-market-regulation/legal-entities"
TABLE = "legal_entity_registration"
SCHEDULE = {"kind": "daily", "at": "02:00"}


def _return_grant(officer: str) -> dict[str, Any] | None:
    """The holder's live return grant on the registry (given when return was turned on)."""
    found = tk.get_action("govshare_grant_list")(
        as_user(officer), {"direction": "outgoing", "package_id": ENTRY, "status": "active"}
    )
    return next((g for g in found["results"] if g.get("source") == "return"), None)


def _target(officer: str) -> dict[str, Any]:
    """The holder's directory target, registered (and so tested) if missing."""
    found = tk.get_action("govshare_exchange_target_list")(
        as_user(officer), {"organization": HOLDER, "limit": 1000}
    )
    for target in found["results"]:
        if target["name"] == TARGET_NAME:
            return target
    return tk.get_action("govshare_exchange_target_create")(
        as_user(officer),
        {
            "organization": HOLDER,
            "name": TARGET_NAME,
            "kind": "directory",
            "path": TARGET_PATH,
            "description": "省法人单位登记信息按区划回流，每天 02:00 全量交换（演示）",
        },
    )


def _ensure_table(entry: dict[str, Any]) -> str:
    """The registry's resource, in the DataStore now.

    A subscription needs the table (batch exchange delivers the granted columns); the demo's
    upload is loaded by xloader only once the jobs worker runs, after the demo. So the same
    rows are put there now, from the file the demo uploaded, every column text as xloader
    loads a CSV; xloader's load replaces them with the same table later.
    """
    resource = entry["resources"][0]
    if resource.get("datastore_active"):
        return resource["id"]
    items = [i["name"] for i in entry.get("data_items") or []]
    _name, data, _format, _media = tables.resource_file(ENTRY, items, config.demo_seed())
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    tk.get_action("datastore_create")(
        site_context(),
        {
            "resource_id": resource["id"],
            "force": True,
            "fields": [{"id": column, "type": "text"} for column in header],
            "records": [dict(zip(header, row, strict=True)) for row in rows],
        },
    )
    return resource["id"]


def load() -> int:
    """The demo's exchange target and subscription; returns 1 when the subscription was made."""
    if not config.exchange_root():
        log.info("Demo batch exchange skipped: ckanext.govshare.exchange.root is not set")
        return 0
    officer = f"{HOLDER}-officer"
    if model.User.by_name(officer) is None or model.Package.by_name(ENTRY) is None:
        log.info("Demo batch exchange skipped: no %s login or no %s entry", officer, ENTRY)
        return 0
    grant = _return_grant(officer)
    if grant is None:
        log.info("Demo batch exchange skipped: %s holds no return grant on %s", HOLDER, ENTRY)
        return 0
    existing = tk.get_action("govshare_subscription_list")(
        as_user(officer), {"grant_id": grant["id"]}
    )
    if existing["count"]:
        return 0
    target = _target(officer)
    entry = tk.get_action("package_show")(site_context(), {"id": ENTRY})
    tk.get_action("govshare_subscription_create")(
        as_user(officer),
        {
            "grant_id": grant["id"],
            "resource_id": _ensure_table(entry),
            "target_id": target["id"],
            "table": TABLE,
            "mode": "full",
            "schedule": SCHEDULE,
        },
    )
    return 1

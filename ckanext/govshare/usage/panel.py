"""What the grant page and the entry page show of usage records, disposal and service filings
(2025 Regulations art. 27, 29): the template helpers' work.

Every answer comes from the actions (``tk.get_action``; ``tk.check_access`` for what the user
may do), as the pages' contract asks; nothing here reads a table. Nothing is shown when the
profile in force has no such rule or the user may not see it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ..core import clock
from . import rules

__all__ = ["choices", "entry_filings", "grant_usage", "pick", "rule_on"]

#: Records the grant page lists (the rest: the list action, ``limit``/``offset``).
SHOWN = 20


def _context() -> Context:
    user = tk.current_user
    return {"user": user.name if user and user.is_authenticated else ""}


def _rules_on() -> dict[str, bool]:
    found = tk.get_action("govshare_rule_profile_show")(_context(), {})
    return {key: bool(rule.get("on")) for key, rule in found["rules"].items()}


def rule_on(key: str) -> bool:
    """Whether the profile in force has the rule ``key``."""
    return _rules_on().get(key, False)


def _may(action: str, data: Mapping[str, Any]) -> bool:
    try:
        tk.check_access(action, _context(), dict(data))
    except tk.NotAuthorized:
        return False
    return True


def pick(label: Mapping[str, str] | None, zh: bool) -> str:
    """A ``{"en", "zh_Hans_CN"}`` label in the page's language."""
    if not label:
        return ""
    return label["zh_Hans_CN"] if zh else label["en"]


def choices(kind: str) -> list[dict[str, Any]]:
    """The codes of a form's select (``record``, ``disposal`` or ``filing``) with labels."""
    table = {
        "record": rules.KINDS,
        "disposal": rules.DISPOSAL_METHODS,
        "filing": rules.FILING_KINDS,
    }[kind]
    return [{"value": c.value, "label": {"en": c.en, "zh_Hans_CN": c.zh}} for c in table]


def grant_usage(grant: Mapping[str, Any]) -> dict[str, Any] | None:
    """The grant page's usage-record and disposal panels: the records the user may read, and
    whether they may record use or disposal; the filings that cover the grant, for a
    provider's revoke form. ``None`` when the profile has none of these rules or the user is
    not logged in."""
    if not _context().get("user"):
        return None
    on = _rules_on()
    if not (on.get("usage_records") or on.get("disposal") or on.get("service_filing")):
        return None
    panel: dict[str, Any] = {
        "records": None,
        "count": 0,
        "may_record": False,
        "may_dispose": False,
        "disposal": on.get("disposal", False),
        "disposal_overdue": False,
        "filings": None,
        "service_filing": on.get("service_filing", False),
    }
    grant_id = grant["id"]
    if on.get("usage_records"):
        try:
            found = tk.get_action("govshare_usage_record_list")(
                _context(), {"grant_id": grant_id, "limit": SHOWN}
            )
            panel["records"], panel["count"] = found["results"], found["count"]
        except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError):
            panel["records"] = None
        panel["may_record"] = _may("govshare_usage_record_create", {"grant_id": grant_id})
    ended = grant.get("status") in rules.ENDED_GRANT_STATUSES
    undisposed = ended and not grant.get("disposed_at")
    due = grant.get("disposal_due")
    panel["disposal_overdue"] = bool(undisposed and due and clock.today().isoformat() > due)
    if on.get("disposal") and undisposed:
        panel["may_dispose"] = _may("govshare_grant_dispose", {"id": grant_id})
    if on.get("service_filing") and grant.get("status") in ("active", "suspended"):
        try:
            found = tk.get_action("govshare_service_filing_list")(
                _context(), {"package_id": grant["package_id"], "kind": "end", "limit": 100}
            )
            panel["filings"] = [f for f in found["results"] if grant_id in f["grant_ids"]]
        except (tk.NotAuthorized, tk.ValidationError):
            panel["filings"] = None
    return panel


def entry_filings(pkg: Mapping[str, Any]) -> dict[str, Any] | None:
    """The entry page's service-filing panel: the filings on the entry the user may see, and
    whether they may file one (a data officer of the provider). ``None`` when the profile has
    no filings, or the user sees none and may file none."""
    if not _context().get("user") or not _rules_on().get("service_filing"):
        return None
    may_file = _may("govshare_service_filing_create", {"package_id": pkg["id"]})
    found = tk.get_action("govshare_service_filing_list")(
        _context(), {"package_id": pkg["id"], "limit": 5}
    )
    if not may_file and not found["count"]:
        return None
    return {"may_file": may_file, "count": found["count"], "items": found["results"]}

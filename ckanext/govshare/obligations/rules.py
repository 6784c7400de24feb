"""The rules of catalogue-maintenance obligations (art. 8), plain Python.

A department updates its catalogue within 15 working days after a law is revised or its
functions change (2016 Measures art. 8). The sharing authority or the department's data
officer records the obligation with the date the change took effect; the department's data
officer discharges it by listing the entries of its catalogue it reviewed or changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from ..core.messages import message

KINDS = ("law_revised", "functions_changed", "other")
OPEN = "open"
DISCHARGED = "discharged"
STATES = (OPEN, DISCHARGED)

DEADLINE_KEY = "ckanext.govshare.deadline.catalogue_update"

KIND_LABELS = {
    "law_revised": ("A law was revised", "法律法规修订"),
    "functions_changed": ("The department's functions changed", "部门职能调整"),
    "other": ("Other", "其他"),
}
STATE_LABELS = {OPEN: ("Open", "待更新"), DISCHARGED: ("Discharged", "已完成")}

ALREADY_DISCHARGED = message(
    "This obligation has already been discharged", "该目录更新任务已完成，不能重复提交"
)
NO_ENTRIES = message(
    "List the entries of the catalogue you reviewed or changed",
    "请列出已复核或更新的目录条目",
)


class Viewer(Protocol):
    sysadmin: bool
    authority: bool
    orgs: set[str]
    officer_of: set[str]


class Calendar(Protocol):
    def add_workdays(self, start: dt.date, n: int) -> dt.date: ...


def deadline_days(days: int) -> int:
    """Working days to update the catalogue (``ckanext.govshare.deadline.catalogue_update``,
    declared default 15 as art. 8 says); at least 1."""
    if days < 1:
        raise ValueError(f"{DEADLINE_KEY} must be at least 1")
    return days


def due_date(effective: dt.date, days: int, calendar: Calendar) -> dt.date:
    """The ``days``-th working day after the date the change took effect."""
    return calendar.add_workdays(effective, days)


def may_create(person: Viewer, organization_id: str) -> bool:
    """The sharing authority, or the department's own data officer (or a sysadmin)."""
    return bool(person.sysadmin or person.authority or organization_id in person.officer_of)


def may_discharge(person: Viewer, obligation: Mapping[str, Any]) -> bool:
    """The department's data officer (or a sysadmin): it maintains its catalogue."""
    return bool(person.sysadmin or obligation.get("organization_id") in person.officer_of)


def may_see(person: Viewer, obligation: Mapping[str, Any]) -> bool:
    """The department's members, the sharing authority and sysadmins."""
    return bool(
        person.sysadmin or person.authority or obligation.get("organization_id") in person.orgs
    )


def check_discharge(
    obligation: Mapping[str, Any], entries: Iterable[str], catalogue: Iterable[str]
) -> dict[str, list[str]]:
    """Open, and the entries listed (at least one) are all of the department's catalogue."""
    errors: dict[str, list[str]] = {}
    if obligation.get("state") != OPEN:
        errors["id"] = [ALREADY_DISCHARGED]
    listed = list(entries)
    if not listed:
        errors["entries"] = [NO_ENTRIES]
    else:
        own = set(catalogue)
        foreign = [e for e in listed if e not in own]
        if foreign:
            errors["entries"] = [
                message(
                    f"Not entries of this department's catalogue: {', '.join(foreign)}",
                    f"以下不是本部门目录中的条目：{'、'.join(foreign)}",
                )
            ]
    return errors


def is_late(obligation: Mapping[str, Any], today: dt.date, discharged_on: dt.date | None) -> bool:
    """Late: discharged on a local date after the due date, or still open after it."""
    due = obligation["due_date"]
    if obligation.get("state") == DISCHARGED and discharged_on is not None:
        return discharged_on > due
    return today > due


def label(table: Mapping[str, tuple[str, str]], value: str | None) -> str:
    en, zh = table.get(value or "", (value or "", value or ""))
    return message(en, zh)


# --- 2025 Regulations art. 17: +5 working days with the authority's consent ----------------

EXTENSION_PENDING = "pending"
EXTENSION_APPROVED = "approved"
EXTENSION_REJECTED = "rejected"
EXTENSION_STATES = (EXTENSION_PENDING, EXTENSION_APPROVED, EXTENSION_REJECTED)
EXTENSION_LABELS = {
    EXTENSION_PENDING: ("Extension asked", "延期待审核"),
    EXTENSION_APPROVED: ("Extension approved", "已同意延期"),
    EXTENSION_REJECTED: ("Extension refused", "不同意延期"),
}

NOT_OPEN = message(
    "Only an open obligation can be extended", "只有未完成的目录更新任务可以申请延期"
)
ALREADY_ASKED = message(
    "An obligation is extended once: an extension was already asked for",
    "目录更新任务只能申请一次延期，已申请过",
)
NO_EXTENSION_PENDING = message(
    "No extension of this obligation waits for a decision", "该目录更新任务没有待审核的延期申请"
)
REJECTION_NEEDS_REASON = message("Refusing an extension needs a reason", "不同意延期须说明理由")


def may_extend(person: Viewer, obligation: Mapping[str, Any]) -> bool:
    """The department's data officer (or a sysadmin) asks (art. 17)."""
    return bool(person.sysadmin or obligation.get("organization_id") in person.officer_of)


def may_decide_extension(person: Viewer) -> bool:
    """The sharing authority (or a sysadmin) consents (art. 17)."""
    return bool(person.sysadmin or person.authority)


def check_extension_request(obligation: Mapping[str, Any]) -> dict[str, list[str]]:
    """Open, and never extended before (once)."""
    if obligation.get("state") != OPEN:
        return {"id": [NOT_OPEN]}
    if obligation.get("extension_status"):
        return {"id": [ALREADY_ASKED]}
    return {}


def check_extension_decision(
    obligation: Mapping[str, Any], decision: str, reason: str | None
) -> dict[str, list[str]]:
    """A pending extension of an open obligation; a refusal gives its reason."""
    errors: dict[str, list[str]] = {}
    if obligation.get("state") != OPEN or obligation.get("extension_status") != EXTENSION_PENDING:
        errors["id"] = [NO_EXTENSION_PENDING]
    if decision == "reject" and not (reason or "").strip():
        errors["reason"] = [REJECTION_NEEDS_REASON]
    return errors

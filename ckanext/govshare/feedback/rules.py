"""The rules of doubt and error feedback (art. 15: 疑义、错误信息快速校核), plain Python.

A department user flags an entry, one of its resources or one of its data items as doubtful
or wrong; the provider's data officers verify it within a deadline counted in working days
from the local date it was made, and answer ``corrected`` or ``confirmed_correct`` with an
explanation (workflows.md, "Error and doubt feedback"). Nothing here knows Flask or CKAN's
actions: the callers pass the entry (``package_show``'s dict), the person and the calendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Protocol

from ..core.messages import message

KINDS = ("doubt", "error")
RESOLUTIONS = ("corrected", "confirmed_correct")
OPEN = "open"
RESOLVED = "resolved"
STATES = (OPEN, RESOLVED)

DEADLINE_KEY = "ckanext.govshare.deadline.feedback"

# Labels in both languages (English, Chinese), for pages and notices.
KIND_LABELS = {"doubt": ("Doubtful data", "数据疑义"), "error": ("Wrong data", "数据错误")}
RESOLUTION_LABELS = {
    "corrected": ("Corrected", "已更正"),
    "confirmed_correct": ("Confirmed correct", "经核实无误"),
}
STATE_LABELS = {OPEN: ("Open", "待核实"), RESOLVED: ("Resolved", "已答复")}

NOT_OF_ENTRY_RESOURCE = message(
    "Not a resource of this entry: choose one of its resources", "不是该信息资源的资源，请重新选择"
)
NOT_OF_ENTRY_ITEM = message(
    "Not a data item of this entry: choose one of its data items",
    "不是该信息资源的信息项，请重新选择",
)
ALREADY_RESOLVED = message("This feedback has already been answered", "该反馈已答复，不能重复答复")
NEEDS_EXPLANATION = message(
    "Explain the answer: what was corrected, or how the data was verified",
    "请说明答复理由：更正了什么，或如何核实数据无误",
)


class Viewer(Protocol):
    """What the rules need to know of a user (``core.membership.Person`` has it)."""

    sysadmin: bool
    authority: bool
    orgs: set[str]
    officer_of: set[str]


def deadline_days(days: int) -> int:
    """Working days the provider has to answer (``ckanext.govshare.deadline.feedback``,
    declared default 5: art. 15 asks for fast verification but sets no number); at least 1."""
    if days < 1:
        raise ValueError(f"{DEADLINE_KEY} must be at least 1")
    return days


class Calendar(Protocol):
    def add_workdays(self, start: dt.date, n: int) -> dt.date: ...


def due_date(submitted_on: dt.date, days: int, calendar: Calendar) -> dt.date:
    """The ``days``-th working day after the local date the feedback was made."""
    return calendar.add_workdays(submitted_on, days)


def check_target(
    entry: Mapping[str, Any], resource_id: str | None, data_item: str | None
) -> dict[str, list[str]]:
    """The resource and the data item flagged must belong to the entry."""
    errors: dict[str, list[str]] = {}
    if resource_id and resource_id not in {r.get("id") for r in entry.get("resources") or []}:
        errors["resource_id"] = [NOT_OF_ENTRY_RESOURCE]
    if data_item and data_item not in {
        str(i.get("name")) for i in entry.get("data_items") or [] if i.get("name")
    }:
        errors["data_item"] = [NOT_OF_ENTRY_ITEM]
    return errors


def may_see(person: Viewer, feedback: Mapping[str, Any]) -> bool:
    """The reporting department, the provider's data officers, the sharing authority and
    sysadmins — nobody else (the provider's other staff included)."""
    return bool(
        person.sysadmin
        or person.authority
        or feedback.get("organization_id") in person.orgs
        or feedback.get("provider_org_id") in person.officer_of
    )


def may_resolve(person: Viewer, feedback: Mapping[str, Any]) -> bool:
    """The provider verifies (art. 15): its data officers (editors, admins), or a sysadmin."""
    return bool(person.sysadmin or feedback.get("provider_org_id") in person.officer_of)


def check_resolve(feedback: Mapping[str, Any], explanation: str | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if feedback.get("state") != OPEN:
        errors["id"] = [ALREADY_RESOLVED]
    if not (explanation or "").strip():
        errors["explanation"] = [NEEDS_EXPLANATION]
    return errors


def is_late(feedback: Mapping[str, Any], today: dt.date, answered_on: dt.date | None) -> bool:
    """Late: answered on a local date after the due date, or still open after it."""
    due = feedback["due_date"]
    if feedback.get("state") == RESOLVED and answered_on is not None:
        return answered_on > due
    return today > due


def label(table: Mapping[str, tuple[str, str]], value: str | None) -> str:
    """``"English | 中文"`` for a code, as the API's labels read."""
    en, zh = table.get(value or "", (value or "", value or ""))
    return message(en, zh)

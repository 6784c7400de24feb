"""The provider's clock on a request (art. 12(2); workflows.md, "Deadlines and working days").

A conditional request is answered within ``ckanext.govshare.deadline.conditional`` working
days of its local submission date. A return stops the clock and keeps the working days that
were left; resubmission restarts it with them (at least one). A request not answered by its
due date is overdue: shown and escalated, never approved by default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .. import profiles, workdays
from ..core import clock
from ..core.messages import message
from . import workflow

__all__ = [
    "CLOCK_FIELDS",
    "clock_restart",
    "clock_stop",
    "delivery_due",
    "disposal_due",
    "extended_due",
    "not_in_profile",
    "due_date",
    "is_overdue",
    "working_days_left",
]

#: The request's columns the clock moves (not "changed" by the requester on resubmission).
CLOCK_FIELDS = frozenset({"due_date", "remaining_workdays", "last_submitted_at"})


def due_date(submitted: dt.datetime) -> dt.date | None:
    """The due date of a request submitted at ``submitted``; ``None`` when no deadline is set."""
    days = workdays.deadline_days("conditional")
    if days is None:
        return None
    return workdays.current().add_workdays(clock.local_date(submitted), days)


def working_days_left(
    request: Mapping[str, Any],
    on: dt.date | None = None,
    calendar: workdays.WorkCalendar | None = None,
) -> int | None:
    """Working days until the due date (negative once overdue); ``None`` when no clock runs.

    ``calendar``: the working calendar already read (a list reads it once for its page)."""
    due = request.get("due_date")
    if not due or request.get("status") not in workflow.CLOCK_RUNNING:
        return None
    return (calendar or workdays.current()).workdays_between(on or clock.today(), due)


def is_overdue(request: Mapping[str, Any], on: dt.date | None = None) -> bool:
    due = request.get("due_date")
    running = request.get("status") in workflow.CLOCK_RUNNING
    return bool(due and running and (on or clock.today()) > due)


def clock_stop(request: Mapping[str, Any]) -> dict[str, Any]:
    """A return stops the provider's clock (art. 12(2)): keep the working days left."""
    due = request.get("due_date")
    if due is None:
        return {"due_date": None, "remaining_workdays": None}
    left = workdays.current().workdays_between(clock.today(), due)
    return {"due_date": None, "remaining_workdays": max(left, 0)}


def clock_restart(request: Mapping[str, Any]) -> dict[str, Any]:
    """Resubmission restarts the clock with what was left (at least one working day)."""
    at = clock.now()
    left = request.get("remaining_workdays")
    if left is None:
        due = due_date(at)
    else:
        due = workdays.current().add_workdays(clock.today(), max(left, 1))
    return {"due_date": due, "remaining_workdays": None, "last_submitted_at": at}


def delivery_due(approved: dt.datetime) -> dt.date | None:
    """The date an approved grant's data must be available by (2025 art. 22: 20 working days
    of the approving answer); ``None`` when the profile sets no delivery deadline."""
    days = profiles.number("delivery")
    if days is None or not profiles.on("delivery_deadline"):
        return None
    return workdays.current().add_workdays(clock.local_date(approved), days)


def disposal_due(ended_on: dt.date) -> dt.date | None:
    """The date the holder must have recorded the disposal of a grant's data by (2025
    art. 27), counted from the local date the grant ended; ``None`` when the profile asks for
    no disposal record."""
    days = profiles.number("disposal")
    if days is None or not profiles.on("disposal"):
        return None
    return workdays.current().add_workdays(ended_on, days)


def extended_due(due: dt.date, days: int) -> dt.date:
    """The due date an approved extension moves ``due`` to: ``days`` working days later
    (2025 art. 21: at most ``extension_max`` working days in all)."""
    return workdays.current().add_workdays(due, days)


def not_in_profile(en: str, zh: str) -> str:
    """The refusal of a step the rule profile in force does not have (a 409), naming it:
    ``en``/``zh`` say what the step is ("Extending the time to answer", "延长答复期限")."""
    name = profiles.name()
    table = profiles.rules.PROFILES[name]
    return message(
        f"{en} is not part of the rule profile in force: {table.en} ({name})",
        f"现行规则配置“{table.zh}”（{name}）没有{zh}",
    )

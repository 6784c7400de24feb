"""The yearly-report reminder of ``ckan govshare remind`` (art. 18: by the end of February).

From 1 January to the last day of February (local dates), every department's data officers
get one notice (``report_due``) linking to last year's report. The idempotence key
``report_due:<department>:<year>`` makes it once per department and year however often
``remind`` runs; an officer who joins in February still gets it on the next run. The sharing
authority and the joint conference report nothing and get none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ckan import model


def due_by(year: int) -> dt.date:
    """The last day of February after ``year``: the report on ``year`` is due then."""
    return dt.date(year + 1, 3, 1) - dt.timedelta(days=1)


def reporting_year(today: dt.date) -> int | None:
    """The year whose report is due, while reminders run (January–February), else ``None``."""
    return today.year - 1 if today.month in (1, 2) else None


def run(reminder: Any) -> None:
    """One pass for ``reminder`` (a ``notices.remind.Reminder``: ``today``, ``_each``…)."""
    from ..access.roles import authority_org_id, conference_org_id
    from ..notices import core
    from . import data

    year = reporting_year(reminder.today)
    if year is None:
        return
    bodies = {authority_org_id(), conference_org_id()}
    departments = {d["id"]: d for d in data.departments() if d["id"] not in bodies}
    model.Session.rollback()  # the read is over; each department in its own transaction

    def work(org_id: str) -> bool:
        org = departments[org_id]
        params = {
            "organization": org["title"],
            "year": year,
            "due_by": due_by(year).isoformat(),
            "link": f"/govshare/reports/{org['name']}/{year}",
        }
        new = core.notify(
            "report_due",
            recipients=core.officers_of(org_id),
            key=f"report_due:{org_id}:{year}",
            params=params,
        )
        if new:
            reminder.summary["notices report_due"] += new
        return bool(new)

    reminder._each("report reminders", sorted(departments), work)

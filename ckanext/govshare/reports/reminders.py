"""The yearly-report reminder of ``ckan govshare remind`` (art. 18: by the end of February).

From 1 January to the last day of February (local dates), every department's data officers
get one notice (``report_due``) linking to last year's report. The idempotence key
``report_due:<department>:<year>`` makes it once per department and year however often
``remind`` runs; an officer who joins in February still gets it on the next run. The sharing
authority and the joint conference report nothing and get none.

The step of ``ckan govshare remind`` (``reminders/scheduler.py`` runs it):
``departments_to_remind`` lists the departments, ``remind_department`` reminds one.
"""

from __future__ import annotations

import datetime as dt

from ckan import model

from .. import notices
from ..workdays import WorkCalendar


def due_by(year: int) -> dt.date:
    """The last day of February after ``year``: the report on ``year`` is due then."""
    return dt.date(year + 1, 3, 1) - dt.timedelta(days=1)


def reporting_year(today: dt.date) -> int | None:
    """The year whose report is due, while reminders run (January–February), else ``None``."""
    return today.year - 1 if today.month in (1, 2) else None


def departments_to_remind(today: dt.date, calendar: WorkCalendar) -> list[str]:
    """The departments whose officers are reminded on ``today``: every one but the sharing
    authority and the joint conference, from January to the end of February; else none."""
    from ..core.membership import authority_org_id, conference_org_id
    from . import data

    if reporting_year(today) is None:
        return []
    bodies = {authority_org_id(), conference_org_id()}
    return sorted(d["id"] for d in data.departments() if d["id"] not in bodies)


def remind_department(org_id: str, today: dt.date, calendar: WorkCalendar) -> int | None:
    """The department's data officers, once a year: a link to last year's report."""
    year = reporting_year(today)
    org = model.Group.get(org_id)
    if year is None or org is None:
        return None
    params = {
        "organization": org.title or org.name,
        "year": year,
        "due_by": due_by(year).isoformat(),
        "link": f"/govshare/reports/{org.name}/{year}",
    }
    new = notices.notify(
        "report_due",
        recipients=notices.officers_of(org_id),
        key=f"report_due:{org_id}:{year}",
        params=params,
    )
    return new or None

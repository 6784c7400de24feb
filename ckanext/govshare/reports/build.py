"""A department's yearly report and the platform-wide one (art. 16–18), as JSON-ready dicts.

The measures are ``metrics.py``'s, the findings ``findings.py``'s, over the rows ``data.py``
reads. Deadlines are judged on the day the report is made (``today``): a request of December
still unanswered in February is reported as never answered; staleness is as of that day too
(the platform keeps an entry's latest data, not the history of its updates).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .. import profiles, workdays
from ..core import clock, config
from ..core.membership import authority_org_id, conference_org_id
from ..core.serialise import plain_all
from . import data as year_data
from . import findings as rules
from . import labels, metrics, reminders

PLATFORM = "platform"
THRESHOLD_KEY = "ckanext.govshare.findings.refused_attempts"  # for tests that override it


def refused_threshold() -> int:
    return max(config.findings_refused_attempts(), 1)


def usage_record_days() -> int:
    return max(config.findings_usage_record_days(), 0)


def _group(rows: Iterable[Mapping[str, Any]], key: str) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.get(key)].append(row)  # type: ignore[index]
    return grouped


#: States of a request its own department's head has not sent (2025 art. 20), and the ends
#: such a request may come to without being sent.
_UNSENT = frozenset({"awaiting_signoff", "signoff_returned"})
_ENDS = frozenset({"withdrawn", "expired"})


def _reached_provider(request: Mapping[str, Any], events: Mapping[str, list[Any]]) -> bool:
    """Whether the request reached its provider: not one waiting for (or returned by) its
    department's head, nor withdrawn or expired before the head sent it (2025 art. 20)."""
    if request.get("status") in _UNSENT:
        return False
    history = events.get(request["id"]) or []
    return not history or any(e["to_state"] not in _UNSENT | _ENDS for e in history)


class _Sections:
    """The year's rows, indexed by department once, and every measure of one department."""

    def __init__(self, rows: year_data.YearData, today: dt.date) -> None:
        self.rows = rows
        self.today = today
        # Working days counted once from the year before to the year after (answers of a
        # December request come in January); dates beyond fall back on the calendar.
        self.calendar = metrics.PrefixCalendar(
            workdays.current(), dt.date(rows.year - 1, 1, 1), dt.date(rows.year + 1, 12, 31)
        )
        self.local: Callable[[dt.datetime], dt.date] = year_data.local_in(clock.timezone())
        self._request_facts: dict[str, tuple[str, int | None, int]] = {}
        self.entries = _group(rows.entries, "owner_org")
        # 2025 art. 20: what its own department's head never sent did not reach the provider.
        sent = [r for r in rows.requests if _reached_provider(r, rows.events)]
        self.received = _group(sent, "provider_org_id")
        self.made = _group(rows.requests, "requesting_org_id")
        self.grants_held = _group(rows.grants, "organization_id")
        self.grants_given = _group(rows.grants, "provider_org_id")
        self.downloads_made = _group(rows.downloads, "organization_id")
        self.downloads_of = _group(rows.downloads, "provider_org_id")
        self.calls_made = _group(rows.api_calls, "organization_id")
        self.calls_of = _group(rows.api_calls, "provider_org_id")
        self.exchange_received = _group(rows.exchange_runs, "organization_id")
        self.exchange_given = _group(rows.exchange_runs, "provider_org_id")
        self.feedback_received = _group(rows.feedback, "provider_org_id")
        self.feedback_made = _group(rows.feedback, "organization_id")
        self.obligations = _group(rows.obligations, "organization_id")
        self.kinds = rules.kinds(profiles.on)
        self.findings = self._findings()
        self.findings_of = _group(self.findings, "organization_id")

    def _findings(self) -> list[dict[str, Any]]:
        """The findings of the profile in force, each citing its article (2016 art. 24;
        2025 art. 39, 40)."""
        rows, local, today = self.rows, self.local, self.today
        kinds = set(self.kinds)
        beyond = "use_outside_grant" in kinds
        found = [
            *rules.obligations(rows.obligations, local, today),
            *rules.requests(rows.requests, rows.events, local, today, rows.extensions),
            *rules.feedback(rows.feedback, local, today),
            *rules.stale(rows.entries, local, today),
            *rules.refused_attempts(
                rows.refused,
                refused_threshold(),
                rows.start,
                rows.end,
                apart=rules.beyond_grant if beyond else None,
            ),
            *rules.no_return(rows.entries, rows.regions, rows.returned, today),
        ]
        if "delivery_late" in kinds:
            found += rules.delivery(rows.grants, local, today)
        if "repeated_return" in kinds:
            found += rules.repeated_returns(rows.requests, rows.events)
        if "review_late" in kinds:
            found += rules.reviews(rows.reviews, authority_org_id(), local, today)
        if "service_unfiled" in kinds:
            found += rules.service_unfiled(rows.ended, rows.filed, local)
        if "no_disposal" in kinds:
            found += rules.no_disposal(rows.disposals, today)
        if "no_usage_records" in kinds:
            found += rules.no_usage_records(
                rows.grants, rows.usage, usage_record_days(), self.calendar, local, today
            )
        if beyond:
            found += rules.use_outside_grant(rows.refused, rows.start, rows.end)
        return rules.cite(found, profiles.name(), labels.TEXT)

    def measures(self, org_id: str | None) -> dict[str, Any]:
        """Every measure of one department (``None``: the whole platform)."""
        rows, local, today = self.rows, self.local, self.today

        def pick(grouped: dict[str, list[Any]], everything: list[Any]) -> list[Any]:
            return everything if org_id is None else grouped.get(org_id, [])

        found = pick(self.findings_of, self.findings)
        return {
            "entries": metrics.entries_summary(pick(self.entries, rows.entries)),
            "obligations": metrics.obligations_summary(
                pick(self.obligations, rows.obligations), local, today
            ),
            "requests_received": metrics.requests_received(
                pick(self.received, rows.requests),
                rows.events,
                self.calendar,
                local,
                today,
                self._request_facts,
            ),
            "requests_made": metrics.requests_made(pick(self.made, rows.requests), local),
            "grants": metrics.grants_summary(
                pick(self.grants_held, rows.grants), pick(self.grants_given, rows.grants)
            ),
            "downloads": {
                "made": metrics.downloads_summary(pick(self.downloads_made, rows.downloads)),
                "of_our_data": metrics.downloads_summary(pick(self.downloads_of, rows.downloads)),
            },
            "api_calls": {
                "made": metrics.api_calls_summary(pick(self.calls_made, rows.api_calls)),
                "of_our_data": metrics.api_calls_summary(pick(self.calls_of, rows.api_calls)),
            },
            "exchange_runs": {
                "received": metrics.exchange_runs_summary(
                    pick(self.exchange_received, rows.exchange_runs)
                ),
                "given": metrics.exchange_runs_summary(
                    pick(self.exchange_given, rows.exchange_runs)
                ),
            },
            "feedback": metrics.feedback_summary(
                pick(self.feedback_received, rows.feedback),
                pick(self.feedback_made, rows.feedback),
                local,
                today,
            ),
            "findings": found,
            "findings_by_kind": rules.by_kind(found, self.kinds),
        }


def _header(year: int, today: dt.date) -> dict[str, Any]:
    return {
        "year": year,
        "period": {"start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31)},
        "as_of": today,
        "generated_at": clock.now(),
        "timezone": str(clock.timezone()),
        "rule_profile": workdays.profile_name(),
        "deadline_days": workdays.deadlines(),
        "due_by": reminders.due_by(year),
    }


def department_report(
    organization: Mapping[str, Any], year: int, on: dt.date | None = None
) -> dict[str, Any]:
    """One department's report for ``year`` (art. 18: due by the end of next February)."""
    on = on or clock.today()
    sections = _Sections(year_data.load(year, organization["id"]), on)
    report = {
        "scope": "department",
        "organization": {k: organization.get(k) for k in ("id", "name", "title")},
        **_header(year, on),
        **sections.measures(organization["id"]),
    }
    return plain_all(report)


def platform_report(year: int, on: dt.date | None = None) -> dict[str, Any]:
    """Totals for the sharing authority, and one row per department."""
    return all_reports(year, on, departments=False)[0]


def all_reports(
    year: int, on: dt.date | None = None, *, departments: bool = True
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The platform report and (``departments``) every department's, from one read of the year.

    Departments are every organization but the sharing authority and the joint conference,
    which are listed only when they provide entries or take part in requests or findings.
    """
    on = on or clock.today()
    sections = _Sections(year_data.load(year, None), on)
    bodies = {authority_org_id(), conference_org_id()}
    rows = []
    reports = []
    for org in year_data.departments():
        measures = sections.measures(org["id"])
        active = (
            measures["entries"]["total"]
            or measures["requests_received"]["total"]
            or measures["requests_made"]["total"]
            or measures["findings"]
            or measures["feedback"]["received"]
            or measures["obligations"]["total"]
        )
        if org["id"] in bodies and not active:
            continue  # the authority and the conference, unless they provide or ask
        rows.append(department_row(org, measures))
        if departments:
            reports.append(
                plain_all(
                    {
                        "scope": "department",
                        "organization": dict(org),
                        **_header(year, on),
                        **measures,
                    }
                )
            )
    report = {
        "scope": PLATFORM,
        "organization": None,
        **_header(year, on),
        **sections.measures(None),
        "departments": rows,
    }
    return plain_all(report), reports


def department_row(org: Mapping[str, Any], m: Mapping[str, Any]) -> dict[str, Any]:
    """The platform table's row of one department."""
    received = m["requests_received"]
    return {
        "id": org["id"],
        "name": org["name"],
        "title": org["title"],
        "entries": m["entries"]["total"],
        "unconditional": m["entries"]["by_share_type"]["unconditional"],
        "conditional": m["entries"]["by_share_type"]["conditional"],
        "not_shared": m["entries"]["not_shared"],
        "not_shared_with_basis": m["entries"]["not_shared_with_basis"],
        "obligations": m["obligations"]["total"],
        "obligations_on_time": m["obligations"]["discharged_on_time"],
        "requests_received": received["total"],
        "answered_on_time": received["answered_on_time"],
        "answered_late": received["answered_late"],
        "never_answered": received["never_answered"],
        "median_answer_workdays": received["median_answer_workdays"],
        "rejected": received["by_status"].get("rejected", 0),
        "requests_made": m["requests_made"]["total"],
        "grants_received": m["grants"]["received"],
        "grants_given": m["grants"]["given"],
        "downloads_made": m["downloads"]["made"]["total"],
        "downloads_of_our_data": m["downloads"]["of_our_data"]["total"],
        "api_calls_made": m["api_calls"]["made"]["total"],
        "api_calls_refused": m["api_calls"]["made"]["refused"],
        "api_calls_of_our_data": m["api_calls"]["of_our_data"]["total"],
        "exchange_runs_received": m["exchange_runs"]["received"]["runs"],
        "exchange_runs_given": m["exchange_runs"]["given"]["runs"],
        "feedback_received": m["feedback"]["received"],
        "feedback_on_time": m["feedback"]["resolved_on_time"],
        "findings": len(m["findings"]),
        "findings_by_kind": m["findings_by_kind"],
    }

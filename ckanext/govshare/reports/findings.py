"""Compliance findings (art. 24: what earns a rectification notice), in plain Python.

Each finding names the department it is about, what is wrong, and the evidence records it
rests on (type, id and a link on the platform). The kinds:

- ``catalogue_overdue`` (art. 8, 24(1)): a catalogue-maintenance obligation discharged after
  its due date, or still open after it;
- ``answer_late`` / ``answer_missing`` (art. 12, 24(2)): a request decided after its due date,
  or never answered (still submitted after the due date, or expired while the provider's
  clock ran);
- ``feedback_overdue`` (art. 15, 24(3)): doubt or error feedback resolved late or still open
  after its due date;
- ``stale_data`` (art. 13, 24(3)): an entry whose latest data is older than its update cycle
  allows (``STALE_AFTER_DAYS``). The latest data is the newest ``created``,
  ``last_modified`` or ``metadata_modified`` of its active resources (an upload, or an edit of
  a resource, is an update of the data); an entry without resources falls back on its own
  ``metadata_modified``. ``realtime`` entries must have data no older than a day (as
  ``daily``); ``irregular`` entries are never stale (no cycle to hold them to);
- ``refused_attempts`` (art. 14, 24(4)): a user whose attempts to reach something they may not
  (audit events with outcome ``refused``; failed logins are not counted) reached the
  threshold (``ckanext.govshare.findings.refused_attempts``, default 5) in the year. The
  finding is about the user's acting department;
- ``no_return`` (2025 Regulations art. 24, 39(5)): an upper-level entry (its provider above
  the county level) with a region item whose return to lower levels is not on; the evidence
  names the entry and the lower departments in its coverage (``regional.rules.receives``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..regional import rules as regions
from . import metrics

Row = Mapping[str, Any]
LocalDate = Callable[[dt.datetime], dt.date]

KINDS = (
    "catalogue_overdue",
    "answer_late",
    "answer_missing",
    "feedback_overdue",
    "stale_data",
    "refused_attempts",
    "no_return",
)

# The oldest the latest data may be, in days, for each update cycle; ``None``: never stale.
STALE_AFTER_DAYS: dict[str, int | None] = {
    "realtime": 1,
    "daily": 1,
    "weekly": 7,
    "monthly": 31,
    "quarterly": 92,
    "semiannual": 183,
    "annual": 366,
    "irregular": None,
}

def request_link(request_id: str) -> str:
    return f"/govshare/requests/{request_id}"


def entry_link(package_id: str) -> str:
    return f"/dataset/{package_id}"


def feedback_link(feedback_id: str) -> str:
    return f"/govshare/feedback/{feedback_id}"


def obligation_link(obligation_id: str) -> str:
    return f"/govshare/obligations/{obligation_id}"


def audit_link(actor: str, since: dt.datetime, until: dt.datetime) -> str:
    return (
        f"/govshare/audit/?actor={actor}&since={since.isoformat()}&until={until.isoformat()}"
    ).replace("+", "%2B")


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _finding(
    kind: str,
    organization_id: str | None,
    *,
    object_type: str,
    object_id: str,
    due_date: dt.date | None = None,
    evidence: list[dict[str, Any]],
    **detail: Any,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "organization_id": organization_id,
        "object_type": object_type,
        "object_id": object_id,
        "due_date": _iso(due_date),
        "detail": {k: _iso(v) for k, v in detail.items()},
        "evidence": evidence,
    }


def obligations(rows: Iterable[Row], local: LocalDate, today: dt.date) -> list[dict[str, Any]]:
    found = []
    for row in rows:
        state = metrics.obligation_state(row, local, today)
        if state not in ("late", "overdue"):
            continue
        found.append(
            _finding(
                "catalogue_overdue",
                row["organization_id"],
                object_type="obligation",
                object_id=row["id"],
                due_date=row["due_date"],
                state=row["state"],
                discharged_on=local(row["discharged_at"]) if row.get("discharged_at") else None,
                obligation_kind=row.get("kind"),
                evidence=[
                    {"type": "obligation", "id": row["id"], "link": obligation_link(row["id"])}
                ],
            )
        )
    return found


def requests(
    rows: Iterable[Row], events: Mapping[str, Sequence[Row]], local: LocalDate, today: dt.date
) -> list[dict[str, Any]]:
    found = []
    for row in rows:
        if row.get("kind", "request") != "request":
            continue
        history = events.get(row["id"], ())
        state = metrics.request_state(row, history, local, today)
        if state not in ("late", "overdue"):
            continue
        evidence = [{"type": "access_request", "id": row["id"], "link": request_link(row["id"])}]
        evidence += [
            {"type": "access_request_event", "id": e["id"], "link": request_link(row["id"])}
            for e in history
            if e.get("from_state") == metrics.SUBMITTED or e.get("to_state") == metrics.SUBMITTED
        ]
        found.append(
            _finding(
                "answer_late" if state == "late" else "answer_missing",
                row["provider_org_id"],
                object_type="access_request",
                object_id=row["id"],
                due_date=row.get("due_date"),
                status=row["status"],
                decided_on=local(row["decided_at"]) if row.get("decided_at") else None,
                requesting_org_id=row.get("requesting_org_id"),
                package_id=row.get("package_id"),
                evidence=evidence,
            )
        )
    return found


def feedback(rows: Iterable[Row], local: LocalDate, today: dt.date) -> list[dict[str, Any]]:
    found = []
    for row in rows:
        if metrics.feedback_state(row, local, today) not in ("late", "overdue"):
            continue
        found.append(
            _finding(
                "feedback_overdue",
                row["provider_org_id"],
                object_type="feedback",
                object_id=row["id"],
                due_date=row["due_date"],
                state=row["state"],
                resolved_on=local(row["resolved_at"]) if row.get("resolved_at") else None,
                package_id=row.get("package_id"),
                evidence=[
                    {"type": "feedback", "id": row["id"], "link": feedback_link(row["id"])},
                    {
                        "type": "package",
                        "id": row.get("package_id"),
                        "link": entry_link(row.get("package_id") or ""),
                    },
                ],
            )
        )
    return found


def stale_age_limit(update_cycle: str | None) -> int | None:
    """Days the latest data may be old for the cycle (unknown cycles: never stale)."""
    return STALE_AFTER_DAYS.get(update_cycle or "irregular")


def is_stale(update_cycle: str | None, latest: dt.date | None, on: dt.date) -> bool:
    limit = stale_age_limit(update_cycle)
    return limit is not None and latest is not None and (on - latest).days > limit


def stale(entries: Iterable[Row], local: LocalDate, on: dt.date) -> list[dict[str, Any]]:
    """Entries whose ``latest_data`` (an aware datetime) is older than their cycle allows."""
    found = []
    for entry in entries:
        latest = entry.get("latest_data")
        latest_day = local(latest) if latest is not None else None
        if not is_stale(entry.get("update_cycle"), latest_day, on):
            continue
        found.append(
            _finding(
                "stale_data",
                entry["owner_org"],
                object_type="package",
                object_id=entry["id"],
                update_cycle=entry.get("update_cycle"),
                latest_data=latest_day,
                age_days=(on - latest_day).days if latest_day else None,
                allowed_days=stale_age_limit(entry.get("update_cycle")),
                as_of=on,
                name=entry.get("name"),
                evidence=[
                    {"type": "package", "id": entry["id"], "link": entry_link(entry["id"])},
                    *(
                        {"type": "resource", "id": rid, "link": entry_link(entry["id"])}
                        for rid in entry.get("resource_ids") or ()
                    ),
                ],
            )
        )
    return found


def refused_attempts(
    events: Iterable[Row],
    threshold: int,
    since: dt.datetime,
    until: dt.datetime,
) -> list[dict[str, Any]]:
    """Users with ``threshold`` or more refused attempts: one finding each, every event cited."""
    by_actor: dict[str, list[Row]] = defaultdict(list)
    for event in events:
        if event.get("outcome") != "refused" or not event.get("actor_id"):
            continue
        if event.get("action") == "user_login_failed":
            continue
        by_actor[event["actor_id"]].append(event)
    found = []
    for actor, rows in sorted(by_actor.items()):
        if len(rows) < max(threshold, 1):
            continue
        rows = sorted(rows, key=lambda e: e["seq"])
        departments = [e.get("actor_department") for e in rows if e.get("actor_department")]
        department = max(set(departments), key=departments.count) if departments else None
        name = rows[-1].get("actor_name") or actor
        found.append(
            _finding(
                "refused_attempts",
                department,
                object_type="user",
                object_id=actor,
                user_name=name,
                attempts=len(rows),
                threshold=threshold,
                actions=sorted({e["action"] for e in rows}),
                evidence=[
                    {
                        "type": "audit_event",
                        "id": e["seq"],
                        "link": audit_link(name, since, until),
                    }
                    for e in rows
                ],
            )
        )
    return found


def organization_link(name: str) -> str:
    return f"/organization/{name}"


def no_return(
    entries: Iterable[Row], departments: Sequence[Row], returned: Iterable[str], on: dt.date
) -> list[dict[str, Any]]:
    """Upper-level entries with a region item and no return to lower levels (art. 24, 39(5)).

    ``departments``: ``{"id", "name", "department_level", "region_code"}`` of every active
    department; ``returned``: the ids of the entries whose return is on."""
    by_id = {d["id"]: d for d in departments}
    on_ids = set(returned)
    found = []
    for entry in entries:
        region_item = (entry.get("region_item") or "").strip()
        provider = by_id.get(entry.get("owner_org") or "")
        if not region_item or provider is None or entry["id"] in on_ids:
            continue
        if not regions.may_return(provider.get("department_level")):
            continue
        coverage = regions.coverage_of(entry.get("coverage_region"), provider.get("region_code"))
        lower = [d for d in departments if coverage and regions.receives(d, provider, coverage)]
        found.append(
            _finding(
                "no_return",
                provider["id"],
                object_type="package",
                object_id=entry["id"],
                name=entry.get("name"),
                region_item=region_item,
                coverage=coverage,
                provider_level=provider.get("department_level"),
                lower_departments=[
                    {"name": d["name"], "region_code": d.get("region_code")} for d in lower
                ],
                as_of=on,
                evidence=[
                    {"type": "package", "id": entry["id"], "link": entry_link(entry["id"])},
                    *(
                        {
                            "type": "organization",
                            "id": d["id"],
                            "link": organization_link(d["name"]),
                        }
                        for d in lower
                    ),
                ],
            )
        )
    return found


def by_kind(found: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(KINDS, 0)
    for finding in found:
        counts[finding["kind"]] = counts.get(finding["kind"], 0) + 1
    return counts

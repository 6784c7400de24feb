"""The measures of the yearly report (workflows.md "Reports"; art. 16–18), in plain Python.

Every function takes plain rows (dicts with the columns of the platform's tables) and, where
deadlines are involved, a working-day calendar (anything with ``workdays_between``) and the
local date the report is made on. Times are aware datetimes; ``local`` turns them into the
local date deadlines count in (Asia/Shanghai unless configured otherwise).

The rules where workflows.md is silent:

- a request belongs to the year in which it was first submitted (local date);
- *answered* means decided (approved or rejected); a return is not an answer (it stops the
  clock, art. 12(2));
- *on time*: decided on or before the due date in force when it was decided; *late*: after;
  *never answered*: still submitted after its due date, or expired while the provider's clock
  ran (the request's ``expire`` event leaves ``submitted``);
- the answer time counts the working days the provider's clock ran: from each (re)submission
  to the next step that leaves ``submitted`` (return or decision), summed;
- feedback belongs to the year it was made in, an obligation to the year its law or function
  change took effect; late = resolved/discharged on a local date after the due date, or still
  open after it (tables-8.md).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

Row = Mapping[str, Any]
LocalDate = Callable[[dt.datetime], dt.date]

SHARE_TYPES = ("unconditional", "conditional", "not_shared")
CATEGORIES = ("basic", "thematic", "departmental")
PURPOSES = (
    "administrative_basis",
    "work_reference",
    "data_verification",
    "business_collaboration",
    "other",
)
DECIDED = frozenset({"approved", "rejected"})
SUBMITTED = "submitted"


class Calendar(Protocol):
    def workdays_between(self, a: dt.date, b: dt.date) -> int: ...


class PrefixCalendar:
    """A calendar's ``workdays_between`` in O(1): working days counted once over a span.

    Dates outside ``first``–``last`` fall back on the calendar itself.
    """

    def __init__(self, calendar: Any, first: dt.date, last: dt.date) -> None:
        self.calendar = calendar
        self.first, self.last = first, last
        self.counts: list[int] = []
        total = 0
        day = first
        while day <= last:
            total += 1 if calendar.is_workday(day) else 0
            self.counts.append(total)  # working days from ``first`` up to ``day``
            day += dt.timedelta(days=1)

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        if not (self.first <= a <= self.last and self.first <= b <= self.last):
            return self.calendar.workdays_between(a, b)
        return self.counts[(b - self.first).days] - self.counts[(a - self.first).days]


def share(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 4 places; ``None`` when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def in_year(day: dt.date | None, year: int) -> bool:
    return day is not None and day.year == year


# --- catalogue entries ---------------------------------------------------------------------


def entries_summary(entries: Iterable[Row]) -> dict[str, Any]:
    """Entries by share type and by resource category; not-shared entries with a legal basis.

    Art. 10(1): a not-shared entry needs its basis in law; the report shows how many have it.
    """
    by_type: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    matrix: dict[str, Counter[str]] = {t: Counter() for t in SHARE_TYPES}
    not_shared = with_basis = 0
    for entry in entries:
        kind = entry.get("share_type") or "unknown"
        category = entry.get("resource_category") or "unknown"
        by_type[kind] += 1
        by_category[category] += 1
        matrix.setdefault(kind, Counter())[category] += 1
        if kind == "not_shared":
            not_shared += 1
            if str(entry.get("legal_basis") or "").strip():
                with_basis += 1
    total = sum(by_type.values())
    return {
        "total": total,
        "by_share_type": {t: by_type.get(t, 0) for t in (*SHARE_TYPES, *sorted(by_type))},
        "by_category": {c: by_category.get(c, 0) for c in (*CATEGORIES, *sorted(by_category))},
        "by_share_type_and_category": {
            t: {c: n for c, n in sorted(counts.items())} for t, counts in matrix.items()
        },
        "not_shared": not_shared,
        "not_shared_with_basis": with_basis,
        "not_shared_with_basis_share": share(with_basis, not_shared),
    }


# --- deadlines -----------------------------------------------------------------------------


def timeliness(done_on: dt.date | None, due: dt.date | None, today: dt.date) -> str:
    """``on_time`` | ``late`` (done after the due date) | ``overdue`` (open past it) | ``pending``.

    ``done_on`` is the local date it was done (``None``: still open). No due date (a rule
    profile without that deadline) is never late.
    """
    if done_on is not None:
        return "late" if due is not None and done_on > due else "on_time"
    return "overdue" if due is not None and today > due else "pending"


def _timeliness_counts(states: Iterable[str]) -> dict[str, Any]:
    counts = Counter(states)
    done = counts["on_time"] + counts["late"]
    return {
        "done": done,
        "on_time": counts["on_time"],
        "late": counts["late"],
        "open_overdue": counts["overdue"],
        "open_pending": counts["pending"],
        # Of what had to be done by now, the share done in time.
        "on_time_share": share(counts["on_time"], done + counts["overdue"]),
    }


# --- requests ------------------------------------------------------------------------------


def answer_workdays(
    request: Row, events: Sequence[Row], calendar: Calendar, local: LocalDate
) -> int | None:
    """Working days the provider's clock ran until the decision (``None``: not decided).

    Each stretch in ``submitted`` counts from the local date it began to the local date of the
    step that ended it; stretches spent ``returned`` (with the requester) do not count.
    """
    if request.get("status") not in DECIDED or request.get("decided_at") is None:
        return None
    total = 0
    started: dt.date | None = None
    for event in sorted(events, key=lambda e: (e["time"], e.get("id") or 0)):
        if event.get("to_state") == SUBMITTED and event.get("from_state") != SUBMITTED:
            started = local(event["time"])
        elif event.get("from_state") == SUBMITTED and event.get("to_state") != SUBMITTED:
            if started is not None:
                total += calendar.workdays_between(started, local(event["time"]))
            started = None
    if not events:  # no history kept: from the first submission to the decision
        total = calendar.workdays_between(
            local(request["submitted_at"]), local(request["decided_at"])
        )
    return total


def request_state(request: Row, events: Sequence[Row], local: LocalDate, today: dt.date) -> str:
    """``on_time`` | ``late`` | ``overdue`` (never answered) | ``pending`` | ``closed``.

    ``closed``: withdrawn, or expired while with the requester (returned): nothing was owed.
    """
    status = request.get("status")
    if status in DECIDED:
        decided = request.get("decided_at")
        return timeliness(local(decided) if decided else today, request.get("due_date"), today)
    if status == SUBMITTED:
        return timeliness(None, request.get("due_date"), today)
    if status == "expired":
        last = max(events, key=lambda e: (e["time"], e.get("id") or 0)) if events else None
        return "overdue" if last is not None and last.get("from_state") == SUBMITTED else "closed"
    if status == "returned":
        return "pending"
    return "closed"


def request_facts(
    request: Row,
    events: Mapping[str, Sequence[Row]],
    calendar: Calendar,
    local: LocalDate,
    today: dt.date,
) -> tuple[str, int | None, int]:
    """(state, answer time in working days, month submitted) of one request."""
    history = events.get(request["id"], ())
    return (
        request_state(request, history, local, today),
        answer_workdays(request, history, calendar, local),
        local(request["submitted_at"]).month,
    )


def requests_received(
    requests: Sequence[Row],
    events: Mapping[str, Sequence[Row]],
    calendar: Calendar,
    local: LocalDate,
    today: dt.date,
    cache: dict[str, tuple[str, int | None, int]] | None = None,
) -> dict[str, Any]:
    """Requests received (conditional path): answers in time, answer times, rejections.

    ``cache`` keeps each request's ``request_facts`` for the next call (the platform report
    measures every request twice: for its provider and for the total).
    """
    conditional = [r for r in requests if r.get("kind", "request") == "request"]
    negotiations = [r for r in requests if r.get("kind") == "negotiation"]
    cache = {} if cache is None else cache
    states: list[str] = []
    times: list[int] = []
    by_month = [0] * 12
    rejections = []
    for request in conditional:
        facts = cache.get(request["id"])
        if facts is None:
            facts = cache[request["id"]] = request_facts(request, events, calendar, local, today)
        state, days, month = facts
        states.append(state)
        if days is not None:
            times.append(days)
        by_month[month - 1] += 1
        if request.get("status") == "rejected":
            rejections.append(
                {
                    "id": request["id"],
                    "package_id": request.get("package_id"),
                    "requesting_org_id": request.get("requesting_org_id"),
                    "decided_at": request.get("decided_at"),
                    "reason": request.get("decision_reason") or "",
                }
            )
    status_counts = Counter(r.get("status") for r in conditional)
    answers = _timeliness_counts(s for s in states if s != "closed")
    return {
        "total": len(conditional),
        "by_status": dict(sorted(status_counts.items())),
        "answered": answers["done"],
        "answered_on_time": answers["on_time"],
        "answered_late": answers["late"],
        "never_answered": answers["open_overdue"],
        "awaiting_answer": answers["open_pending"],
        "on_time_share": answers["on_time_share"],
        "median_answer_workdays": median(times),
        "answer_workdays": sorted(times),
        "by_month": by_month,
        "rejections": rejections,
        "negotiations": len(negotiations),
        "negotiations_by_status": dict(sorted(Counter(r["status"] for r in negotiations).items())),
    }


def requests_made(requests: Sequence[Row], local: LocalDate) -> dict[str, Any]:
    """Requests the department made (as requester) by status and month."""
    conditional = [r for r in requests if r.get("kind", "request") == "request"]
    by_month = [0] * 12
    for request in conditional:
        by_month[local(request["submitted_at"]).month - 1] += 1
    return {
        "total": len(conditional),
        "by_status": dict(sorted(Counter(r["status"] for r in conditional).items())),
        "by_month": by_month,
        "negotiations": len(requests) - len(conditional),
    }


# --- grants and downloads ------------------------------------------------------------------


def by_purpose(rows: Iterable[Row]) -> dict[str, int]:
    counts = Counter(r.get("purpose") or "other" for r in rows)
    return {p: counts.get(p, 0) for p in dict.fromkeys((*PURPOSES, *sorted(counts)))}


def grants_summary(received: Sequence[Row], given: Sequence[Row]) -> dict[str, Any]:
    """Grants the department received (as holder) and gave (as provider), by purpose."""
    return {
        "received": len(received),
        "received_by_purpose": by_purpose(received),
        "given": len(given),
        "given_by_purpose": by_purpose(given),
    }


def downloads_summary(rows: Sequence[Row]) -> dict[str, Any]:
    """Downloads by purpose: how many and how many bytes (unknown sizes count as 0 bytes).

    A row is one download, or a group of them when it has a ``count`` (its ``bytes`` summed).
    """
    purposes: dict[str, dict[str, int]] = {}
    routes: Counter[str] = Counter()
    for row in rows:
        count = int(row.get("count", 1))
        slot = purposes.setdefault(row.get("purpose") or "other", {"count": 0, "bytes": 0})
        slot["count"] += count
        slot["bytes"] += int(row.get("bytes") or 0)
        routes[row.get("route") or ""] += count
    ordered = {p: purposes.get(p, {"count": 0, "bytes": 0}) for p in PURPOSES}
    ordered.update({p: v for p, v in sorted(purposes.items()) if p not in ordered})
    return {
        "total": sum(v["count"] for v in purposes.values()),
        "bytes": sum(v["bytes"] for v in purposes.values()),
        "by_purpose": ordered,
        "by_route": dict(sorted(routes.items())),
    }


def api_calls_summary(rows: Sequence[Row]) -> dict[str, Any]:
    """Service interface calls (2025 Regulations art. 22; issue 16, item 7) by purpose and
    outcome, and by method; ``rows`` the rows answered calls delivered. A row is one call, or
    a group of them when it has a ``count`` (its ``rows`` summed). A refused call with no grant
    has no purpose (``unknown``)."""
    purposes: dict[str, dict[str, int]] = {}
    methods: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    delivered = 0
    for row in rows:
        count = int(row.get("count", 1))
        outcome = row.get("outcome") or "refused"
        slot = purposes.setdefault(row.get("purpose") or "unknown", {"answered": 0, "refused": 0})
        slot[outcome] = slot.get(outcome, 0) + count
        methods[row.get("method") or ""] += count
        outcomes[outcome] += count
        if outcome == "answered":
            delivered += int(row.get("rows") or 0)
    ordered = {p: purposes.get(p, {"answered": 0, "refused": 0}) for p in PURPOSES}
    ordered.update({p: v for p, v in sorted(purposes.items()) if p not in ordered})
    return {
        "total": sum(outcomes.values()),
        "answered": outcomes.get("answered", 0),
        "refused": outcomes.get("refused", 0),
        "rows": delivered,
        "by_purpose": ordered,
        "by_method": dict(sorted(methods.items())),
    }


def exchange_runs_summary(rows: Sequence[Row]) -> dict[str, Any]:
    """Batch exchange runs (2025 Regulations art. 22; issue 17, item 3): how many finished,
    succeeded and failed, and the rows the successful ones delivered. A row is one run, or a
    group of them when it has a ``count`` (its ``rows`` summed)."""
    outcomes: Counter[str] = Counter()
    delivered = 0
    for row in rows:
        count = int(row.get("count", 1))
        outcome = row.get("outcome") or "failed"
        outcomes[outcome] += count
        if outcome == "success":
            delivered += int(row.get("rows") or 0)
    return {
        "runs": sum(outcomes.values()),
        "succeeded": outcomes.get("success", 0),
        "failed": outcomes.get("failed", 0),
        "rows": delivered,
    }


# --- feedback and obligations --------------------------------------------------------------


def feedback_state(row: Row, local: LocalDate, today: dt.date) -> str:
    resolved = row.get("resolved_at")
    done = local(resolved) if row.get("state") == "resolved" and resolved else None
    return timeliness(done, row.get("due_date"), today)


def feedback_summary(
    received: Sequence[Row], made: Sequence[Row], local: LocalDate, today: dt.date
) -> dict[str, Any]:
    """Feedback on the department's entries (art. 15): resolved in time or not."""
    counts = _timeliness_counts(feedback_state(r, local, today) for r in received)
    return {
        "received": len(received),
        "by_kind": dict(sorted(Counter(r["kind"] for r in received).items())),
        "resolved": counts["done"],
        "resolved_on_time": counts["on_time"],
        "resolved_late": counts["late"],
        "open_overdue": counts["open_overdue"],
        "open_pending": counts["open_pending"],
        "on_time_share": counts["on_time_share"],
        "by_resolution": dict(
            sorted(Counter(r["resolution"] for r in received if r.get("resolution")).items())
        ),
        "made": len(made),
    }


def obligation_state(row: Row, local: LocalDate, today: dt.date) -> str:
    discharged = row.get("discharged_at")
    done = local(discharged) if row.get("state") == "discharged" and discharged else None
    return timeliness(done, row.get("due_date"), today)


def obligations_summary(rows: Sequence[Row], local: LocalDate, today: dt.date) -> dict[str, Any]:
    """Catalogue updates owed after a law or function change (art. 8: 15 working days)."""
    counts = _timeliness_counts(obligation_state(r, local, today) for r in rows)
    return {
        "total": len(rows),
        "discharged": counts["done"],
        "discharged_on_time": counts["on_time"],
        "discharged_late": counts["late"],
        "open_overdue": counts["open_overdue"],
        "open_pending": counts["open_pending"],
        "on_time_share": counts["on_time_share"],
        "by_kind": dict(sorted(Counter(r["kind"] for r in rows).items())),
    }

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

Under the 2025 Regulations (``regulation-2025``; each kind only while its profile rule is on,
``reports.build``), beside the kinds above (late answers count against the due date an
approved extension moved, catalogue updates against theirs):

- ``delivery_late`` (art. 22, 39(4)): a grant delivered after its ``delivery_due``, or not
  delivered and past it (a grant that ended undelivered is judged on the day it ended);
- ``repeated_return`` (art. 21: everything missing is told at once): a second or later return
  of a request naming a missing item the resubmission before it did not change;
- ``review_late`` (art. 17, the sharing authority's 2 working days): a catalogue review
  decided after its due date or pending past it; the finding is about the authority;
- ``service_unfiled`` (art. 27, 39(7)): a grant its provider terminated or revoked with no
  filing of the end of a service naming it (the art. 27 sanctions need none: a revocation
  for misuse, a termination of a grant still suspended after its date to rectify by);
- ``no_disposal`` (art. 27, 40(4)): an ended grant past its ``disposal_due`` with no disposal
  recorded; about the holder;
- ``no_usage_records`` (art. 29, 40(5)): a grant delivered more than
  ``ckanext.govshare.findings.usage_record_days`` working days ago with no usage record;
- ``use_outside_grant`` (art. 25, 40(2); 40(3) for a token used by another user than the one
  it was issued to): refused attempts through a grant or a token that reached beyond the
  grant (``BEYOND_GRANT``), one finding per holder department and grant, every event cited.
  These events no longer count towards ``refused_attempts``, which keeps the rest.

Every finding names the article it rests on under the profile in force (``cite``): the 2016
Measures' art. 24 items, the 2025 Regulations' art. 39 and 40 items (art. 17 and 21 where the
duty has no item of its own), ``article`` and ``article_label`` in both languages.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..profiles.rules import MEASURES_2016, REGULATION_2025
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
#: The kinds of the 2025 Regulations only (each behind its profile rule).
KINDS_2025 = (
    "delivery_late",
    "repeated_return",
    "review_late",
    "service_unfiled",
    "no_disposal",
    "no_usage_records",
    "use_outside_grant",
)
#: Every kind any profile knows (the ``kind`` filter of ``govshare_findings_list``).
ALL_KINDS = (*KINDS, *KINDS_2025)

#: Refusal reasons (``detail.reason`` of a refused audit event) that show a holder reaching
#: beyond its grant (2025 art. 25, 40(2)), and what they show. Reasons that are no use of data
#: (a quota, a missing token, no grant at all, a file the platform cannot cut) are not here.
BEYOND_GRANT: dict[str, str] = {
    "column_not_granted": "columns",  # interface: a column outside the grant
    "wrong_resource": "scope",  # a resource the grant does not cover
    "not_verification": "purpose",  # query-and-verify under a grant of another purpose
    "not_interface": "method",  # the interface under a grant of another share method
    "grant_ended": "ended",  # a grant expired, revoked or not begun
    "suspended": "suspended",  # a suspended grant (art. 27)
    "wrong_user": "third_party",  # a token used by someone it was not issued to
}
THIRD_PARTY = "third_party"

# The article each kind rests on, per profile: ((article, item or None), ...).
Citation = tuple[tuple[int, int | None], ...]
ARTICLES: dict[str, dict[str, Citation]] = {
    "catalogue_overdue": {MEASURES_2016: ((24, 1),), REGULATION_2025: ((39, 1),)},
    "answer_late": {MEASURES_2016: ((24, 2),), REGULATION_2025: ((39, 4),)},
    "answer_missing": {MEASURES_2016: ((24, 2),), REGULATION_2025: ((39, 4),)},
    "feedback_overdue": {MEASURES_2016: ((24, 3),), REGULATION_2025: ((39, 6),)},
    # 2025: keeping data current with the source is item (3); no item names stale data.
    "stale_data": {MEASURES_2016: ((24, 3),), REGULATION_2025: ((39, 3),)},
    # 2016: use beyond one's duties; 2025: the security duties (art. 35, 40(6)).
    "refused_attempts": {MEASURES_2016: ((24, 4),), REGULATION_2025: ((40, 6),)},
    # 2016 has no duty to return data: "other violations".
    "no_return": {MEASURES_2016: ((24, 5),), REGULATION_2025: ((39, 5),)},
    "delivery_late": {REGULATION_2025: ((39, 4),)},
    # Art. 39 has no item for telling the missing materials piecemeal: the duty's article.
    "repeated_return": {REGULATION_2025: ((21, None),)},
    # The authority's own deadline; art. 39 and 40 are about departments.
    "review_late": {REGULATION_2025: ((17, None),)},
    "service_unfiled": {REGULATION_2025: ((39, 7),)},
    "no_disposal": {REGULATION_2025: ((40, 4),)},
    "no_usage_records": {REGULATION_2025: ((40, 5),)},
    "use_outside_grant": {REGULATION_2025: ((40, 2),)},
    "use_outside_grant:third_party": {REGULATION_2025: ((40, 3),)},
}
TEXTS = {
    MEASURES_2016: ("Interim Measures", "《政务信息资源共享管理暂行办法》"),
    REGULATION_2025: ("Regulations", "《政务数据共享条例》"),
}

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
                # An approved extension (2025 art. 17) moved the due date from this one.
                original_due_date=row.get("original_due_date")
                if row.get("original_due_date") not in (None, row["due_date"])
                else None,
                extension_days=row.get("extension_days")
                if row.get("extension_status") == "approved"
                else None,
                evidence=[
                    {"type": "obligation", "id": row["id"], "link": obligation_link(row["id"])}
                ],
            )
        )
    return found


def requests(
    rows: Iterable[Row],
    events: Mapping[str, Sequence[Row]],
    local: LocalDate,
    today: dt.date,
    extensions: Mapping[str, Sequence[Row]] | None = None,
) -> list[dict[str, Any]]:
    """Requests answered late or never (``due_date``: the due date in force, which an approved
    extension moved, 2025 art. 21); ``extensions``: request id -> its approved extensions,
    cited as evidence."""
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
        granted = (extensions or {}).get(row["id"], ())
        evidence += [
            {"type": "request_extension", "id": x["id"], "link": request_link(row["id"])}
            for x in granted
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
                extended_days=row.get("extended_days") or None,
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
    *,
    apart: Callable[[Row], Any] | None = None,
) -> list[dict[str, Any]]:
    """Users with ``threshold`` or more refused attempts: one finding each, every event cited.

    ``apart``: events another kind reports (``beyond_grant`` under the 2025 Regulations) are
    left out here, so that no event is the evidence of two findings."""
    by_actor: dict[str, list[Row]] = defaultdict(list)
    for event in events:
        if event.get("outcome") != "refused" or not event.get("actor_id"):
            continue
        if event.get("action") == "user_login_failed":
            continue
        if apart is not None and apart(event):
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


def by_kind(found: Iterable[Mapping[str, Any]], kinds: Sequence[str] = KINDS) -> dict[str, int]:
    """How many findings of each kind (``kinds``: those of the profile in force, all shown)."""
    counts: dict[str, int] = dict.fromkeys(kinds, 0)
    for finding in found:
        counts[finding["kind"]] = counts.get(finding["kind"], 0) + 1
    return counts


# --- the article of each finding -----------------------------------------------------------

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1–99 in Chinese numerals, as articles are numbered (二十一, 三十九)."""
    tens, ones = divmod(n, 10)
    if not tens:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return f"{head}十{_DIGITS[ones] if ones else ''}"


def article_codes(citation: Citation) -> str:
    """``art. 24, 39(5)``: the articles, with their items."""
    parts = [f"{a}({i})" if i else str(a) for a, i in citation]
    return "art. " + ", ".join(parts)


def article_label(citation: Citation, profile: str) -> dict[str, str]:
    """The citation with the text's name, in both languages (the labels' shape)."""
    en_text, zh_text = TEXTS.get(profile, ("", ""))
    zh = "、".join(
        f"第{chinese_number(a)}条" + (f"第（{chinese_number(i)}）项" if i else "")
        for a, i in citation
    )
    return {
        "en": f"{en_text} {article_codes(citation)}".strip(),
        "zh_Hans_CN": f"{zh_text}{zh}",
    }


def citation_of(finding: Mapping[str, Any], profile: str) -> Citation | None:
    """The article a finding rests on under ``profile`` (``None``: the profile has none)."""
    kind = finding["kind"]
    if kind == "use_outside_grant" and (finding.get("detail") or {}).get("third_party"):
        kind = "use_outside_grant:third_party"
    return ARTICLES.get(kind, {}).get(profile)


def cite(
    found: Iterable[dict[str, Any]], profile: str, labels: Mapping[str, tuple[str, str]]
) -> list[dict[str, Any]]:
    """The findings with ``article``, ``article_label`` and ``kind_label`` (``labels``: kind ->
    (English, Chinese))."""
    result = []
    for finding in found:
        citation = citation_of(finding, profile)
        en, zh = labels.get(finding["kind"], (finding["kind"], finding["kind"]))
        result.append(
            {
                **finding,
                "kind_label": {"en": en, "zh_Hans_CN": zh},
                "article": article_codes(citation) if citation else None,
                "article_label": article_label(citation, profile) if citation else None,
            }
        )
    return result


def kinds(rules_on: Callable[[str], bool]) -> tuple[str, ...]:
    """The kinds of the profile in force: the 2016 ones, and each 2025 one whose rule is on."""
    return (*KINDS, *(k for k in KINDS_2025 if rules_on(RULE_OF[k])))


#: The profile rule (``profiles.rules.RULES``) each 2025 kind depends on.
RULE_OF: dict[str, str] = {
    "delivery_late": "delivery_deadline",
    "repeated_return": "tell_all_at_once",
    "review_late": "catalogue_review",
    "service_unfiled": "service_filing",
    "no_disposal": "disposal",
    "no_usage_records": "usage_records",
    "use_outside_grant": "use_change",
}


# --- the 2025 kinds -------------------------------------------------------------------------


def grant_link(grant_id: str) -> str:
    return f"/govshare/grants/{grant_id}"


def _grant_evidence(grant: Row) -> dict[str, Any]:
    return {"type": "grant", "id": grant["id"], "link": grant_link(grant["id"])}


def _ended_at(grant: Row) -> dt.datetime | None:
    """When an ended grant ended (revoked, terminated or expired), else ``None``."""
    moments = [grant.get(k) for k in ("revoked_at", "terminated_at", "expired_at")]
    ended = [m for m in moments if m is not None]
    return min(ended) if ended and grant.get("status") not in ("active", "suspended") else None


def delivery(grants: Iterable[Row], local: LocalDate, today: dt.date) -> list[dict[str, Any]]:
    """Grants delivered after ``delivery_due``, or undelivered past it (art. 22, 39(4)).

    An undelivered grant that ended is judged on the day it ended (nothing was owed after)."""
    found = []
    for grant in grants:
        due = grant.get("delivery_due")
        if due is None:
            continue
        delivered = grant.get("delivered_at")
        ended = _ended_at(grant)
        on = local(ended) if ended is not None and delivered is None else today
        state = metrics.timeliness(local(delivered) if delivered else None, due, on)
        if state not in ("late", "overdue"):
            continue
        found.append(
            _finding(
                "delivery_late",
                grant["provider_org_id"],
                object_type="grant",
                object_id=grant["id"],
                due_date=due,
                state=state,
                delivered_on=local(delivered) if delivered else None,
                delivery_method=grant.get("delivery_method"),
                holder_org_id=grant.get("organization_id"),
                package_id=grant.get("package_id"),
                evidence=[
                    _grant_evidence(grant),
                    *(
                        [
                            {
                                "type": "access_request",
                                "id": grant["request_id"],
                                "link": request_link(grant["request_id"]),
                            }
                        ]
                        if grant.get("request_id")
                        else []
                    ),
                ],
            )
        )
    return found


def _missing_fields(event: Row) -> list[str]:
    items = (event.get("detail") or {}).get("missing_items") or []
    fields = []
    for item in items:
        name = item.get("field") if isinstance(item, Mapping) else None
        fields.append(str(name or "other"))
    return fields


def repeated_returns(
    requests: Iterable[Row], events: Mapping[str, Sequence[Row]]
) -> list[dict[str, Any]]:
    """Requests returned again for something the resubmission before did not touch (art. 21).

    The first return must name everything missing; a later one may only name what the
    resubmission changed (``detail.changed`` of the ``resubmit`` event before it). A later
    return naming ``other``, or an item nobody changed, is a finding; one finding a request,
    citing each such return and the resubmission it followed."""
    found = []
    for request in requests:
        history = sorted(events.get(request["id"], ()), key=lambda e: (e["time"], e.get("id") or 0))
        returns = 0
        changed: set[str] = set()
        resubmit: Row | None = None
        offending: list[tuple[Row, Row | None, list[str]]] = []
        for event in history:
            action = event.get("action")
            if action == "resubmit":
                resubmit = event
                changed = {str(c) for c in (event.get("detail") or {}).get("changed") or ()}
            elif action == "return":
                returns += 1
                if returns > 1:
                    unchanged = [f for f in _missing_fields(event) if f not in changed]
                    if unchanged:
                        offending.append((event, resubmit, unchanged))
                changed, resubmit = set(), None
        if not offending:
            continue
        evidence: list[dict[str, Any]] = [
            {"type": "access_request", "id": request["id"], "link": request_link(request["id"])}
        ]
        for event, before, _ in offending:
            if before is not None:
                evidence.append(
                    {
                        "type": "access_request_event",
                        "id": before["id"],
                        "link": request_link(request["id"]),
                    }
                )
            evidence.append(
                {
                    "type": "access_request_event",
                    "id": event["id"],
                    "link": request_link(request["id"]),
                }
            )
        found.append(
            _finding(
                "repeated_return",
                request["provider_org_id"],
                object_type="access_request",
                object_id=request["id"],
                returns=returns,
                not_changed=sorted({f for _, _, fields in offending for f in fields}),
                requesting_org_id=request.get("requesting_org_id"),
                package_id=request.get("package_id"),
                evidence=evidence,
            )
        )
    return found


def reviews(
    rows: Iterable[Row], authority_id: str | None, local: LocalDate, today: dt.date
) -> list[dict[str, Any]]:
    """Catalogue reviews decided after their due date or pending past it (art. 17): the
    sharing authority's. A review superseded by a newer change owes no decision."""
    found = []
    for row in rows:
        status = row.get("status")
        if status == "superseded":
            continue
        decided = row.get("decided_at") if status in ("approved", "returned") else None
        state = metrics.timeliness(local(decided) if decided else None, row.get("due_date"), today)
        if state not in ("late", "overdue"):
            continue
        found.append(
            _finding(
                "review_late",
                authority_id,
                object_type="catalogue_review",
                object_id=row["id"],
                due_date=row.get("due_date"),
                state=state,
                status=status,
                decided_on=local(decided) if decided else None,
                review_kind=row.get("kind"),
                provider_org_id=row.get("organization_id"),
                package_id=row.get("package_id"),
                evidence=[
                    {
                        "type": "catalogue_review",
                        "id": row["id"],
                        "link": entry_link(row["package_id"]),
                    },
                    {
                        "type": "package",
                        "id": row["package_id"],
                        "link": entry_link(row["package_id"]),
                    },
                ],
            )
        )
    return found


def service_unfiled(
    grants: Iterable[Row], filed: Mapping[str, Sequence[Row]], local: LocalDate
) -> list[dict[str, Any]]:
    """Grants the provider ended (terminated or revoked; ``ended_by_provider``) with no
    filing of the end of a service naming them (``filed``: grant id -> filings) (art. 27,
    39(7)).

    The sanctions of art. 27 are no end of service and owe no filing: a revocation for the
    holder's misuse (``misuse``, what ``govshare_grant_revoke`` recorded), and a termination
    of a grant still suspended after the date to rectify by (as ``access.suspension``)."""
    found = []
    for grant in grants:
        if grant.get("status") not in ("terminated", "revoked"):
            continue
        if not grant.get("ended_by_provider") or grant.get("misuse"):
            continue
        if any(f.get("kind", "end") == "end" for f in filed.get(grant["id"], ())):
            continue
        ended = grant.get("terminated_at") or grant.get("revoked_at")
        suspended, resumed = grant.get("suspended_at"), grant.get("resumed_at")
        rectify_by = grant.get("rectify_by")
        if (
            grant.get("status") == "terminated"
            and suspended is not None
            and (resumed is None or resumed < suspended)
            and rectify_by is not None
            and ended is not None
            and local(ended) > rectify_by
        ):
            continue
        found.append(
            _finding(
                "service_unfiled",
                grant["provider_org_id"],
                object_type="grant",
                object_id=grant["id"],
                status=grant["status"],
                ended_on=local(ended) if ended else None,
                reason=grant.get("terminate_reason") or grant.get("revoke_reason"),
                holder_org_id=grant.get("organization_id"),
                package_id=grant.get("package_id"),
                evidence=[
                    _grant_evidence(grant),
                    {
                        "type": "package",
                        "id": grant.get("package_id"),
                        "link": entry_link(grant.get("package_id") or ""),
                    },
                ],
            )
        )
    return found


def no_disposal(grants: Iterable[Row], today: dt.date) -> list[dict[str, Any]]:
    """Ended grants past their ``disposal_due`` with no disposal recorded (art. 27, 40(4)):
    the holder's."""
    found = []
    for grant in grants:
        due = grant.get("disposal_due")
        if due is None or grant.get("disposed_at") is not None or not today > due:
            continue
        found.append(
            _finding(
                "no_disposal",
                grant["organization_id"],
                object_type="grant",
                object_id=grant["id"],
                due_date=due,
                status=grant.get("status"),
                provider_org_id=grant.get("provider_org_id"),
                package_id=grant.get("package_id"),
                evidence=[_grant_evidence(grant)],
            )
        )
    return found


def no_usage_records(
    grants: Iterable[Row],
    recorded: Mapping[str, int],
    days: int,
    calendar: metrics.Calendar,
    local: LocalDate,
    today: dt.date,
) -> list[dict[str, Any]]:
    """Grants delivered more than ``days`` working days before ``today`` whose holder kept no
    usage record (``recorded``: grant id -> records) (art. 29, 40(5))."""
    found = []
    for grant in grants:
        delivered = grant.get("delivered_at")
        if delivered is None or recorded.get(grant["id"]):
            continue
        since = calendar.workdays_between(local(delivered), today)
        if since <= days:
            continue
        found.append(
            _finding(
                "no_usage_records",
                grant["organization_id"],
                object_type="grant",
                object_id=grant["id"],
                delivered_on=local(delivered),
                workdays_since=since,
                allowed_workdays=days,
                provider_org_id=grant.get("provider_org_id"),
                package_id=grant.get("package_id"),
                evidence=[_grant_evidence(grant)],
            )
        )
    return found


def beyond_grant(event: Row) -> str | None:
    """What a refused event shows a holder doing beyond its grant (``BEYOND_GRANT``), or
    ``None``: not refused, no reason of that kind, or not through a grant or a token."""
    if event.get("outcome") != "refused":
        return None
    detail = event.get("detail") or {}
    if not isinstance(detail, Mapping):
        return None
    shows = BEYOND_GRANT.get(str(detail.get("reason") or ""))
    if shows is None or not (detail.get("grant_id") or detail.get("token_id")):
        return None
    return shows


def use_outside_grant(
    events: Iterable[Row], since: dt.datetime, until: dt.datetime
) -> list[dict[str, Any]]:
    """Refused attempts of holders to use data beyond their grant (art. 25, 40(2); a token
    passed to another user: 40(3)). One finding per holder department and grant (or token,
    when the event names no grant), third-party use apart; every audit event cited."""
    groups: dict[tuple[str, str, bool], list[Row]] = defaultdict(list)
    for event in events:
        shows = beyond_grant(event)
        department = event.get("actor_department")
        if shows is None or not department:
            continue
        detail = event.get("detail") or {}
        key = str(detail.get("grant_id") or f"token:{detail.get('token_id')}")
        groups[(department, key, shows == THIRD_PARTY)].append(event)
    found = []
    for (department, key, third_party), rows in sorted(groups.items()):
        rows = sorted(rows, key=lambda e: e["seq"])
        grant_id = None if key.startswith("token:") else key
        shows = sorted({BEYOND_GRANT[str(e["detail"]["reason"])] for e in rows})
        evidence: list[dict[str, Any]] = []
        if grant_id:
            evidence.append({"type": "grant", "id": grant_id, "link": grant_link(grant_id)})
        evidence += [
            {
                "type": "audit_event",
                "id": e["seq"],
                "link": audit_link(e.get("actor_name") or e.get("actor_id") or "", since, until),
            }
            for e in rows
        ]
        found.append(
            _finding(
                "use_outside_grant",
                department,
                object_type="grant" if grant_id else "download_token",
                object_id=grant_id or key.removeprefix("token:"),
                attempts=len(rows),
                shows=shows,
                third_party=third_party,
                reasons=sorted({str(e["detail"]["reason"]) for e in rows}),
                actions=sorted({e["action"] for e in rows}),
                users=sorted({e.get("actor_name") or e.get("actor_id") or "" for e in rows}),
                evidence=evidence,
            )
        )
    return found

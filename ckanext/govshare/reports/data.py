"""The rows of one year, read from the platform's tables (a handful of queries per report).

A year runs from 1 January 00:00 to 31 December 24:00 *local* time (``core.clock.local_date``'s
zone, Asia/Shanghai by default). ``load(year, org_id)`` reads what one department's report
needs; ``load(year, None)`` everything, for the platform report (grouped per department in
Python: one pass, not one set of queries per department).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from ckan import model

from ..access.model import event_table, extension_table, grant_table, request_table
from ..audit.model import event_table as audit_table
from ..core import clock
from ..downloads.model import download_table
from ..exchange.model import run_table
from ..interface.model import call_table
from ..regional import service as regional
from ..regional.model import return_table
from ..review.model import review_table
from ..usage.model import filing_table, usage_table

ENTRY_FIELDS = (
    "share_type",
    "resource_category",
    "legal_basis",
    "update_cycle",
    "region_item",
    "coverage_region",
)


def year_bounds(year: int, zone: dt.tzinfo | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The year's first moment and the next year's first moment, local time, as UTC."""
    zone = zone or clock.timezone()
    start = dt.datetime(year, 1, 1, tzinfo=zone).astimezone(dt.timezone.utc)
    end = dt.datetime(year + 1, 1, 1, tzinfo=zone).astimezone(dt.timezone.utc)
    return start, end


@dataclass
class YearData:
    year: int
    start: dt.datetime
    end: dt.datetime
    entries: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    grants: list[dict[str, Any]] = field(default_factory=list)
    downloads: list[dict[str, Any]] = field(default_factory=list)
    api_calls: list[dict[str, Any]] = field(default_factory=list)
    # Batch exchange runs (art. 22), grouped by holder, provider and outcome.
    exchange_runs: list[dict[str, Any]] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)
    obligations: list[dict[str, Any]] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)
    # Data return (art. 24, 39(5)): departments with their level and region, entries with
    # return on.
    regions: list[dict[str, Any]] = field(default_factory=list)
    returned: set[str] = field(default_factory=set)
    # The 2025 Regulations' findings: approved extensions per request (art. 21), catalogue
    # reviews submitted in the year (art. 17), grants ended in the year with whether their
    # provider ended them and the filings naming them (art. 27), grants whose disposal fell
    # due in the year (art. 27), usage records per grant of the year (art. 29).
    extensions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    ended: list[dict[str, Any]] = field(default_factory=list)
    filed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    disposals: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)


def _rows(query: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in model.Session.execute(query).mappings()]


def entries(org_id: str | None, until: dt.datetime) -> list[dict[str, Any]]:
    """Catalogued entries (active, not drafts) created before ``until``, with their latest data.

    Share type and category are the entries' current values (the report is made from the
    catalogue as it stands).
    """
    p = model.package_table.c
    flat = "extras" in p  # CKAN 2.12: the extras are a JSONB column of the package
    query = sa.select(
        p.id, p.name, p.title, p.owner_org, p.metadata_modified, *([p.extras] if flat else [])
    ).where(
        p.state == "active",
        p.type == "dataset",
        p.private.is_(False),
        p.owner_org.isnot(None),
        p.metadata_created < until.replace(tzinfo=None),
    )
    if org_id:
        query = query.where(p.owner_org == org_id)
    packages = _rows(query)
    ids = [pkg["id"] for pkg in packages]
    if not flat:  # CKAN 2.11: a table of extras
        extras: dict[str, dict[str, str]] = defaultdict(dict)
        e = model.package_extra_table.c  # pyright: ignore[reportAttributeAccessIssue] - CKAN 2.11 only
        for chunk in range(0, len(ids), 5000):
            rows = model.Session.execute(
                sa.select(e.package_id, e.key, e.value).where(
                    e.package_id.in_(ids[chunk : chunk + 5000]),
                    e.key.in_(ENTRY_FIELDS),
                    e.state == "active",
                )
            )
            for package_id, key, value in rows:
                extras[package_id][key] = value
        for pkg in packages:
            pkg["extras"] = extras.get(pkg["id"], {})
    latest = _latest_data(ids)
    result = []
    for pkg in packages:
        values = pkg["extras"] or {}
        newest, resource_ids = latest.get(pkg["id"], (None, []))
        modified = pkg["metadata_modified"]
        fallback = modified.replace(tzinfo=dt.timezone.utc) if modified else None
        result.append(
            {
                "id": pkg["id"],
                "name": pkg["name"],
                "title": pkg["title"],
                "owner_org": pkg["owner_org"],
                **{k: values.get(k) for k in ENTRY_FIELDS},
                "latest_data": newest or fallback,
                "resource_ids": resource_ids,
            }
        )
    return result


def _latest_data(package_ids: list[str]) -> dict[str, tuple[dt.datetime | None, list[str]]]:
    """Per entry: the newest created/last_modified/metadata_modified of its resources (UTC)."""
    if not package_ids:
        return {}
    r = model.resource_table.c
    rows = model.Session.execute(
        sa.select(
            r.package_id,
            r.id,
            sa.func.greatest(r.created, r.last_modified, r.metadata_modified).label("newest"),
        ).where(r.package_id.in_(package_ids), r.state == "active")
    )
    found: dict[str, tuple[dt.datetime | None, list[str]]] = {}
    for package_id, resource_id, newest in rows:
        best, ids = found.get(package_id, (None, []))
        newest = newest.replace(tzinfo=dt.timezone.utc) if newest else None
        if newest is not None and (best is None or newest > best):
            best = newest
        found[package_id] = (best, [*ids, resource_id])
    return found


def load(year: int, org_id: str | None) -> YearData:
    """Every row the year's report (of ``org_id``, or of the platform) is made from."""
    from ..feedback.model import feedback_table
    from ..obligations.model import obligation_table

    start, end = year_bounds(year)
    data = YearData(year=year, start=start, end=end, entries=entries(org_id, end))

    rq = request_table.c
    columns = [
        rq.id,
        rq.kind,
        rq.status,
        rq.package_id,
        rq.provider_org_id,
        rq.requesting_org_id,
        rq.purpose,
        rq.submitted_at,
        rq.due_date,
        rq.decided_at,
        rq.decision_reason,
        rq.extended_days,
    ]
    query = sa.select(*columns).where(rq.submitted_at >= start, rq.submitted_at < end)
    if org_id:
        query = query.where(sa.or_(rq.provider_org_id == org_id, rq.requesting_org_id == org_id))
    data.requests = _rows(query)
    ids = [r["id"] for r in data.requests]
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if ids:
        for row in _rows(
            sa.select(
                event_table.c.id,
                event_table.c.request_id,
                event_table.c.time,
                event_table.c.from_state,
                event_table.c.to_state,
                event_table.c.action,
                event_table.c.detail,
            )
            .where(event_table.c.request_id.in_(ids))
            .order_by(event_table.c.request_id, event_table.c.id)
        ):
            events[row["request_id"]].append(row)
    data.events = dict(events)
    data.extensions = _extensions(ids)

    g = grant_table.c
    query = sa.select(grant_table).where(g.created_at >= start, g.created_at < end)
    if org_id:
        query = query.where(sa.or_(g.organization_id == org_id, g.provider_org_id == org_id))
    data.grants = _rows(query)
    data.usage = _usage([g["id"] for g in data.grants])
    data.ended, data.filed = _ended(start, end, org_id)
    data.disposals = _disposals(year, org_id)
    data.reviews = _reviews(start, end, org_id)

    # Downloads can be millions a year: counted and summed per department pair, purpose and
    # route in the database.
    d = download_table.c
    query = (
        sa.select(
            d.organization_id,
            g.provider_org_id,
            d.purpose,
            d.route,
            sa.func.count().label("count"),
            sa.func.coalesce(sa.func.sum(d.bytes), 0).label("bytes"),
        )
        .select_from(download_table.join(grant_table, g.id == d.grant_id))
        .where(d.time >= start, d.time < end)
        .group_by(d.organization_id, g.provider_org_id, d.purpose, d.route)
    )
    if org_id:
        query = query.where(sa.or_(d.organization_id == org_id, g.provider_org_id == org_id))
    data.downloads = _rows(query)

    # Interface calls can be billions a year: counted per calling department, providing
    # department (the entry's), purpose, method and outcome in the database.
    c = call_table.c
    p = model.package_table.c
    provider = p.owner_org.label("provider_org_id")
    query = (
        sa.select(
            c.organization_id,
            provider,
            c.purpose,
            c.method,
            c.outcome,
            sa.func.count().label("count"),
            sa.func.coalesce(sa.func.sum(c.rows), 0).label("rows"),
        )
        .select_from(call_table.outerjoin(model.package_table, p.id == c.package_id))
        .where(c.time >= start, c.time < end)
        .group_by(c.organization_id, p.owner_org, c.purpose, c.method, c.outcome)
    )
    if org_id:
        query = query.where(sa.or_(c.organization_id == org_id, p.owner_org == org_id))
    data.api_calls = _rows(query)

    # Batch exchange runs finished in the year (issue 17, item 3), per receiving (holder) and
    # providing department and outcome; the runs keep both ids when a subscription is deleted.
    x = run_table.c
    query = (
        sa.select(
            x.organization_id,
            x.provider_org_id,
            x.outcome,
            sa.func.count().label("count"),
            sa.func.coalesce(sa.func.sum(x.rows), 0).label("rows"),
        )
        .where(x.finished_at >= start, x.finished_at < end, x.outcome.in_(("success", "failed")))
        .group_by(x.organization_id, x.provider_org_id, x.outcome)
    )
    if org_id:
        query = query.where(sa.or_(x.organization_id == org_id, x.provider_org_id == org_id))
    data.exchange_runs = _rows(query)

    f = feedback_table.c
    query = sa.select(feedback_table).where(f.created >= start, f.created < end)
    if org_id:
        query = query.where(sa.or_(f.provider_org_id == org_id, f.organization_id == org_id))
    data.feedback = _rows(query)

    o = obligation_table.c
    query = sa.select(obligation_table).where(
        o.effective_date >= dt.date(year, 1, 1), o.effective_date <= dt.date(year, 12, 31)
    )
    if org_id:
        query = query.where(o.organization_id == org_id)
    data.obligations = _rows(query)

    a = audit_table.c
    data.refused = _rows(
        sa.select(
            a.seq,
            a.time,
            a.actor_id,
            a.actor_name,
            a.actor_department,
            a.action,
            a.outcome,
            a.object_type,
            a.object_id,
            a.detail,
        ).where(
            a.outcome == "refused",
            a.actor_id.isnot(None),
            a.time >= start,
            a.time < end,
        )
    )
    data.regions = regional.departments()
    data.returned = {
        row[0]
        for row in model.Session.execute(
            sa.select(return_table.c.package_id).where(return_table.c.enabled.is_(True))
        )
    }
    return data


def _extensions(request_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The approved extensions of the requests (2025 art. 21), per request."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    x = extension_table.c
    for chunk in range(0, len(request_ids), 5000):
        for row in _rows(
            sa.select(x.id, x.request_id, x.days, x.due_before, x.due_after, x.decided_at)
            .where(x.request_id.in_(request_ids[chunk : chunk + 5000]), x.status == "approved")
            .order_by(x.request_id, x.decided_at)
        ):
            found[row["request_id"]].append(row)
    return dict(found)


def _usage(grant_ids: list[str]) -> dict[str, int]:
    """How many usage records (2025 art. 29) each grant has."""
    u = usage_table.c
    counts: dict[str, int] = {}
    for chunk in range(0, len(grant_ids), 5000):
        rows = model.Session.execute(
            sa.select(u.grant_id, sa.func.count())
            .where(u.grant_id.in_(grant_ids[chunk : chunk + 5000]))
            .group_by(u.grant_id)
        )
        counts.update({grant_id: int(n) for grant_id, n in rows})
    return counts


def _member_of(user: Any, org: Any) -> Any:
    """SQL: ``user`` is an active member of the department ``org`` (its provider, here)."""
    m = model.member_table.c
    return (
        sa.select(m.id)
        .where(m.table_id == user, m.table_name == "user", m.group_id == org, m.state == "active")
        .exists()
    )


def _ended(
    start: dt.datetime, end: dt.datetime, org_id: str | None
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Grants terminated or revoked in the year, with ``ended_by_provider`` (whoever ended it
    was a member of the provider) and ``misuse`` (revoked for the holder's misuse), and the
    service filings naming them (2025 art. 27)."""
    g = grant_table.c
    by_provider = sa.or_(
        sa.and_(g.status == "terminated", _member_of(g.terminated_by, g.provider_org_id)),
        sa.and_(g.status == "revoked", _member_of(g.revoked_by, g.provider_org_id)),
    )
    query = sa.select(grant_table, by_provider.label("ended_by_provider")).where(
        sa.or_(
            sa.and_(g.status == "terminated", g.terminated_at >= start, g.terminated_at < end),
            sa.and_(g.status == "revoked", g.revoked_at >= start, g.revoked_at < end),
        )
    )
    if org_id:
        query = query.where(sa.or_(g.organization_id == org_id, g.provider_org_id == org_id))
    grants = _rows(query)
    # A revocation for the holder's misuse owes no filing: the revoke event says so.
    revoked = [row["id"] for row in grants if row["status"] == "revoked"]
    misuse: set[str] = set()
    a = audit_table.c
    for chunk in range(0, len(revoked), 5000):
        for object_id, detail in model.Session.execute(
            sa.select(a.object_id, a.detail).where(
                a.action == "govshare_grant_revoke",
                a.object_type == "grant",
                a.object_id.in_(revoked[chunk : chunk + 5000]),
            )
        ):
            if isinstance(detail, dict) and detail.get("misuse"):
                misuse.add(object_id)
    for row in grants:
        row["misuse"] = row["id"] in misuse
    filed: dict[str, list[dict[str, Any]]] = defaultdict(list)
    providers = sorted({row["provider_org_id"] for row in grants})
    wanted = {row["id"] for row in grants}
    if providers:
        f = filing_table.c
        for row in _rows(
            sa.select(f.id, f.grant_ids, f.kind, f.filed_at).where(f.provider_org_id.in_(providers))
        ):
            for grant_id in row["grant_ids"] or ():
                if grant_id in wanted:
                    filed[grant_id].append(row)
    return grants, dict(filed)


def _disposals(year: int, org_id: str | None) -> list[dict[str, Any]]:
    """Grants whose disposal (2025 art. 27) fell due in the year (local dates)."""
    g = grant_table.c
    query = sa.select(grant_table).where(
        g.disposal_due >= dt.date(year, 1, 1), g.disposal_due <= dt.date(year, 12, 31)
    )
    if org_id:
        query = query.where(sa.or_(g.organization_id == org_id, g.provider_org_id == org_id))
    return _rows(query)


def _reviews(start: dt.datetime, end: dt.datetime, org_id: str | None) -> list[dict[str, Any]]:
    """Catalogue reviews submitted in the year (2025 art. 16, 17). Their findings are the
    sharing authority's: a department's report reads only its own entries' reviews."""
    from ..core.membership import authority_org_id

    r = review_table.c
    query = sa.select(review_table).where(r.submitted_at >= start, r.submitted_at < end)
    if org_id and org_id != authority_org_id():
        query = query.where(r.organization_id == org_id)
    return _rows(query)


def local(moment: dt.datetime) -> dt.date:
    return clock.local_date(moment)


def local_in(zone: dt.tzinfo) -> Callable[[dt.datetime], dt.date]:
    """``local`` with the zone read once (a report converts many thousands of times)."""

    def to_local(moment: dt.datetime) -> dt.date:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
        return moment.astimezone(zone).date()

    return to_local


def departments() -> list[dict[str, Any]]:
    """Every active organization (departments, the authority and the joint conference)."""
    rows = (
        model.Session.query(model.Group.id, model.Group.name, model.Group.title)
        .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
        .order_by(model.Group.name)
    )
    return [{"id": r.id, "name": r.name, "title": r.title or r.name} for r in rows]

"""Grants: a department's right to use an entry's data for a purpose and a period (art. 12, 14).

A grant comes from obtaining an unconditional entry (``self_service``, art. 12(1)), an approval
(``approval``) or the provider's agreement while negotiating (``negotiation``), or the decision
of the body a dispute was escalated to (``escalation``). It is live while ``active`` and the
day lies in its period (``rules.LIVE_GRANT``: the one definition; ``live_condition`` is its
SQL). A provider's data officer or the sharing authority may revoke it; it expires after its
last day (``ckan govshare remind``).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from .. import notices, profiles
from ..core import clock, config, paging
from ..core.membership import Person, authority_org_id, conference_org_id
from ..core.messages import field_errors, message
from ..core.serialise import plain
from . import codes, deadlines, present, rules, workflow
from .model import grant_table
from .transitions import audit, people

__all__ = [
    "INTERFACE_METHODS",
    "entry_share_methods",
    "serves_interface",
    "NOT_ACTIVE",
    "NO_SUCH_GRANT",
    "allocated_calls",
    "check_quota",
    "create_grant",
    "expire_grant",
    "grant_from_request",
    "held_self_service",
    "list_grants",
    "live_condition",
    "live_grants_for",
    "load_grant",
    "obtain",
    "revoke",
    "self_service_period",
    "visible_grants",
]

NOT_ACTIVE = message(
    "The grant is no longer active: there is nothing to revoke",
    "该授权已失效，无需撤销",
)
NO_SUCH_GRANT = message("No such grant", "授权不存在")
NEEDS_END = message(
    "Say until when the data may be used (period_end)",
    "请填写准予使用的截止日期（period_end）",
)
#: Share methods served by the service interface (2016 Measures art. 12: 联机查询; 2025
#: Regulations art. 22: 服务接口): their grants carry a daily call quota.
INTERFACE_METHODS = ("api", "online_query")
QUOTA_NOT_INTERFACE = message(
    "A daily call quota is for a grant served by the service interface (share method api or "
    "online_query); this request asks for another share method",
    "每日调用量上限仅适用于通过服务接口（接口调用或联机查询）共享的授权，本申请的共享方式不适用",
)


def entry_share_methods(package_id: str | None) -> list[str]:
    """The share methods an entry offers (``share_methods``: a JSON list in its extras)."""
    pkg = model.Package.get(package_id) if package_id else None
    raw = (pkg.extras or {}).get("share_methods") if pkg is not None else None
    if not raw:
        return []
    try:
        methods = json.loads(raw) if str(raw).startswith("[") else [raw]
    except ValueError:
        return []
    return [str(m) for m in methods] if isinstance(methods, list) else []


def serves_interface(grant: Mapping[str, Any] | None) -> bool:
    """The grant may use the service interface: its share methods (``rules.grant_methods``:
    its own, or every method the entry offers for self-service and return grants) include
    ``api`` or ``online_query``."""
    if not grant:
        return False
    methods = rules.grant_methods(grant, entry_share_methods(grant.get("package_id")))
    return bool(methods & set(INTERFACE_METHODS))


def check_quota(request: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, list[str]]:
    """The daily call quota an approval sets (issue 16, item 6; 2025 Regulations art. 22, a
    declared load as PDND asks): only for an interface share method, and never above the calls
    a day the request declared (the provider narrows, never widens: 2016 Measures art. 12(2))."""
    asked = data.get("max_calls_per_day")
    if asked is None:
        return {}
    if request.get("share_method") not in INTERFACE_METHODS:
        return {"max_calls_per_day": [QUOTA_NOT_INTERFACE]}
    expected = request.get("expected_calls_per_day")
    if expected is not None and asked > expected:
        return {
            "max_calls_per_day": [
                message(
                    f"The quota cannot exceed the calls a day the request declared ({expected})",
                    f"每日调用量上限不得超过申请填报的预计每日调用量（{expected}）",
                )
            ]
        }
    return {}


def quota_of(request: Mapping[str, Any], data: Mapping[str, Any]) -> int | None:
    """The grant's ``max_calls_per_day``: what the decision set, else what the request
    declared; none for a grant not served by the interface (or with nothing declared)."""
    if request.get("share_method") not in INTERFACE_METHODS:
        return None
    return data.get("max_calls_per_day") or request.get("expected_calls_per_day")


def allocated_calls(package_id: str, on: dt.date | None = None) -> dict[str, int]:
    """What the live grants on an entry take of its daily capacity: their summed
    ``max_calls_per_day`` (``allocated``), how many have one (``grants``) and how many have no
    limit (``unlimited``), so the provider sees it when approving (issue 16, item 6)."""
    c = grant_table.c
    day = on or clock.today()
    row = model.Session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(c.max_calls_per_day), 0),
            sa.func.count(c.max_calls_per_day),
            sa.func.count().filter(
                sa.and_(c.max_calls_per_day.is_(None), c.share_method.in_(INTERFACE_METHODS))
            ),
        ).where(c.package_id == package_id, live_condition(day))
    ).one()
    return {"allocated": int(row[0]), "grants": int(row[1]), "unlimited": int(row[2])}


def live_condition(on: dt.date, columns: Any = None) -> sa.sql.ColumnElement[sa.Boolean]:
    """``rules.grant_live`` as SQL over the grant table (or ``columns`` of an alias of it)."""
    c = grant_table.c if columns is None else columns
    rule = rules.LIVE_GRANT
    return sa.and_(c.status == rule.status, c[rule.first_day] <= on, c[rule.last_day] >= on)


def load_grant(grant_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
    query = sa.select(grant_table).where(grant_table.c.id == grant_id)
    if for_update:
        query = query.with_for_update()
    row = model.Session.execute(query).first()
    return dict(row._mapping) if row else None


# ---------------------------------------------------------------------------- reading


def live_grants_for(
    org_ids: Iterable[str], package_id: str, resource_id: str, on: dt.date | None = None
) -> list[dict[str, Any]]:
    """Live grants held by ``org_ids`` on the entry that cover ``resource_id`` (all of the
    entry's resources, or a list naming it), the one ending last first."""
    orgs = sorted(set(org_ids))
    if not orgs:
        return []
    c = grant_table.c
    rows = model.Session.execute(
        sa.select(grant_table)
        .where(
            c.organization_id.in_(orgs),
            c.package_id == package_id,
            live_condition(on or clock.today()),
        )
        .order_by(c.period_end.desc(), c.id)
    ).all()
    grants = [dict(r._mapping) for r in rows]
    return [g for g in grants if not g.get("resource_ids") or resource_id in g["resource_ids"]]


def visible_grants(person: Person, direction: str) -> sa.sql.ColumnElement[sa.Boolean]:
    """The grants ``person`` sees in ``direction`` as SQL: outgoing, those their departments
    hold; incoming, those on the entries they are data officers of (every grant for the
    sharing authority and sysadmins); all, both."""
    c = grant_table.c
    held = c.organization_id.in_(sorted(person.orgs))
    provided = c.provider_org_id.in_(sorted(person.officer_of))
    sees_all = person.sysadmin or person.authority
    if direction == "outgoing":
        return held
    if direction == "incoming":
        return sa.true() if sees_all else provided
    return sa.true() if sees_all else sa.or_(held, provided)


def _ref(table: Any, reference: str) -> str:
    found = table.get(reference)
    return found.id if found is not None else reference


def list_grants(person: Person, query: Mapping[str, Any]) -> dict[str, Any]:
    """One page of the grants ``person`` sees, newest first (``govshare_grant_list``).

    ``query``: ``direction``, ``status`` (a list), ``package_id``, ``requesting_org`` (the
    holder), ``provider_org``, ``limit``, ``offset``.
    """
    c = grant_table.c
    conditions = [visible_grants(person, query.get("direction") or "all")]
    if query.get("status"):
        conditions.append(c.status.in_(query["status"]))
    if query.get("package_id"):
        conditions.append(c.package_id == _ref(model.Package, query["package_id"]))
    if query.get("requesting_org"):
        conditions.append(c.organization_id == _ref(model.Group, query["requesting_org"]))
    if query.get("provider_org"):
        conditions.append(c.provider_org_id == _ref(model.Group, query["provider_org"]))
    order = [c.created_at.desc(), c.id]
    return paging.page(grant_table, sa.and_(*conditions), order, query, present.grant_dicts)


# ---------------------------------------------------------------------------- writing


def create_grant(
    *,
    package_id: str,
    provider_org_id: str,
    organization_id: str,
    source: str,
    purpose: str,
    purpose_detail: str,
    period_start: dt.date,
    period_end: dt.date,
    person: Person | None,
    acting_org: str | None,
    request_id: str | None = None,
    resource_ids: list[str] | None = None,
    data_items: list[str] | None = None,
    share_method: str | None = None,
    conditions: str | None = None,
    max_downloads: int | None = None,
    max_calls_per_day: int | None = None,
    row_filter: Mapping[str, Any] | None = None,
    delivery_due: dt.date | None = None,
    third_party: str | None = None,
) -> dict[str, Any]:
    """A grant: department × entry × scope (resources, data items, rows) × purpose × period ×
    optional download limit and daily call quota, audited, and its holders told.

    ``delivery_due``: the date its data must be available by (2025 art. 22, an approval's
    grant). Under the delivery rule a self-service or return grant is available at once: it
    is delivered when it is made."""
    at = clock.now()
    available = source in ("self_service", codes.SOURCE_RETURN) and profiles.on("delivery_deadline")
    grant = {
        "id": str(uuid.uuid4()),
        "package_id": package_id,
        "provider_org_id": provider_org_id,
        "organization_id": organization_id,
        "request_id": request_id,
        "source": source,
        "purpose": purpose,
        "purpose_detail": purpose_detail,
        "resource_ids": resource_ids,
        "data_items": data_items,
        "share_method": share_method,
        "conditions": conditions,
        "period_start": period_start,
        "period_end": period_end,
        "max_downloads": max_downloads,
        "downloads_used": 0,
        "row_filter": dict(row_filter) if row_filter else None,
        "max_calls_per_day": max_calls_per_day,
        "third_party": third_party,
        "status": codes.GRANT_ACTIVE,
        "created_at": at,
        "created_by": person.id if person else None,
    }
    grant.update(
        delivery_due=delivery_due,
        delivered_at=at if available else None,
        delivered_by=None,
        delivery_method=None,
    )
    model.Session.execute(sa.insert(grant_table).values(**grant))
    audit(
        "govshare_grant_create",
        person,
        actor_department=acting_org,
        object_type="grant",
        object_id=grant["id"],
        object_department=provider_org_id,
        detail={
            "package_id": package_id,
            "holder": organization_id,
            "request_id": request_id,
            "source": source,
            "purpose": purpose,
            "period": [plain(period_start), plain(period_end)],
            "resource_ids": resource_ids,
            "data_items": data_items,
            "max_downloads": max_downloads,
            "max_calls_per_day": max_calls_per_day,
            "row_filter": grant["row_filter"],
        },
    )
    notices.notify(
        "grant_created",
        recipients=people(organization_id),
        key=f"grant_created:{grant['id']}",
        params=_grant_params(grant),
    )
    return grant


def held_self_service(package_id: str, requesting_org: str, purpose: str) -> dict[str, Any] | None:
    """The live self-service grant the department holds on the entry for this purpose."""
    g = grant_table.c
    existing = model.Session.execute(
        sa.select(grant_table).where(
            g.package_id == package_id,
            g.organization_id == requesting_org,
            g.purpose == purpose,
            g.source == "self_service",
            live_condition(clock.today()),
        )
    ).first()
    return dict(existing._mapping) if existing is not None else None


def self_service_period() -> tuple[dt.date, dt.date]:
    """The period of a new self-service grant: today and ``grant.default_days`` after."""
    today = clock.today()
    return today, today + dt.timedelta(days=config.grant_default_days())


def obtain(
    entry: Mapping[str, Any],
    person: Person,
    requesting_org: str,
    data: Mapping[str, Any],
    *,
    request_id: str | None = None,
) -> dict[str, Any]:
    """An unconditional entry at once (art. 12(1)): the live grant the department already
    holds for this purpose, else a new one for ``ckanext.govshare.grant.default_days``.
    ``request_id``: the immediate answer it stands for (2025 art. 21, ``delivery.obtain``).

    Data items narrower than the entry (conditional, not shared) are not obtained with it.
    """
    existing = held_self_service(entry["id"], requesting_org, data["purpose"])
    if existing is not None:
        return existing
    start, end = self_service_period()
    all_items = rules.item_names(entry)
    open_items = rules.item_names(entry, ("unconditional",))
    return create_grant(
        package_id=entry["id"],
        provider_org_id=entry["owner_org"],
        organization_id=requesting_org,
        source="self_service",
        purpose=data["purpose"],
        purpose_detail=data["purpose_detail"],
        period_start=start,
        period_end=end,
        data_items=None if open_items == all_items else open_items,
        person=person,
        acting_org=requesting_org,
        request_id=request_id,
    )


def grant_from_request(
    request: Mapping[str, Any], person: Person, data: Mapping[str, Any], source: str
) -> dict[str, Any]:
    """The grant an approval (or a granted dispute) creates, narrowed as the decision says
    (art. 12(2): the provider may narrow a request, never widen it)."""
    errors = {**rules.check_approval(request, data), **check_quota(request, data)}
    if errors:
        raise field_errors(tk.ValidationError, errors)
    today = clock.today()
    start = data.get("period_start") or request["period_start"] or today
    end = data.get("period_end") or request["period_end"]
    if end is not None and end < today:
        raise tk.ValidationError({"period_end": [rules.PERIOD_PAST]})
    if end is None:
        raise tk.ValidationError({"period_end": [NEEDS_END]})
    acting = (
        request["provider_org_id"]
        if source in ("approval", "negotiation", codes.SOURCE_USE_CHANGE)
        else (
            conference_org_id()
            if request["status"] == workflow.ESCALATED_CONFERENCE
            else authority_org_id()
        )
    )
    return create_grant(
        package_id=request["package_id"],
        provider_org_id=request["provider_org_id"],
        organization_id=request["requesting_org_id"],
        request_id=request["id"],
        source=source,
        purpose=request["purpose"],
        purpose_detail=request["purpose_detail"],
        period_start=max(start, today),
        period_end=end,
        resource_ids=data.get("resource_ids") or request["resource_ids"],
        data_items=data.get("data_items") or request["data_items"],
        share_method=request["share_method"],
        conditions=data.get("conditions"),
        max_downloads=data.get("max_downloads"),
        max_calls_per_day=quota_of(request, data),
        person=person,
        acting_org=acting,
        # 2025 art. 22: the data is made available within the profile's working days.
        delivery_due=deadlines.delivery_due(clock.now()),
        # 2025 art. 25: the third party the provider consented to in a use change.
        third_party=(request.get("use_change") or {}).get("third_party"),
    )


def _grant_params(grant: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    pkg = model.Package.get(grant["package_id"])
    orgs = {
        o.id: o.title or o.name
        for o in model.Session.query(model.Group).filter(
            model.Group.id.in_([grant["organization_id"], grant["provider_org_id"]])
        )
    }
    return {
        "grant_id": grant["id"],
        "request_id": grant.get("request_id"),
        "package_id": grant["package_id"],
        "entry_title": pkg.title if pkg else grant["package_id"],
        "requesting_org": orgs.get(grant["organization_id"]),
        "provider_org": orgs.get(grant["provider_org_id"]),
        "status": grant["status"],
        "period_end": plain(grant["period_end"]),
        "link": f"/govshare/grants/{grant['id']}",
        **{k: plain(v) for k, v in extra.items()},
    }


def revoke(
    grant_id: str,
    person: Person | None,
    reason: str,
    *,
    detail: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """End an active (or suspended, 2025 art. 27) grant early (art. 14: misuse ends access);
    its holders are told, and every download token issued from it stops working. ``person``
    None: the platform itself (a return grant whose department no longer lies in the entry's
    coverage, issue 17)."""
    grant = load_grant(grant_id, for_update=True)
    if grant is None:
        raise tk.ObjectNotFound(NO_SUCH_GRANT)
    if grant["status"] not in (codes.GRANT_ACTIVE, codes.GRANT_SUSPENDED):
        raise tk.ValidationError({"id": [NOT_ACTIVE]})
    values = {
        "status": codes.GRANT_REVOKED,
        "revoked_at": clock.now(),
        "revoked_by": person.id if person else None,
        "revoke_reason": reason,
        # 2025 art. 27: the holder disposes of the data by then (None without the rule).
        "disposal_due": deadlines.disposal_due(clock.today()),
    }
    model.Session.execute(
        sa.update(grant_table).where(grant_table.c.id == grant["id"]).values(**values)
    )
    acting = (
        None
        if person is None
        else grant["provider_org_id"]
        if grant["provider_org_id"] in person.officer_of
        else authority_org_id()
        if person.authority
        else None
    )
    audit(
        "govshare_grant_revoke",
        person,
        actor_department=acting,
        object_type="grant",
        object_id=grant["id"],
        object_department=grant["provider_org_id"],
        # ``detail``: what the caller adds (2025 art. 27: the filing, or that it was misuse).
        detail={"holder": grant["organization_id"], "reason": reason, **(detail or {})},
    )
    updated = {**grant, **values}
    notices.notify(
        "grant_revoked",
        recipients=people(grant["organization_id"]),
        key=f"grant_revoked:{grant['id']}",
        params=_grant_params(updated, reason=reason),
    )
    return updated


def expire_grant(grant_id: str, *, today: dt.date) -> dict[str, Any] | None:
    """End an active grant whose period is over (``ckan govshare remind``); else ``None``."""
    grant = load_grant(grant_id, for_update=True)
    if grant is None or grant["status"] != codes.GRANT_ACTIVE or grant["period_end"] >= today:
        return None
    values = {
        "status": codes.GRANT_EXPIRED,
        "expired_at": clock.now(),
        # 2025 art. 27: the holder disposes of the data by then (None without the rule).
        "disposal_due": deadlines.disposal_due(today),
    }
    model.Session.execute(
        sa.update(grant_table).where(grant_table.c.id == grant_id).values(**values)
    )
    audit(
        "govshare_grant_expire",
        None,
        actor_department=None,
        object_type="grant",
        object_id=grant_id,
        object_department=grant["provider_org_id"],
        detail={"holder": grant["organization_id"], "period_end": plain(grant["period_end"])},
    )
    return {**grant, **values}

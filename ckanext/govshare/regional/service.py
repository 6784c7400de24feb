"""Data return (数据回流, 2025 Regulations art. 24): the provider's switch, the standing grants
it gives, and the authority's view of coverage.

An upper-level department returns the data its systems collect about a lower region "in time
and complete, without extra conditions": an entry with a region item (the data item holding
each row's division code, GB/T 2260) whose provider turns return on gives every lower-level
department whose region lies within the entry's coverage a standing grant (source
``return``) limited to the rows of its own region — a row filter ``{"column", "prefix"}``
(``access.scope.RowFilter``) — with no request, no approval, no download limit and no quota,
delivered by every method the entry offers (``access.rules.grant_methods``). Departments that
join later, or whose region or level changes, are given or lose their grant by
:func:`sync_department`; an entry whose region item, coverage or owner changes by
:func:`sync_entry` (both called from the plugin's hooks, in the change's transaction).

Everything is written through ``model.Session`` in the caller's transaction, audited.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from ckan import model

from ..access import codes, grants
from ..access.model import grant_table
from ..access.transitions import audit
from ..catalogue import columns as item_columns
from ..core import clock
from ..core.membership import Person
from ..core.messages import message
from ..core.serialise import label, plain
from . import rules
from .model import return_table

__all__ = [
    "PERIOD_END",
    "PURPOSE",
    "coverage",
    "department",
    "departments",
    "departments_for",
    "entry",
    "problems",
    "return_grants",
    "set_return",
    "show",
    "state",
    "sync_department",
    "sync_entry",
]

#: The purpose of a return grant: the lower department uses the data to perform its duties
#: (art. 24: "用于履行职责"), which is what ``administrative_basis`` (行政依据) records.
PURPOSE = "administrative_basis"
#: A standing grant's last day: far enough that no expiry reminder ever comes, near enough
#: that date arithmetic on it never overflows.
PERIOD_END = dt.date(2099, 12, 31)

OFF = message(
    "Data return turned off by the providing department",
    "提供部门已关闭数据回流",
)
MOVED = message(
    "Data return: the department no longer lies within the entry's coverage (its region, its "
    "level or the entry's region item, coverage or provider changed)",
    "数据回流：该部门已不在本信息资源的覆盖范围内（部门区域、层级或信息资源的区划代码信息项、覆盖区域、"
    "提供部门发生变化）",
)


def _detail(region: str) -> str:
    return message(
        f"Data return to lower levels (2025 Regulations art. 24): the rows of region {region}, "
        "for the department's duties, without extra conditions",
        f"数据回流（《政务数据共享条例》第二十四条）：本区域（{region}）的数据行，"
        "供本部门履行职责使用，不附加条件",
    )


# ---------------------------------------------------------------------------- reading


def _extras(obj: Any) -> dict[str, Any]:
    return dict(obj.extras or {}) if obj is not None else {}


def department(org: Any) -> dict[str, Any] | None:
    """An active organization (a ``model.Group`` or its id or name) as return reads it: id,
    name, title, ``department_level``, ``region_code``."""
    group = org if isinstance(org, model.Group) else model.Group.get(org) if org else None
    if group is None or not group.is_organization or group.state != "active":
        return None
    extras = _extras(group)
    return {
        "id": group.id,
        "name": group.name,
        "title": group.title or group.name,
        "department_level": extras.get("department_level") or None,
        "region_code": (extras.get("region_code") or "").strip() or None,
    }


def departments() -> list[dict[str, Any]]:
    """Every active organization, by name."""
    groups = (
        model.Session.query(model.Group)
        .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
        .order_by(model.Group.name)
    )
    return [d for d in (department(g) for g in groups) if d is not None]


def _items(raw: Any) -> list[dict[str, Any]]:
    try:
        items = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return []
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def entry(package_id: str) -> dict[str, Any] | None:
    """An active entry as return reads it: id, name, title, ``owner_org``, ``region_item``,
    its column (``region_column``), ``coverage_region`` and the region it covers
    (``coverage``: its own or its provider's), and the provider (:func:`department`)."""
    pkg = model.Package.get(package_id) if package_id else None
    if pkg is None or pkg.state != "active" or pkg.type != "dataset":
        return None
    extras = _extras(pkg)
    items = _items(extras.get("data_items"))
    region_item = (extras.get("region_item") or "").strip() or None
    provider = department(pkg.owner_org)
    own = (extras.get("coverage_region") or "").strip() or None
    return {
        "id": pkg.id,
        "name": pkg.name,
        "title": pkg.title or pkg.name,
        "owner_org": pkg.owner_org,
        "provider": provider,
        "region_item": region_item,
        "region_column": item_columns.columns_of({"data_items": items}).get(region_item or ""),
        "coverage_region": own,
        "coverage": rules.coverage_of(own, (provider or {}).get("region_code")),
    }


def problems(the_entry: Mapping[str, Any]) -> dict[str, list[str]]:
    """Why return cannot be on for the entry (``rules.return_problems``), empty when it can."""
    provider = the_entry.get("provider") or {}
    return rules.return_problems(
        the_entry.get("region_column") and the_entry.get("region_item"),
        provider.get("department_level"),
        the_entry.get("coverage"),
    )


def departments_for(
    the_entry: Mapping[str, Any], every: Iterable[Mapping[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The departments an entry is returned to: lower than its provider, with a region code
    within its coverage (``rules.receives``), the provider excluded; none while the entry
    cannot be returned (no region item, a county provider, no region covered)."""
    if problems(the_entry):
        return []
    provider = the_entry["provider"]
    return [
        dict(d)
        for d in (departments() if every is None else every)
        if rules.receives(d, provider, the_entry["coverage"])
    ]


def state(package_id: str) -> dict[str, Any] | None:
    """The entry's return switch (``enabled``, ``changed_at``, ``changed_by``), if ever set."""
    row = model.Session.execute(
        sa.select(return_table).where(return_table.c.package_id == package_id)
    ).first()
    return dict(row._mapping) if row else None


def return_grants(
    package_id: str | None = None, *, organization_id: str | None = None, active: bool = True
) -> list[dict[str, Any]]:
    """Return grants (of one entry, held by one department), current ones only unless
    ``active`` is false: active or suspended (2025 art. 27: a suspended grant is still the
    department's, so no fresh one is given beside it)."""
    g = grant_table.c
    query = sa.select(grant_table).where(g.source == codes.SOURCE_RETURN)
    if package_id:
        query = query.where(g.package_id == package_id)
    if organization_id:
        query = query.where(g.organization_id == organization_id)
    if active:
        query = query.where(g.status.in_((codes.GRANT_ACTIVE, codes.GRANT_SUSPENDED)))
    rows = model.Session.execute(query.order_by(g.created_at, g.id)).all()
    return [dict(r._mapping) for r in rows]


# ---------------------------------------------------------------------------- writing


def _wanted_filter(the_entry: Mapping[str, Any], dept: Mapping[str, Any]) -> dict[str, str]:
    return rules.return_row_filter(the_entry["region_column"], dept["region_code"])


def _sync(
    the_entry: Mapping[str, Any],
    enabled: bool,
    person: Person | None,
    *,
    only: str | None = None,
    every: Iterable[Mapping[str, Any]] | None = None,
) -> dict[str, list[str]]:
    """Make the entry's active return grants what its switch and coverage call for: a grant
    for each department that receives it and lacks one, none for any other (revoked). A
    grant whose rows, provider or department changed is revoked and given afresh. ``only``:
    only this department's grants (a department changed). Returns the grant ids
    ``{"created": [...], "revoked": [...]}``."""
    wanted = {d["id"]: d for d in departments_for(the_entry, every)} if enabled else {}
    if only is not None:
        wanted = {k: v for k, v in wanted.items() if k == only}
    created: list[str] = []
    revoked: list[str] = []
    have: dict[str, dict[str, Any]] = {}
    for grant in return_grants(the_entry["id"]):
        if only is not None and grant["organization_id"] != only:
            continue
        dept = wanted.get(grant["organization_id"])
        keep = (
            dept is not None
            and grant["organization_id"] not in have
            and grant["provider_org_id"] == the_entry["owner_org"]
            and (grant.get("row_filter") or {}) == _wanted_filter(the_entry, dept)
        )
        if keep:
            have[grant["organization_id"]] = grant
            continue
        reason = OFF if not enabled else MOVED
        grants.revoke(grant["id"], person, reason)
        revoked.append(grant["id"])
    today = clock.today()
    for org_id, dept in wanted.items():
        if org_id in have:
            continue
        grant = grants.create_grant(
            package_id=the_entry["id"],
            provider_org_id=the_entry["owner_org"],
            organization_id=org_id,
            source=codes.SOURCE_RETURN,
            purpose=PURPOSE,
            purpose_detail=_detail(dept["region_code"]),
            period_start=today,
            period_end=PERIOD_END,
            person=person,
            acting_org=the_entry["owner_org"],
            data_items=None,
            share_method=None,
            row_filter=_wanted_filter(the_entry, dept),
        )
        created.append(grant["id"])
    return {"created": created, "revoked": revoked}


def set_return(
    the_entry: Mapping[str, Any], enabled: bool, person: Person | None
) -> dict[str, Any]:
    """The provider turns return on or off for an entry (art. 24): the switch, the grants it
    calls for (given or revoked), one audit event. Turning it on for an entry that cannot be
    returned is the caller's 409 (``rules.return_problems``)."""
    now = clock.now()
    values = {
        "provider_org_id": the_entry["owner_org"],
        "enabled": enabled,
        "changed_at": now,
        "changed_by": person.id if person else None,
    }
    before = state(the_entry["id"])
    if before is None:
        model.Session.execute(sa.insert(return_table).values(package_id=the_entry["id"], **values))
    else:
        model.Session.execute(
            sa.update(return_table)
            .where(return_table.c.package_id == the_entry["id"])
            .values(**values)
        )
    changed = _sync(the_entry, enabled, person)
    audit(
        "govshare_return_update",
        person,
        actor_department=the_entry["owner_org"],
        object_type="package",
        object_id=the_entry["id"],
        object_department=the_entry["owner_org"],
        detail={
            "enabled": enabled,
            "was_enabled": bool(before and before["enabled"]),
            "region_item": the_entry.get("region_item"),
            "coverage": the_entry.get("coverage"),
            **changed,
        },
    )
    return show(the_entry)


def _enabled_entries(provider: str | None = None) -> list[str]:
    r = return_table.c
    query = sa.select(r.package_id).where(r.enabled.is_(True))
    if provider:
        query = query.where(r.provider_org_id == provider)
    return [row[0] for row in model.Session.execute(query.order_by(r.package_id))]


def sync_entry(package_id: str, person: Person | None = None) -> dict[str, list[str]]:
    """After an entry changed (its region item, coverage or owner): its return grants as its
    switch now calls for. An entry gone (deleted) keeps none."""
    switch = state(package_id)
    if switch is None:
        return {"created": [], "revoked": []}
    the_entry = entry(package_id)
    if the_entry is None:
        out: dict[str, list[str]] = {"created": [], "revoked": []}
        for grant in return_grants(package_id):
            grants.revoke(grant["id"], person, MOVED)
            out["revoked"].append(grant["id"])
        return out
    if the_entry["owner_org"] != switch["provider_org_id"]:
        model.Session.execute(
            sa.update(return_table)
            .where(return_table.c.package_id == package_id)
            .values(provider_org_id=the_entry["owner_org"])
        )
    return _sync(the_entry, bool(switch["enabled"]), person)


def sync_department(org_id: str, person: Person | None = None) -> dict[str, list[str]]:
    """After a department was created or changed (its region code or level): the return
    grants of every entry with return on that covers it now, and none of any that no longer
    does."""
    out: dict[str, list[str]] = {"created": [], "revoked": []}
    held = {g["package_id"] for g in return_grants(organization_id=org_id)}
    every = departments()
    for package_id in sorted(set(_enabled_entries()) | held):
        the_entry = entry(package_id)
        switch = state(package_id)
        if the_entry is None:
            continue
        changed = _sync(
            the_entry, bool(switch and switch["enabled"]), person, only=org_id, every=every
        )
        out["created"] += changed["created"]
        out["revoked"] += changed["revoked"]
    return out


# ---------------------------------------------------------------------------- answers


def _grant_brief(grant: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if grant is None:
        return None
    return {
        "id": grant["id"],
        "status": grant["status"],
        "row_filter": grant.get("row_filter"),
        "period_start": grant["period_start"].isoformat(),
        "period_end": grant["period_end"].isoformat(),
        "link": f"/govshare/grants/{grant['id']}",
    }


def show(the_entry: Mapping[str, Any]) -> dict[str, Any]:
    """An entry's return (``govshare_return_show``): the switch (``enabled``, ``modified``,
    ``modified_by``), whether it can be turned on (``problems``), and each department covered
    (``requesting_org_id``: it receives the rows) with its row prefix and grant."""
    switch = state(the_entry["id"])
    enabled = bool(switch and switch["enabled"])
    by_org = {g["organization_id"]: g for g in return_grants(the_entry["id"])}
    covered = []
    for dept in departments_for(the_entry):
        grant = by_org.get(dept["id"])
        covered.append(
            {
                "requesting_org_id": dept["id"],
                "requesting_org": dept["name"],
                "requesting_org_title": dept["title"],
                "department_level": dept["department_level"],
                "region_code": dept["region_code"],
                "prefix": rules.prefix(dept["region_code"]),
                "grant": _grant_brief(grant),
            }
        )
    provider = the_entry.get("provider") or {}
    return {
        "package_id": the_entry["id"],
        "name": the_entry["name"],
        "title": the_entry["title"],
        "provider_org_id": the_entry["owner_org"],
        "provider_org": provider.get("name"),
        "provider_org_title": provider.get("title"),
        "provider_level": provider.get("department_level"),
        "provider_region": provider.get("region_code"),
        "region_item": the_entry.get("region_item"),
        "region_column": the_entry.get("region_column"),
        "coverage_region": the_entry.get("coverage_region"),
        "coverage": the_entry.get("coverage"),
        "enabled": enabled,
        "modified": plain(switch["changed_at"]) if switch else None,
        "modified_by": switch["changed_by"] if switch else None,
        "problems": [m for msgs in problems(the_entry).values() for m in msgs],
        "departments": covered,
    }


def _region_entries(provider: str | None) -> list[str]:
    """Active entries with a region item (of one provider), by name."""
    p = model.package_table.c
    query = sa.select(p.id).where(p.state == "active", p.type == "dataset")
    if provider:
        query = query.where(p.owner_org == provider)
    if "extras" in p:  # CKAN 2.12: the extras are a JSONB column of the package
        query = query.where(sa.func.coalesce(p.extras["region_item"].astext, "") != "")
    else:
        e = model.package_extra_table.c  # pyright: ignore[reportAttributeAccessIssue] - CKAN 2.11 only
        query = query.where(
            sa.exists().where(
                sa.and_(
                    e.package_id == p.id,
                    e.key == "region_item",
                    e.state == "active",
                    e.value != "",
                )
            )
        )
    return [row[0] for row in model.Session.execute(query.order_by(p.name))]


#: A coverage row's status: the department's grant is active; return is off (or cannot be on)
#: for the entry, so it has none; return is on and still it has none; it has no region code.
COVERED, RETURN_OFF, MISSING, NO_REGION_CODE = "covered", "return_off", "missing", "no_region"
#: A coverage row's ``status_label``: code -> (English, Chinese).
COVERAGE_LABELS: dict[str, tuple[str, str]] = {
    COVERED: ("Returned", "已回流"),
    MISSING: ("Return on, no grant", "已开启回流，但无授权"),
    RETURN_OFF: ("Return off", "未开启回流"),
    NO_REGION_CODE: ("No region code", "无行政区划代码"),
}


def coverage(filters: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return coverage per entry and region (the sharing authority's view, art. 24, 38): a
    row for each entry with a region item × each lower department in its coverage (status
    ``covered``, ``missing`` or ``return_off``), and each lower department without a region
    code (``no_region``: it cannot receive any return). ``gap`` marks every row but
    ``covered``. The lower department is ``requesting_org_id`` (it receives the rows), the
    entry's ``provider_org_id``.

    ``filters``: ``provider_org`` (the providing department's id), ``region`` (only
    departments whose region code starts with it), ``gaps_only``.
    """
    every = departments()
    region = (filters.get("region") or "").strip()
    gaps_only = bool(filters.get("gaps_only"))
    out: list[dict[str, Any]] = []
    for package_id in _region_entries(filters.get("provider_org")):
        the_entry = entry(package_id)
        if the_entry is None or the_entry["provider"] is None:
            continue
        provider = the_entry["provider"]
        if not rules.may_return(provider.get("department_level")):
            continue
        switch = state(package_id)
        enabled = bool(switch and switch["enabled"]) and not problems(the_entry)
        by_org = {g["organization_id"]: g for g in return_grants(package_id)}
        base = {
            "package_id": package_id,
            "name": the_entry["name"],
            "title": the_entry["title"],
            "provider_org_id": provider["id"],
            "provider_org": provider["name"],
            "provider_org_title": provider["title"],
            "provider_level": provider.get("department_level"),
            "region_item": the_entry["region_item"],
            "region_column": the_entry["region_column"],
            "coverage": the_entry["coverage"],
            "enabled": enabled,
        }
        receiving = {d["id"] for d in departments_for(the_entry, every)}
        for dept in every:
            lower = rules.lower(dept.get("department_level"), provider.get("department_level"))
            if dept["id"] == provider["id"] or not lower:
                continue
            code = dept.get("region_code")
            if code and dept["id"] not in receiving:
                continue  # outside the coverage
            if region and not (code or "").startswith(region):
                continue
            grant = by_org.get(dept["id"])
            status = (
                NO_REGION_CODE
                if not code
                else COVERED
                if grant is not None
                else MISSING
                if enabled
                else RETURN_OFF
            )
            if gaps_only and status == COVERED:
                continue
            out.append(
                {
                    **base,
                    "requesting_org_id": dept["id"],
                    "requesting_org": dept["name"],
                    "requesting_org_title": dept["title"],
                    "department_level": dept.get("department_level"),
                    "region_code": code,
                    "prefix": rules.prefix(code) if code else None,
                    "grant": _grant_brief(grant),
                    "status": status,
                    "status_label": label(*COVERAGE_LABELS[status]),
                    "gap": status != COVERED,
                }
            )
    return out

"""Grants: obtaining unconditional data (art. 12(1)), reading and revoking grants (art. 14)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ...access import codes, rules, service
from ...access.model import grant_table
from ...access.roles import Person
from ...audit import who
from ...core import clock, config
from ...core.messages import message
from ..guard import lookup_key
from ..schema import access as schema
from ..schema.fields import validate
from .access_request import _commit, _entry, atomic, requesting_org

__all__ = [
    "govshare_access_obtain",
    "govshare_grant_list",
    "govshare_grant_revoke",
    "govshare_grant_show",
]

NOT_ACTIVE = message(
    "The grant is no longer active: there is nothing to revoke",
    "该授权已失效，无需撤销",
)


@atomic
def govshare_access_obtain(context: Any, data_dict: Any) -> dict[str, Any]:
    """Obtain an unconditionally shared entry at once: a grant, no human step (art. 12(1)).

    A department that already holds a live grant on the entry for the same purpose gets that
    grant back rather than a second one.

    :param package_id: the entry (id or name); it must be shared unconditionally
    :param requesting_org: the department obtaining it (one the user belongs to)
    :param purpose: administrative_basis | work_reference | data_verification |
        business_collaboration | other
    :param purpose_detail: what the data is for
    :param pledge: must be true: no onward transfer, no other use (art. 14)
    :returns: the grant (``id``, ``package_id``, ``organization``, ``purpose``, scope,
        ``period_start``/``period_end``, limits, ``status``)
    """
    with who.recording_refusals(
        "govshare_access_obtain",
        context,
        object_type="package",
        object_id=lookup_key((data_dict or {}).get("package_id")) or None,
    ):
        tk.check_access("govshare_access_obtain", context, data_dict)
    data = validate(data_dict, schema.access_obtain_schema(), context)
    errors: dict[str, list[str]] = {}
    if not data.get("pledge"):
        errors["pledge"] = [rules.NEEDS_PLEDGE]
    entry = _entry(context, data["package_id"])
    errors.update(rules.check_path(entry, rules.OBTAIN))
    if errors:
        raise tk.ValidationError(errors)
    person = Person.of(context)
    org_id = requesting_org(person, data.get("requesting_org"), entry)
    today = clock.today()
    existing = model.Session.execute(
        sa.select(grant_table).where(
            grant_table.c.package_id == entry["id"],
            grant_table.c.organization_id == org_id,
            grant_table.c.purpose == data["purpose"],
            grant_table.c.source == "self_service",
            grant_table.c.status == codes.GRANT_ACTIVE,
            grant_table.c.period_start <= today,
            grant_table.c.period_end >= today,
        )
    ).first()
    if existing is not None:
        return service.grant_dict(dict(existing._mapping))
    # Items narrower than the entry (conditional, not shared) are not obtained with it.
    all_items = rules.item_names(entry)
    open_items = rules.item_names(entry, ("unconditional",))
    days = config.grant_default_days()
    grant = service.create_grant(
        package_id=entry["id"],
        provider_org_id=entry["owner_org"],
        organization_id=org_id,
        source="self_service",
        purpose=data["purpose"],
        purpose_detail=data["purpose_detail"],
        period_start=today,
        period_end=today + dt.timedelta(days=days),
        data_items=None if open_items == all_items else open_items,
        person=person,
        acting_org=org_id,
    )
    _commit(context)
    return service.grant_dict(grant)


@tk.side_effect_free
def govshare_grant_list(context: Any, data_dict: Any) -> dict[str, Any]:
    """Grants held by the caller's departments, and grants on the entries they provide.

    The sharing authority and sysadmins see every grant.

    :param direction: held | provided | all (default all)
    :param status: active | expired | revoked, or a list (optional)
    :param package_id: only grants on this entry (optional)
    :param organization: only grants held by this department (optional)
    :param limit: page size (default 50, at most 1000)
    :param offset: grants to skip
    :returns: ``{"count", "results", "limit", "offset"}``, newest first
    """
    tk.check_access("govshare_grant_list", context, data_dict)
    data = validate(data_dict, schema.grant_list_schema(), context)
    person = Person.of(context)
    c = grant_table.c
    held = c.organization_id.in_(sorted(person.orgs))
    provided = c.provider_org_id.in_(sorted(person.officer_of))
    sees_all = person.sysadmin or person.authority
    where = {
        "held": held,
        "provided": provided if not sees_all else sa.true(),
        "all": sa.true() if sees_all else sa.or_(held, provided),
    }[data["direction"]]
    conditions = [where]
    if data.get("status"):
        conditions.append(c.status.in_(data["status"]))
    if data.get("package_id"):
        pkg = model.Package.get(data["package_id"])
        conditions.append(c.package_id == (pkg.id if pkg else data["package_id"]))
    if data.get("organization"):
        org = model.Group.get(data["organization"])
        conditions.append(c.organization_id == (org.id if org else data["organization"]))
    condition = sa.and_(*conditions)
    count = model.Session.execute(
        sa.select(sa.func.count()).select_from(grant_table).where(condition)
    ).scalar()
    limit = min(data["limit"], 1000)
    rows = model.Session.execute(
        sa.select(grant_table)
        .where(condition)
        .order_by(c.created_at.desc())
        .limit(limit)
        .offset(data["offset"])
    ).all()
    return {
        "count": count,
        "results": [service.grant_dict(dict(r._mapping)) for r in rows],
        "limit": limit,
        "offset": data["offset"],
    }


def _load_grant(context: Any, data_dict: Any, auth: str) -> dict[str, Any]:
    grant_id = lookup_key((data_dict or {}).get("id"))
    grant = service.load_grant(grant_id)
    with who.recording_refusals(
        auth,
        context,
        object_type="grant",
        object_id=grant_id,
        object_department=grant["provider_org_id"] if grant else None,
    ):
        tk.check_access(auth, context, data_dict)
    if grant is None:
        raise tk.ObjectNotFound(message("No such grant", "授权不存在"))
    return grant


@tk.side_effect_free
def govshare_grant_show(context: Any, data_dict: Any) -> dict[str, Any]:
    """One grant: holder, entry, purpose, scope, period, limits, status.

    :param id: the grant's id
    """
    return service.grant_dict(_load_grant(context, data_dict, "govshare_grant_show"))


@atomic
def govshare_grant_revoke(context: Any, data_dict: Any) -> dict[str, Any]:
    """End a grant before its time (a provider's data officer or the sharing authority).

    Every token issued from it stops working (issue 6).

    :param id: the grant
    :param reason: why (required; the holder is told)
    """
    _load_grant(context, data_dict, "govshare_grant_revoke")
    data = validate(data_dict, schema.grant_revoke_schema(), context)
    grant = service.load_grant(data["id"], for_update=True)
    if grant is None:
        raise tk.ObjectNotFound(message("No such grant", "授权不存在"))
    if grant["status"] != codes.GRANT_ACTIVE:
        raise tk.ValidationError({"id": [NOT_ACTIVE]})
    updated = service.revoke_grant(grant, Person.of(context), data["reason"])
    _commit(context)
    return service.grant_dict(updated)

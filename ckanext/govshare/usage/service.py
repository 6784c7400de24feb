"""Usage records, disposal and service filings (2025 Regulations art. 27, 29): what the
actions do once they checked input and access.

Everything is written through ``model.Session`` in the caller's transaction (the action's,
``core.transaction.atomic``), each change with its audit event and its notices.

This package reads the access domain's grants; the access domain never imports it (the
packages may not import each other both ways). So a step of the access domain that needs a
filing — a provider terminating a grant — asks :func:`filing_covers` from the action layer.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from .. import notices, profiles
from ..access import rules as access_rules
from ..access.model import grant_table
from ..access.transitions import audit
from ..core import clock, paging
from ..core.membership import Person
from ..core.messages import field_errors, message
from ..core.serialise import plain
from . import rules
from .model import filing_table, usage_table

__all__ = [
    "NO_SUCH_FILING",
    "archive_due",
    "archive_record",
    "current_grant_ids",
    "dispose",
    "disposal_due_soon",
    "disposals_past_due",
    "file_service",
    "filing_covers",
    "filing_dict",
    "filing_problem",
    "list_filings",
    "list_records",
    "load_filing",
    "may_read_records",
    "may_record",
    "may_see_filing",
    "record",
    "record_dicts",
    "require",
]

NO_SUCH_FILING = message("No such service filing", "备案不存在")
NO_FILING = message(
    "No such service filing: file the end of the service with the authority first "
    "(govshare_service_filing_create)",
    "备案不存在：请先向共享主管部门报备终止共享服务（govshare_service_filing_create）",
)
NOT_THE_ENTRYS = message(
    "Not a current grant of this entry (live or suspended)",
    "不是该目录当前有效（或暂停）的授权",
)
EFFECTIVE_PAST = message("The effective date cannot be in the past", "生效日期不得早于今天")


def require(rule: str) -> None:
    """A 409 naming the profile in force when its rule ``rule`` is off (the action exists
    under the other profile only)."""
    if profiles.on(rule):
        return
    profile = profiles.name()
    raise tk.ValidationError(
        {
            "rule_profile": [
                message(
                    f"Not under the rule profile in force ({profile}): the 2025 Regulations "
                    "ask for it",
                    f"当前规则版本（{profile}）不适用：此为《政务数据共享条例》（2025）的要求",
                )
            ]
        }
    )


# ---------------------------------------------------------------------------- who may


def may_record(person: Person, grant: Mapping[str, Any]) -> bool:
    """A member of the holding department (art. 29: the requester records its use)."""
    return person.sysadmin or grant.get("organization_id") in person.orgs


def may_read_records(person: Person, grant: Mapping[str, Any]) -> bool:
    """The holding department, the provider's data officers, the authority, sysadmins
    (art. 29: the authority and the provider may read them)."""
    return bool(
        person.sysadmin
        or person.authority
        or grant.get("organization_id") in person.orgs
        or grant.get("provider_org_id") in person.officer_of
    )


# ---------------------------------------------------------------------------- usage records


def _names(table: Any, ids: Iterable[str | None]) -> dict[str, tuple[str, str]]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    column = table.id
    rows = model.Session.query(table).filter(column.in_(wanted))
    found: dict[str, tuple[str, str]] = {}
    for row in rows:
        title = getattr(row, "title", None) or getattr(row, "fullname", None) or row.name
        found[row.id] = (row.name, title)
    return found


def record_dicts(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Usage records as the API shows them (docs/api.md, "Conventions")."""
    orgs = _names(model.Group, (r["organization_id"] for r in rows))
    users = _names(model.User, (r["recorded_by"] for r in rows))
    result = []
    for row in rows:
        org = orgs.get(row["organization_id"])
        user = users.get(row["recorded_by"])
        result.append(
            {
                "id": row["id"],
                "grant_id": row["grant_id"],
                "requesting_org_id": row["organization_id"],
                "requesting_org": org[0] if org else None,
                "requesting_org_title": org[1] if org else None,
                "kind": row["kind"],
                "kind_label": rules.label(rules.KINDS, row["kind"]),
                "description": row["description"],
                "recorded_by": row["recorded_by"],
                "recorded_by_name": user[0] if user else None,
                "created": plain(row["recorded_at"]),
                "retain_until": plain(row["retain_until"]),
                "archived": row["archived_at"] is not None,
                "archived_at": plain(row["archived_at"]),
            }
        )
    return result


def record(
    grant: Mapping[str, Any], person: Person | None, kind: str, description: str
) -> dict[str, Any]:
    """One usage record of a grant (art. 29), kept until ``usage_retention_years`` years
    after today (local date), audited as ``govshare_usage_record_create``.

    Scenario, process and results while the grant is live; storage and destruction also
    after it ends (``rules.record_problem``)."""
    today = clock.today()
    problem = rules.record_problem(grant, kind, access_rules.grant_live(grant, today))
    if problem:
        raise tk.ValidationError({"grant_id": [problem]})
    years = profiles.number("usage_retention_years") or 0
    row = {
        "id": str(uuid.uuid4()),
        "grant_id": grant["id"],
        "organization_id": grant["organization_id"],
        "kind": kind,
        "description": description,
        "recorded_by": person.id if person else "system",
        "recorded_at": clock.now(),
        "retain_until": rules.retain_until(today, years),
        "archived_at": None,
    }
    model.Session.execute(sa.insert(usage_table).values(**row))
    audit(
        "govshare_usage_record_create",
        person,
        actor_department=grant["organization_id"],
        object_type="usage_record",
        object_id=row["id"],
        object_department=grant["organization_id"],
        detail={
            "grant_id": grant["id"],
            "package_id": grant["package_id"],
            "provider": grant["provider_org_id"],
            "kind": kind,
            "retain_until": plain(row["retain_until"]),
        },
    )
    return row


def list_records(grant: Mapping[str, Any], query: Mapping[str, Any]) -> dict[str, Any]:
    """One page of a grant's usage records, newest first; ``kind`` (a list) and ``archived``
    filter them."""
    c = usage_table.c
    conditions = [c.grant_id == grant["id"]]
    if query.get("kind"):
        conditions.append(c.kind.in_(query["kind"]))
    archived = query.get("archived")
    if archived is not None:
        conditions.append(c.archived_at.isnot(None) if archived else c.archived_at.is_(None))
    order = [c.recorded_at.desc(), c.id]
    return paging.page(usage_table, sa.and_(*conditions), order, query, record_dicts)


def archive_due(today: dt.date) -> list[str]:
    """Usage records past their retention date and not archived yet, oldest first."""
    c = usage_table.c
    query = (
        sa.select(c.id)
        .where(c.archived_at.is_(None), c.retain_until < today)
        .order_by(c.retain_until, c.id)
    )
    return [row[0] for row in model.Session.execute(query)]


def archive_record(record_id: str, today: dt.date) -> dict[str, Any] | None:
    """Archive one record past its retention date (kept, never deleted: art. 29), audited as
    ``govshare_usage_record_archive``; ``None`` when it is not due."""
    found = model.Session.execute(
        sa.select(usage_table).where(usage_table.c.id == record_id).with_for_update()
    ).first()
    row = dict(found._mapping) if found is not None else None
    if row is None or not rules.archive_due(row, today):
        return None
    row["archived_at"] = clock.now()
    model.Session.execute(
        sa.update(usage_table)
        .where(usage_table.c.id == record_id)
        .values(archived_at=row["archived_at"])
    )
    audit(
        "govshare_usage_record_archive",
        None,
        actor_department=None,
        object_type="usage_record",
        object_id=record_id,
        object_department=row["organization_id"],
        detail={"grant_id": row["grant_id"], "retain_until": plain(row["retain_until"])},
    )
    return row


# ---------------------------------------------------------------------------- disposal


def _method_line(method: str) -> str:
    found = rules.label(rules.DISPOSAL_METHODS, method) or {"en": method, "zh_Hans_CN": method}
    return f"处置方式 / Method: {found['zh_Hans_CN']} / {found['en']}"


def dispose(
    grant: Mapping[str, Any], person: Person, method: str, description: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The holder records how it disposed of an ended grant's data (art. 27): the grant's
    ``disposed_at``/``disposed_by``/``disposal_note`` and a usage record of kind
    ``destruction``, in one transaction, audited as ``govshare_grant_dispose``. Answers the
    grant as changed and the record."""
    problem = rules.disposal_problem(grant)
    if problem:
        raise tk.ValidationError({"id": [problem]})
    values = {
        "disposed_at": clock.now(),
        "disposed_by": person.id,
        "disposal_note": description,
    }
    model.Session.execute(
        sa.update(grant_table).where(grant_table.c.id == grant["id"]).values(**values)
    )
    updated = {**grant, **values}
    row = record(updated, person, rules.KIND_DESTRUCTION, f"{_method_line(method)}\n{description}")
    due = grant.get("disposal_due")
    audit(
        "govshare_grant_dispose",
        person,
        actor_department=grant["organization_id"],
        object_type="grant",
        object_id=grant["id"],
        object_department=grant["provider_org_id"],
        detail={
            "holder": grant["organization_id"],
            "method": method,
            "usage_record": row["id"],
            "disposal_due": plain(due),
            "late": bool(due and clock.local_date(values["disposed_at"]) > due),
        },
    )
    return updated, row


def _ended_undisposed() -> Any:
    c = grant_table.c
    return sa.and_(
        c.status.in_(rules.ENDED_GRANT_STATUSES),
        c.disposal_due.isnot(None),
        c.disposed_at.is_(None),
    )


def disposals_past_due(today: dt.date) -> list[str]:
    """Ended grants whose data is not disposed of by their ``disposal_due``."""
    c = grant_table.c
    query = (
        sa.select(c.id)
        .where(_ended_undisposed(), c.disposal_due < today)
        .order_by(c.disposal_due, c.id)
    )
    return [row[0] for row in model.Session.execute(query)]


def disposal_due_soon(today: dt.date, last: dt.date) -> list[str]:
    """Ended grants whose disposal is due between ``today`` and ``last``."""
    c = grant_table.c
    query = (
        sa.select(c.id)
        .where(_ended_undisposed(), c.disposal_due.between(today, last))
        .order_by(c.disposal_due, c.id)
    )
    return [row[0] for row in model.Session.execute(query)]


# ---------------------------------------------------------------------------- filings


def load_filing(filing_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
    """One service filing's row, or ``None``."""
    query = sa.select(filing_table).where(filing_table.c.id == filing_id)
    if for_update:
        query = query.with_for_update()
    row = model.Session.execute(query).first()
    return dict(row._mapping) if row else None


def filing_problem(filing_id: str | None, grant: Mapping[str, Any]) -> str | None:
    """Why no filing ``filing_id`` covers ending ``grant`` (a bilingual message); ``None``
    when it does (art. 27; ``rules.filing_problem``)."""
    filing = load_filing(filing_id) if filing_id else None
    if filing is None:
        return NO_FILING
    return rules.filing_problem(filing, grant, clock.today())


def filing_covers(filing_id: str | None, grant: Mapping[str, Any]) -> bool:
    """Whether the service filing ``filing_id`` covers ending ``grant`` (2025 art. 27: a
    provider ends a service only after consulting its holders and filing with the authority):
    the grant's provider filed the *end* of a service on the grant's entry, the filing names
    the grant, and its ``effective_date`` has come. ``grant``: the grant's row (or its API
    answer: ``id``, ``package_id``, ``provider_org_id``)."""
    return filing_problem(filing_id, grant) is None


def _current(today: dt.date) -> Any:
    """Grants still serving their holder: active or suspended, their period not over."""
    c = grant_table.c
    return sa.and_(c.status.in_(("active", "suspended")), c.period_end >= today)


def current_grant_ids(package_id: str) -> list[str]:
    """The entry's current grants (live or suspended), oldest first."""
    c = grant_table.c
    query = (
        sa.select(c.id)
        .where(c.package_id == package_id, _current(clock.today()))
        .order_by(c.created_at, c.id)
    )
    return [row[0] for row in model.Session.execute(query)]


def _holders(grant_ids: Sequence[str]) -> list[str]:
    if not grant_ids:
        return []
    c = grant_table.c
    query = sa.select(c.organization_id).where(c.id.in_(list(grant_ids))).distinct()
    return sorted(row[0] for row in model.Session.execute(query))


def file_service(
    entry: Mapping[str, Any], person: Person, data: Mapping[str, Any]
) -> dict[str, Any]:
    """The provider files the end or a change of a sharing service with the authority after
    consulting its holders (art. 27); the authority and the holders are told. ``grant_ids``:
    the entry's current grants it concerns (default: all of them)."""
    today = clock.today()
    errors: dict[str, list[str]] = {}
    effective = data["effective_date"]
    if effective < today:
        errors["effective_date"] = [EFFECTIVE_PAST]
    current = current_grant_ids(entry["id"])
    named = list(dict.fromkeys(data.get("grant_ids") or []))
    if named:
        strangers = [g for g in named if g not in current]
        if strangers:
            errors["grant_ids"] = [f"{NOT_THE_ENTRYS}: {', '.join(strangers[:5])}"]
    if errors:
        raise field_errors(tk.ValidationError, errors)
    filing = {
        "id": str(uuid.uuid4()),
        "package_id": entry["id"],
        "provider_org_id": entry["owner_org"],
        "grant_ids": named or current,
        "kind": data["kind"],
        "description": data["description"],
        "consultation": data["consultation"],
        "effective_date": effective,
        "filed_by": person.id,
        "filed_at": clock.now(),
    }
    model.Session.execute(sa.insert(filing_table).values(**filing))
    audit(
        "govshare_service_filing_create",
        person,
        actor_department=entry["owner_org"],
        object_type="service_filing",
        object_id=filing["id"],
        object_department=entry["owner_org"],
        detail={
            "package_id": entry["id"],
            "kind": filing["kind"],
            "grant_ids": filing["grant_ids"],
            "effective_date": plain(effective),
        },
    )
    holders = _holders(filing["grant_ids"])
    recipients = [*notices.authority_members()]
    for org_id in holders:
        recipients += notices.members_of(org_id)
    notices.notify(
        "service_filed",
        recipients=recipients,
        key=f"service_filed:{filing['id']}",
        params={
            "filing_id": filing["id"],
            "package_id": entry["id"],
            "entry_title": entry.get("title") or entry.get("name"),
            "provider_org": _names(model.Group, [entry["owner_org"]]).get(
                entry["owner_org"], ("", "")
            )[1],
            "filing_kind": filing["kind"],
            "effective_date": plain(effective),
            "link": f"/govshare/filings/{filing['id']}",
        },
    )
    return filing


def _holder_grants(org_ids: Iterable[str]) -> Any:
    """SQL: the filing names a grant held by one of ``org_ids``."""
    orgs = sorted(set(org_ids))
    g = grant_table.c
    return sa.exists(
        sa.select(g.id).where(
            g.organization_id.in_(orgs),
            filing_table.c.grant_ids.op("@>")(sa.func.jsonb_build_array(g.id)),
        )
    )


def _visible_filings(person: Person) -> Any:
    """The authority and sysadmins see every filing; a provider's data officers their
    department's; a holder's members those naming its grants."""
    if person.sysadmin or person.authority:
        return sa.true()
    c = filing_table.c
    return sa.or_(c.provider_org_id.in_(sorted(person.officer_of)), _holder_grants(person.orgs))


def may_see_filing(person: Person, filing: Mapping[str, Any]) -> bool:
    """``_visible_filings`` for one filing."""
    if person.sysadmin or person.authority or filing["provider_org_id"] in person.officer_of:
        return True
    return bool(set(_holders(filing.get("grant_ids") or [])) & person.orgs)


def _seen_grant_ids(person: Person, filing: Mapping[str, Any]) -> list[str]:
    """The filing's grants the person may know of: all for the provider's officers, the
    authority and sysadmins; a holder's own only (other holders stay unnamed)."""
    ids = list(filing.get("grant_ids") or [])
    if person.sysadmin or person.authority or filing["provider_org_id"] in person.officer_of:
        return ids
    if not ids:
        return []
    c = grant_table.c
    query = sa.select(c.id).where(c.id.in_(ids), c.organization_id.in_(sorted(person.orgs)))
    own = {row[0] for row in model.Session.execute(query)}
    return [i for i in ids if i in own]


def filing_dicts(person: Person, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Filings as the API shows them to ``person``."""
    orgs = _names(model.Group, (r["provider_org_id"] for r in rows))
    pkgs = _names(model.Package, (r["package_id"] for r in rows))
    users = _names(model.User, (r["filed_by"] for r in rows))
    result = []
    for row in rows:
        org, pkg, user = (
            orgs.get(row["provider_org_id"]),
            pkgs.get(row["package_id"]),
            users.get(row["filed_by"]),
        )
        grant_ids = _seen_grant_ids(person, row)
        result.append(
            {
                "id": row["id"],
                "package_id": row["package_id"],
                "package_name": pkg[0] if pkg else None,
                "package_title": pkg[1] if pkg else None,
                "provider_org_id": row["provider_org_id"],
                "provider_org": org[0] if org else None,
                "provider_org_title": org[1] if org else None,
                "kind": row["kind"],
                "kind_label": rules.label(rules.FILING_KINDS, row["kind"]),
                "description": row["description"],
                "consultation": row["consultation"],
                "effective_date": plain(row["effective_date"]),
                "grant_ids": grant_ids,
                "grants_count": len(row.get("grant_ids") or []),
                "filed_by": row["filed_by"],
                "filed_by_name": user[0] if user else None,
                "created": plain(row["filed_at"]),
            }
        )
    return result


def filing_dict(person: Person, row: Mapping[str, Any]) -> dict[str, Any]:
    return filing_dicts(person, [row])[0]


def _ref(table: Any, reference: str) -> str:
    found = table.get(reference)
    return found.id if found is not None else reference


def list_filings(person: Person, query: Mapping[str, Any]) -> dict[str, Any]:
    """One page of the filings ``person`` may see, newest first; ``provider_org``,
    ``package_id`` and ``kind`` filter them."""
    c = filing_table.c
    conditions = [_visible_filings(person)]
    if query.get("provider_org"):
        conditions.append(c.provider_org_id == _ref(model.Group, query["provider_org"]))
    if query.get("package_id"):
        conditions.append(c.package_id == _ref(model.Package, query["package_id"]))
    if query.get("kind"):
        conditions.append(c.kind.in_(query["kind"]))
    order = [c.filed_at.desc(), c.id]
    return paging.page(
        filing_table, sa.and_(*conditions), order, query, lambda rows: filing_dicts(person, rows)
    )

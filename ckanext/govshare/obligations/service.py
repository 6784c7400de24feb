"""Catalogue-update obligations (art. 8): what the actions do, once they checked input and
access.

Reading (the list the caller may see, one obligation as the API shows it) and writing (record,
discharge): each change with its audit event and its notices in the caller's transaction (the
action's, ``core.transaction.atomic``). ``ckan govshare remind`` calls ``mark_overdue``
(``reminders.py``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from .. import profiles, tracked, workdays
from ..audit import store
from ..core import clock
from ..core.membership import Person, authority_org_id
from ..core.messages import field_errors, message
from ..core.serialise import label, plain
from ..core.vocabulary import with_old_keys
from . import rules
from .model import obligation_table

NOT_A_DEPARTMENT = message("No such department", "部门不存在")


def deadline_days() -> int:
    """Working days of the profile in force (its option overrides it)."""
    return rules.deadline_days(profiles.number("catalogue_update") or 0)


def load(obligation_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
    query = sa.select(obligation_table).where(obligation_table.c.id == obligation_id)
    if for_update:
        query = query.with_for_update()
    row = model.Session.execute(query).first()
    return dict(row._mapping) if row else None


def catalogue_ids(organization_id: str) -> list[str]:
    """Ids of the department's active entries (its catalogue)."""
    rows = model.Session.query(model.Package.id).filter(
        model.Package.owner_org == organization_id, model.Package.state == "active"
    )
    return [r[0] for r in rows]


#: Answer keys of earlier versions -> today's (docs/api.md, "Deprecated names"): kept beside
#: the new ones for one release.
OLD_KEYS = {
    "state": "status",
    "state_label": "status_label",
    "note": "reason",
    "organization_id": "provider_org_id",
    "organization": "provider_org",
    "organization_title": "provider_org_title",
}
#: Columns whose answer key is another (the table keeps its names: the yearly report reads them).
_COLUMN_KEYS = {"state": "status", "note": "reason", "organization_id": "provider_org_id"}


def _label(table: Mapping[str, tuple[str, str]], code: str) -> dict[str, str]:
    return label(*table.get(code, (code, code)))


def as_dicts(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Obligations as the API shows them (docs/api.md, "Conventions"): JSON types,
    ``status``, ``reason``, the department as ``provider_org`` with its name and title, the
    entries' names and titles, labels ``{"en", "zh_Hans_CN"}``, and the old keys beside the
    new for one release."""
    org_ids = {r["organization_id"] for r in rows}
    orgs = (
        {g.id: g for g in model.Session.query(model.Group).filter(model.Group.id.in_(org_ids))}
        if org_ids
        else {}
    )
    user_ids = {r[k] for r in rows for k in ("created_by", "discharged_by") if r.get(k)}
    users = (
        {u.id: u.name for u in model.Session.query(model.User).filter(model.User.id.in_(user_ids))}
        if user_ids
        else {}
    )
    pkg_ids = {p for r in rows for p in r.get("entries") or []}
    pkgs = (
        {p.id: p for p in model.Session.query(model.Package).filter(model.Package.id.in_(pkg_ids))}
        if pkg_ids
        else {}
    )
    on = clock.today()
    result = []
    for row in rows:
        item = {_COLUMN_KEYS.get(k, k): plain(v) for k, v in row.items()}
        org = orgs.get(row["organization_id"])
        discharged_on = clock.local_date(row["discharged_at"]) if row.get("discharged_at") else None
        item.update(
            provider_org=org.name if org else None,
            provider_org_title=(org.title or org.name) if org else None,
            creator=users.get(row["created_by"]),
            discharger=users.get(row["discharged_by"]) if row.get("discharged_by") else None,
            entry_details=[
                {
                    "id": p,
                    "name": pkgs[p].name if p in pkgs else None,
                    "title": (pkgs[p].title or pkgs[p].name) if p in pkgs else None,
                }
                for p in row.get("entries") or []
            ],
            late=bool(row["overdue"]) or rules.is_late(row, on, discharged_on),
            working_days_left=(
                workdays.current().workdays_between(on, row["due_date"])
                if row["state"] == rules.OPEN
                else None
            ),
            kind_label=_label(rules.KIND_LABELS, row["kind"]),
            extension_status_label=(
                _label(rules.EXTENSION_LABELS, row["extension_status"])
                if row.get("extension_status")
                else None
            ),
            status_label=_label(rules.STATE_LABELS, row["state"]),
        )
        result.append(with_old_keys(item, OLD_KEYS))
    return result


def as_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    return as_dicts([row])[0]


def shown(obligation: Mapping[str, Any], person: Person) -> dict[str, Any]:
    """One obligation as its page shows it: ``may_discharge`` says whether the caller may."""
    result = as_dict(obligation)
    result["may_discharge"] = obligation["state"] == rules.OPEN and rules.may_discharge(
        person, obligation
    )
    if profiles.number("catalogue_update_extension"):
        # 2025 Regulations art. 17: +5 working days with the authority's consent.
        result["may_extend"] = not rules.check_extension_request(obligation) and rules.may_extend(
            person, obligation
        )
        result["may_decide_extension"] = obligation.get(
            "extension_status"
        ) == rules.EXTENSION_PENDING and rules.may_decide_extension(person)
    return result


def find(person: Person, data: Mapping[str, Any]) -> dict[str, Any]:
    """One page of the obligations of the caller's departments (all of them, for the
    authority and sysadmins), open first by due date."""
    c = obligation_table.c
    conditions: list[Any] = (
        [sa.true()]
        if person.sysadmin or person.authority
        else [c.organization_id.in_(sorted(person.orgs))]
    )
    if data.get("provider_org"):
        org = model.Group.get(data["provider_org"])
        conditions.append(c.organization_id == (org.id if org else data["provider_org"]))
    conditions += tracked.filters(obligation_table, data, clock.today())
    return tracked.page(obligation_table, conditions, data, as_dicts)


def department(value: str | None) -> model.Group | None:
    """The department an obligation is recorded for (id or name), if there is one by that name:
    a refusal is recorded against it before the input is judged."""
    org = model.Group.get(value) if value else None
    return org if org is not None and org.is_organization else None


def params(obligation: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """Parameters of the obligation notices (``notices/texts.py``)."""
    org = model.Group.get(obligation["organization_id"])
    en, zh = rules.KIND_LABELS.get(obligation["kind"], (obligation["kind"], obligation["kind"]))
    result = {
        "obligation_id": obligation["id"],
        "organization": (org.title or org.name) if org else obligation["organization_id"],
        "kind_en": en.lower(),
        "kind_zh": zh,
        "effective_date": plain(obligation["effective_date"]),
        "due_date": plain(obligation["due_date"]),
        "link": f"/govshare/obligations/{obligation['id']}",
    }
    result.update({k: plain(v) for k, v in extra.items()})
    return result


def record(org: model.Group | None, person: Person, data: Mapping[str, Any]) -> dict[str, Any]:
    """Record that ``org`` must update its catalogue (art. 8), for the sharing authority or its
    data officer; a department that does not exist or is deleted is an error on
    ``provider_org``."""
    if org is None or org.state != "active":
        raise tk.ValidationError({"provider_org": [NOT_A_DEPARTMENT]})
    acting = (
        org.id
        if org.id in person.officer_of
        else (authority_org_id() if person.authority else None)
    )
    return create(
        organization_id=org.id,
        kind=data["kind"],
        description=data["description"],
        effective_date=data["effective_date"],
        user_id=person.id or "",
        user_name=person.name or "",
        acting_department=acting,
    )


def create(
    *,
    organization_id: str,
    kind: str,
    description: str,
    effective_date: dt.date,
    user_id: str,
    user_name: str,
    acting_department: str | None,
) -> dict[str, Any]:
    """A new open obligation, due ``deadline_days()`` working days after ``effective_date``."""
    from .. import notices

    at = clock.now()
    due = rules.due_date(effective_date, deadline_days(), workdays.current())
    row: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "organization_id": organization_id,
        "kind": kind,
        "description": description,
        "effective_date": effective_date,
        "due_date": due,
        "created_by": user_id,
        "created": at,
        "state": rules.OPEN,
        "overdue": False,
        "discharged_by": None,
        "discharged_at": None,
        "note": None,
        "entries": [],
    }
    model.Session.execute(sa.insert(obligation_table).values(**row))
    store.record(
        "govshare_obligation_create",
        actor_id=user_id,
        actor_name=user_name,
        actor_department=acting_department,
        object_type="obligation",
        object_id=row["id"],
        object_department=organization_id,
        detail={
            "kind": kind,
            "effective_date": effective_date.isoformat(),
            "due_date": due.isoformat(),
        },
    )
    notices.notify(
        "obligation_created",
        recipients=notices.officers_of(organization_id),
        key=f"obligation_created:{row['id']}",
        params=params(row),
    )
    return row


def discharge(
    obligation: Mapping[str, Any],
    person: Person,
    *,
    entries: Sequence[str],
    reason: str | None,
) -> dict[str, Any]:
    """The department's data officer reports the entries of its catalogue it reviewed or
    changed (ids or names), and what was done: the obligation is discharged (art. 8). An
    entry not of the catalogue, none at all, or discharging twice is a field error."""
    from .. import notices

    ids = []
    for value in entries:
        pkg = model.Package.get(value)
        ids.append(pkg.id if pkg is not None else value)
    errors = rules.check_discharge(obligation, ids, catalogue_ids(obligation["organization_id"]))
    if errors:
        raise field_errors(tk.ValidationError, errors)
    user_id, user_name = person.id or "", person.name or ""
    at = clock.now()
    changes = {
        "state": rules.DISCHARGED,
        "discharged_by": user_id,
        "discharged_at": at,
        "note": (reason or "").strip() or None,
        "entries": list(dict.fromkeys(ids)),
    }
    model.Session.execute(
        obligation_table.update().where(obligation_table.c.id == obligation["id"]).values(**changes)
    )
    updated = {**obligation, **changes}
    on = clock.local_date(at)
    store.record(
        "govshare_obligation_discharge",
        actor_id=user_id,
        actor_name=user_name,
        actor_department=obligation["organization_id"],
        object_type="obligation",
        object_id=obligation["id"],
        object_department=obligation["organization_id"],
        detail={
            "entries": changes["entries"],
            "due_date": obligation["due_date"].isoformat(),
            "late": rules.is_late(updated, on, on),
        },
    )
    if obligation["created_by"] != user_id:
        notices.notify(
            "obligation_discharged",
            recipients=[obligation["created_by"]],
            key=f"obligation_discharged:{obligation['id']}",
            params=params(updated, entries_count=len(changes["entries"])),
        )
    return updated


def mark_overdue(obligation_id: str, on: dt.date) -> dict[str, Any] | None:
    """Flag an open obligation past its due date (once), audited; ``None`` if nothing to do."""
    return tracked.mark_overdue(
        obligation_table,
        load(obligation_id, for_update=True),
        on,
        event="govshare_obligation_overdue",
        object_type="obligation",
        department=lambda o: o["organization_id"],
        detail=lambda o: {},
    )


def request_extension(
    obligation: Mapping[str, Any], person: Person, *, reason: str
) -> dict[str, Any]:
    """The department's data officer asks the authority for ``catalogue_update_extension``
    more working days (2025 Regulations art. 17), once; audited, the authority told."""
    from .. import notices

    errors = rules.check_extension_request(obligation)
    if errors:
        raise field_errors(tk.ValidationError, errors)
    days = profiles.number("catalogue_update_extension") or 0
    changes = {
        "extension_status": rules.EXTENSION_PENDING,
        "extension_days": days,
        "extension_reason": reason.strip(),
        "extension_requested_by": person.id,
        "extension_requested_at": clock.now(),
    }
    model.Session.execute(
        obligation_table.update().where(obligation_table.c.id == obligation["id"]).values(**changes)
    )
    updated = {**obligation, **changes}
    store.record(
        "govshare_obligation_extend",
        actor_id=person.id,
        actor_name=person.name,
        actor_department=obligation["organization_id"],
        object_type="obligation",
        object_id=obligation["id"],
        object_department=obligation["organization_id"],
        detail={"days": days, "due_date": obligation["due_date"].isoformat()},
    )
    notices.notify(
        "obligation_extension_requested",
        recipients=notices.authority_members(),
        key=f"obligation_extension_requested:{obligation['id']}",
        params=params(updated, extension_days=days),
    )
    return updated


def decide_extension(
    obligation: Mapping[str, Any], person: Person, *, decision: str, reason: str | None
) -> dict[str, Any]:
    """The authority consents (the due date moves by the extension's working days from the
    current due date; ``original_due_date`` keeps the first) or refuses (2025 art. 17);
    audited, the department's data officers told."""
    from .. import notices

    errors = rules.check_extension_decision(obligation, decision, reason)
    if errors:
        raise field_errors(tk.ValidationError, errors)
    approved = decision == "approve"
    changes: dict[str, Any] = {
        "extension_status": rules.EXTENSION_APPROVED if approved else rules.EXTENSION_REJECTED,
        "extension_decided_by": person.id,
        "extension_decided_at": clock.now(),
        "extension_decision_reason": (reason or "").strip() or None,
    }
    if approved:
        days = int(obligation.get("extension_days") or 0)
        changes["original_due_date"] = obligation.get("original_due_date") or obligation["due_date"]
        changes["due_date"] = workdays.current().add_workdays(obligation["due_date"], days)
        # A flag raised past the old due date no longer holds once the new one is later.
        if obligation.get("overdue") and changes["due_date"] >= clock.today():
            changes["overdue"] = False
    model.Session.execute(
        obligation_table.update().where(obligation_table.c.id == obligation["id"]).values(**changes)
    )
    updated = {**obligation, **changes}
    store.record(
        "govshare_obligation_extension_decide",
        actor_id=person.id,
        actor_name=person.name,
        actor_department=authority_org_id() if person.authority else None,
        object_type="obligation",
        object_id=obligation["id"],
        object_department=obligation["organization_id"],
        detail={
            "decision": decision,
            "due_before": obligation["due_date"].isoformat(),
            "due_after": updated["due_date"].isoformat(),
        },
    )
    zh, en = ("同意", "approved") if approved else ("不同意", "refused")
    notices.notify(
        "obligation_extension_decided",
        recipients=notices.officers_of(obligation["organization_id"]),
        key=f"obligation_extension_decided:{obligation['id']}",
        params=params(updated, decision_zh=zh, decision_en=en, reason=reason or ""),
    )
    return updated

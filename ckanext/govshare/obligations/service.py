"""Writing obligations: the row, its audit event and its notices in the caller's transaction.

The actions (``logic/action/obligations.py``) check authorisation and input first, then call
these; ``ckan govshare remind`` calls ``mark_overdue``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from ckan import model

from .. import tracked, workdays
from ..audit import store
from ..core import clock, config
from ..core.serialise import plain
from . import rules
from .model import obligation_table


def deadline_days() -> int:
    return rules.deadline_days(config.deadline_catalogue_update())


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


def as_dicts(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Obligations as the API shows them: JSON types, names, the entries' names and titles."""
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
        item = {k: plain(v) for k, v in row.items()}
        org = orgs.get(row["organization_id"])
        discharged_on = (
            clock.local_date(row["discharged_at"]) if row.get("discharged_at") else None
        )
        item.update(
            organization=org.name if org else None,
            organization_title=(org.title or org.name) if org else None,
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
            kind_label=rules.label(rules.KIND_LABELS, row["kind"]),
            state_label=rules.label(rules.STATE_LABELS, row["state"]),
        )
        result.append(item)
    return result


def as_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    return as_dicts([row])[0]


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
    *,
    entries: list[str],
    note: str | None,
    user_id: str,
    user_name: str,
) -> dict[str, Any]:
    """The department reports the entries it reviewed or changed: the obligation is done."""
    from .. import notices

    at = clock.now()
    changes = {
        "state": rules.DISCHARGED,
        "discharged_by": user_id,
        "discharged_at": at,
        "note": note or None,
        "entries": list(dict.fromkeys(entries)),
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

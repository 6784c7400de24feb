"""Writing feedback: the row, its audit event and its notices in the caller's transaction.

The actions (``logic/action/feedback.py``) check authorisation and input first, then call
these; ``ckan govshare remind`` calls ``mark_overdue`` for what the platform does on its own.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
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
from .model import feedback_table


def deadline_days() -> int:
    return rules.deadline_days(config.deadline_feedback())


def attachment_folder(feedback_id: str) -> str:
    """Where an evidence file is kept, under the attachments' root (``access/attachments``)."""
    return f"feedback/{feedback_id}"


# ---------------------------------------------------------------------------- reading


def load(feedback_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
    query = sa.select(feedback_table).where(feedback_table.c.id == feedback_id)
    if for_update:
        query = query.with_for_update()
    row = model.Session.execute(query).first()
    return dict(row._mapping) if row else None


def as_dicts(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Feedback as the API shows it: JSON types, with names and titles, in one query each."""
    org_ids = {r[k] for r in rows for k in ("organization_id", "provider_org_id")}
    orgs = (
        {
            g.id: g
            for g in model.Session.query(model.Group).filter(model.Group.id.in_(list(org_ids)))
        }
        if org_ids
        else {}
    )
    user_ids = {r[k] for r in rows for k in ("user_id", "resolved_by") if r.get(k)}
    users = (
        {
            u.id: u.name
            for u in model.Session.query(model.User).filter(model.User.id.in_(list(user_ids)))
        }
        if user_ids
        else {}
    )
    pkg_ids = {r["package_id"] for r in rows}
    pkgs = (
        {
            p.id: p
            for p in model.Session.query(model.Package).filter(model.Package.id.in_(list(pkg_ids)))
        }
        if pkg_ids
        else {}
    )
    on = clock.today()
    result = []
    for row in rows:
        item = {k: plain(v) for k, v in row.items()}
        org, provider, pkg = (
            orgs.get(row["organization_id"]),
            orgs.get(row["provider_org_id"]),
            pkgs.get(row["package_id"]),
        )
        resource = (
            next((r for r in pkg.resources if r.id == row["resource_id"]), None)
            if pkg is not None and row.get("resource_id")
            else None
        )
        item.update(
            organization=org.name if org else None,
            organization_title=(org.title or org.name) if org else None,
            provider_org=provider.name if provider else None,
            provider_org_title=(provider.title or provider.name) if provider else None,
            package_name=pkg.name if pkg else None,
            package_title=(pkg.title or pkg.name) if pkg else None,
            resource_name=(resource.name or resource.id) if resource is not None else None,
            reporter=users.get(row["user_id"]),
            resolver=users.get(row["resolved_by"]) if row.get("resolved_by") else None,
            late=bool(row["overdue"])
            or rules.is_late(
                row,
                on,
                clock.local_date(row["resolved_at"]) if row.get("resolved_at") else None,
            ),
            working_days_left=(
                workdays.current().workdays_between(on, row["due_date"])
                if row["state"] == rules.OPEN
                else None
            ),
            kind_label=rules.label(rules.KIND_LABELS, row["kind"]),
            state_label=rules.label(rules.STATE_LABELS, row["state"]),
            resolution_label=(
                rules.label(rules.RESOLUTION_LABELS, row["resolution"])
                if row.get("resolution")
                else None
            ),
        )
        result.append(item)
    return result


def as_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    return as_dicts([row])[0]


# ---------------------------------------------------------------------------- notices


def params(feedback: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """Parameters of the feedback notices (``notices/texts.py``)."""
    orgs = model.Session.query(model.Group.id, model.Group.title, model.Group.name).filter(
        model.Group.id.in_([feedback["provider_org_id"], feedback["organization_id"]])
    )
    titles = {o.id: o.title or o.name for o in orgs}
    pkg = model.Package.get(feedback["package_id"])
    en, zh = rules.KIND_LABELS.get(feedback["kind"], (feedback["kind"], feedback["kind"]))
    result = {
        "feedback_id": feedback["id"],
        "package_id": feedback["package_id"],
        "entry_title": (pkg.title or pkg.name) if pkg else feedback["package_id"],
        "reporting_org": titles.get(feedback["organization_id"], ""),
        "provider_org": titles.get(feedback["provider_org_id"], ""),
        "kind_en": en.lower(),
        "kind_zh": zh,
        "due_date": plain(feedback.get("due_date")),
        "link": f"/govshare/feedback/{feedback['id']}",
    }
    if feedback.get("resolution"):
        r_en, r_zh = rules.RESOLUTION_LABELS[feedback["resolution"]]
        result.update(resolution_en=r_en.lower(), resolution_zh=r_zh)
    result.update({k: plain(v) for k, v in extra.items()})
    return result


# ---------------------------------------------------------------------------- writing


def create(
    entry: Mapping[str, Any],
    *,
    user_id: str,
    user_name: str,
    organization_id: str,
    data: Mapping[str, Any],
    feedback_id: str | None = None,
    attachment: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A new open feedback on ``entry``, due ``deadline_days()`` working days after today."""
    from .. import notices

    at = clock.now()
    due = rules.due_date(clock.local_date(at), deadline_days(), workdays.current())
    row: dict[str, Any] = {
        "id": feedback_id or str(uuid.uuid4()),
        "package_id": entry["id"],
        "resource_id": data.get("resource_id") or None,
        "data_item": data.get("data_item") or None,
        "kind": data["kind"],
        "description": data["description"],
        "attachment_name": None,
        "attachment_size": None,
        "attachment_sha256": None,
        "attachment_type": None,
        "user_id": user_id,
        "organization_id": organization_id,
        "provider_org_id": entry["owner_org"],
        "state": rules.OPEN,
        "created": at,
        "due_date": due,
        "overdue": False,
        "resolution": None,
        "explanation": None,
        "resolved_by": None,
        "resolved_at": None,
    }
    if attachment:
        row.update(
            attachment_name=attachment["name"],
            attachment_size=attachment["size"],
            attachment_sha256=attachment["sha256"],
            attachment_type=mimetypes.guess_type(attachment["name"])[0]
            or "application/octet-stream",
        )
    model.Session.execute(sa.insert(feedback_table).values(**row))
    store.record(
        "govshare_feedback_create",
        actor_id=user_id,
        actor_name=user_name,
        actor_department=organization_id,
        object_type="feedback",
        object_id=row["id"],
        object_department=entry["owner_org"],
        detail={
            "package_id": entry["id"],
            "resource_id": row["resource_id"],
            "data_item": row["data_item"],
            "kind": row["kind"],
            "due_date": due.isoformat(),
            "attachment_sha256": row["attachment_sha256"],
        },
    )
    notices.notify(
        "feedback_received",
        recipients=notices.officers_of(entry["owner_org"]),
        key=f"feedback_received:{row['id']}",
        params=params(row),
    )
    return row


def resolve(
    feedback: Mapping[str, Any],
    *,
    user_id: str,
    user_name: str,
    resolution: str,
    explanation: str,
) -> dict[str, Any]:
    """The provider's answer: ``corrected`` or ``confirmed_correct``, with its explanation."""
    from .. import notices

    at = clock.now()
    changes = {
        "state": rules.RESOLVED,
        "resolution": resolution,
        "explanation": explanation,
        "resolved_by": user_id,
        "resolved_at": at,
    }
    model.Session.execute(
        feedback_table.update().where(feedback_table.c.id == feedback["id"]).values(**changes)
    )
    updated = {**feedback, **changes}
    answered_on = clock.local_date(at)
    store.record(
        "govshare_feedback_resolve",
        actor_id=user_id,
        actor_name=user_name,
        actor_department=feedback["provider_org_id"],
        object_type="feedback",
        object_id=feedback["id"],
        object_department=feedback["provider_org_id"],
        detail={
            "package_id": feedback["package_id"],
            "resolution": resolution,
            "due_date": feedback["due_date"].isoformat(),
            "late": rules.is_late(updated, answered_on, answered_on),
        },
    )
    notices.notify(
        "feedback_resolved",
        recipients=[feedback["user_id"]],
        key=f"feedback_resolved:{feedback['id']}",
        params=params(updated),
    )
    return updated


def mark_overdue(feedback_id: str, on: dt.date) -> dict[str, Any] | None:
    """Flag open feedback past its due date (once), audited; ``None`` if nothing to do."""
    return tracked.mark_overdue(
        feedback_table,
        load(feedback_id, for_update=True),
        on,
        event="govshare_feedback_overdue",
        object_type="feedback",
        department=lambda f: f["provider_org_id"],
        detail=lambda f: {"package_id": f["package_id"], "organization_id": f["organization_id"]},
    )

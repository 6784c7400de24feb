"""Doubt and error feedback (art. 15): what the actions do, once they checked input and access.

Reading (the list the caller may see, one feedback as the API shows it) and writing (a report
with its evidence file, an answer): each change with its audit event and its notices in the
caller's transaction (the action's, ``core.transaction.atomic``). ``ckan govshare remind``
calls ``mark_overdue`` for what the platform does on its own (``reminders.py``).
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from .. import profiles, tracked, workdays
from ..access import attachments
from ..audit import store
from ..core import clock
from ..core.membership import Person
from ..core.messages import field_errors, message
from ..core.serialise import label, plain
from ..core.vocabulary import with_old_keys
from . import rules
from .model import feedback_table

CHOOSE_DEPARTMENT = message(
    "You belong to several departments: say which one you report for (reporting_org)",
    "您属于多个部门，请选择反馈部门（reporting_org）",
)
NOT_A_DEPARTMENT = message(
    "Not a department you belong to: choose one of yours", "不是您所属的部门，请选择您所属的部门"
)
NO_DEPARTMENT = message(
    "Say which department you report for (reporting_org)", "请选择反馈部门（reporting_org）"
)


def deadline_days() -> int:
    """Working days of the profile in force (its option overrides it)."""
    return rules.deadline_days(profiles.number("feedback") or 0)


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


#: Answer keys of earlier versions -> today's (docs/api.md, "Deprecated names"): kept beside
#: the new ones for one release.
OLD_KEYS = {
    "state": "status",
    "state_label": "status_label",
    "explanation": "reason",
    "organization_id": "reporting_org_id",
    "organization": "reporting_org",
    "organization_title": "reporting_org_title",
}
#: Columns whose answer key is another (the table keeps its names: the yearly report reads them).
_COLUMN_KEYS = {"state": "status", "explanation": "reason", "organization_id": "reporting_org_id"}


def _label(table: Mapping[str, tuple[str, str]], code: str) -> dict[str, str]:
    return label(*table.get(code, (code, code)))


def as_dicts(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Feedback as the API shows it (docs/api.md, "Conventions"): JSON types, ``status``,
    ``reason``, the departments by role with names and titles, labels ``{"en",
    "zh_Hans_CN"}``, and the old keys beside the new for one release; one query each for the
    departments, users and entries of all rows."""
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
        item = {_COLUMN_KEYS.get(k, k): plain(v) for k, v in row.items()}
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
            reporting_org=org.name if org else None,
            reporting_org_title=(org.title or org.name) if org else None,
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
            kind_label=_label(rules.KIND_LABELS, row["kind"]),
            status_label=_label(rules.STATE_LABELS, row["state"]),
            resolution_label=(
                _label(rules.RESOLUTION_LABELS, row["resolution"])
                if row.get("resolution")
                else None
            ),
        )
        result.append(with_old_keys(item, OLD_KEYS))
    return result


def as_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    return as_dicts([row])[0]


def shown(feedback: Mapping[str, Any], person: Person) -> dict[str, Any]:
    """One feedback as its page shows it: ``may_resolve`` says whether the caller may answer."""
    result = as_dict(feedback)
    result["may_resolve"] = feedback["state"] == rules.OPEN and rules.may_resolve(person, feedback)
    return result


def find(person: Person, data: Mapping[str, Any]) -> dict[str, Any]:
    """One page of the feedback ``person`` may see (``rules.may_see``), open first by due date.

    ``direction`` (docs/api.md, "Conventions"): ``outgoing`` is what the caller's departments
    reported, ``incoming`` what reached the departments they are a data officer of (the
    provider verifies, art. 15), ``all`` both (everything, for the authority and sysadmins).
    ``mine`` (deprecated) keeps its old meaning: only what the caller reported themselves.
    """
    c = feedback_table.c
    outgoing = c.organization_id.in_(sorted(person.orgs))
    incoming = c.provider_org_id.in_(sorted(person.officer_of))
    direction = data.get("direction") or "all"
    conditions: list[Any]
    if direction == "outgoing":
        conditions = [outgoing]
    elif direction == "incoming":
        conditions = [incoming]
    else:
        sees_all = person.sysadmin or person.authority
        conditions = [sa.true() if sees_all else sa.or_(outgoing, incoming)]
    if data.get("package_id"):
        pkg = model.Package.get(data["package_id"])
        conditions.append(c.package_id == (pkg.id if pkg else data["package_id"]))
    if data.get("provider_org"):
        org = model.Group.get(data["provider_org"])
        conditions.append(c.provider_org_id == (org.id if org else data["provider_org"]))
    if data.get("mine"):
        conditions.append(c.user_id == (person.id or ""))
    conditions += tracked.filters(feedback_table, data, clock.today())
    return tracked.page(feedback_table, conditions, data, as_dicts)


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


def reporting_department(person: Person, value: str | None) -> str:
    """The department the feedback is made for: one the user belongs to (any, for a
    sysadmin), which a member of exactly one need not name."""
    try:
        org_id = person.acting_for(value)
    except LookupError:
        raise tk.ValidationError({"reporting_org": [NOT_A_DEPARTMENT]}) from None
    if org_id is None:
        raise tk.ValidationError(
            {"reporting_org": [CHOOSE_DEPARTMENT if person.orgs else NO_DEPARTMENT]}
        )
    return org_id


def report(
    entry: Mapping[str, Any],
    person: Person,
    data: Mapping[str, Any],
    *,
    commit: Callable[[], None],
) -> dict[str, Any]:
    """Report ``entry`` (as the caller sees it) as doubtful or wrong (art. 15): the row, its
    audit event and the provider's notices, with the evidence file if one was sent.

    ``commit`` ends the caller's transaction: the evidence file is removed again when the
    report is not stored (an error, or a commit that fails).
    """
    organization_id = reporting_department(person, data.get("reporting_org"))
    feedback_id = str(uuid.uuid4())
    folder = attachment_folder(feedback_id)
    upload = data.get("attachment")
    stored = None
    try:
        if attachments.is_upload(upload):
            stored = attachments.save(upload, folder)
        feedback = create(
            entry,
            user_id=person.id or "",
            user_name=person.name or "",
            organization_id=organization_id,
            data=data,
            feedback_id=feedback_id,
            attachment=stored,
        )
        commit()
    except Exception:
        model.Session.rollback()
        if stored:
            attachments.discard(folder)
        raise
    return feedback


def evidence(feedback: Mapping[str, Any]) -> dict[str, Any]:
    """The evidence file of a feedback, for its route to stream (404 when there is none)."""
    name = feedback.get("attachment_name")
    path = attachments.path_of(attachment_folder(feedback["id"]), {"name": name}) if name else None
    if not path:
        raise tk.ObjectNotFound(message("This feedback has no attachment", "该反馈没有附件"))
    return {
        "name": name,
        "path": path,
        "type": feedback.get("attachment_type") or "application/octet-stream",
        "size": feedback.get("attachment_size"),
        "sha256": feedback.get("attachment_sha256"),
    }


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
    feedback: Mapping[str, Any], person: Person, *, resolution: str, reason: str
) -> dict[str, Any]:
    """The provider's answer (art. 15): ``corrected`` or ``confirmed_correct``, with the
    reason (what was corrected, or how the data was verified); the reporter is told. Answering
    twice is an error on ``id``."""
    from .. import notices

    errors = rules.check_resolve(feedback, reason)
    if errors:
        # The rule names the old field; the schema already refused a blank reason.
        raise field_errors(
            tk.ValidationError,
            {"reason" if k == "explanation" else k: v for k, v in errors.items()},
        )
    user_id = person.id or ""
    at = clock.now()
    changes = {
        "state": rules.RESOLVED,
        "resolution": resolution,
        "explanation": reason.strip(),
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
        actor_name=person.name or "",
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

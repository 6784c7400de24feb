"""The sharing authority's catalogue review (2025 Regulations art. 16, 17): what the hooks and
the actions do, once input and access are checked.

- ``remember``/``entry_created``/``entry_updated``: a new active entry, or a change of an
  entry's catalogue content (``rules.CATALOGUE_FIELDS``), opens a pending review due in
  ``profiles.number("catalogue_review")`` working days; a newer change supersedes the pending
  one. In the entry's transaction (CKAN commits after its hooks), audited, the authority told.
- ``decide``: approve (announced to every department's data officers) or return (the
  provider's data officers told the reasons), audited in the action's transaction.
- ``status``/``withheld``: where an entry stands, computed from its reviews when read; the
  permission labels (``catalogue/visibility.py``) withhold an entry never approved.
- ``find``: the review list, the caller's departments' (all for the authority).
Under a profile without ``catalogue_review`` nothing is opened and nothing withheld.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from .. import profiles, workdays
from ..audit import store
from ..core import clock, paging
from ..core.membership import OFFICER_CAPACITIES, Person, authority_org_id, users_of
from ..core.messages import field_errors, message
from ..core.serialise import label, plain
from ..search import reindex as search_reindex
from . import rules
from .model import review_table

_BEFORE = "govshare_review_before"

NOT_A_DEPARTMENT = message("No such department", "部门不存在")


def active() -> bool:
    """Whether the profile in force reviews catalogue entries (art. 16)."""
    return profiles.on("catalogue_review")


# --- reading --------------------------------------------------------------------------------


def rows_of(package_id: str) -> list[dict[str, Any]]:
    """An entry's reviews, newest first."""
    c = review_table.c
    query = (
        sa.select(review_table)
        .where(c.package_id == package_id)
        .order_by(c.submitted_at.desc(), c.id)
    )
    return [dict(r._mapping) for r in model.Session.execute(query)]


def load(review_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
    query = sa.select(review_table).where(review_table.c.id == review_id)
    if for_update:
        query = query.with_for_update()
    row = model.Session.execute(query).first()
    return dict(row._mapping) if row else None


def status(package_id: str) -> dict[str, Any]:
    """Where the entry stands (``rules.entry_status``), read from its reviews now."""
    return rules.entry_status(rows_of(package_id))


def withheld(package_id: str | None) -> bool:
    """Whether the entry is seen only by its department, the authority and sysadmins: the
    review rule is on and the entry was never approved (art. 16)."""
    return bool(package_id) and active() and rules.withheld(rows_of(str(package_id)))


def entry(value: str | None) -> model.Package | None:
    """The entry named by id or name (active or draft), if any."""
    package = model.Package.get(value) if value else None
    return package if package is not None and package.state != "deleted" else None


def pending_of(package_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
    """The entry's pending review, if one waits."""
    c = review_table.c
    query = sa.select(review_table).where(c.package_id == package_id, c.status == rules.PENDING)
    if for_update:
        query = query.with_for_update()
    row = model.Session.execute(query.order_by(c.submitted_at.desc())).first()
    return dict(row._mapping) if row else None


# --- opening a review: the entry's hooks ----------------------------------------------------


def _snapshot(package: model.Package) -> dict[str, Any]:
    extras = dict(package.extras or {})
    stored = {**extras, "title": package.title, "notes": package.notes}
    stored["owner_org"] = package.owner_org
    return rules.snapshot(stored)


def _harvested(package: model.Package) -> bool:
    """An entry of an upper platform, reviewed and announced there (docs/federation.md)."""
    return bool((package.extras or {}).get("source_platform_url"))


def remember(package: model.Package | None) -> None:
    """Keep the entry's state and catalogue content as stored before an update validates
    (in the session: schemas get a copy of the update's context); ``entry_updated``
    compares."""
    if package is None or not getattr(package, "id", None):
        return
    model.Session.info.setdefault(_BEFORE, {})[package.id] = (package.state, _snapshot(package))


def entry_created(context: Any, data: Mapping[str, Any]) -> dict[str, Any] | None:
    """``after_dataset_create``: a new active entry waits for review."""
    package = entry(data.get("id"))
    if not active() or package is None or package.state != "active" or _harvested(package):
        return None
    return submit(package, rules.NEW, [], context)


def entry_updated(context: Any, data: Mapping[str, Any]) -> dict[str, Any] | None:
    """``after_dataset_update``: an entry published now, or whose catalogue content changed,
    waits for review; resources and data updates do not."""
    package = entry(data.get("id"))
    if not active() or package is None or package.state != "active" or _harvested(package):
        return None
    before = model.Session.info.get(_BEFORE, {}).pop(package.id, None)
    rows = rows_of(package.id)
    if before is None:
        return None
    state, snapshot = before
    if state != "active":
        # A draft published: as created (a change if it was announced before).
        return submit(package, rules.kind_for(rows) if rows else rules.NEW, [], context, rows)
    changed = rules.changed_fields(snapshot, _snapshot(package))
    if not changed:
        return None
    return submit(package, rules.kind_for(rows), changed, context, rows)


def submit(
    package: model.Package,
    kind: str,
    changed: Sequence[str],
    context: Any,
    rows: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """A pending review of the entry, superseding the one that waited (art. 16, 17)."""
    from .. import notices

    user = model.User.get(context.get("user") or "") if context.get("user") else None
    at = clock.now()
    days = profiles.number("catalogue_review") or 0
    due = workdays.current().add_workdays(clock.local_date(at), days) if days else None
    c = review_table.c
    superseded = [
        r[0]
        for r in model.Session.execute(
            review_table.update()
            .where(c.package_id == package.id, c.status == rules.PENDING)
            .values(status=rules.SUPERSEDED)
            .returning(c.id)
        )
    ]
    previous_changes: list[str] = []
    for row in rows or []:
        if row["id"] in superseded:
            previous_changes += list(row.get("changed_fields") or [])
    # A change that supersedes another keeps what both touched: the authority reviews them.
    fields = [f for f in rules.CATALOGUE_FIELDS if f in {*changed, *previous_changes}]
    row = {
        "id": str(uuid.uuid4()),
        "package_id": package.id,
        "organization_id": package.owner_org or "",
        "kind": kind,
        "status": rules.PENDING,
        "submitted_by": user.id if user else None,
        "submitted_at": at,
        "due_date": due,
        "decided_by": None,
        "decided_at": None,
        "reasons": None,
        "changed_fields": fields,
        "announced_at": None,
    }
    model.Session.execute(sa.insert(review_table).values(**row))
    store.record(
        "govshare_catalogue_review_submit",
        actor_id=user.id if user else None,
        actor_name=user.name if user else "system",
        actor_department=package.owner_org,
        object_type="package",
        object_id=package.id,
        object_department=package.owner_org,
        detail={
            "review_id": row["id"],
            "kind": kind,
            "changed_fields": fields,
            "superseded": superseded,
            "due_date": due.isoformat() if due else None,
        },
    )
    notices.notify(
        "catalogue_review_submitted",
        recipients=notices.authority_members(),
        key=f"catalogue_review_submitted:{row['id']}",
        params=params(row, package),
    )
    return row


# --- deciding -------------------------------------------------------------------------------


def params(review: Mapping[str, Any], package: model.Package | None = None, **extra: Any):
    """Parameters of the review notices (``notices/texts.py``)."""
    package = package or model.Package.get(review["package_id"])
    org = model.Group.get(review["organization_id"]) if review["organization_id"] else None
    en, zh = rules.KIND_LABELS.get(review["kind"], (review["kind"], review["kind"]))
    result: dict[str, Any] = {
        "review_id": review["id"],
        "package_id": review["package_id"],
        "entry_title": (package.title or package.name) if package else review["package_id"],
        "provider_org": (org.title or org.name) if org else "",
        "kind_en": en.lower(),
        "kind_zh": zh,
        "due_date": plain(review.get("due_date")),
        "link": f"/dataset/{package.name if package else review['package_id']}",
    }
    result.update({k: plain(v) for k, v in extra.items()})
    return result


def all_officers() -> list[str]:
    """The data officers of every department (the announcement goes to all, art. 16)."""
    org_ids = [
        r[0]
        for r in model.Session.query(model.Group.id).filter(
            model.Group.is_organization.is_(True), model.Group.state == "active"
        )
    ]
    return users_of(org_ids, OFFICER_CAPACITIES)


def decide(
    package: model.Package, person: Person, *, decision: str, reasons: Sequence[str]
) -> dict[str, Any]:
    """The authority approves (the entry is announced) or returns the entry's pending review
    with reasons (art. 16, 17); a missing review or reasons are field errors."""
    from .. import notices

    review = pending_of(package.id, for_update=True)
    cleaned = [str(r).strip() for r in reasons]
    errors = rules.check_decision(review, decision, list(reasons))
    if errors or review is None:
        raise field_errors(tk.ValidationError, errors)
    at = clock.now()
    approved = decision == rules.APPROVE
    changes = {
        "status": rules.APPROVED if approved else rules.RETURNED,
        "decided_by": person.id,
        "decided_at": at,
        "reasons": cleaned or None,
        "announced_at": at if approved else None,
    }
    model.Session.execute(
        review_table.update().where(review_table.c.id == review["id"]).values(**changes)
    )
    updated = {**review, **changes}
    on = clock.local_date(at)
    store.record(
        "govshare_catalogue_review",
        actor_id=person.id,
        actor_name=person.name,
        actor_department=authority_org_id() if person.authority else None,
        object_type="package",
        object_id=package.id,
        object_department=package.owner_org,
        detail={
            "review_id": review["id"],
            "decision": decision,
            "kind": review["kind"],
            "reasons": cleaned,
            "due_date": plain(review.get("due_date")),
            "late": bool(review.get("due_date") and on > review["due_date"]),
        },
    )
    if approved:
        notices.notify(
            "catalogue_announced",
            recipients=all_officers(),
            key=f"catalogue_announced:{package.id}:{review['id']}",
            params=params(updated, package),
        )
    else:
        notices.notify(
            "catalogue_returned",
            recipients=notices.officers_of(package.owner_org or ""),
            key=f"catalogue_returned:{review['id']}",
            params=params(updated, package, reason="；".join(cleaned)),
        )
    return updated


# --- answers --------------------------------------------------------------------------------


def _label(table: Mapping[str, tuple[str, str]], code: str | None) -> dict[str, str]:
    return label(*table.get(code or "", (code or "", code or "")))


def as_dicts(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Reviews as the API shows them (docs/api.md "Conventions"): the entry's name and title,
    ``provider_org`` with its name, labels, ``overdue`` and ``working_days_left``."""
    org_ids = {r["organization_id"] for r in rows}
    orgs = (
        {g.id: g for g in model.Session.query(model.Group).filter(model.Group.id.in_(org_ids))}
        if org_ids
        else {}
    )
    pkg_ids = {r["package_id"] for r in rows}
    pkgs = (
        {p.id: p for p in model.Session.query(model.Package).filter(model.Package.id.in_(pkg_ids))}
        if pkg_ids
        else {}
    )
    user_ids = {r[k] for r in rows for k in ("submitted_by", "decided_by") if r.get(k)}
    users = (
        {u.id: u.name for u in model.Session.query(model.User).filter(model.User.id.in_(user_ids))}
        if user_ids
        else {}
    )
    today = clock.today()
    calendar = workdays.current()
    result = []
    for row in rows:
        org = orgs.get(row["organization_id"])
        pkg = pkgs.get(row["package_id"])
        pending = row["status"] == rules.PENDING and row.get("due_date") is not None
        result.append(
            {
                "id": row["id"],
                "package_id": row["package_id"],
                "package_name": pkg.name if pkg else None,
                "package_title": (pkg.title or pkg.name) if pkg else None,
                "provider_org_id": row["organization_id"],
                "provider_org": org.name if org else None,
                "provider_org_title": (org.title or org.name) if org else None,
                "kind": row["kind"],
                "kind_label": _label(rules.KIND_LABELS, row["kind"]),
                "status": row["status"],
                "status_label": _label(rules.STATUS_LABELS, row["status"]),
                "changed_fields": list(row.get("changed_fields") or []),
                "reasons": list(row.get("reasons") or []),
                "submitted_by": users.get(row["submitted_by"]) if row.get("submitted_by") else None,
                "submitted_at": plain(row["submitted_at"]),
                "due_date": plain(row.get("due_date")),
                "decided_by": users.get(row["decided_by"]) if row.get("decided_by") else None,
                "decided_at": plain(row.get("decided_at")),
                "announced_at": plain(row.get("announced_at")),
                "overdue": rules.is_overdue(row, today),
                "working_days_left": (
                    calendar.workdays_between(today, row["due_date"]) if pending else None
                ),
            }
        )
    return result


def find(person: Person, data: Mapping[str, Any]) -> dict[str, Any]:
    """One page of reviews: the caller's departments' (all, for the authority and sysadmins),
    pending first by due date, then the newest."""
    c = review_table.c
    conditions: list[Any] = (
        [sa.true()]
        if person.sysadmin or person.authority
        else [c.organization_id.in_(sorted(person.orgs))]
    )
    if data.get("provider_org"):
        org = model.Group.get(data["provider_org"])
        if org is None or not org.is_organization:
            raise tk.ValidationError({"provider_org": [NOT_A_DEPARTMENT]})
        conditions.append(c.organization_id == org.id)
    status_filter = data.get("status")
    if status_filter:
        wanted = [status_filter] if isinstance(status_filter, str) else list(status_filter)
        conditions.append(c.status.in_(wanted))
    if data.get("package_id"):
        package = entry(data["package_id"])
        conditions.append(c.package_id == (package.id if package else data["package_id"]))
    if data.get("overdue"):
        conditions += [c.status == rules.PENDING, c.due_date < clock.today()]
    order = (
        sa.case((c.status == rules.PENDING, 0), else_=1),
        c.due_date.asc().nullslast(),
        c.submitted_at.desc(),
        c.id,
    )
    return paging.page(review_table, sa.and_(*conditions), order, data, as_dicts)


def overdue_pending(today: dt.date) -> list[dict[str, Any]]:
    """Pending reviews past their due date (the reminder step flags them)."""
    c = review_table.c
    query = (
        sa.select(review_table)
        .where(c.status == rules.PENDING, c.due_date < today)
        .order_by(c.due_date, c.id)
    )
    return [dict(r._mapping) for r in model.Session.execute(query)]


def pending_due_by(last: dt.date, today: dt.date) -> list[dict[str, Any]]:
    """Pending reviews due between ``today`` and ``last`` (the reminder step)."""
    c = review_table.c
    query = (
        sa.select(review_table)
        .where(c.status == rules.PENDING, c.due_date.between(today, last))
        .order_by(c.due_date, c.id)
    )
    return [dict(r._mapping) for r in model.Session.execute(query)]


def reindex(package_ids: Iterable[str]) -> None:
    """Index the entries again in the caller's transaction: their permission labels follow
    their review (``search.reindex``, on CKAN 2.11 and 2.12)."""
    search_reindex.entries(package_ids)


def after_dataset_show(pkg_dict: dict[str, Any]) -> None:
    """``review_status`` and ``review_due`` on the entry's answer, from its reviews now (never
    a stored copy); only under a profile that reviews catalogues."""
    if not active() or not pkg_dict.get("id"):
        return
    found = status(str(pkg_dict["id"]))
    pkg_dict["review_status"] = found["review_status"]
    pkg_dict["review_due"] = plain(found["review_due"])
    pkg_dict["review_change_pending"] = found["change_pending"]


def after_dataset_search(results: list[dict[str, Any]]) -> None:
    """Search results carry ``review_status`` and ``review_due`` as ``package_show`` does,
    read from the reviews now (one query), not the copy the index kept."""
    ids = [str(r["id"]) for r in results if r.get("id")]
    if not active() or not ids:
        for result in results:
            for key in ("review_status", "review_due", "review_change_pending"):
                result.pop(key, None)
        return
    rows: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for row in model.Session.execute(
        sa.select(review_table).where(review_table.c.package_id.in_(ids))
    ):
        rows[row.package_id].append(dict(row._mapping))
    for result in results:
        if not result.get("id"):
            continue
        found = rules.entry_status(rows.get(str(result["id"]), []))
        result["review_status"] = found["review_status"]
        result["review_due"] = plain(found["review_due"])
        result["review_change_pending"] = found["change_pending"]


def entry_deleted(package_id: str | None) -> None:
    """``after_dataset_delete``: a deleted entry's pending review waits no longer
    (``superseded``), so the authority's queue and reminders leave it out."""
    if not package_id:
        return
    c = review_table.c
    model.Session.execute(
        review_table.update()
        .where(c.package_id == package_id, c.status == rules.PENDING)
        .values(status=rules.SUPERSEDED)
    )

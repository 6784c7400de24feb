"""The download list (下载清单, issue 19 item 8): resources a user picks under the live grants of
their departments, kept on the server for them, then downloaded as one ZIP (art. 14).

A list is a user's own: one row per resource (``govshare_cart_item``, Alembic revision
``8f1d3c5a7b29``), at most :func:`max_items` of them (200, or fewer when the bulk ZIP's
limit ``ckanext.govshare.download.bulk_max_files`` is lower, so the whole list fits one
archive). A
resource goes in only while one of the user's departments holds a live grant covering it; what
the list says of each item is read when it is shown, with the rules the bulk download applies
(``service.live_grants``, ``bulk.pick`` — the one scope function — and the grant's download
limit): the grant, its purpose, the downloads left, the granted columns, or why the item cannot
be downloaded now (grant ended, suspended, limit used, nothing of the resource granted,
resource gone). Only the available items are sent to the bulk download, which checks, cuts,
counts and records every file again, as for any bulk request.

Items of one grant share its downloads left: past them, the later items are unavailable
(``exhausted``) so that the ZIP never asks for more files than the grant still allows.
Every change of the list is audited in the caller's transaction (``govshare_cart_add``,
``govshare_cart_remove``, ``govshare_cart_clear``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.model import meta
from sqlalchemy.dialects import postgresql

from ..access import suspension
from ..access.scope import OutOfScope, Scope
from ..audit import store
from ..core import clock, config, membership
from ..core.membership import Person
from ..core.messages import message
from ..core.serialise import label, plain
from ..dataplane import service as dataplane
from . import bulk, service, tokens

__all__ = [
    "CART_TABLE",
    "add",
    "cart_table",
    "clear",
    "max_items",
    "remove",
    "show",
]

CART_TABLE = "govshare_cart_item"

cart_table = sa.Table(
    CART_TABLE,
    meta.metadata,
    sa.Column("user_id", sa.UnicodeText, primary_key=True),
    sa.Column("resource_id", sa.UnicodeText, primary_key=True),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    # The order the user picked the resources in (the list's and the ZIP's order).
    sa.Column("position", sa.Integer, nullable=False),
    extend_existing=True,
)

# Why an item of the list cannot be downloaded now (the reasons of the bulk download).
NOT_FOUND = bulk.NOT_FOUND
NO_GRANT = bulk.NO_GRANT
EXHAUSTED = tokens.EXHAUSTED
SUSPENDED = tokens.SUSPENDED
GRANT_ENDED = tokens.GRANT_ENDED

REASONS: dict[str, tuple[str, str]] = {
    **bulk.REASONS,
    GRANT_ENDED: (
        "The grant that covered this resource has ended or was revoked",
        "涵盖该资源的授权已到期或已撤销",
    ),
    EXHAUSTED: (
        "The grant's download limit is used up",
        "该授权的下载次数已用完",
    ),
}

# Refusals of the actions (field errors, both languages).
NOTHING = message("Pick at least one resource", "请至少选择一个资源")
NOT_A_RESOURCE = message("No such resource: {ids}", "资源不存在：{ids}")
NOT_GRANTED = message(
    "None of your departments holds a live grant covering: {names}",
    "您所在部门没有涵盖以下资源的有效授权：{names}",
)
FULL = message(
    "The download list holds at most {max} resources: remove some first",
    "下载清单最多可放 {max} 个资源，请先移除部分资源",
)
NOT_IN_LIST = message("Not in your download list: {ids}", "不在您的下载清单中：{ids}")


#: The most resources a list holds (fewer if one bulk ZIP may carry fewer).
LIMIT = 200


def max_items() -> int:
    """The most resources a list holds: :data:`LIMIT`, or what one bulk ZIP may carry
    (``ckanext.govshare.download.bulk_max_files``) when that is less."""
    return min(LIMIT, config.download_bulk_max_files())


def _ids(user_id: str) -> list[str]:
    c = cart_table.c
    rows = model.Session.execute(
        sa.select(c.resource_id).where(c.user_id == user_id).order_by(c.position)
    )
    return [r.resource_id for r in rows]


def _uid(person: Person) -> str:
    """The id of the user whose list it is (the actions refuse a caller who is none)."""
    assert person.id is not None, "a download list is a user's"
    return person.id


def _audit(action: str, person: Person, resource_ids: Sequence[str]) -> None:
    store.record(
        action,
        actor_id=person.id,
        actor_name=person.name,
        actor_department=membership.acting_department(person.id),
        object_type="download_list",
        object_id=person.id,
        detail={"resource_ids": list(resource_ids)},
    )


def add(person: Person, resource_ids: Sequence[str], package_ids: Sequence[str] = ()) -> list[str]:
    """Put resources, or every resource of entries, in the person's list; all or nothing.

    A resource named must exist and be covered by a live grant of one of the person's
    departments; of an entry, the resources such a grant covers go in (at least one must).
    Resources already listed stay as they are. Returns the ids added. Refused
    (``tk.ValidationError``): a resource or entry unknown or not granted, the list full.
    """
    orgs = membership.organizations_of(person.id)
    unknown, refused, ok = [], [], []
    for rid in dict.fromkeys(resource_ids):
        res = service.resource(rid)
        if res is None:
            unknown.append(rid)
        elif service.live_grants(orgs, res["package_id"], rid):
            ok.append(rid)
        else:
            refused.append(res.get("name") or rid)
    if unknown:
        raise tk.ValidationError({"resource_ids": [NOT_A_RESOURCE.format(ids=", ".join(unknown))]})
    if refused:
        raise tk.ValidationError({"resource_ids": [NOT_GRANTED.format(names="、".join(refused))]})
    for ref in dict.fromkeys(package_ids):
        pid, rids = service.package_resources(ref)
        if pid is None:
            raise tk.ValidationError({"package_ids": [NOT_A_RESOURCE.format(ids=ref)]})
        granted = [r for r in rids if service.live_grants(orgs, pid, r)]
        if not granted:
            pkg = model.Package.get(pid)
            title = (pkg.title or ref) if pkg is not None else ref
            raise tk.ValidationError({"package_ids": [NOT_GRANTED.format(names=title)]})
        ok.extend(r for r in granted if r not in ok)
    if not ok:
        raise tk.ValidationError({"resource_ids": [NOTHING]})
    listed = _ids(_uid(person))
    new = [r for r in ok if r not in listed]
    if len(listed) + len(new) > max_items():
        raise tk.ValidationError({"resource_ids": [FULL.format(max=max_items())]})
    if new:
        at = clock.now()
        last = model.Session.execute(
            sa.select(sa.func.coalesce(sa.func.max(cart_table.c.position), 0)).where(
                cart_table.c.user_id == person.id
            )
        ).scalar_one()
        model.Session.execute(
            postgresql.insert(cart_table)
            .values(
                [
                    {"user_id": person.id, "resource_id": r, "added_at": at, "position": last + n}
                    for n, r in enumerate(new, 1)
                ]
            )
            .on_conflict_do_nothing()
        )
        _audit("govshare_cart_add", person, new)
    return new


def remove(person: Person, resource_ids: Sequence[str]) -> list[str]:
    """Take resources out of the person's list (a resource not in it is refused)."""
    listed = _ids(_uid(person))
    absent = [r for r in resource_ids if r not in listed]
    if absent:
        raise tk.ValidationError({"resource_ids": [NOT_IN_LIST.format(ids=", ".join(absent))]})
    gone = list(dict.fromkeys(resource_ids))
    c = cart_table.c
    model.Session.execute(
        sa.delete(cart_table).where(c.user_id == person.id, c.resource_id.in_(gone))
    )
    _audit("govshare_cart_remove", person, gone)
    return gone


def clear(person: Person) -> list[str]:
    """Empty the person's list; returns what it held (nothing audited for an empty list)."""
    listed = _ids(_uid(person))
    if listed:
        model.Session.execute(sa.delete(cart_table).where(cart_table.c.user_id == person.id))
        _audit("govshare_cart_clear", person, listed)
    return listed


# ---------------------------------------------------------------------------- what it says


@dataclass
class _Budget:
    """Downloads a grant still allows, spent by the list's items in order."""

    left: dict[str, int | None]

    def take(self, grant: Mapping[str, Any]) -> bool:
        if grant["id"] not in self.left:
            limit = grant.get("max_downloads")
            used = grant.get("downloads_used") or 0
            self.left[grant["id"]] = None if limit is None else max(limit - used, 0)
        left = self.left[grant["id"]]
        if left is None:
            return True
        if left <= 0:
            return False
        self.left[grant["id"]] = left - 1
        return True


def _titles(ids: Iterable[str], kind: type[Any]) -> dict[str, tuple[str, str]]:
    """(name, title) of packages or groups by id."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = model.Session.query(kind.id, kind.name, kind.title).filter(kind.id.in_(wanted))
    return {r.id: (r.name, r.title or r.name) for r in rows}


def _reason(
    code: str, grant: Mapping[str, Any] | None, said: tuple[str, str] | None
) -> dict[str, Any]:
    en, zh = said or (
        tokens.texts(code, grant) if code == SUSPENDED else REASONS.get(code, (code, code))
    )
    return {"reason": code, "reason_label": label(en, zh)}


def _grant_facts(grant: Mapping[str, Any]) -> dict[str, Any]:
    limit, used = grant.get("max_downloads"), grant.get("downloads_used") or 0
    return {
        "grant_id": grant["id"],
        "purpose": grant.get("purpose"),
        "purpose_detail": grant.get("purpose_detail"),
        "period_start": plain(grant.get("period_start")),
        "period_end": plain(grant.get("period_end")),
        "max_downloads": limit,
        "downloads_left": None if limit is None else max(limit - used, 0),
        "requesting_org_id": grant.get("organization_id"),
    }


def _judge(
    rid: str,
    res: Mapping[str, Any] | None,
    orgs: Sequence[str],
    today: dt.date,
    budget: _Budget,
    entries: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """One item: its grant and what of the resource it delivers, or why nothing now."""
    if res is None:
        return {"available": False, "grant": None, **_reason(NOT_FOUND, None, None)}
    pid = res["package_id"]
    grants = service.live_grants(orgs, pid, rid)
    if not grants:
        held = suspension.suspended_for(orgs, pid, rid, today)
        code = SUSPENDED if held is not None else GRANT_ENDED
        return {"available": False, "grant": held, **_reason(code, held, None)}
    if pid not in entries:
        entries[pid] = dataplane.scope_entry(pid)
    grant, scoped = bulk.pick(grants, rid, entries[pid])
    if isinstance(scoped, OutOfScope):
        return {"available": False, "grant": grant, **_reason(scoped.reason, grant, scoped.said)}
    if not budget.take(grant):
        return {"available": False, "grant": grant, **_reason(EXHAUSTED, grant, None)}
    return {
        "available": True,
        "grant": grant,
        "scope": scoped,
        "reason": None,
        "reason_label": None,
    }


def show(person: Person) -> dict[str, Any]:
    """The person's list as it stands now: every item with its entry, providing department,
    grant (purpose, period, downloads left), the granted columns (``None``: the original
    file), and ``available`` or the ``reason`` it is not; ``available_resource_ids``: what a
    download of the list sends to the bulk ZIP."""
    rows = model.Session.execute(
        sa.select(cart_table)
        .where(cart_table.c.user_id == person.id)
        .order_by(cart_table.c.position)
    ).all()
    orgs = membership.organizations_of(person.id)
    today = clock.today()
    budget = _Budget({})
    entries: dict[str, dict[str, Any]] = {}
    found = [(r, service.resource(r.resource_id)) for r in rows]
    packages = _titles((res["package_id"] for _, res in found if res), model.Package)
    providers = _titles((res["provider_org_id"] for _, res in found if res), model.Group)
    judged = [
        (r, res, _judge(r.resource_id, res, orgs, today, budget, entries)) for r, res in found
    ]
    holders = _titles(
        (j["grant"]["organization_id"] for _, _, j in judged if j["grant"]), model.Group
    )
    results = []
    for row, res, verdict in judged:
        grant = verdict["grant"]
        scoped = verdict.get("scope")
        pkg = packages.get(res["package_id"]) if res else None
        provider = providers.get(res["provider_org_id"]) if res else None
        holder = holders.get(grant["organization_id"]) if grant else None
        item: dict[str, Any] = {
            "resource_id": row.resource_id,
            "resource_name": res.get("name") if res else None,
            "resource_code": res.get("resource_code") if res else None,
            "package_id": res["package_id"] if res else None,
            "package_name": pkg[0] if pkg else None,
            "package_title": pkg[1] if pkg else None,
            "provider_org_id": res["provider_org_id"] if res else None,
            "provider_org_title": provider[1] if provider else None,
            "added": plain(row.added_at),
            "available": verdict["available"],
            "reason": verdict["reason"],
            "reason_label": verdict["reason_label"],
            "grant": {**_grant_facts(grant), "requesting_org_title": holder[1] if holder else None}
            if grant
            else None,
            "columns": list(scoped.columns) if isinstance(scoped, Scope) and scoped.cut else None,
            "whole_file": bool(isinstance(scoped, Scope) and scoped.whole),
        }
        results.append(item)
    available = [i["resource_id"] for i in results if i["available"]]
    return {
        "count": len(results),
        "max_items": max_items(),
        "available_count": len(available),
        "available_resource_ids": available,
        "results": results,
    }

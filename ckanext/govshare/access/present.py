"""How requests and grants are shown: the API's answers, and which requests a user sees.

One page of a list costs a fixed number of queries (issue 15): the names and titles of the
departments, entries and requesters of every row on the page are read at once, never row by
row. Answers use the vocabulary of docs/api.md, "Conventions" (``requesting_org_id``,
``created``, ``modified``, ``status_label`` as ``{"en", "zh_Hans_CN"}``), and keep their old
keys beside the new ones for one release (``core.vocabulary.with_old_keys``).

Who sees a request (workflows.md, "Roles"; issue 5): the requesting department, the
provider's data officers, the sharing authority, the joint conference once the dispute has
reached it, and sysadmins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from ckan import model

from .. import profiles, workdays
from ..core import clock, paging
from ..core.membership import INTERNAL_STATES, Person
from ..core.serialise import label, plain
from ..core.vocabulary import with_old_keys
from . import codes, rules, workflow
from .deadlines import is_overdue, working_days_left
from .model import event_table, grant_table, request_table

__all__ = [
    "AUTHORITY_QUEUE",
    "awaiting_signoff_of",
    "GRANT_OLD_KEYS",
    "HISTORY_OLD_KEYS",
    "REQUEST_OLD_KEYS",
    "grant_dict",
    "grant_dicts",
    "history",
    "list_requests",
    "request_dict",
    "request_dicts",
    "visible_requests",
]

#: Old answer keys (docs/api.md, "Deprecated names") -> the new key whose value they repeat.
REQUEST_OLD_KEYS = {"updated_at": "modified"}
GRANT_OLD_KEYS = {
    "organization_id": "requesting_org_id",
    "organization": "requesting_org",
    "created_at": "created",
}
HISTORY_OLD_KEYS = {"time": "created"}
#: The states in the sharing authority's incoming queue (2016 art. 12(3); 2025 art. 28).
AUTHORITY_QUEUE = (
    workflow.ESCALATED_AUTHORITY,
    workflow.ESCALATED_UPPER,
    workflow.ESCALATED_GOVERNMENT,
)

_GRANT_LABELS = {c.value: (c.en, c.zh) for c in codes.GRANT_STATUSES}


# ---------------------------------------------------------------------------- look-ups


def _orgs(ids: Iterable[str | None]) -> dict[str, tuple[str, str]]:
    """Department id -> (name, title), for all ``ids`` in one query."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    g = model.group_table.c
    rows = model.Session.execute(sa.select(g.id, g.name, g.title).where(g.id.in_(wanted)))
    return {r.id: (r.name, r.title or r.name) for r in rows}


def _entries(ids: Iterable[str | None]) -> dict[str, tuple[str, str]]:
    """Entry id -> (name, title), in one query."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    p = model.package_table.c
    rows = model.Session.execute(sa.select(p.id, p.name, p.title).where(p.id.in_(wanted)))
    return {r.id: (r.name, r.title) for r in rows}


def _users(ids: Iterable[str | None]) -> dict[str, str]:
    """User id -> name, in one query."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    u = model.user_table.c
    rows = model.Session.execute(sa.select(u.id, u.name).where(u.id.in_(wanted)))
    return {r.id: r.name for r in rows}


def _name(found: Mapping[str, tuple[str, str]], key: str | None) -> str | None:
    return found[key][0] if key is not None and key in found else None


def _title(found: Mapping[str, tuple[str, str]], key: str | None) -> str | None:
    return found[key][1] if key is not None and key in found else None


# ---------------------------------------------------------------------------- requests


def request_dicts(requests: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Requests as the API shows them (JSON types), with department, entry and requester
    names: three queries for the whole list."""
    orgs = _orgs(org for r in requests for org in (r["provider_org_id"], r["requesting_org_id"]))
    entries = _entries(r["package_id"] for r in requests)
    users = _users(r["requester_id"] for r in requests)
    on = clock.today()
    running = any(r.get("due_date") and r["status"] in workflow.CLOCK_RUNNING for r in requests)
    calendar = workdays.current() if running else None
    return [_request(r, orgs, entries, users, on, calendar) for r in requests]


def _request(
    request: Mapping[str, Any],
    orgs: Mapping[str, tuple[str, str]],
    entries: Mapping[str, tuple[str, str]],
    users: Mapping[str, str],
    on: dt.date,
    calendar: workdays.WorkCalendar | None,
) -> dict[str, Any]:
    result = {k: plain(v) for k, v in request.items() if k != "updated_at"}
    requesting, provider = request["requesting_org_id"], request["provider_org_id"]
    result.update(
        requesting_org=_name(orgs, requesting),
        requesting_org_title=_title(orgs, requesting),
        provider_org=_name(orgs, provider),
        provider_org_title=_title(orgs, provider),
        package_name=_name(entries, request["package_id"]),
        package_title=_title(entries, request["package_id"]),
        requester=users.get(request["requester_id"]),
        overdue=is_overdue(request, on),
        working_days_left=working_days_left(request, on, calendar),
        status_label=label(*workflow.STATE_LABELS.get(request["status"], ("", ""))),
        created=plain(request.get("submitted_at")),
        modified=plain(request.get("updated_at")),
    )
    if request.get("missing_items"):
        result["missing_items"] = missing_items_labelled(request["missing_items"])
    # 2025 art. 20: an answer drafted by the provider's staff is the provider's until its head
    # signs it off (``request_dict`` shows it to the answer side).
    result["answer_draft"] = None
    return with_old_keys(result, REQUEST_OLD_KEYS)


def request_dict(
    request: Mapping[str, Any], *, with_history: bool = False, sides: Iterable[str] = ()
) -> dict[str, Any]:
    """One request; ``with_history``: with its history and thread and the grants it led to.

    ``sides``: the internal sign-off (2025 art. 20) the viewer belongs to
    (``workflow.REQUEST_SIDE``, ``workflow.ANSWER_SIDE``): its history rows, and on the
    answer side the drafted answer, are shown; nobody else sees them."""
    sides = frozenset(sides)
    result = request_dicts([request])[0]
    if workflow.ANSWER_SIDE in sides:
        result["answer_draft"] = plain(request.get("answer_draft"))
    if with_history:
        result["history"] = history(request["id"], sides=sides)
        rows = model.Session.execute(
            sa.select(grant_table)
            .where(grant_table.c.request_id == request["id"])
            .order_by(grant_table.c.created_at)
        ).all()
        result["grants"] = grant_dicts([dict(r._mapping) for r in rows])
    return result


def history(request_id: str, *, sides: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The request's history rows (transitions and the thread), oldest first; the rows of a
    department's internal sign-off only for ``sides`` (2025 art. 20)."""
    shown = {None, *sides}
    rows = [
        r
        for r in model.Session.execute(
            sa.select(event_table)
            .where(event_table.c.request_id == request_id)
            .order_by(event_table.c.id)
        ).all()
        if workflow.internal_side(r.action, r.from_state) in shown
    ]
    users = _users(r.actor_id for r in rows)
    orgs = _orgs(r.actor_org_id for r in rows)
    result = []
    for r in rows:
        event = {k: plain(v) for k, v in r._mapping.items() if k != "request_id"}
        event["actor"] = users.get(r.actor_id)
        event["actor_org"] = _name(orgs, r.actor_org_id)
        event["actor_org_title"] = _title(orgs, r.actor_org_id)
        event["created"] = event.pop("time")
        result.append(with_old_keys(event, HISTORY_OLD_KEYS))
    return result


def visible_requests(person: Person, direction: str) -> sa.sql.ColumnElement[sa.Boolean]:
    """The requests ``person`` sees in ``direction`` (incoming, outgoing or all), as SQL.

    Incoming: addressed to the departments the user is a data officer of (or, while internal
    sign-off is on, a member of: staff draft the answers, 2025 art. 20), or awaiting the body
    (authority, joint conference) the user sits on. Outgoing: made by the user's departments.
    All: both, and what reached the joint conference; everything for the sharing authority
    and sysadmins — except that a request waiting for its own department's head
    (``INTERNAL_STATES``) is that department's (and the sysadmins') only.
    """
    c = request_table.c
    answering = person.orgs if profiles.on("internal_signoff") else person.officer_of
    incoming: sa.sql.ColumnElement[sa.Boolean] = c.provider_org_id.in_(sorted(answering))
    outgoing = c.requesting_org_id.in_(sorted(person.orgs))
    internal = c.status.in_(sorted(INTERNAL_STATES))
    if person.authority:
        # 2025 art. 28: the authority also carries the disputes it referred to the common
        # upper authority or the people's government, and enters their decisions.
        incoming = sa.or_(incoming, c.status.in_(AUTHORITY_QUEUE))
    if person.conference:
        incoming = sa.or_(incoming, c.status == workflow.ESCALATED_CONFERENCE)
    incoming = sa.and_(incoming, sa.not_(internal))
    if direction == "incoming":
        return incoming
    if direction == "outgoing":
        return outgoing
    if person.sysadmin:
        return sa.true()
    if person.authority:
        return sa.or_(sa.not_(internal), outgoing)
    reached = c.escalation_level == "joint_conference" if person.conference else sa.false()
    return sa.or_(incoming, outgoing, reached)


def awaiting_signoff_of(person: Person) -> sa.sql.ColumnElement[sa.Boolean]:
    """Requests waiting for ``person``'s sign-off (2025 art. 20), as SQL: requests of a
    department they are a data officer of waiting for its head, and answers drafted for a
    department they are a data officer of (every one of them for a sysadmin)."""
    c = request_table.c
    drafted = sa.and_(
        c.status == workflow.SUBMITTED, sa.func.jsonb_typeof(c.answer_draft) == "object"
    )
    waiting = c.status == workflow.AWAITING_SIGNOFF
    if person.sysadmin:
        return sa.or_(waiting, drafted)
    heads = sorted(person.officer_of)
    return sa.or_(
        sa.and_(waiting, c.requesting_org_id.in_(heads)),
        sa.and_(drafted, c.provider_org_id.in_(heads)),
    )


def _org_id(reference: str) -> str:
    """A department's id from its id or name (an unknown one matches nothing)."""
    org = model.Group.get(reference)
    return org.id if org is not None else reference


def _entry_id(reference: str) -> str:
    pkg = model.Package.get(reference)
    return pkg.id if pkg is not None else reference


def list_requests(person: Person, query: Mapping[str, Any]) -> dict[str, Any]:
    """One page of the requests ``person`` sees, filtered as ``govshare_request_list`` says.

    ``query``: ``direction``, ``status`` (a list), ``overdue``, ``escalated``, ``package_id``,
    ``requesting_org``, ``provider_org``, ``organization`` (either side; deprecated),
    ``limit``, ``offset``. Incoming requests come by due date, others newest change first.
    """
    c = request_table.c
    direction = query.get("direction") or "all"
    conditions = [visible_requests(person, direction)]
    if query.get("status"):
        conditions.append(c.status.in_(query["status"]))
    if query.get("overdue"):
        conditions += [c.status == workflow.SUBMITTED, c.due_date < clock.today()]
    if query.get("escalated"):
        conditions.append(c.escalation_level.isnot(None))
    if query.get("signoff"):
        conditions.append(awaiting_signoff_of(person))
    if query.get("package_id"):
        conditions.append(c.package_id == _entry_id(query["package_id"]))
    if query.get("requesting_org"):
        conditions.append(c.requesting_org_id == _org_id(query["requesting_org"]))
    if query.get("provider_org"):
        conditions.append(c.provider_org_id == _org_id(query["provider_org"]))
    if query.get("organization"):
        org_id = _org_id(query["organization"])
        conditions.append(sa.or_(c.provider_org_id == org_id, c.requesting_org_id == org_id))
    order = (
        [c.due_date.asc().nulls_last(), c.submitted_at]
        if direction == "incoming"
        else [c.updated_at.desc()]
    )
    return paging.page(request_table, sa.and_(*conditions), [*order, c.id], query, request_dicts)


# ---------------------------------------------------------------------------- grants


def grant_dicts(grants: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Grants as the API shows them: two queries for the whole list."""
    orgs = _orgs(org for g in grants for org in (g["organization_id"], g["provider_org_id"]))
    entries = _entries(g["package_id"] for g in grants)
    on = clock.today()
    return [_grant(g, orgs, entries, on) for g in grants]


def _grant(
    grant: Mapping[str, Any],
    orgs: Mapping[str, tuple[str, str]],
    entries: Mapping[str, tuple[str, str]],
    on: dt.date,
) -> dict[str, Any]:
    result = {k: plain(v) for k, v in grant.items() if k not in ("organization_id", "created_at")}
    holder, provider = grant["organization_id"], grant["provider_org_id"]
    used, limit = grant.get("downloads_used") or 0, grant.get("max_downloads")
    changed = [
        m
        for m in (
            grant.get("revoked_at"),
            grant.get("expired_at"),
            grant.get("suspended_at"),
            grant.get("resumed_at"),
            grant.get("terminated_at"),
        )
        if m is not None
    ]
    result.update(
        requesting_org_id=holder,
        requesting_org=_name(orgs, holder),
        requesting_org_title=_title(orgs, holder),
        provider_org=_name(orgs, provider),
        provider_org_title=_title(orgs, provider),
        package_name=_name(entries, grant["package_id"]),
        package_title=_title(entries, grant["package_id"]),
        live=rules.grant_live(grant, on),
        downloads_left=None if limit is None else max(limit - used, 0),
        status_label=label(*_GRANT_LABELS.get(grant["status"], ("", ""))),
        created=plain(grant.get("created_at")),
        modified=plain(max(changed) if changed else grant.get("created_at")),
    )
    result.update(_delivery(grant, on))
    return with_old_keys(result, GRANT_OLD_KEYS)


_MISSING_LABELS = {c.value: (c.en, c.zh) for c in codes.MISSING_FIELDS}
_METHOD_LABELS = {c.value: (c.en, c.zh) for c in codes.DELIVERY_METHODS}


def missing_items_labelled(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A return's missing items (2025 art. 21), each with its ``field_label``."""
    return [
        {**item, "field_label": label(*_MISSING_LABELS.get(str(item.get("field")), ("", "")))}
        for item in items
    ]


def _delivery(grant: Mapping[str, Any], on: dt.date) -> dict[str, Any]:
    """Art. 22: ``delivery_overdue`` (not delivered and past ``delivery_due``, while the grant
    is active) and the delivery method's label."""
    due, method = grant.get("delivery_due"), grant.get("delivery_method")
    return {
        "delivery_overdue": bool(
            due is not None
            and grant.get("delivered_at") is None
            and grant.get("status") == codes.GRANT_ACTIVE
            and on > due
        ),
        "delivery_method_label": (
            label(*_METHOD_LABELS[method]) if method in _METHOD_LABELS else None
        ),
    }


def grant_dict(grant: Mapping[str, Any]) -> dict[str, Any]:
    return grant_dicts([grant])[0]

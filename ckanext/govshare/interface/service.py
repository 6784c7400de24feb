"""One call of the service interface, from its grant to its log row (issue 16, items 4–7).

2025 Regulations art. 22 (服务接口), 2016 Measures art. 12 (联机查询), art. 25 of the 2025
Regulations (no use beyond the granted scope). A call is served in a fixed order:

1. who calls and under which grant: a bearer token (checked by the action, which owns the
   token rules of ``downloads``) or the session user's departments' live grant with an
   interface share method (:func:`session_grant`); the providing department's members and
   sysadmins get the whole table (``dataplane.service.provider_scope``), with no grant;
2. the scope, read afresh on every call (``dataplane.service.scope_for``: a grant revoked a
   moment ago answers nothing from the next call on);
3. every column the call names (``fields``, ``filters``, ``sort``; ``match_on``, ``check``)
   within the scope, else 403 naming the column;
4. one unit of the grant's daily quota (``quota.take``, committed at once: 429 when used up);
5. the DataStore read cut to the scope (``dataplane.store``); a value the column cannot hold
   gives the unit back (409);
6. the call's row (``calls.record``): answered calls in a short transaction of their own;
   refused ones with their audit event (:func:`refuse`).

The action commits a call's row (``logic/action/interface.py``); the quota's unit is taken
in a transaction of its own, after the call's reads are ended (:func:`_take_unit`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ckan import model

from ..access import delivery as access_delivery
from ..access import grants as access_grants
from ..access import suspension
from ..access.rules import SUSPENDED, suspension_texts
from ..access.scope import OutOfScope, Scope
from ..audit import store as audit
from ..core import clock, membership
from ..core.membership import Person
from ..dataplane import service as dataplane
from ..dataplane import store
from . import calls, quota, rules
from .model import METHOD_QUERY, METHOD_VERIFY

__all__ = [
    "METHOD_QUERY",
    "METHOD_VERIFY",
    "Call",
    "Refusal",
    "answered",
    "query",
    "refuse",
    "resource",
    "session_grant",
    "verify",
]

#: The audit event of a refused call, by method (the action's name).
AUDIT_ACTIONS = {METHOD_QUERY: "govshare_data_query", METHOD_VERIFY: "govshare_data_verify"}

NO_TABLE = "no_table"
NO_TABLE_TEXTS = (
    "This resource is not loaded into the DataStore: the interface has no table to read",
    "此资源尚未导入数据表，接口无数据可查",
)


@dataclass(frozen=True)
class Refusal:
    """Why a call is refused: the reason code, the HTTP status, the text in both languages;
    ``retry_after`` (seconds) for a used-up quota, ``field`` for an input error (409)."""

    reason: str
    status: int = 403
    texts: tuple[str, str] | None = None
    retry_after: int | None = None
    field: str | None = None

    def answer(self) -> dict[str, Any]:
        en, zh = self.texts or rules.REASONS.get(self.reason, (self.reason, self.reason))
        return {
            "reason": self.reason,
            "status": self.status,
            "message_en": en,
            "message_zh": zh,
            "retry_after": self.retry_after,
            "field": self.field,
        }


@dataclass
class Call:
    """One call being served: what its log row and, if refused, its audit event say."""

    method: str
    resource_id: str
    address: str | None = None
    user: Any = None
    organization_id: str | None = None
    grant: dict[str, Any] | None = None
    token: dict[str, Any] | None = None
    package_id: str | None = None
    provider_org_id: str | None = None
    fields: list[str] | None = None
    started: float = field(default_factory=time.perf_counter)

    def milliseconds(self) -> int:
        return int((time.perf_counter() - self.started) * 1000)

    def _row(self) -> dict[str, Any]:
        grant = self.grant or {}
        return {
            "method": self.method,
            "resource_id": self.resource_id,
            "user_id": getattr(self.user, "id", None),
            "organization_id": self.organization_id,
            "grant_id": grant.get("id"),
            "token_id": (self.token or {}).get("id"),
            "purpose": grant.get("purpose"),
            "package_id": self.package_id,
            "fields": self.fields,
            "client_address": self.address,
        }


# ---------------------------------------------------------------------------- recording


def refuse(call: Call, refusal: Refusal) -> Refusal:
    """Record a refused call: its row and its audit event (outcome ``refused``), in a
    transaction that holds nothing else (whatever the call had started is rolled back). The
    action commits, then answers the refusal."""
    model.Session.rollback()
    row = call._row()
    call_id = calls.record(
        **row,
        outcome=calls.REFUSED,
        reason=refusal.reason,
        status_code=refusal.status,
        milliseconds=call.milliseconds(),
    )
    user = call.user
    audit.record(
        AUDIT_ACTIONS.get(call.method, f"govshare_{call.method}"),
        actor_id=getattr(user, "id", None),
        actor_name=getattr(user, "name", None),
        actor_department=call.organization_id
        or membership.acting_department(getattr(user, "id", None)),
        object_type="resource",
        object_id=call.resource_id or None,
        object_department=call.provider_org_id,
        outcome="refused",
        detail={
            "call_id": call_id,
            "method": call.method,
            "reason": refusal.reason,
            "status": refusal.status,
            "grant_id": row["grant_id"],
            "token_id": row["token_id"],
            "fields": call.fields,
        },
        client_address=call.address,
    )
    return refusal


def answered(call: Call, rows: int) -> None:
    """Record an answered call's row (no audit event: the minute's rows are chained by a
    digest, ``interface.reminders``); the action commits it on its own."""
    calls.record(
        **call._row(),
        outcome=calls.ANSWERED,
        status_code=200,
        rows=rows,
        milliseconds=call.milliseconds(),
    )
    if call.grant is not None:  # 2025 art. 22: the first answered call delivers the data
        access_delivery.mark_delivered(
            call.grant["id"], method="service_interface", user_id=getattr(call.user, "id", None)
        )


# ---------------------------------------------------------------------------- who and what


def entry_methods(package_id: str | None) -> list[str]:
    """The share methods the entry offers (``share_methods``: a JSON list in its extras)."""
    return access_grants.entry_share_methods(package_id)


def resource(resource_id: str) -> dict[str, Any] | None:
    """The active resource of an active entry: its id, entry, provider and the share
    methods the entry offers."""
    res = model.Resource.get(resource_id) if resource_id else None
    if res is None or res.state != "active":
        return None
    pkg = model.Package.get(res.package_id)
    if pkg is None or pkg.state != "active":
        return None
    return {
        "id": res.id,
        "package_id": pkg.id,
        "provider_org_id": pkg.owner_org,
        "share_methods": entry_methods(pkg.id),
    }


def session_grant(
    person: Person, res: Mapping[str, Any], method: str, grant_id: str | None
) -> dict[str, Any] | None | Refusal:
    """The grant a logged-in user's call is served under: the one named (held by one of
    their departments), else — for the providing department's members and sysadmins —
    ``None`` (the whole table), else their departments' live interface grant on the
    resource ending last (for ``verify``: one for data verification; for ``query``, one for
    another purpose first)."""
    if grant_id:
        grant = access_grants.load_grant(grant_id)
        if grant is None or grant.get("organization_id") not in person.orgs:
            return Refusal(rules.NO_GRANT)
        return grant
    if person.sysadmin or res["provider_org_id"] in person.orgs:
        return None
    grants = access_grants.live_grants_for(person.orgs, res["package_id"], res["id"])
    methods = res.get("share_methods") or ()
    serving = [g for g in grants if rules.serves(g, methods)]
    if not serving:
        suspended = suspension.suspended_for(
            person.orgs, res["package_id"], res["id"], accept=lambda g: rules.serves(g, methods)
        )
        if suspended is not None:  # say why (2025 art. 27), not "no grant"
            return Refusal(SUSPENDED, 403, suspension_texts(suspended))
    if not grants:
        return Refusal(rules.NO_GRANT)
    if not serving:
        return Refusal(rules.NOT_INTERFACE)
    if method == METHOD_VERIFY:
        verifying = [g for g in serving if rules.verifies(g)]
        return verifying[0] if verifying else Refusal(rules.NOT_VERIFICATION)
    # a query under a grant for data verification only when no other grant serves
    return sorted(serving, key=rules.verifies)[0]


def _grant_refusal(grant: Mapping[str, Any], method: str) -> Refusal | None:
    """What the interface asks of a grant beyond its scope: an interface share method and,
    to verify, the data verification purpose."""
    if not rules.serves(grant, entry_methods(grant.get("package_id"))):
        return Refusal(rules.NOT_INTERFACE)
    if method == METHOD_VERIFY and not rules.verifies(grant):
        return Refusal(rules.NOT_VERIFICATION)
    return None


def _scope(call: Call) -> Scope | Refusal:
    """The call's scope, read now (the grant as loaded in this call; the provider: all)."""
    if call.grant is None:
        scope: Scope | OutOfScope = dataplane.provider_scope(call.resource_id)
    else:
        refusal = _grant_refusal(call.grant, call.method)
        if refusal is not None:
            return refusal
        scope = dataplane.scope_for(call.grant, call.resource_id)
    if isinstance(scope, OutOfScope):
        return Refusal(scope.reason, 403, scope.texts)
    if scope.whole:
        return Refusal(NO_TABLE, 404, NO_TABLE_TEXTS)
    return scope


def _not_granted(column: str) -> Refusal:
    return Refusal(rules.COLUMN_NOT_GRANTED, 403, rules.column_not_granted(column))


def _take_unit(call: Call) -> tuple[Any, Refusal | None]:
    """One unit of the grant's quota today (none for the provider): the day it was taken
    on, or the 429."""
    if call.grant is None:
        return None, None
    day = clock.today()
    # The call's reads end here (nothing is written yet), so the request holds one connection
    # of the site's pool at a time: the counter's own transaction takes it next. Otherwise 15
    # concurrent calls hold the whole pool and wait for a second connection (tested with 50).
    model.Session.commit()
    if quota.take(call.grant["id"], call.grant.get("max_calls_per_day"), day) is None:
        return day, Refusal(rules.QUOTA_EXCEEDED, 429, retry_after=quota.retry_after())
    return day, None


def _bad_value(call: Call, day: Any, error: store.BadValue, field_name: str) -> Refusal:
    """The caller's value did not fit: the quota unit is given back, the 409 names the
    field."""
    if call.grant is not None and day is not None:
        quota.give_back(call.grant["id"], day)
    return Refusal(rules.BAD_VALUE, 409, field="cursor" if str(error) == "cursor" else field_name)


# ---------------------------------------------------------------------------- the methods


def query(call: Call, params: Mapping[str, Any]) -> dict[str, Any] | Refusal:
    """``{"fields", "records", "total", "next"}``: one page of the granted columns and rows
    (``fields``, ``filters``, ``q``, ``sort``, ``limit``, ``offset`` or ``cursor``, read by
    the action's schema). A refusal is returned, not recorded (:func:`refuse`)."""
    scope = _scope(call)
    if isinstance(scope, Refusal):
        return scope
    granted = list(scope.columns)
    wanted = params.get("fields") or granted
    filters = params.get("filters") or {}
    order = params.get("sort") or []
    call.fields = list(wanted)
    column = (
        rules.outside(wanted, granted)
        or rules.outside(list(filters), granted)
        or rules.outside([c for c, _ in order], granted)
    )
    if column is not None:
        return _not_granted(column)
    day, refusal = _take_unit(call)
    if refusal is not None:
        return refusal
    try:
        page = store.select(
            call.resource_id,
            wanted,
            scope.rows,
            filters=filters,
            q=params.get("q") or None,
            sort=order,
            limit=params["limit"],
            cursor=params.get("cursor") or None,
            offset=params.get("offset") or 0,
            searched=granted,
        )
    except store.BadValue as error:
        return _bad_value(call, day, error, "filters")
    answered(call, len(page.records))
    return {"fields": page.fields, "records": page.records, "total": page.total, "next": page.next}


def verify(call: Call, match_on: Mapping[str, Any], check: Mapping[str, Any]) -> dict | Refusal:
    """``{"found", "match", "mismatched"}`` (查询核验): whether a row of the scope matches
    ``match_on`` and holds the ``check`` values — never a value of the data."""
    scope = _scope(call)
    if isinstance(scope, Refusal):
        return scope
    granted = list(scope.columns)
    call.fields = list(dict.fromkeys([*match_on, *check]))
    column = rules.outside(call.fields, granted)
    if column is not None:
        return _not_granted(column)
    day, refusal = _take_unit(call)
    if refusal is not None:
        return refusal
    try:
        result = store.verify(call.resource_id, scope.rows, match_on, check)
    except store.BadValue as error:
        return _bad_value(call, day, error, "match_on")
    answered(call, 1 if result.found else 0)
    return {"found": result.found, "match": result.match, "mismatched": result.mismatched}

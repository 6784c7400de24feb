"""Tokens and downloads in the database: take, list, find, revoke, count, record (art. 14, 24).

Everything writes through ``model.Session`` in the caller's transaction, with its audit event.
A download is counted by :func:`count` — one conditional ``UPDATE … RETURNING`` on the token
and one on the grant, so that concurrent downloads cannot pass a limit — and recorded by
:func:`record` (a ``govshare_download`` row and a ``govshare_download`` audit event); the
caller commits both before the first byte is sent. A transfer that breaks off half-way still
counts: the platform cannot know what the client kept.

Every download, and every refusal that is audited, is also one row of the call log
(``govshare_api_call``, method ``download``; ``interface.calls.record``), beside the service
interface's queries and verifications (issue 16, item 7: every call recorded, refused calls
included): its rows and bytes are NULL, as they are not known before the first byte.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ..access import delivery as access_delivery
from ..access import grants as access_grants
from ..access.model import grant_table
from ..access.rules import grant_live, grant_suspended, not_live_reason, suspension_texts
from ..audit import store
from ..core import clock, config, membership, paging
from ..core.membership import Person, authority_org_id
from ..core.messages import message
from ..core.serialise import label, plain
from ..core.vocabulary import with_old_keys
from ..interface import calls
from ..interface.model import METHOD_DOWNLOAD
from . import tokens
from .model import ROUTE_OPEN, download_table, token_table

KIND_API = "api"
KIND_OPEN = "open"

NO_GRANT = message("No such grant", "授权不存在")
NO_TOKEN = message("No such token", "令牌不存在")
NOT_LIVE = message(
    "The grant is not live (expired, revoked or not begun): no tokens can be taken from it",
    "该授权已到期、已撤销或尚未生效，不能据此申请令牌",
)
OUTSIDE = message(
    "Not resources of this grant: a token covers only what its grant allows",
    "不属于该授权范围的资源：令牌只能包含授权范围内的资源",
)
ALREADY = message("The token is already revoked", "该令牌已撤销")


def not_live(grant: Mapping[str, Any]) -> str:
    """Why no token is taken from (or rotated on) a grant that is not live: a suspended one
    says its reason and date to rectify by (2025 art. 27)."""
    if grant_suspended(grant):
        return message(*suspension_texts(grant))
    return NOT_LIVE


#: Old answer keys of a token (docs/api.md, "Deprecated names") -> the key they repeat.
TOKEN_OLD_KEYS = {"organization_id": "requesting_org_id", "created_at": "created"}


# ---------------------------------------------------------------------------- tokens


def expiry(expires_in: int, grant: Mapping[str, Any]) -> dt.datetime:
    return tokens.expiry(clock.now(), expires_in, grant["period_end"], clock.timezone())


def issue(
    grant: Mapping[str, Any],
    *,
    user: model.User,
    expires_in: int,
    max_uses: int | None,
    resource_ids: list[str] | None,
    kind: str = KIND_API,
) -> tuple[dict[str, Any], str]:
    """A new token for ``user`` from ``grant``: the row, and the secret (shown once)."""
    secret = tokens.generate()
    at = clock.now()
    row = {
        "id": str(uuid.uuid4()),
        "token_hash": tokens.digest(secret),
        "user_id": user.id,
        "grant_id": grant["id"],
        "organization_id": grant["organization_id"],
        "purpose": grant["purpose"],
        "resource_ids": resource_ids,
        "created_at": at,
        "expires_at": expiry(expires_in, grant),
        "max_uses": max_uses,
        "uses": 0,
        "kind": kind,
    }
    model.Session.execute(sa.insert(token_table).values(**row))
    store.record(
        "govshare_token_create",
        actor_id=user.id,
        actor_name=user.name,
        actor_department=grant["organization_id"],
        object_type="download_token",
        object_id=row["id"],
        object_department=grant["provider_org_id"],
        detail={
            "grant_id": grant["id"],
            "package_id": grant["package_id"],
            "purpose": grant["purpose"],
            "resource_ids": resource_ids,
            "expires_at": plain(row["expires_at"]),
            "max_uses": max_uses,
            "kind": kind,
        },
    )
    return row, secret


def find(secret: str | None) -> dict[str, Any] | None:
    """The token whose secret this is (hash lookup, then a constant-time comparison)."""
    if not tokens.well_formed(secret):
        return None
    row = model.Session.execute(
        sa.select(token_table).where(token_table.c.token_hash == tokens.digest(secret or ""))
    ).first()
    if row is None or not tokens.matches(secret or "", row.token_hash):
        return None
    return dict(row._mapping)


def load(token_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
    query = sa.select(token_table).where(token_table.c.id == token_id)
    if for_update:
        query = query.with_for_update()
    row = model.Session.execute(query).first()
    return dict(row._mapping) if row else None


def take(
    grant_id: str, user: model.User, query: Mapping[str, Any]
) -> tuple[dict[str, Any], str, list[str]]:
    """A token from a live grant of the user's department (art. 14), for the resources asked
    (within the grant) or all it allows: its answer, its secret (shown once) and the
    resources it covers. The grant is locked while the token is taken."""
    grant = access_grants.load_grant(grant_id, for_update=True)
    if grant is None:
        raise tk.ObjectNotFound(NO_GRANT)
    if not grant_live(grant, clock.today()):
        raise tk.ValidationError({"grant_id": [not_live(grant)]})
    _, entry_resources = package_resources(grant["package_id"])
    allowed = [r for r in entry_resources if tokens.covers(grant.get("resource_ids"), r)]
    wanted = query.get("resource_ids") or None
    if wanted and any(r not in allowed for r in wanted):
        raise tk.ValidationError({"resource_ids": [OUTSIDE]})
    expires_in = query.get("expires_in") or config.download_token_seconds()
    row, secret = issue(
        grant,
        user=user,
        expires_in=min(expires_in, tokens.MAX_SECONDS),
        max_uses=query.get("max_uses"),
        resource_ids=wanted,
    )
    return token_dict(row), secret, wanted or allowed


def token_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    """A token as the API shows it: never its hash, never its secret; its ``status``
    (``tokens.status``), the holding department as ``requesting_org_id``, ``created`` and
    ``modified`` (docs/api.md, "Conventions"), the old keys beside them for one release."""
    result = {
        k: plain(v)
        for k, v in row.items()
        if k not in ("token_hash", "organization_id", "created_at")
    }
    status = tokens.status(row, clock.now())
    changes = [m for m in (row.get("last_used_at"), row.get("revoked_at")) if m is not None]
    uses, limit = row.get("uses") or 0, row.get("max_uses")
    result.update(
        requesting_org_id=row["organization_id"],
        status=status,
        status_label=label(*tokens.STATUSES[status]),
        active=status == tokens.ACTIVE,
        uses_left=None if limit is None else max(limit - uses, 0),
        created=plain(row["created_at"]),
        modified=plain(max([row["created_at"], *changes])),
    )
    return with_old_keys(result, TOKEN_OLD_KEYS)


def token_dicts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [token_dict(row) for row in rows]


def _status_condition(status: str, at: dt.datetime) -> sa.sql.ColumnElement[sa.Boolean]:
    """The SQL of ``tokens.status(token, at) == status``."""
    c = token_table.c
    live = sa.and_(c.revoked_at.is_(None), c.expires_at > at)
    return {
        tokens.REVOKED: c.revoked_at.is_not(None),
        tokens.EXPIRED: sa.and_(c.revoked_at.is_(None), c.expires_at <= at),
        tokens.USED_UP: sa.and_(live, c.max_uses.is_not(None), c.uses >= c.max_uses),
        tokens.ACTIVE: sa.and_(live, sa.or_(c.max_uses.is_(None), c.uses < c.max_uses)),
    }[status]


def list_tokens(user_id: str, query: Mapping[str, Any]) -> dict[str, Any]:
    """The user's own tokens, newest first, one page (``core.paging``): of one grant
    (``grant_id``), in one of ``status`` (a list); ``active`` (deprecated) is
    ``status=active``."""
    at = clock.now()
    c = token_table.c
    conditions = [c.user_id == user_id]
    if query.get("grant_id"):
        conditions.append(c.grant_id == query["grant_id"])
    if query.get("status"):
        conditions.append(sa.or_(*(_status_condition(s, at) for s in query["status"])))
    if query.get("active"):
        conditions.append(_status_condition(tokens.ACTIVE, at))
    order = (c.created_at.desc(), c.id)
    return paging.page(token_table, sa.and_(*conditions), order, query, token_dicts)


def revoke(token: Mapping[str, Any], person: Any, acting_org: str | None) -> dict[str, Any]:
    at = clock.now()
    model.Session.execute(
        sa.update(token_table)
        .where(token_table.c.id == token["id"])
        .values(revoked_at=at, revoked_by=person.id)
    )
    grant = access_grants.load_grant(token["grant_id"])
    store.record(
        "govshare_token_revoke",
        actor_id=person.id,
        actor_name=person.name,
        actor_department=acting_org,
        object_type="download_token",
        object_id=token["id"],
        object_department=grant["provider_org_id"] if grant else None,
        detail={"grant_id": token["grant_id"], "owner": token["user_id"]},
    )
    return {**token, "revoked_at": at, "revoked_by": person.id}


def revoke_checked(token_id: str, person: Person) -> dict[str, Any]:
    """Stop a token at once (its owner, the holding or providing department's officers, the
    authority: ``logic/auth/tokens.may_revoke``), recorded against the department the person
    acted for; a token revoked already is refused."""
    token = load(token_id, for_update=True)
    if token is None:
        raise tk.ObjectNotFound(NO_TOKEN)
    if token["revoked_at"] is not None:
        raise tk.ValidationError({"id": [ALREADY]})
    grant = access_grants.load_grant(token["grant_id"]) or {}
    acting = (
        token["organization_id"]
        if token["organization_id"] in person.orgs
        else grant.get("provider_org_id")
        if grant.get("provider_org_id") in person.officer_of
        else authority_org_id()
        if person.authority
        else None
    )
    return token_dict(revoke(token, person, acting))


def still_member(user_id: str, organization_id: str) -> bool:
    """The user is active and still belongs to the department the token was issued for."""
    user = model.User.get(user_id)
    return bool(
        user is not None
        and user.state == "active"
        and organization_id in membership.organizations_of(user_id)
    )


# ---------------------------------------------------------------------------- grants


def live_grants(org_ids: Iterable[str], package_id: str, resource_id: str) -> list[dict[str, Any]]:
    """Live grants held by ``org_ids`` that cover the resource, those with downloads left
    first, then the one ending last."""
    orgs = sorted(set(org_ids))
    if not orgs:
        return []
    on = clock.today()
    c = grant_table.c
    rows = model.Session.execute(
        sa.select(grant_table).where(
            c.organization_id.in_(orgs),
            c.package_id == package_id,
            access_grants.live_condition(on),
        )
    ).all()
    grants = [dict(r._mapping) for r in rows]
    grants = [g for g in grants if tokens.covers(g.get("resource_ids"), resource_id)]
    grants.sort(
        key=lambda g: (
            not tokens.left(g.get("max_downloads"), g["downloads_used"]),
            -g["period_end"].toordinal(),
            g["id"],
        )
    )
    return grants


# ---------------------------------------------------------------------------- resources


def resource(resource_id: str) -> dict[str, Any] | None:
    """The resource with what a download needs, if it and its entry are active."""
    res = model.Resource.get(resource_id)
    if res is None or res.state != "active":
        return None
    pkg = model.Package.get(res.package_id)
    if pkg is None or pkg.state != "active":
        return None
    extras = pkg.extras or {}
    return {
        "id": res.id,
        "package_id": pkg.id,
        "package_name": pkg.name,
        "provider_org_id": pkg.owner_org,
        "resource_code": extras.get("resource_code") or pkg.name,
        "url": res.url or "",
        "url_type": res.url_type,
        "name": res.name,
        "format": res.format,
        "mimetype": res.mimetype,
        "size": res.size,
        "last_modified": res.last_modified,
    }


def package_resources(package_id: str) -> tuple[str | None, list[str]]:
    """(the entry's id, its active resources in order), or (None, []) when there is none."""
    pkg = model.Package.get(package_id)
    if pkg is None or pkg.state != "active":
        return None, []
    rows = (
        model.Session.query(model.Resource.id)
        .filter(model.Resource.package_id == pkg.id, model.Resource.state == "active")
        .order_by(model.Resource.position)
    )
    return pkg.id, [r.id for r in rows]


# ---------------------------------------------------------------------------- counting


def count(token: Mapping[str, Any] | None, grant: Mapping[str, Any]) -> str | None:
    """Use one download of ``token`` (if any) and of ``grant``, or say why not.

    Each limit is one conditional UPDATE: PostgreSQL re-reads a row another transaction just
    changed before applying the condition, so of N concurrent downloads against a limit of
    one exactly one passes. The token's row is locked before the grant's, always. On a refusal
    the caller rolls back (the token's use may already be taken in this transaction).
    """
    at, on = clock.now(), clock.today()
    if token is not None:
        t = token_table.c
        used = model.Session.execute(
            sa.update(token_table)
            .where(
                t.id == token["id"],
                t.revoked_at.is_(None),
                t.expires_at > at,
                sa.or_(t.max_uses.is_(None), t.uses < t.max_uses),
            )
            .values(uses=t.uses + 1, last_used_at=at)
            .returning(t.id)
        ).first()
        if used is None:
            fresh = load(token["id"]) or token
            if fresh.get("revoked_at") is not None:
                return tokens.REVOKED
            if fresh["expires_at"] <= at:
                return tokens.EXPIRED
            return tokens.EXHAUSTED
    g = grant_table.c
    used = model.Session.execute(
        sa.update(grant_table)
        .where(
            g.id == grant["id"],
            access_grants.live_condition(on),
            sa.or_(g.max_downloads.is_(None), g.downloads_used < g.max_downloads),
        )
        .values(downloads_used=g.downloads_used + 1)
        .returning(g.id)
    ).first()
    if used is None:
        fresh = access_grants.load_grant(grant["id"]) or grant
        if grant_live(fresh, on):
            return tokens.EXHAUSTED
        return not_live_reason(fresh, tokens.GRANT_ENDED)
    return None


def record(
    *,
    user: Any,
    grant: Mapping[str, Any],
    res: Mapping[str, Any],
    token: Mapping[str, Any] | None,
    route: str,
    size: int | None,
    address: str | None,
    detail: Mapping[str, Any] | None = None,
    status: int = 200,
    fields: list[str] | None = None,
    milliseconds: int | None = None,
) -> None:
    """The download's row, its audit event (who, department, grant, purpose, resource,
    bytes, address) and its call-log row (``fields``: a cut file's columns; None for an
    original file), in the counting transaction."""
    at = clock.now()
    if token is not None and token.get("kind") == KIND_OPEN:
        route = ROUTE_OPEN
    model.Session.execute(
        sa.insert(download_table).values(
            time=at,
            token_id=token["id"] if token else None,
            user_id=user.id,
            organization_id=grant["organization_id"],
            grant_id=grant["id"],
            package_id=res["package_id"],
            resource_id=res["id"],
            purpose=grant["purpose"],
            bytes=size,
            client_address=address,
            route=route,
        )
    )
    store.record(
        "govshare_download",
        actor_id=user.id,
        actor_name=user.name,
        actor_department=grant["organization_id"],
        object_type="resource",
        object_id=res["id"],
        object_department=res["provider_org_id"],
        detail={
            "grant_id": grant["id"],
            "purpose": grant["purpose"],
            "package_id": res["package_id"],
            "token_id": token["id"] if token else None,
            "bytes": size,
            "route": route,
            **(detail or {}),
        },
        client_address=address,
    )
    calls.record(
        method=METHOD_DOWNLOAD,
        resource_id=res["id"],
        outcome=calls.ANSWERED,
        status_code=status,
        user_id=user.id,
        organization_id=grant["organization_id"],
        grant_id=grant["id"],
        token_id=token["id"] if token else None,
        purpose=grant["purpose"],
        package_id=res["package_id"],
        fields=fields,
        milliseconds=milliseconds,
        client_address=address,
        time=at,
    )
    # 2025 art. 22: the first download (a file, or a bulk ZIP's) delivers the grant's data.
    access_delivery.mark_delivered(grant["id"], method="file_download", user_id=user.id)


def refuse(
    reason: str,
    *,
    resource_id: str | None,
    user: Any = None,
    token: Mapping[str, Any] | None = None,
    grant: Mapping[str, Any] | None = None,
    res: Mapping[str, Any] | None = None,
    route: str,
    address: str | None,
    detail: Mapping[str, Any] | None = None,
    commit: bool = True,
    status: int = 403,
) -> None:
    """A refused download, audited (outcome ``refused``) and in the call log (``status``:
    the refusal's), in a transaction of its own (``commit``) or the caller's."""
    if commit:
        model.Session.rollback()
    store.record(
        "govshare_download",
        actor_id=user.id if user is not None else None,
        actor_name=user.name if user is not None else None,
        actor_department=(token or {}).get("organization_id")
        or (grant or {}).get("organization_id"),
        object_type="resource",
        object_id=resource_id,
        object_department=(res or {}).get("provider_org_id")
        or (grant or {}).get("provider_org_id"),
        outcome="refused",
        detail={
            "reason": reason,
            "route": route,
            "token_id": (token or {}).get("id"),
            "token_owner": (token or {}).get("user_id"),
            "grant_id": (grant or {}).get("id"),
            **(detail or {}),
        },
        client_address=address,
    )
    calls.record(
        method=METHOD_DOWNLOAD,
        resource_id=resource_id or "",
        outcome=calls.REFUSED,
        status_code=status,
        reason=reason,
        user_id=user.id if user is not None else None,
        organization_id=(token or {}).get("organization_id")
        or (grant or {}).get("organization_id"),
        grant_id=(grant or {}).get("id") or (token or {}).get("grant_id"),
        token_id=(token or {}).get("id"),
        purpose=(grant or {}).get("purpose") or (token or {}).get("purpose"),
        package_id=(res or {}).get("package_id") or (grant or {}).get("package_id"),
        client_address=address,
    )
    if commit:
        model.Session.commit()

"""Download tokens (issue 6, art. 14): issued from a grant to one user for its purpose,
shown once, stored as a hash, limited in time and uses, revocable."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ...access import grants as access_grants
from ...access.rules import grant_live
from ...core import clock, config, paging
from ...core.membership import Person, authority_org_id
from ...core.messages import message
from ...core.transaction import atomic
from ...downloads import service, tokens
from ...downloads.model import token_table
from .. import loading
from ..guard import lookup_key
from ..schema import tokens as schema
from ..schema.fields import validate

__all__ = ["govshare_token_create", "govshare_token_list", "govshare_token_revoke"]

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


def _download_url(resource_id: str) -> str:
    return tk.url_for("govshare_downloads.download", resource_id=resource_id, _external=True)


@atomic
def govshare_token_create(context: Any, data_dict: Any) -> dict[str, Any]:
    """Take a download token from a grant of your department (art. 14).

    The secret is in the answer once (``token``); only its sha256 is kept. Use it as
    ``Authorization: Bearer <token>`` on ``/govshare/download/<resource_id>`` and
    ``/govshare/bulk``, never in a URL (``?token=`` is refused: URLs end up in logs, issue 14).
    It is yours: with another user's session it is refused.

    :param grant_id: a live grant held by one of your departments
    :param resource_ids: resources the token covers, within the grant (default: all the
        grant allows)
    :param expires_in: seconds it lives (default ``ckanext.govshare.download.token_seconds``,
        3600); never past the end of the grant's last day
    :param max_uses: downloads it allows (default: no limit of its own; the grant's
        ``max_downloads`` still applies)
    :returns: ``id``, ``token`` (the secret, shown this once), ``expires_at``, ``max_uses``,
        ``uses``, ``resource_ids``, ``grant_id``, ``purpose``, ``organization_id``,
        ``download_urls``
    """
    grant_id = lookup_key((data_dict or {}).get("grant_id"))
    grant = access_grants.load_grant(grant_id)
    loading.check(
        "govshare_token_create",
        context,
        data_dict,
        object_type="grant",
        object_id=grant_id,
        department=grant["provider_org_id"] if grant else None,
    )
    data = validate(data_dict, schema.token_create_schema(), context)
    if grant is None:
        raise tk.ObjectNotFound(NO_GRANT)
    grant = access_grants.load_grant(grant_id, for_update=True) or grant
    if not grant_live(grant, clock.today()):
        raise tk.ValidationError({"grant_id": [NOT_LIVE]})
    _, entry_resources = service.package_resources(grant["package_id"])
    allowed = [r for r in entry_resources if tokens.covers(grant.get("resource_ids"), r)]
    wanted = data.get("resource_ids") or None
    if wanted and any(r not in allowed for r in wanted):
        raise tk.ValidationError({"resource_ids": [OUTSIDE]})
    default = config.download_token_seconds()
    expires_in = min(data.get("expires_in") or default, schema.MAX_SECONDS)
    user = model.User.get(context.get("user"))
    row, secret = service.issue(
        grant,
        user=user,
        expires_in=expires_in,
        max_uses=data.get("max_uses"),
        resource_ids=wanted,
    )
    result = service.token_dict(row)
    result["token"] = secret
    result["download_urls"] = {r: _download_url(r) for r in (wanted or allowed)}
    result["bulk_url"] = tk.url_for("govshare_downloads.bulk_download", _external=True)
    return result


def _token_dicts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [service.token_dict(row) for row in rows]


@tk.side_effect_free
def govshare_token_list(context: Any, data_dict: Any) -> dict[str, Any]:
    """Your own download tokens, newest first; never their secrets.

    :param grant_id: only tokens of this grant (optional)
    :param active: only tokens that still work (not revoked, not expired, uses left)
    :param limit: page size (default 50, at most 1000)
    :param offset: tokens to skip
    :returns: ``{"count", "results", "limit", "offset"}``
    """
    tk.check_access("govshare_token_list", context, data_dict)
    data = validate(data_dict, schema.token_list_schema(), context)
    user = model.User.get(context.get("user"))
    c = token_table.c
    conditions = [c.user_id == (user.id if user else "")]
    if data.get("grant_id"):
        conditions.append(c.grant_id == data["grant_id"])
    if data.get("active"):
        conditions += [
            c.revoked_at.is_(None),
            c.expires_at > clock.now(),
            sa.or_(c.max_uses.is_(None), c.uses < c.max_uses),
        ]
    order = (c.created_at.desc(), c.id)
    return paging.page(token_table, sa.and_(*conditions), order, data, _token_dicts)


@atomic
def govshare_token_revoke(context: Any, data_dict: Any) -> dict[str, Any]:
    """Stop a token at once: its owner, the data officers of the holding or the providing
    department, or the sharing authority.

    :param id: the token's id (from ``govshare_token_create`` or ``govshare_token_list``)
    :returns: the token, revoked
    """
    token_id = lookup_key((data_dict or {}).get("id"))
    token = service.load(token_id)
    loading.check(
        "govshare_token_revoke",
        context,
        data_dict,
        object_type="download_token",
        object_id=token_id,
        department=token["organization_id"] if token else None,
    )
    data = validate(data_dict, schema.token_revoke_schema(), context)
    token = service.load(data["id"], for_update=True)
    if token is None:
        raise tk.ObjectNotFound(NO_TOKEN)
    if token["revoked_at"] is not None:
        raise tk.ValidationError({"id": [ALREADY]})
    person = Person.of(context)
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
    updated = service.revoke(token, person, acting)
    return service.token_dict(updated)

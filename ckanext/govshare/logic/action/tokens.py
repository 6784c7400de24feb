"""Download tokens (issue 6, art. 14): issued from a grant to one user for its purpose,
shown once, stored as a hash, limited in time and uses, revocable.

Each action validates its input (``@validate``), checks access first in its body (a refusal
recorded against the object's department, ``logic/loading.py``) and calls one function of
``downloads/service.py``. Names follow docs/api.md, "Conventions": a token has a ``status``
(``active``, ``expired``, ``revoked``, ``used_up``), the department it serves is
``requesting_org_id``, its times ``created``/``modified``; the old ``active=true`` filter and
the answers' ``organization_id`` and ``created_at`` work for one more release.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...access import grants as access_grants
from ...core.membership import Person
from ...core.transaction import atomic
from ...core.vocabulary import renamed
from ...downloads import rotation, service, tokens
from .. import loading
from ..auth.tokens import LOG_IN
from ..schema import tokens as schema

__all__ = [
    "govshare_token_create",
    "govshare_token_list",
    "govshare_token_revoke",
    "govshare_token_rotate",
]

#: Old answer keys of a token (kept beside the new ones for one release).
_ANSWER_KEYS = service.TOKEN_OLD_KEYS


def _download_url(resource_id: str) -> str:
    return tk.url_for("govshare_downloads.download", resource_id=resource_id, _external=True)


def _site() -> str:
    return str(tk.config.get("ckan.site_url") or "").rstrip("/")


def interface_urls(grant: dict[str, Any] | None, resource_ids: list[str]) -> dict[str, Any]:
    """Where a token of an interface grant is used (issue 16, items 4, 5, 8): the service
    interface's query address of each resource, and its verify address when the grant's
    purpose is data verification (查询核验). Nothing for a grant of another share method."""
    if grant is None or not access_grants.serves_interface(grant):
        return {}
    urls: dict[str, Any] = {
        "query_urls": {r: f"{_site()}/govshare/query/{r}" for r in resource_ids}
    }
    if grant.get("purpose") == "data_verification":
        urls["verify_urls"] = {r: f"{_site()}/govshare/verify/{r}" for r in resource_ids}
    return urls


@renamed(answer_keys=_ANSWER_KEYS)
@validate(schema.token_create_schema)
@atomic
def govshare_token_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Take a download token from a grant of your department (art. 14).

    The secret is in the answer once (``token``); only its sha256 is kept. Use it as
    ``Authorization: Bearer <token>`` on ``/govshare/download/<resource_id>`` and
    ``/govshare/bulk``, never in a URL (``?token=`` is refused: URLs end up in logs, issue 14).
    It is yours: with another user's session it is refused.

    A grant whose share method is ``api`` or ``online_query`` gives an interface token: use
    it on ``/govshare/query/<resource_id>`` (and ``/govshare/verify/<resource_id>`` for data
    verification); by default it lives until the end of the grant's last day (issue 16,
    item 8), and the answer lists those addresses (``query_urls``, ``verify_urls``).

    :param grant_id: a live grant held by one of your departments
    :param resource_ids: resources the token covers, within the grant (default: all the
        grant allows)
    :param expires_in: seconds it lives (default ``ckanext.govshare.download.token_seconds``,
        3600; for an interface grant, until the grant's end, at most 366 days); never past
        the end of the grant's last day
    :param max_uses: downloads it allows (default: no limit of its own; the grant's
        ``max_downloads`` still applies)
    :returns: ``id``, ``token`` (the secret, shown this once), ``status``, ``expires_at``,
        ``max_uses``, ``uses``, ``resource_ids``, ``grant_id``, ``purpose``,
        ``requesting_org_id``, ``created``, ``download_urls``, ``bulk_url``
    """
    grant_id = data_dict["grant_id"]
    grant = access_grants.load_grant(grant_id)
    loading.check(
        "govshare_token_create",
        context,
        data_dict,
        object_type="grant",
        object_id=grant_id,
        department=grant["provider_org_id"] if grant else None,
    )
    user = model.User.get(context.get("user") or "")
    if user is None:  # only a call that skipped the auth check (ignore_auth) has none
        raise tk.NotAuthorized(LOG_IN)
    interface = access_grants.serves_interface(grant)
    if interface and not data_dict.get("expires_in"):
        data_dict["expires_in"] = tokens.MAX_SECONDS  # capped at the grant's last day
    result, secret, covered = service.take(grant_id, user, data_dict)
    result["token"] = secret
    result.update(interface_urls(grant, covered))
    result["download_urls"] = {r: _download_url(r) for r in covered}
    result["bulk_url"] = tk.url_for("govshare_downloads.bulk_download", _external=True)
    return result


@renamed(kept={"active": "status=active"}, answer_keys=_ANSWER_KEYS)
@tk.side_effect_free
@validate(schema.token_list_schema)
def govshare_token_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Your own download tokens, newest first; never their secrets (art. 14: a token is its
    user's own).

    :param grant_id: only tokens of this grant (optional)
    :param status: active | expired | revoked | used_up, or a list (optional)
    :param active: deprecated: ``status=active`` (only tokens that still work)
    :param limit: page size (default 50, at most 1000)
    :param offset: tokens to skip
    :returns: ``{"count", "results", "limit", "offset"}``
    """
    tk.check_access("govshare_token_list", context, data_dict)
    user = model.User.get(context.get("user") or "")
    return service.list_tokens(user.id if user else "", data_dict)


@renamed(answer_keys=_ANSWER_KEYS)
@validate(schema.token_revoke_schema)
@atomic
def govshare_token_revoke(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Stop a token at once (art. 14: access ends with misuse): its owner, the data officers
    of the holding or the providing department, or the sharing authority.

    :param id: the token's id (from ``govshare_token_create`` or ``govshare_token_list``)
    :returns: the token, revoked (``status``: ``revoked``)
    """
    token = service.load(data_dict["id"])
    loading.check(
        "govshare_token_revoke",
        context,
        data_dict,
        object_type="download_token",
        object_id=data_dict["id"],
        department=token["organization_id"] if token else None,
    )
    return service.revoke_checked(data_dict["id"], Person.of(context))


@renamed(answer_keys=_ANSWER_KEYS)
@validate(schema.token_rotate_schema)
@atomic
def govshare_token_rotate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Replace a token's secret (issue 16, item 8): a new token with the same grant,
    resources, expiry and remaining uses; the old one stops at once. Only its owner, while a
    member of the holding department, may (a secret is its user's own, art. 14).

    :param id: the token's id (it must still work)
    :returns: the new token, with ``token`` (the secret, shown this once), ``replaces`` (the
        old token's id) and, for an interface grant, ``query_urls`` (and ``verify_urls``)
    """
    token = service.load(data_dict["id"])
    loading.check(
        "govshare_token_rotate",
        context,
        data_dict,
        object_type="download_token",
        object_id=data_dict["id"],
        department=token["organization_id"] if token else None,
    )
    user = model.User.get(context.get("user") or "")
    if user is None:  # only a call that skipped the auth check (ignore_auth) has none
        raise tk.NotAuthorized(LOG_IN)
    result, secret = rotation.rotate(data_dict["id"], Person.of(context), user)
    result["token"] = secret
    result["replaces"] = data_dict["id"]
    grant = access_grants.load_grant(result["grant_id"]) or {}
    covered = result.get("resource_ids") or [
        r
        for r in service.package_resources(grant.get("package_id") or "")[1]
        if tokens.covers(grant.get("resource_ids"), r)
    ]
    result.update(interface_urls(grant, covered))
    return result

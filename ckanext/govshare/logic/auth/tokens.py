"""Who may issue, list and revoke download tokens (art. 14; workflows.md "Grants and
download tokens")."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ...access import grants as access_grants
from ...core.membership import Person
from ...downloads import service

__all__ = ["govshare_token_create", "govshare_token_list", "govshare_token_revoke"]

_OK: dict[str, Any] = {"success": True}


def _refuse(msg: str) -> dict[str, Any]:
    return {"success": False, "msg": msg}


@tk.auth_sysadmins_check
@tk.auth_disallow_anonymous_access
def govshare_token_create(context: Any, data_dict: Any) -> dict[str, Any]:
    """A member of the grant's holding department, for themselves (sysadmins included: a
    token is a department's user's own)."""
    grant = access_grants.load_grant(str((data_dict or {}).get("grant_id") or ""))
    if grant is None:
        return _OK  # the action answers "not found"
    if grant["organization_id"] in Person.of(context).orgs:
        return _OK
    return _refuse(tk._("Only members of the department that holds the grant may take tokens"))


@tk.auth_disallow_anonymous_access
def govshare_token_list(context: Any, data_dict: Any) -> dict[str, Any]:
    return _OK  # each user lists their own tokens


def may_revoke(person: Person, token: dict[str, Any]) -> bool:
    """The owner, the holding department's officers, the provider's officers, the authority."""
    if person.sysadmin or person.authority or person.id == token["user_id"]:
        return True
    if token["organization_id"] in person.officer_of:
        return True
    grant = access_grants.load_grant(token["grant_id"])
    return bool(grant and grant["provider_org_id"] in person.officer_of)


@tk.auth_disallow_anonymous_access
def govshare_token_revoke(context: Any, data_dict: Any) -> dict[str, Any]:
    token = service.load(str((data_dict or {}).get("id") or ""))
    if token is None or may_revoke(Person.of(context), token):
        return _OK
    return _refuse(
        tk._(
            "Only the token's owner, the data officers of the holding or providing department "
            "or the sharing authority may revoke a token"
        )
    )

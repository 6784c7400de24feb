"""Rotating a token: a new secret for the same grant, resources and expiry (issue 16, item 8).

An interface token lives as long as its grant; a secret that may have leaked is replaced
without asking the provider again: the new token keeps the old one's grant, purpose,
resources, expiry and what is left of its uses, and the old one stops at once. Both changes
and the link between them are audited in the caller's transaction; the new secret is shown
once (2016 Measures art. 14: the data only for the granted purpose; 2025 Regulations art. 25).
"""

from __future__ import annotations

import math
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ..access import grants as access_grants
from ..access.rules import grant_live
from ..audit import store
from ..core import clock
from ..core.membership import Person
from ..core.messages import message
from ..core.serialise import plain
from . import service, tokens
from .model import token_table

__all__ = ["NOT_ACTIVE", "rotate"]

NOT_ACTIVE = message(
    "Only a token that still works can be rotated (this one is revoked, expired or used up): "
    "take a new token from the grant instead",
    "只有仍然有效的令牌才能轮换（该令牌已撤销、已过期或次数已用完），请根据授权重新申请令牌",
)


def rotate(token_id: str, person: Person, user: model.User) -> tuple[dict[str, Any], str]:
    """Replace the token's secret: a new token (its answer, and the secret shown once) with
    the old one's grant, resources, expiry and remaining uses; the old one revoked."""
    old = service.load(token_id, for_update=True)
    if old is None:
        raise tk.ObjectNotFound(service.NO_TOKEN)
    at = clock.now()
    if tokens.status(old, at) != tokens.ACTIVE:
        raise tk.ValidationError({"id": [NOT_ACTIVE]})
    grant = access_grants.load_grant(old["grant_id"], for_update=True)
    if grant is None or not grant_live(grant, clock.today()):
        raise tk.ValidationError({"id": [service.not_live(grant) if grant else service.NOT_LIVE]})
    left = None if old.get("max_uses") is None else max(old["max_uses"] - old["uses"], 1)
    seconds = max(math.ceil((old["expires_at"] - at).total_seconds()), 1)
    row, secret = service.issue(
        grant,
        user=user,
        expires_in=seconds,
        max_uses=left,
        resource_ids=old.get("resource_ids"),
        kind=old.get("kind") or service.KIND_API,
    )
    # The same expiry to the microsecond: issue() measured its own "now".
    model.Session.execute(
        sa.update(token_table)
        .where(token_table.c.id == row["id"])
        .values(expires_at=old["expires_at"])
    )
    row["expires_at"] = old["expires_at"]
    service.revoke(old, person, grant["organization_id"])
    store.record(
        "govshare_token_rotate",
        actor_id=user.id,
        actor_name=user.name,
        actor_department=grant["organization_id"],
        object_type="download_token",
        object_id=row["id"],
        object_department=grant["provider_org_id"],
        detail={
            "grant_id": grant["id"],
            "replaces": old["id"],
            "expires_at": plain(old["expires_at"]),
            "max_uses": left,
        },
    )
    return service.token_dict(row), secret

"""Download tokens without a database: secrets, their hashes, and the rules of use (art. 14).

A token is issued from a grant to one user for the grant's purpose (workflows.md "Grants and
download tokens"). The secret is ``gsd_`` followed by 32 random bytes from ``secrets``
(256 bits, URL-safe base64); only its sha256 is stored. Looking a token up by its hash is an
index search on a digest of 256 random bits, which reveals nothing about the secret; the row
found is then compared again with ``hmac.compare_digest`` (constant time).

Everything here is plain Python (no CKAN, no Flask) so that the rules are unit-tested alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from ..access.rules import (
    SUSPENDED,
    SUSPENDED_TEXTS,
    grant_live,
    grant_suspended,
    not_live_reason,
    suspension_texts,
)

PREFIX = "gsd_"
RANDOM_BYTES = 32  # 256 bits
# Longest secret accepted before hashing (a token is 47 characters; anything longer is junk).
MAX_LENGTH = 128

# Why a token does not allow a download: the 403's ``reason`` and the audit event's.
UNKNOWN = "unknown"
REVOKED = "revoked"
EXPIRED = "expired"
EXHAUSTED = "exhausted"
WRONG_RESOURCE = "wrong_resource"
WRONG_USER = "wrong_user"
GRANT_ENDED = "grant_ended"
REASONS: dict[str, tuple[str, str]] = {
    UNKNOWN: (
        "This download token is not valid: ask for a new one",
        "下载令牌无效，请重新申请令牌",
    ),
    REVOKED: ("This download token was revoked", "该下载令牌已被撤销"),
    EXPIRED: ("This download token has expired: ask for a new one", "该下载令牌已过期，请重新申请"),
    EXHAUSTED: (
        "The download limit of this token or of its grant is used up",
        "该令牌或其授权的下载次数已用完",
    ),
    WRONG_RESOURCE: (
        "This token does not cover this resource",
        "该令牌不包含此资源",
    ),
    WRONG_USER: (
        "This token was issued to another user: tokens may not be passed on (art. 14)",
        "该令牌属于其他用户，不得转交他人使用（第十四条）",
    ),
    GRANT_ENDED: (
        "The grant behind this token has ended, was revoked or has not begun",
        "该令牌所依据的授权已到期、已撤销或尚未生效",
    ),
    # 2025 Regulations art. 27: the token stays as it is and works again once resumed.
    SUSPENDED: SUSPENDED_TEXTS,
}


def texts(reason: str, grant: Mapping[str, Any] | None) -> tuple[str, str]:
    """A refusal's words: a suspended grant's own reason and date to rectify by (art. 27),
    else the reason's text."""
    if reason == SUSPENDED and grant is not None and grant_suspended(grant):
        return suspension_texts(grant)
    return REASONS.get(reason, (reason, reason))


# A token's status (docs/api.md, "Conventions": ``status`` on every object with a lifecycle).
# Revoked and expired are the refusal reasons of the same name; used up is ``exhausted`` there.
ACTIVE = "active"
USED_UP = "used_up"
STATUSES: dict[str, tuple[str, str]] = {
    ACTIVE: ("Active", "有效"),
    EXPIRED: ("Expired", "已过期"),
    REVOKED: ("Revoked", "已撤销"),
    USED_UP: ("Used up", "次数已用完"),
}

# A token lives at most this long whatever is asked (and never past its grant's last day).
MAX_SECONDS = 366 * 24 * 3600


def generate() -> str:
    """A new secret: shown to its owner once, never stored."""
    return PREFIX + secrets.token_urlsafe(RANDOM_BYTES)


def digest(secret: str) -> str:
    """What is stored and looked up: the secret's sha256, hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def well_formed(secret: str | None) -> bool:
    """Looks like a govshare token (a cheap filter before touching the database)."""
    return bool(secret) and secret.startswith(PREFIX) and len(secret) <= MAX_LENGTH  # type: ignore[union-attr]


def matches(secret: str, stored_hash: str) -> bool:
    """The secret hashes to ``stored_hash``, compared in constant time."""
    return hmac.compare_digest(digest(secret).encode("ascii"), str(stored_hash).encode("ascii"))


def from_header(value: str | None) -> str | None:
    """The secret in ``Authorization: Bearer <token>`` (case-insensitive scheme), else None."""
    if not value:
        return None
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    secret = rest.strip()
    return secret if well_formed(secret) else None


def covers(allowed: Sequence[str] | None, resource_id: str) -> bool:
    """``None`` allows every resource (of the grant's entry); a list only those."""
    return allowed is None or resource_id in allowed


def grant_covers(grant: Mapping[str, Any], package_id: str | None, resource_id: str) -> bool:
    return package_id == grant.get("package_id") and covers(grant.get("resource_ids"), resource_id)


def left(limit: int | None, used: int) -> bool:
    return limit is None or used < limit


def status(token: Mapping[str, Any], now: dt.datetime) -> str:
    """The token's own status at ``now``, in the order :func:`check` reports them: a token
    both revoked and expired is revoked. A token whose grant has ended keeps its own status
    (the grant's says so, and a download with it is refused ``grant_ended``: workflows.md,
    "Expired or revoked grants stop every token issued from them")."""
    if token.get("revoked_at") is not None:
        return REVOKED
    if token["expires_at"] <= now:
        return EXPIRED
    if not left(token.get("max_uses"), token.get("uses") or 0):
        return USED_UP
    return ACTIVE


def check(
    token: Mapping[str, Any] | None,
    grant: Mapping[str, Any] | None,
    *,
    user_id: str | None,
    resource_id: str,
    package_id: str | None,
    now: dt.datetime,
    today: dt.date,
) -> str | None:
    """Why ``token`` does not let ``user_id`` download ``resource_id`` now (a reason code),
    or ``None`` when it does.

    ``user_id`` is the user the request is otherwise authenticated as (session or API key),
    ``None`` for a bare token. The order is fixed: a token that is both revoked and expired is
    reported revoked. Limits read here are advisory; the download's counting statement decides
    under concurrency (``store.count``).
    """
    if token is None:
        return UNKNOWN
    if token.get("revoked_at") is not None:
        return REVOKED
    if token["expires_at"] <= now:
        return EXPIRED
    if user_id is not None and user_id != token["user_id"]:
        return WRONG_USER
    if grant is None or not grant_live(grant, today):
        return not_live_reason(grant, GRANT_ENDED)
    if grant.get("purpose") != token.get("purpose"):
        return GRANT_ENDED  # the token is bound to the purpose the grant was given for
    if not grant_covers(grant, package_id, resource_id) or not covers(
        token.get("resource_ids"), resource_id
    ):
        return WRONG_RESOURCE
    if not left(token.get("max_uses"), token.get("uses") or 0):
        return EXHAUSTED
    if not left(grant.get("max_downloads"), grant.get("downloads_used") or 0):
        return EXHAUSTED
    return None


def expiry(now: dt.datetime, expires_in: int, grant_end: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """When a token issued now for ``expires_in`` seconds expires: never after the end of the
    grant's last (local) day."""
    wanted = now + dt.timedelta(seconds=expires_in)
    last = dt.datetime.combine(grant_end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return min(wanted, last.astimezone(dt.timezone.utc))

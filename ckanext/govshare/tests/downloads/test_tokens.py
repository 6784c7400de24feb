"""The token rules alone: secrets, hashes, and every reason a token does not open a file."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest

from ckanext.govshare.downloads import tokens

pytestmark = pytest.mark.unit

NOW = dt.datetime(2026, 11, 25, 4, 0, tzinfo=dt.timezone.utc)
TODAY = dt.date(2026, 11, 25)


def _grant(**extra: Any) -> dict[str, Any]:
    return {
        "id": "g1",
        "package_id": "p1",
        "purpose": "data_verification",
        "status": "active",
        "period_start": dt.date(2026, 11, 1),
        "period_end": dt.date(2026, 12, 31),
        "resource_ids": None,
        "max_downloads": None,
        "downloads_used": 0,
        **extra,
    }


def _token(**extra: Any) -> dict[str, Any]:
    return {
        "id": "t1",
        "user_id": "u1",
        "grant_id": "g1",
        "purpose": "data_verification",
        "resource_ids": None,
        "expires_at": NOW + dt.timedelta(hours=1),
        "max_uses": None,
        "uses": 0,
        "revoked_at": None,
        **extra,
    }


def _check(token: Any = "default", grant: Any = "default", **kw: Any) -> str | None:
    args = {"user_id": None, "resource_id": "r1", "package_id": "p1", "now": NOW, "today": TODAY}
    args.update(kw)
    return tokens.check(
        _token() if token == "default" else token,
        _grant() if grant == "default" else grant,
        **args,
    )


def test_secrets_carry_256_random_bits_and_only_their_hash_is_kept() -> None:
    secret = tokens.generate()
    assert secret.startswith("gsd_")
    raw = base64.urlsafe_b64decode(secret[4:] + "=" * (-len(secret[4:]) % 4))
    assert len(raw) * 8 >= 256
    assert len({tokens.generate() for _ in range(1000)}) == 1000
    digest = tokens.digest(secret)
    assert len(digest) == 64 and secret not in digest
    assert tokens.matches(secret, digest)
    assert not tokens.matches(secret + "x", digest)
    assert not tokens.matches(tokens.generate(), digest)


def test_the_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    called = []
    real = tokens.hmac.compare_digest
    monkeypatch.setattr(tokens.hmac, "compare_digest", lambda a, b: called.append(1) or real(a, b))
    tokens.matches("gsd_x", tokens.digest("gsd_x"))
    assert called


def test_bearer_header() -> None:
    secret = tokens.generate()
    assert tokens.from_header(f"Bearer {secret}") == secret
    assert tokens.from_header(f"bearer   {secret} ") == secret
    assert tokens.from_header(secret) is None  # a CKAN API token travels bare
    assert tokens.from_header("Bearer eyJhbGciOi.x.y") is None
    assert tokens.from_header(None) is None
    assert not tokens.well_formed("gsd_" + "a" * 200)


def test_a_good_token_passes() -> None:
    assert _check() is None
    assert _check(user_id="u1") is None  # the owner's own session too


@pytest.mark.parametrize(
    ("token", "grant", "kw", "reason"),
    [
        (None, "default", {}, tokens.UNKNOWN),
        (_token(revoked_at=NOW), "default", {}, tokens.REVOKED),
        (_token(revoked_at=NOW, expires_at=NOW), "default", {}, tokens.REVOKED),
        (_token(expires_at=NOW), "default", {}, tokens.EXPIRED),
        ("default", "default", {"user_id": "u2"}, tokens.WRONG_USER),
        ("default", _grant(status="revoked"), {}, tokens.GRANT_ENDED),
        ("default", _grant(status="expired"), {}, tokens.GRANT_ENDED),
        ("default", _grant(period_end=dt.date(2026, 11, 24)), {}, tokens.GRANT_ENDED),
        ("default", _grant(period_start=dt.date(2026, 11, 26)), {}, tokens.GRANT_ENDED),
        ("default", _grant(purpose="other"), {}, tokens.GRANT_ENDED),
        ("default", None, {}, tokens.GRANT_ENDED),
        ("default", "default", {"package_id": "p2"}, tokens.WRONG_RESOURCE),
        ("default", "default", {"package_id": None}, tokens.WRONG_RESOURCE),
        ("default", _grant(resource_ids=["r2"]), {}, tokens.WRONG_RESOURCE),
        (_token(resource_ids=["r2"]), "default", {}, tokens.WRONG_RESOURCE),
        (_token(max_uses=2, uses=2), "default", {}, tokens.EXHAUSTED),
        ("default", _grant(max_downloads=5, downloads_used=5), {}, tokens.EXHAUSTED),
    ],
)
def test_every_reason(token: Any, grant: Any, kw: dict[str, Any], reason: str) -> None:
    assert _check(token, grant, **kw) == reason
    assert reason in tokens.REASONS


def test_tokens_never_outlive_the_grants_last_local_day() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    end = dt.date(2026, 11, 25)
    assert tokens.expiry(NOW, 600, end, shanghai) == NOW + dt.timedelta(seconds=600)
    capped = tokens.expiry(NOW, 7 * 86400, end, shanghai)
    # Midnight ending 25 November in Beijing is 16:00 UTC on the 25th.
    assert capped == dt.datetime(2026, 11, 25, 16, 0, tzinfo=dt.timezone.utc)

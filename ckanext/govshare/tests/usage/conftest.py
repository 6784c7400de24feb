"""The access tests' sharing world (``tests/access/conftest.py``), and grants in it."""

from __future__ import annotations

from typing import Any

from ckanext.govshare.tests.access.conftest import World, frozen, world  # noqa: F401


def obtain(
    w: World,
    org: str = "requester_org",
    who: str = "requester",
    purpose: str = "work_reference",
) -> dict[str, Any]:
    """A live self-service grant of the unconditional entry, held by ``org`` (one a purpose)."""
    return w.call(
        who,
        "govshare_access_obtain",
        package_id=w.unconditional["id"],
        requesting_org=getattr(w, org)["name"],
        purpose=purpose,
        purpose_detail="统计分析",
        pledge=True,
    )


def end(w: World, grant: dict[str, Any], reason: str = "期限届满前终止") -> dict[str, Any]:
    """The grant revoked by the sharing authority (no filing needed): it has ended."""
    return w.call("authority", "govshare_grant_revoke", id=grant["id"], reason=reason)

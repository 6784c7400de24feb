"""The sharing authority's review of the demo catalogue (2025 Regulations art. 16, 17), made
through ``govshare_catalogue_review`` by the authority's demo logins.

Every entry the demo loads waits for review under a profile with the ``catalogue_review``
rule. ``approve`` runs before the departments' logins exist: the authority's staff login
approves the entries (each announced; no department has a login to tell yet, so the demo's
inboxes do not fill with hundreds of announcements), except the first few of the review queue's
department (``QUEUE_ORG``). ``hold`` runs once the logins exist: the authority's data officer
returns the first of those with reasons (the department's officers are told) and leaves the
rest pending, so /govshare/catalogue/reviews shows a queue after ``make run``.
Nothing happens under a profile without the rule.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from .. import profiles
from ..core import config
from .context import as_user

#: The department whose new entries show the review queue (no other demo part uses it).
QUEUE_ORG = "provincial-drug-administration"
#: How many of its entries stay pending (after the returned one).
LEFT_PENDING = 3
RETURN_REASONS = [
    "数据分级依据不充分，请补充分级说明",
    "个人信息保护影响评估结论过于简略，请补充评估范围和措施",
]
PAGE = 1000


def _login(suffix: str) -> str | None:
    """The authority's demo login (``officer`` or ``staff``), if it exists."""
    name = f"{config.authority_org()}-{suffix}"
    return name if model.User.by_name(name) is not None else None


def _pending(user: str) -> list[dict[str, Any]]:
    """Every pending review the user may see, page by page."""
    found: list[dict[str, Any]] = []
    while True:
        page = tk.get_action("govshare_catalogue_review_list")(
            as_user(user), {"status": "pending", "limit": PAGE, "offset": len(found)}
        )
        found += page["results"]
        if not page["results"] or len(found) >= page["count"]:
            return found


def _held(pending: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The queue department's first pending reviews, by entry name: one to return, a few to
    leave pending."""
    queue = [r for r in pending if r["provider_org"] == QUEUE_ORG]
    return sorted(queue, key=lambda r: r["package_name"] or "")[: 1 + LEFT_PENDING]


def approve() -> int:
    """The authority's staff login approves every pending review but the held ones; returns
    how many (0 when the rule is off or the login is missing)."""
    user = _login("staff")
    if not active() or user is None:
        return 0
    pending = _pending(user)
    held = {r["id"] for r in _held(pending)}
    approved = 0
    for review in pending:
        if review["id"] not in held:
            tk.get_action("govshare_catalogue_review")(
                as_user(user), {"id": review["package_id"], "decision": "approve"}
            )
            approved += 1
    return approved


def hold() -> int:
    """The authority's data officer returns the first held review with reasons, once (none
    returned yet); the others stay pending. Returns how many were returned."""
    user = _login("officer")
    if not active() or user is None:
        return 0
    act = tk.get_action
    if act("govshare_catalogue_review_list")(as_user(user), {"status": "returned", "limit": 1})[
        "count"
    ]:
        return 0
    held = _held(_pending(user))
    if not held:
        return 0
    act("govshare_catalogue_review")(
        as_user(user),
        {"id": held[0]["package_id"], "decision": "return", "reasons": RETURN_REASONS},
    )
    return 1


def active() -> bool:
    """Whether the profile in force has the authority review catalogue entries (art. 16)."""
    return profiles.on("catalogue_review")

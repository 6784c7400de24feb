"""What the entry page shows of the sharing authority's review (2025 Regulations art. 16,
17): the template helper's work, through the actions only.

Everyone who may see the entry sees where it stands (``review_status`` of ``package_show``);
its department and the authority see the reviews with their reasons; the authority gets the
approve/return form while a review waits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

SHOWN = 5


def entry_review(pkg: Mapping[str, Any]) -> dict[str, Any] | None:
    """The panel's content; ``None`` under a profile without the review (no status)."""
    status = pkg.get("review_status")
    if not status:
        return None
    panel: dict[str, Any] = {
        "status": status,
        "due": pkg.get("review_due"),
        "change_pending": bool(pkg.get("review_change_pending")),
        "reviews": [],
        "may_review": False,
    }
    user = tk.current_user
    if not (user and user.is_authenticated):
        return panel
    context: Context = {"user": user.name}
    try:
        checking: Context = {"user": user.name}
        tk.check_access("govshare_catalogue_review", checking, {"id": pkg["id"]})
        panel["may_review"] = status == "pending"
    except tk.NotAuthorized:
        pass
    found = tk.get_action("govshare_catalogue_review_list")(
        context, {"package_id": pkg["id"], "limit": SHOWN}
    )
    panel["reviews"] = found["results"]
    return panel


def review_on() -> bool:
    """Whether the profile in force has the catalogue review (``govshare_rule_profile_show``)."""
    user = tk.current_user
    context: Context = {"user": user.name if user and user.is_authenticated else ""}
    found = tk.get_action("govshare_rule_profile_show")(context, {})
    return bool(found["rules"].get("catalogue_review", {}).get("on"))

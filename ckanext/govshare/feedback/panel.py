"""What the entry page shows of feedback (art. 15): the template helper's work.

Open feedback the visitor may see (``govshare_feedback_list`` decides) and whether they may
report; nothing for anonymous visitors or users of no department.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

SHOWN = 5


def entry_feedback(pkg: Mapping[str, Any]) -> dict[str, Any] | None:
    user = tk.current_user
    if not (user and user.is_authenticated):
        return None
    context: Context = {"user": user.name}
    departments = tk.get_action("organization_list_for_user")(
        context, {"id": user.name, "permission": "read"}
    )
    if not departments and not getattr(user, "sysadmin", False):
        return None
    result = tk.get_action("govshare_feedback_list")(
        context, {"package_id": pkg["id"], "status": "open", "limit": SHOWN}
    )
    return {
        "count": result["count"],
        "items": result["results"],
        "departments": departments,
        "may_report": bool(departments),
    }

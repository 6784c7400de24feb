"""What the entry and resource pages say of where the user stands (issue 19, item 3): the
template helper's work.

Every answer comes from the actions (``govshare_request_list``, ``govshare_grant_list``,
``govshare_grant_show`` for a quota's use today), as the pages' contract asks; nothing here
reads a table. :mod:`.standing` decides. The answer is kept for the rest of the page's request,
so the entry page, its resource list and its download buttons ask once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ..core import clock
from . import standing, workflow

__all__ = ["entry_standing"]

#: Grants and open requests read per entry: far more than a department ever has on one.
LIMIT = 100


def _context() -> Context:
    user = tk.current_user
    return {"user": user.name if user and user.is_authenticated else ""}


def _cache() -> dict[str, Any]:
    from flask import g, has_app_context

    if not has_app_context():
        return {}
    found = getattr(g, "_govshare_entry_standing", None)
    if found is None:
        found = {}
        g._govshare_entry_standing = found
    return found


def entry_standing(pkg: Mapping[str, Any]) -> dict[str, Any] | None:
    """The user's departments' standing on the entry (``None`` for anonymous visitors, the
    provider's own members and users of no other department):

    ``departments``: one per department (``standing.Standing.as_dict`` with the grant's
    ``calls_left`` today when it has a daily quota); ``may_apply``: some department may ask
    for the entry (no open request, no grant held); ``downloadable``: resource id → the live
    grant with downloads left that covers it.
    """
    context = _context()
    user = context.get("user") or ""
    package_id = str(pkg.get("id") or "")
    if not user or not package_id:
        return None
    cache = _cache()
    if package_id in cache:
        return cache[package_id]
    departments = [
        d
        for d in tk.get_action("organization_list_for_user")(
            context, {"id": user, "permission": "read"}
        )
        if d["id"] != pkg.get("owner_org")
    ]
    if not departments:
        cache[package_id] = None
        return None
    base = {"direction": "outgoing", "package_id": package_id, "limit": LIMIT}
    try:
        requests = tk.get_action("govshare_request_list")(
            _context(), {**base, "status": sorted(workflow.OPEN_STATES)}
        )["results"]
        grants = tk.get_action("govshare_grant_list")(_context(), dict(base))["results"]
    except (tk.NotAuthorized, tk.ValidationError, tk.ObjectNotFound):
        cache[package_id] = None
        return None
    found = standing.standing(pkg, departments, requests, grants, clock.today())
    shown = []
    for one in found:
        answer = one.as_dict()
        grant = answer["grant"]
        if grant and one.state == standing.LIVE and grant.get("max_calls_per_day") is not None:
            answer["calls_left"] = standing.calls_left(grant, _calls_today(grant))
        shown.append(answer)
    result = {
        "departments": shown,
        "many": len(shown) > 1,
        "may_apply": any(one.may_apply for one in found),
        "downloadable": standing.downloadable(found, pkg),
    }
    cache[package_id] = result
    return result


def _calls_today(grant: Mapping[str, Any]) -> int | None:
    """Calls counted today under the grant's quota (``govshare_grant_show``'s ``usage``)."""
    try:
        shown = tk.get_action("govshare_grant_show")(_context(), {"id": grant["id"]})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None
    usage = shown.get("usage") or {}
    today = usage.get("today")
    return int(today) if today is not None else None

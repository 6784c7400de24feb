"""``/dashboard/notices``: the user's notices on the dashboard, unread first in view, and
``/dashboard/notices/settings``: the language they are written and emailed in (issue 19).

Every dashboard page (CKAN's ``user/dashboard.html``, extended by ``templates/user/
dashboard.html``) shows a "Notices" tab with the unread count, from the template global
``govshare_unread_notices`` that this blueprint adds.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, g

from ._shared import context as _context
from ._shared import field_errors, pager
from ._shared import login as _login
from ._shared import page_number as page_number_of
from .guard import flag

__all__ = ["notices"]

notices = Blueprint("govshare_notices", __name__, url_prefix="/dashboard/notices")

PAGE_SIZE = 20


def unread_count() -> int:
    """The logged-in user's unread notices (0 for visitors); once per request."""
    if not tk.current_user.is_authenticated:
        return 0
    cached = getattr(g, "govshare_unread_notices", None)
    if cached is None:
        try:
            result = tk.get_action("govshare_notice_list")(_context(), {"unread": True, "limit": 1})
            cached = result["count"]
        except (tk.NotAuthorized, tk.ObjectNotFound):
            cached = 0
        g.govshare_unread_notices = cached
    return cached


@notices.app_context_processor
def _template_globals() -> dict[str, Any]:
    return {"govshare_unread_notices": unread_count}


@notices.route("/")
def index() -> Any:
    if not tk.current_user.is_authenticated:
        return _login()
    args = tk.request.args
    unread_only = flag("unread", args.get("unread"))
    page_number = page_number_of(PAGE_SIZE)  # 400 past the deepest page (issue 14)
    result = tk.get_action("govshare_notice_list")(
        _context(),
        {"unread": unread_only, "limit": PAGE_SIZE, "offset": (page_number - 1) * PAGE_SIZE},
    )
    g.govshare_unread_notices = result["unread"]
    settings = tk.get_action("govshare_user_settings_show")(_context(), {})
    filters = {"unread": "1"} if unread_only else {}
    page = pager(result, page_number, "govshare_notices.index", PAGE_SIZE, **filters)
    return tk.render(
        "govshare/notices/index.html",
        {
            "notices": result["results"],
            "count": result["count"],
            "unread": result["unread"],
            "unread_only": unread_only,
            "page": page,
            "settings": settings,
        },
    )


@notices.route("/read", methods=["POST"])
def mark_read() -> Any:
    if not tk.current_user.is_authenticated:
        return _login()
    form = tk.request.form
    data: dict[str, Any] = {"id": form.getlist("id")} if form.getlist("id") else {}
    if flag("all", form.get("all")):
        data["all"] = True
    try:
        tk.get_action("govshare_notice_mark_read")(_context(), data)
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Notice not found"))
    except tk.ValidationError:
        tk.h.flash_error(tk._("Choose the notices to mark as read."))
    back: dict[str, Any] = {}
    if flag("unread", form.get("unread")):
        back["unread"] = "1"
    if form.get("page", "").isdigit():
        back["page"] = form["page"]
    return tk.redirect_to(tk.h.url_for("govshare_notices.index", **back))


@notices.route("/settings", methods=["GET", "POST"])
def settings() -> Any:
    """The language of the user's notices and emails: theirs, or the site's."""
    if not tk.current_user.is_authenticated:
        return _login()
    errors: dict[str, list[str]] = {}
    if tk.request.method == "POST":
        try:
            tk.get_action("govshare_user_settings_update")(
                _context(), {"locale": tk.request.form.get("locale", "")}
            )
        except tk.ValidationError as error:
            errors = field_errors(error)
        else:
            tk.h.flash_success(tk._("Your settings are saved."))
            return tk.redirect_to(tk.h.url_for("govshare_notices.settings"))
    current = tk.get_action("govshare_user_settings_show")(_context(), {})
    return tk.render("govshare/notices/settings.html", {"settings": current, "errors": errors})

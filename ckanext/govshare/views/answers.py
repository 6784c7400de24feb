"""Answers and deliveries (2025 Regulations art. 21, 22): the pages over their actions.

The request page's 答复期限延期 (extension) panel posts here: the provider's data officer asks
for more working days (申请延期), the sharing authority decides; ``/govshare/extensions`` is
the authority's list of extensions (pending ones first) and the parties' list of theirs. The
grant page's 标记为已提供 (mark delivered) button posts here. Each form comes back to the page
it was posted from, refusals flashed in the page's language. Every page calls the actions;
none reads the model.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, request

from . import _shared as shared

__all__ = ["answers"]

answers = Blueprint("govshare_answers", __name__)

#: The list's tabs (docs/api.md, "Conventions": ``direction``) and status filters.
DIRECTIONS = ("incoming", "outgoing", "all")
STATUSES = ("pending", "approved", "rejected")


def _form(fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: request.form.get(k, "").strip() for k in fields if request.form.get(k, "").strip()}


def _flash_errors(error: tk.ValidationError) -> None:
    for messages in shared.field_errors(error).values():
        for text in messages:
            tk.h.flash_error(tk.h.govshare_message(text))


def _post(action: str, data: dict[str, Any], done: str, back: str) -> Any:
    """Run one step, then back to ``back`` (refusals flashed; 403/404 as the action says)."""
    if not shared.logged_in():
        return tk.abort(403, tk._("Log in first"))
    try:
        tk.get_action(action)(shared.context(), data)
    except tk.ValidationError as error:
        _flash_errors(error)
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return shared.abort_for(error)
    else:
        tk.h.flash_success(done)
    return tk.redirect_to(back)


def _request_page(id: str) -> str:
    return tk.h.url_for("govshare_access.request_read", id=id) + "#extensions"


@answers.route("/govshare/requests/<id>/extend", methods=["POST"])
def extend(id: str) -> Any:
    """The provider's data officer asks the authority for more time (申请延期)."""
    data = {"id": id, **_form(("days", "reason"))}
    return _post(
        "govshare_request_extend",
        data,
        tk._("Extension asked for: the sharing authority decides."),
        _request_page(id),
    )


@answers.route("/govshare/extensions/<extension_id>/decide", methods=["POST"])
def extension_decide(extension_id: str) -> Any:
    """The sharing authority approves or rejects an extension; back to where it was decided
    (the request page or the list)."""
    data = {"id": extension_id, **_form(("decision", "reason"))}
    request_id = request.form.get("request_id", "").strip()
    back = (
        _request_page(request_id)
        if request_id and request.form.get("back") == "request"
        else tk.h.url_for("govshare_answers.extensions")
    )
    done = (
        tk._("Extension approved: the due date moved.")
        if data.get("decision") == "approve"
        else tk._("Extension rejected: the due date stays.")
    )
    return _post("govshare_extension_decide", data, done, back)


@answers.route("/govshare/extensions")
def extensions() -> Any:
    """Extensions the user may see: the authority's to decide (pending first), the
    provider's asked, the requesting department's told."""
    if not shared.logged_in():
        return shared.login()
    direction = request.args.get("direction") or "all"
    if direction not in DIRECTIONS:
        direction = "all"
    status = request.args.get("status") or ""
    query: dict[str, Any] = {"direction": direction}
    if status in STATUSES:
        query["status"] = status
    number = shared.page_number()
    query.update(limit=shared.PAGE_SIZE, offset=(number - 1) * shared.PAGE_SIZE)
    try:
        found = tk.get_action("govshare_extension_list")(shared.context(), query)
    except tk.ValidationError as error:
        _flash_errors(error)
        found = {"count": 0, "results": []}
    except tk.NotAuthorized as error:
        return shared.abort_for(error)
    # Asked per pending extension (a page view records no refusal): the authority decides.
    may_decide = [
        e["id"]
        for e in found["results"]
        if e["status"] == "pending"
        and tk.h.check_access("govshare_extension_decide", {"id": e["id"]})
    ]
    return tk.render(
        "govshare/answers/extensions.html",
        {
            "extensions": found["results"],
            "count": found["count"],
            "direction": direction,
            "directions": DIRECTIONS,
            "status": status,
            "statuses": STATUSES,
            "may_decide": may_decide,
            "page": shared.pager(
                found, number, "govshare_answers.extensions", direction=direction, status=status
            ),
        },
    )


@answers.route("/govshare/grants/<id>/deliver", methods=["POST"])
def grant_deliver(id: str) -> Any:
    """The provider's data officer marks the grant's data delivered (标记为已提供)."""
    data = {"id": id, **_form(("method", "reason"))}
    back = tk.h.url_for("govshare_access.grant_read", id=id) + "#delivery"
    return _post("govshare_grant_deliver", data, tk._("Marked delivered."), back)

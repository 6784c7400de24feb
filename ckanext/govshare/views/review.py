"""Pages of the sharing authority's catalogue review and the catalogue-update extension
(2025 Regulations art. 16, 17).

``/govshare/catalogue/reviews``: the authority's queue (every department's entries; a
department sees its own), pending first by due date, overdue ones marked. The entry page's
review panel (``templates/govshare/review/entry_panel.html``) posts the authority's decision
to ``/govshare/catalogue/reviews/<entry>/decide``; the obligation page posts an extension
request and the authority's decision. Every page calls the actions only.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, request

from ..review import rules as review_rules
from ._shared import (
    PAGE_SIZE,
    abort_for,
    context,
    field_errors,
    logged_in,
    login,
    page_number,
    pager,
)

__all__ = ["review"]

review = Blueprint("govshare_review", __name__)

TABS = (review_rules.PENDING, "overdue", review_rules.APPROVED, review_rules.RETURNED, "all")


def _tab() -> str:
    tab = request.args.get("status", review_rules.PENDING)
    return tab if tab in TABS else review_rules.PENDING


@review.route("/govshare/catalogue/reviews")
def reviews() -> Any:
    """The catalogue reviews the user may see: the authority's queue."""
    if not logged_in():
        return login()
    tab = _tab()
    number = page_number()
    query: dict[str, Any] = {"limit": PAGE_SIZE, "offset": (number - 1) * PAGE_SIZE}
    if tab == "overdue":
        query["overdue"] = True
    elif tab != "all":
        query["status"] = tab
    try:
        result = tk.get_action("govshare_catalogue_review_list")(context(), query)
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return abort_for(error)
    return tk.render(
        "govshare/review/reviews.html",
        {
            "items": result["results"],
            "count": result["count"],
            "status": tab,
            "page": pager(result, number, "govshare_review.reviews", status=tab),
        },
    )


def _back_to_entry(package_id: str) -> Any:
    return tk.redirect_to("dataset.read", id=package_id)


@review.route("/govshare/catalogue/reviews/<package_id>/decide", methods=["POST"])
def decide(package_id: str) -> Any:
    """The authority approves or returns the entry's pending review (art. 16)."""
    if not logged_in():
        return tk.abort(403, tk._("Log in first"))
    data = {
        "id": package_id,
        "decision": request.form.get("decision", ""),
        "reasons": request.form.get("reasons", ""),
    }
    try:
        tk.get_action("govshare_catalogue_review")(context(), data)
    except tk.ValidationError as error:
        for messages in field_errors(error).values():
            for text in messages:
                tk.h.flash_error(tk.h.govshare_message(text))
        return _back_to_entry(package_id)
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return abort_for(error)
    if data["decision"] == review_rules.APPROVE:
        tk.h.flash_success(tk._("The entry is approved and announced to every department."))
    else:
        tk.h.flash_success(tk._("The entry is returned to its provider with your reasons."))
    return _back_to_entry(package_id)


def _obligation_post(id: str, action: str, fields: tuple[str, ...], done: str) -> Any:
    if not logged_in():
        return tk.abort(403, tk._("Log in first"))
    data: dict[str, Any] = {"id": id}
    for key in fields:
        value = request.form.get(key, "").strip()
        if value:
            data[key] = value
    try:
        tk.get_action(action)(context(), data)
    except tk.ValidationError as error:
        for messages in field_errors(error).values():
            for text in messages:
                tk.h.flash_error(tk.h.govshare_message(text))
        return tk.redirect_to("govshare_feedback.obligation_read", id=id)
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return abort_for(error)
    tk.h.flash_success(done)
    return tk.redirect_to("govshare_feedback.obligation_read", id=id)


@review.route("/govshare/obligations/<id>/extend", methods=["POST"])
def obligation_extend(id: str) -> Any:
    """The department's data officer asks for more time (2025 art. 17)."""
    return _obligation_post(
        id,
        "govshare_obligation_extend",
        ("reason",),
        tk._("The extension is asked for: the sharing authority decides."),
    )


@review.route("/govshare/obligations/<id>/extension", methods=["POST"])
def obligation_extension_decide(id: str) -> Any:
    """The sharing authority consents to or refuses the extension (2025 art. 17)."""
    return _obligation_post(
        id,
        "govshare_obligation_extension_decide",
        ("decision", "reason"),
        tk._("The extension is decided."),
    )

"""Usage records, disposal and service filings (2025 Regulations art. 27, 29): the pages over
their actions.

The grant page's 使用记录 (usage records) and 数据处置 (disposal) panels post here and come
back to the grant page; ``/govshare/filings`` lists the service filings the user may see,
``/govshare/filings/<id>`` shows one, ``/govshare/filings/new?package_id=…`` is the provider's
filing form (linked from the entry page). Every page calls the actions; none reads the model.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, request

from . import _shared as shared

__all__ = ["usage"]

usage = Blueprint("govshare_usage", __name__)

FILING_FIELDS = ("package_id", "kind", "description", "consultation", "effective_date")


def _form(fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: request.form.get(k, "").strip() for k in fields if request.form.get(k, "").strip()}


def _flash_errors(error: tk.ValidationError) -> None:
    for messages in shared.field_errors(error).values():
        for text in messages:
            tk.h.flash_error(tk.h.govshare_message(text))


def _grant_step(id: str, action: str, data: dict[str, Any], done: str, anchor: str) -> Any:
    """Post one step from the grant page, then back to it (refusals flashed)."""
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
    return tk.redirect_to(tk.h.url_for("govshare_access.grant_read", id=id) + anchor)


@usage.route("/govshare/grants/<id>/usage-records", methods=["POST"])
def record_create(id: str) -> Any:
    """A usage record of the grant (a member of the holding department)."""
    data = {"grant_id": id, **_form(("kind", "description"))}
    return _grant_step(
        id, "govshare_usage_record_create", data, tk._("Usage recorded."), "#usage-records"
    )


@usage.route("/govshare/grants/<id>/dispose", methods=["POST"])
def grant_dispose(id: str) -> Any:
    """The disposal of an ended grant's data (a data officer of the holding department)."""
    data = {"id": id, **_form(("method", "description"))}
    return _grant_step(
        id, "govshare_grant_dispose", data, tk._("Disposal recorded."), "#grant-disposal"
    )


@usage.route("/govshare/filings")
def filings() -> Any:
    """The service filings the user may see, newest first, with filters."""
    if not shared.logged_in():
        return shared.login()
    number = shared.page_number()
    query = {
        k: request.args.get(k)
        for k in ("package_id", "provider_org", "kind")
        if request.args.get(k)
    }
    try:
        result = tk.get_action("govshare_service_filing_list")(
            shared.context(),
            {**query, "limit": shared.PAGE_SIZE, "offset": (number - 1) * shared.PAGE_SIZE},
        )
    except tk.ValidationError as error:
        return tk.abort(400, "; ".join(m for ms in shared.field_errors(error).values() for m in ms))
    except tk.NotAuthorized as error:
        return shared.abort_for(error)
    return tk.render(
        "govshare/usage/filings.html",
        {
            "items": result["results"],
            "count": result["count"],
            "query": query,
            "page": shared.pager(result, number, "govshare_usage.filings", **query),
        },
    )


@usage.route("/govshare/filings/<id>")
def filing_read(id: str) -> Any:
    if not shared.logged_in():
        return shared.login()
    try:
        filing = tk.get_action("govshare_service_filing_show")(shared.context(), {"id": id})
    except tk.ValidationError as error:
        return tk.abort(400, "; ".join(m for ms in shared.field_errors(error).values() for m in ms))
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return shared.abort_for(error)
    return tk.render("govshare/usage/filing.html", {"filing": filing})


def _render_form(pkg: dict[str, Any], form: dict[str, Any], errors: dict[str, Any]) -> Any:
    grants = tk.get_action("govshare_grant_list")(
        shared.context(), {"package_id": pkg["id"], "direction": "incoming", "limit": 1000}
    )["results"]
    current = [g for g in grants if g["status"] in ("active", "suspended")]
    return tk.render(
        "govshare/usage/filing_form.html",
        {"pkg": pkg, "grants": current, "form": form, "errors": errors},
    )


@usage.route("/govshare/filings/new", methods=["GET", "POST"])
def filing_new() -> Any:
    """The provider's filing of the end or a change of a service on one entry."""
    if not shared.logged_in():
        return shared.login()
    package_id = (request.values.get("package_id") or "").strip()
    if not package_id:
        return tk.abort(404, tk._("Choose the entry whose service you file: package_id"))
    try:
        pkg = tk.get_action("package_show")(shared.context(), {"id": package_id})
        tk.check_access(
            "govshare_service_filing_create", shared.context(), {"package_id": pkg["id"]}
        )
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return shared.abort_for(error)
    except tk.ValidationError:
        return tk.abort(404, tk._("Choose the entry whose service you file: package_id"))
    if request.method == "GET":
        return _render_form(pkg, {"kind": "end", "effective_date": tk.h.govshare_today()}, {})
    form = _form(FILING_FIELDS)
    data = {**form, "package_id": pkg["id"]}
    chosen = [g for g in request.form.getlist("grant_ids") if g.strip()]
    if chosen:
        data["grant_ids"] = chosen
    try:
        filing = tk.get_action("govshare_service_filing_create")(shared.context(), data)
    except tk.ValidationError as error:
        return _render_form(pkg, {**form, "grant_ids": chosen}, shared.field_errors(error))
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return shared.abort_for(error)
    tk.h.flash_success(tk._("Filed with the sharing authority; the holders are told."))
    return tk.redirect_to("govshare_usage.filing_read", id=filing["id"])

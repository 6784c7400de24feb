"""Pages of doubt and error feedback (art. 15) and catalogue-update obligations (art. 8).

The report form (linked from the entry page), the feedback list (the data officers' share of
the inbox, and the department's own reports), a feedback page with the resolve form and its
evidence file, the obligations list with its create form and an obligation page with the
discharge form. Every page calls the actions; none reads the model or a service: the
evidence file's route gets the file from ``govshare_feedback_attachment`` and only streams it.

The forms keep the field names the pages have always posted (``organization``,
``explanation``, ``note``); each form's map below names the action parameter a field fills
(docs/api.md, "Conventions"), and an action's field error comes back under the form's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, request, send_file

from ..core import config
from ..feedback import rules as feedback_rules
from ..logic.auth.downloads import route_context
from ..obligations import rules as obligation_rules
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

__all__ = ["feedback"]

feedback = Blueprint("govshare_feedback", __name__)

#: Form field -> the action parameter it fills, per form.
REPORT_FORM = {"organization": "reporting_org"}
RESOLVE_FORM = {"explanation": "reason"}
OBLIGATION_FORM = {"organization": "provider_org"}
DISCHARGE_FORM = {"note": "reason"}
#: The filter tabs of the lists: a status, or ``overdue``, or ``all``.
FEEDBACK_TABS = (*feedback_rules.STATES, "overdue", "all")
OBLIGATION_TABS = (*obligation_rules.STATES, "overdue", "all")


def _form(*fields: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in fields:
        value = request.form.get(key, "").strip()
        if value:
            data[key] = value
    return data


def _to_action(form: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """The form's fields under the action's parameter names."""
    return {names.get(k, k): v for k, v in form.items()}


def _form_errors(error: tk.ValidationError, names: Mapping[str, str]) -> dict[str, list[str]]:
    """The action's field errors under the form's field names."""
    back = {new: old for old, new in names.items()}
    return {back.get(k, k): v for k, v in field_errors(error).items()}


def _call(action: str, data: dict[str, Any]) -> Any:
    try:
        return tk.get_action(action)(context(), data)
    except (tk.ObjectNotFound, tk.NotAuthorized) as error:
        return abort_for(error)


def _my_departments() -> list[dict[str, Any]]:
    return tk.get_action("organization_list_for_user")(
        context(), {"id": tk.current_user.name, "permission": "read"}
    )


def _tab(tabs: tuple[str, ...]) -> str:
    tab = request.args.get("state", "open")
    return tab if tab in tabs else "open"


def _list_query(tab: str, number: int) -> dict[str, Any]:
    """A list action's filter for a tab and a page."""
    query: dict[str, Any] = {"limit": PAGE_SIZE, "offset": (number - 1) * PAGE_SIZE}
    if tab == "overdue":
        query["overdue"] = True
    elif tab != "all":
        query["status"] = tab
    return query


# ---------------------------------------------------------------------------- feedback


def _entry(package_id: str | None) -> dict[str, Any]:
    if not package_id:
        return tk.abort(400, tk._("Say which entry (package_id)"))
    return _call("package_show", {"id": package_id})


@feedback.route("/govshare/feedback/new", methods=["GET", "POST"])
def feedback_new() -> Any:
    """Report doubtful or wrong data on an entry, a resource or a data item (art. 15)."""
    if not logged_in():
        return login() if request.method == "GET" else tk.abort(403)
    entry = _entry(request.values.get("package_id"))
    departments = _my_departments()
    form: dict[str, Any] = {
        k: request.args[k] for k in ("resource_id", "data_item") if request.args.get(k)
    }
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = _form("kind", "description", "resource_id", "data_item", "organization")
        data = {**_to_action(form, REPORT_FORM), "package_id": entry["id"]}
        upload = request.files.get("attachment")
        if upload is not None and upload.filename:
            data["attachment"] = upload
        try:
            result = tk.get_action("govshare_feedback_create")(context(), data)
        except tk.ValidationError as error:
            errors = _form_errors(error, REPORT_FORM)
        except (tk.NotAuthorized, tk.ObjectNotFound) as error:
            return abort_for(error)
        else:
            tk.h.flash_success(
                tk._(
                    "Thank you: the providing department verifies your feedback by {date}."
                ).format(date=result["due_date"])
            )
            return tk.redirect_to("govshare_feedback.feedback_read", id=result["id"])
    return tk.render(
        "govshare/feedback/new.html",
        {
            "pkg": entry,
            "departments": departments,
            "form": form,
            "errors": errors,
            "kinds": feedback_rules.KINDS,
        },
    )


@feedback.route("/govshare/feedback")
def feedback_index() -> Any:
    """Feedback to answer (the data officers' part of the inbox) or reported by the user's
    departments, filtered by status."""
    if not logged_in():
        return login()
    tab = _tab(FEEDBACK_TABS)
    number = page_number()
    query = _list_query(tab, number)
    if request.args.get("package_id"):
        query["package_id"] = request.args["package_id"]
    result = _call("govshare_feedback_list", query)
    return tk.render(
        "govshare/feedback/index.html",
        {
            "items": result["results"],
            "count": result["count"],
            "state": tab,
            "page": pager(result, number, "govshare_feedback.feedback_index", state=tab),
        },
    )


def _render_feedback(id: str, form: dict[str, Any] | None = None, errors: Any = None) -> Any:
    item = _call("govshare_feedback_show", {"id": id})
    return tk.render(
        "govshare/feedback/read.html",
        {
            "item": item,
            "form": form or {},
            "errors": errors or {},
            "resolutions": feedback_rules.RESOLUTIONS,
        },
    )


@feedback.route("/govshare/feedback/<id>")
def feedback_read(id: str) -> Any:
    if not logged_in():
        return login()
    return _render_feedback(id)


@feedback.route("/govshare/feedback/<id>/resolve", methods=["POST"])
def feedback_resolve(id: str) -> Any:
    if not logged_in():
        return tk.abort(403, tk._("Log in first"))
    form = _form("resolution", "explanation")
    try:
        tk.get_action("govshare_feedback_resolve")(
            context(), {**_to_action(form, RESOLVE_FORM), "id": id}
        )
    except tk.ValidationError as error:
        return _render_feedback(id, form, _form_errors(error, RESOLVE_FORM))
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return abort_for(error)
    tk.h.flash_success(tk._("Your answer was sent to the reporting department."))
    return tk.redirect_to("govshare_feedback.feedback_read", id=id)


@feedback.route("/govshare/feedback/<id>/attachment")
def feedback_attachment(id: str) -> Any:
    """The evidence file, to those who may see the feedback: the action checks and records,
    this route streams what it hands over."""
    if not logged_in():
        return login()
    try:
        stored = tk.get_action("govshare_feedback_attachment")(
            route_context(tk.current_user.name, "govshare_feedback.feedback_attachment"),
            {"id": id},
        )
    except (tk.ObjectNotFound, tk.NotAuthorized) as error:
        return abort_for(error)
    return send_file(
        stored["path"],
        mimetype=stored["type"],
        as_attachment=True,
        download_name=stored["name"],
    )


# ---------------------------------------------------------------------------- obligations


def _may_create_for(departments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Departments the user may record an obligation for: all (the sharing authority,
    sysadmins) or those they are a data officer of."""
    authority = config.authority_org()
    if getattr(tk.current_user, "sysadmin", False) or any(
        d["name"] == authority for d in departments
    ):
        return tk.get_action("organization_list")(context(), {"all_fields": True, "limit": 1000})
    return tk.get_action("organization_list_for_user")(
        context(), {"id": tk.current_user.name, "permission": "create_dataset"}
    )


def _render_obligations(form: dict[str, Any] | None = None, errors: Any = None) -> Any:
    tab = _tab(OBLIGATION_TABS)
    number = page_number()
    query = _list_query(tab, number)
    organization = request.args.get("organization", "").strip()
    if organization:
        query["provider_org"] = organization
    result = _call("govshare_obligation_list", query)
    args = {"state": tab, **({"organization": organization} if organization else {})}
    return tk.render(
        "govshare/feedback/obligations.html",
        {
            "items": result["results"],
            "count": result["count"],
            "state": tab,
            "organization": organization,
            "page": pager(result, number, "govshare_feedback.obligation_index", **args),
            "creatable": _may_create_for(_my_departments()),
            "kinds": obligation_rules.KINDS,
            "form": form or {"organization": organization},
            "errors": errors or {},
        },
    )


@feedback.route("/govshare/obligations", methods=["GET", "POST"])
def obligation_index() -> Any:
    """The catalogue-update obligations of the user's departments, and the form to record one."""
    if not logged_in():
        return login() if request.method == "GET" else tk.abort(403)
    if request.method == "POST":
        form = _form("organization", "kind", "description", "effective_date")
        try:
            result = tk.get_action("govshare_obligation_create")(
                context(), _to_action(form, OBLIGATION_FORM)
            )
        except tk.ValidationError as error:
            return _render_obligations(form, _form_errors(error, OBLIGATION_FORM))
        except (tk.NotAuthorized, tk.ObjectNotFound) as error:
            return abort_for(error)
        tk.h.flash_success(
            tk._("Obligation recorded: the catalogue is to be updated by {date}.").format(
                date=result["due_date"]
            )
        )
        return tk.redirect_to("govshare_feedback.obligation_read", id=result["id"])
    return _render_obligations()


def _render_obligation(id: str, form: dict[str, Any] | None = None, errors: Any = None) -> Any:
    item = _call("govshare_obligation_show", {"id": id})
    catalogue: list[dict[str, Any]] = []
    if item.get("may_discharge"):
        found = tk.get_action("package_search")(
            context(),
            {
                "fq": f'owner_org:"{item["provider_org_id"]}"',
                "rows": 1000,
                "sort": "title_string asc",
                "include_private": True,
            },
        )
        catalogue = found["results"]
    return tk.render(
        "govshare/feedback/obligation.html",
        {"item": item, "catalogue": catalogue, "form": form or {}, "errors": errors or {}},
    )


@feedback.route("/govshare/obligations/<id>")
def obligation_read(id: str) -> Any:
    if not logged_in():
        return login()
    return _render_obligation(id)


@feedback.route("/govshare/obligations/<id>/discharge", methods=["POST"])
def obligation_discharge(id: str) -> Any:
    if not logged_in():
        return tk.abort(403, tk._("Log in first"))
    form = {
        "entries": [v for v in request.form.getlist("entries") if v.strip()],
        **_form("note"),
    }
    try:
        tk.get_action("govshare_obligation_discharge")(
            context(), {**_to_action(form, DISCHARGE_FORM), "id": id}
        )
    except tk.ValidationError as error:
        return _render_obligation(id, form, _form_errors(error, DISCHARGE_FORM))
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return abort_for(error)
    tk.h.flash_success(tk._("The catalogue update is recorded."))
    return tk.redirect_to("govshare_feedback.obligation_read", id=id)

"""Pages of doubt and error feedback (art. 15) and catalogue-update obligations (art. 8).

The report form (linked from the entry page), the feedback list (the data officers' share of
the inbox, and the department's own reports), a feedback page with the resolve form, the
obligations list with its create form and an obligation page with the discharge form. Every
page calls the actions; none reads the model.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, request, send_file

from ..access import attachments
from ..core import config
from ..feedback import rules as feedback_rules
from ..obligations import rules as obligation_rules
from ._shared import PAGE_SIZE
from ._shared import abort_for as _abort
from ._shared import context as _context
from ._shared import field_errors as _errors
from ._shared import logged_in as _logged_in
from ._shared import login as _login
from ._shared import page_number as _page_number
from ._shared import pager as _page

__all__ = ["feedback"]

feedback = Blueprint("govshare_feedback", __name__)


def _form(*fields: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in fields:
        value = request.form.get(key, "").strip()
        if value:
            data[key] = value
    return data


def _call(action: str, data: dict[str, Any]) -> Any:
    try:
        return tk.get_action(action)(_context(), data)
    except (tk.ObjectNotFound, tk.NotAuthorized) as error:
        return _abort(error)


def _my_departments() -> list[dict[str, Any]]:
    return tk.get_action("organization_list_for_user")(
        _context(), {"id": tk.current_user.name, "permission": "read"}
    )


# ---------------------------------------------------------------------------- feedback


def _entry(package_id: str | None) -> dict[str, Any]:
    if not package_id:
        return tk.abort(400, tk._("Say which entry (package_id)"))
    return _call("package_show", {"id": package_id})


@feedback.route("/govshare/feedback/new", methods=["GET", "POST"])
def feedback_new() -> Any:
    """Report doubtful or wrong data on an entry, a resource or a data item (art. 15)."""
    if not _logged_in():
        return _login() if request.method == "GET" else tk.abort(403)
    entry = _entry(request.values.get("package_id"))
    departments = _my_departments()
    form: dict[str, Any] = {
        k: request.args[k] for k in ("resource_id", "data_item") if request.args.get(k)
    }
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = _form("kind", "description", "resource_id", "data_item", "organization")
        data = {**form, "package_id": entry["id"]}
        upload = request.files.get("attachment")
        if attachments.is_upload(upload):
            data["attachment"] = upload
        try:
            result = tk.get_action("govshare_feedback_create")(_context(), data)
        except tk.ValidationError as error:
            errors = _errors(error)
        except (tk.NotAuthorized, tk.ObjectNotFound) as error:
            return _abort(error)
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
    departments, filtered by state."""
    if not _logged_in():
        return _login()
    state = request.args.get("state", "open")
    if state not in (*feedback_rules.STATES, "overdue", "all"):
        state = "open"
    number = _page_number()
    query: dict[str, Any] = {"limit": PAGE_SIZE, "offset": (number - 1) * PAGE_SIZE}
    if state == "overdue":
        query["overdue"] = True
    elif state != "all":
        query["state"] = state
    if request.args.get("package_id"):
        query["package_id"] = request.args["package_id"]
    result = _call("govshare_feedback_list", query)
    args = {"state": state}
    return tk.render(
        "govshare/feedback/index.html",
        {
            "items": result["results"],
            "count": result["count"],
            "state": state,
            "page": _page(result, number, "govshare_feedback.feedback_index", **args),
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
    if not _logged_in():
        return _login()
    return _render_feedback(id)


@feedback.route("/govshare/feedback/<id>/resolve", methods=["POST"])
def feedback_resolve(id: str) -> Any:
    if not _logged_in():
        return tk.abort(403, tk._("Log in first"))
    form = _form("resolution", "explanation")
    try:
        tk.get_action("govshare_feedback_resolve")(_context(), {**form, "id": id})
    except tk.ValidationError as error:
        return _render_feedback(id, form, _errors(error))
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return _abort(error)
    tk.h.flash_success(tk._("Your answer was sent to the reporting department."))
    return tk.redirect_to("govshare_feedback.feedback_read", id=id)


@feedback.route("/govshare/feedback/<id>/attachment")
def feedback_attachment(id: str) -> Any:
    """The evidence file, to those who may see the feedback."""
    if not _logged_in():
        return _login()
    item = _call("govshare_feedback_show", {"id": id})
    name = item.get("attachment_name")
    path = attachments.path_of(f"feedback/{item['id']}", {"name": name}) if name else None
    if not path:
        return tk.abort(404, tk._("This feedback has no attachment"))
    return send_file(path, as_attachment=True, download_name=name)


# ---------------------------------------------------------------------------- obligations


def _may_create_for(departments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Departments the user may record an obligation for: all (the sharing authority,
    sysadmins) or those they are a data officer of."""
    authority = config.authority_org()
    if getattr(tk.current_user, "sysadmin", False) or any(
        d["name"] == authority for d in departments
    ):
        return tk.get_action("organization_list")(_context(), {"all_fields": True, "limit": 1000})
    return tk.get_action("organization_list_for_user")(
        _context(), {"id": tk.current_user.name, "permission": "create_dataset"}
    )


def _render_obligations(form: dict[str, Any] | None = None, errors: Any = None) -> Any:
    state = request.args.get("state", "open")
    if state not in (*obligation_rules.STATES, "overdue", "all"):
        state = "open"
    number = _page_number()
    query: dict[str, Any] = {"limit": PAGE_SIZE, "offset": (number - 1) * PAGE_SIZE}
    if state == "overdue":
        query["overdue"] = True
    elif state != "all":
        query["state"] = state
    organization = request.args.get("organization", "").strip()
    if organization:
        query["organization"] = organization
    result = _call("govshare_obligation_list", query)
    args = {"state": state, **({"organization": organization} if organization else {})}
    return tk.render(
        "govshare/feedback/obligations.html",
        {
            "items": result["results"],
            "count": result["count"],
            "state": state,
            "organization": organization,
            "page": _page(result, number, "govshare_feedback.obligation_index", **args),
            "creatable": _may_create_for(_my_departments()),
            "kinds": obligation_rules.KINDS,
            "form": form or {"organization": organization},
            "errors": errors or {},
        },
    )


@feedback.route("/govshare/obligations", methods=["GET", "POST"])
def obligation_index() -> Any:
    """The catalogue-update obligations of the user's departments, and the form to record one."""
    if not _logged_in():
        return _login() if request.method == "GET" else tk.abort(403)
    if request.method == "POST":
        form = _form("organization", "kind", "description", "effective_date")
        try:
            result = tk.get_action("govshare_obligation_create")(_context(), form)
        except tk.ValidationError as error:
            return _render_obligations(form, _errors(error))
        except (tk.NotAuthorized, tk.ObjectNotFound) as error:
            return _abort(error)
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
            _context(),
            {
                "fq": f'owner_org:"{item["organization_id"]}"',
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
    if not _logged_in():
        return _login()
    return _render_obligation(id)


@feedback.route("/govshare/obligations/<id>/discharge", methods=["POST"])
def obligation_discharge(id: str) -> Any:
    if not _logged_in():
        return tk.abort(403, tk._("Log in first"))
    form = {
        "entries": [v for v in request.form.getlist("entries") if v.strip()],
        **_form("note"),
    }
    try:
        tk.get_action("govshare_obligation_discharge")(_context(), {**form, "id": id})
    except tk.ValidationError as error:
        return _render_obligation(id, form, _errors(error))
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return _abort(error)
    tk.h.flash_success(tk._("The catalogue update is recorded."))
    return tk.redirect_to("govshare_feedback.obligation_read", id=id)

"""Pages of a department's exchange targets (前置机, 2016 Measures art. 12; issue 17, item 1):
the list of the targets of the user's departments with the outcome of each one's last test,
and the form to register, change or delete one.

The password of a connection string is never shown back: the form's connection-string field
is a password field, never filled in, and left empty keeps the stored one. Every page calls
the actions (``govshare_exchange_target_*``); none reads the model or a service.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, request

from ._shared import abort_for, context, field_errors, logged_in, login, page_number, pager

__all__ = ["exchange_targets"]

exchange_targets = Blueprint("govshare_exchange_targets", __name__)

KINDS = ("postgresql", "directory")
FIELDS = ("organization", "name", "kind", "dsn", "path", "description")


def _form() -> dict[str, Any]:
    form: dict[str, Any] = {}
    for key in FIELDS:
        value = request.form.get(key, "")
        value = value if key == "dsn" else value.strip()
        if value:
            form[key] = value
    return form


def _call(action: str, data: dict[str, Any]) -> Any:
    """The action's answer; its refusal as an error page (a path id or a filter it cannot
    take, such as a blank id: 400 with what is wrong)."""
    try:
        return tk.get_action(action)(context(), data)
    except tk.ValidationError as error:
        problems = field_errors(error)
        return tk.abort(400, "\n".join(f"{k}: {' '.join(v)}" for k, v in sorted(problems.items())))
    except (tk.ObjectNotFound, tk.NotAuthorized) as error:
        return abort_for(error)


def _departments() -> list[dict[str, Any]]:
    """The departments the user may register a target for (data officers: create_dataset)."""
    return tk.get_action("organization_list_for_user")(
        context(), {"id": tk.current_user.name, "permission": "create_dataset"}
    )


@exchange_targets.route("/govshare/exchange/targets")
def index() -> Any:
    """The exchange targets of the user's departments and their last test."""
    if not logged_in():
        return login()
    number = page_number()
    query: dict[str, Any] = {"limit": 25, "offset": (number - 1) * 25}
    organization = request.args.get("organization", "").strip()
    if organization:
        query["organization"] = organization
    result = _call("govshare_exchange_target_list", query)
    args = {"organization": organization} if organization else {}
    return tk.render(
        "govshare/exchange/targets_index.html",
        {
            "items": result["results"],
            "count": result["count"],
            "organization": organization,
            "page": pager(result, number, "govshare_exchange_targets.index", 25, **args),
        },
    )


def _render_form(target: dict[str, Any] | None, form: dict[str, Any], errors: Any) -> Any:
    form = {k: v for k, v in form.items() if k != "dsn"}  # never sent back to the browser
    return tk.render(
        "govshare/exchange/targets_form.html",
        {
            "target": target,
            "departments": _departments() if target is None else [],
            "kinds": KINDS,
            "form": form,
            "errors": errors or {},
        },
    )


@exchange_targets.route("/govshare/exchange/targets/new", methods=["GET", "POST"])
def new() -> Any:
    """Register a target; saving tests it."""
    if not logged_in():
        return login() if request.method == "GET" else tk.abort(403)
    form: dict[str, Any] = {"kind": request.args.get("kind", "postgresql")}
    if request.args.get("organization"):
        form["organization"] = request.args["organization"]
    if request.method == "POST":
        form = _form()
        try:
            tk.get_action("govshare_exchange_target_create")(context(), dict(form))
        except tk.ValidationError as error:
            return _render_form(None, form, field_errors(error))
        except (tk.NotAuthorized, tk.ObjectNotFound) as error:
            return abort_for(error)
        tk.h.flash_success(tk._("Exchange target saved: the test passed."))
        return tk.redirect_to("govshare_exchange_targets.index")
    departments = _departments()
    if not departments and not getattr(tk.current_user, "sysadmin", False):
        return tk.abort(
            403, tk._("Only a department's data officers may register its exchange targets")
        )
    return _render_form(None, form, {})


@exchange_targets.route("/govshare/exchange/targets/<id>/edit", methods=["GET", "POST"])
def edit(id: str) -> Any:
    """Change a target (the connection string left empty keeps the stored one)."""
    if not logged_in():
        return login() if request.method == "GET" else tk.abort(403)
    target = _call("govshare_exchange_target_show", {"id": id})
    if request.method == "POST":
        form = {k: v for k, v in _form().items() if k not in ("organization", "kind")}
        data = {**form, "id": id}
        if "description" not in form:
            data["description"] = ""
        try:
            tk.get_action("govshare_exchange_target_update")(context(), data)
        except tk.ValidationError as error:
            return _render_form(target, form, field_errors(error))
        except (tk.NotAuthorized, tk.ObjectNotFound) as error:
            return abort_for(error)
        tk.h.flash_success(tk._("Exchange target saved: the test passed."))
        return tk.redirect_to("govshare_exchange_targets.index")
    form = {k: target.get(k) or "" for k in ("name", "path", "description")}
    return _render_form(target, form, {})


@exchange_targets.route("/govshare/exchange/targets/<id>/delete", methods=["POST"])
def delete(id: str) -> Any:
    if not logged_in():
        return tk.abort(403, tk._("Log in first"))
    try:
        tk.get_action("govshare_exchange_target_delete")(context(), {"id": id})
    except tk.ValidationError as error:
        target = _call("govshare_exchange_target_show", {"id": id})
        form = {k: target.get(k) or "" for k in ("name", "path", "description")}
        return _render_form(target, form, field_errors(error))
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return abort_for(error)
    tk.h.flash_success(tk._("Exchange target deleted."))
    return tk.redirect_to("govshare_exchange_targets.index")

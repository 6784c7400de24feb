"""Pages of batch exchange subscriptions (批量交换, 2025 Regulations art. 22; issue 17, item 2)
for both departments: the subscriptions of the user's departments as holder (they receive) and
as provider (they give), one subscription with its runs and, for the holder's data officers,
run now, stop, resume, change and delete; and the form subscribing a grant's resource to a
target (also shown on the grant page).

Every page calls the actions (``govshare_subscription_*``, ``govshare_exchange_target_list``);
none reads the model or a service.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, request

from . import _shared as shared

__all__ = ["exchange"]

exchange = Blueprint("govshare_exchange", __name__)

#: The list's tabs (``direction`` of ``govshare_subscription_list``): the department receives
#: (outgoing) or gives as provider (incoming).
DIRECTIONS = ("outgoing", "incoming")
#: The tabs' earlier names, still read in links.
OLD_DIRECTIONS = {"holder": "outgoing", "provider": "incoming"}
MODES = ("full", "incremental")
SCHEDULE_KINDS = ("daily", "hourly")
FORM_FIELDS = ("resource_id", "target_id", "table", "mode")


def _schedule(form: dict[str, Any]) -> dict[str, Any] | None:
    """The schedule of the form's three fields (kind, time of day, every N hours); the action
    says what is wrong with it."""
    kind = form.get("schedule_kind") or "daily"
    if kind == "hourly":
        return {"kind": "hourly", "every": form.get("schedule_every") or ""}
    if kind == "daily":
        return {"kind": "daily", "at": form.get("schedule_at") or ""}
    return {"kind": kind}


def _form() -> dict[str, Any]:
    keys = (*FORM_FIELDS, "schedule_kind", "schedule_at", "schedule_every")
    return {k: request.form.get(k, "").strip() for k in keys if request.form.get(k, "").strip()}


def _form_of(subscription: dict[str, Any]) -> dict[str, Any]:
    """The change form filled in from a subscription."""
    schedule = subscription.get("schedule") or {}
    return {
        "target_id": subscription.get("target_id"),
        "table": subscription.get("table"),
        "mode": subscription.get("mode"),
        "schedule_kind": schedule.get("kind"),
        "schedule_at": schedule.get("at") or "",
        "schedule_every": schedule.get("every") or "",
    }


def _targets(org_id: str) -> list[dict[str, Any]]:
    """The holder department's exchange targets, to choose from."""
    try:
        found = tk.get_action("govshare_exchange_target_list")(
            shared.context(), {"organization": org_id, "limit": 1000}
        )
    except (tk.NotAuthorized, tk.ValidationError, tk.ObjectNotFound):
        return []
    return found["results"]


@exchange.route("/govshare/exchange")
def index() -> Any:
    """The subscriptions of my departments: outgoing (we receive) or incoming (we give, as
    provider)."""
    if not shared.logged_in():
        return shared.login()
    direction = request.args.get("direction", "outgoing")
    direction = OLD_DIRECTIONS.get(direction, direction)
    if direction not in DIRECTIONS:
        direction = "outgoing"
    number = shared.page_number()
    query = {
        "direction": direction,
        "limit": shared.PAGE_SIZE,
        "offset": (number - 1) * shared.PAGE_SIZE,
    }
    try:
        result = tk.get_action("govshare_subscription_list")(shared.context(), query)
    except tk.NotAuthorized as error:
        return shared.abort_for(error)
    return tk.render(
        "govshare/exchange/index.html",
        {
            "items": result["results"],
            "count": result["count"],
            "direction": direction,
            "page": shared.pager(result, number, "govshare_exchange.index", direction=direction),
        },
    )


def _render(id: str, form: dict[str, Any] | None = None, errors: Any = None) -> Any:
    try:
        subscription = tk.get_action("govshare_subscription_show")(shared.context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized) as error:
        return shared.abort_for(error)
    manage = tk.h.check_access("govshare_subscription_update", {"id": id})
    return tk.render(
        "govshare/exchange/subscription.html",
        {
            "sub": subscription,
            "manage": manage,
            "targets": _targets(subscription["requesting_org_id"]) if manage else [],
            "modes": MODES,
            "form": form if form is not None else _form_of(subscription),
            "errors": errors or {},
        },
    )


@exchange.route("/govshare/exchange/subscriptions/<id>")
def read(id: str) -> Any:
    if not shared.logged_in():
        return shared.login()
    return _render(id)


def _post(id: str, action: str, data: dict[str, Any], done: str) -> Any:
    """Call ``action`` for the subscription; back to its page, saying ``done`` or the error."""
    if not shared.logged_in():
        return tk.abort(403, tk._("Log in first"))
    try:
        tk.get_action(action)(shared.context(), {**data, "id": id})
    except tk.ValidationError as error:
        return _render(id, errors=shared.field_errors(error))
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return shared.abort_for(error)
    tk.h.flash_success(done)
    return tk.redirect_to("govshare_exchange.read", id=id)


@exchange.route("/govshare/exchange/subscriptions/<id>/run", methods=["POST"])
def run(id: str) -> Any:
    """Queue a run now (the holder's data officers)."""
    return _post(id, "govshare_subscription_run", {}, tk._("A run is queued."))


@exchange.route("/govshare/exchange/subscriptions/<id>/stop", methods=["POST"])
def stop(id: str) -> Any:
    return _post(
        id,
        "govshare_subscription_update",
        {"status": "stopped"},
        tk._("The subscription is stopped: no further run starts."),
    )


@exchange.route("/govshare/exchange/subscriptions/<id>/resume", methods=["POST"])
def resume(id: str) -> Any:
    done = tk._("The subscription runs again.")
    return _post(id, "govshare_subscription_update", {"status": "active"}, done)


@exchange.route("/govshare/exchange/subscriptions/<id>/edit", methods=["POST"])
def edit(id: str) -> Any:
    """Change the target, table, mode or schedule."""
    if not shared.logged_in():
        return tk.abort(403, tk._("Log in first"))
    form = _form()
    data = {k: form[k] for k in ("target_id", "table", "mode") if k in form}
    data["schedule"] = _schedule(form)
    try:
        tk.get_action("govshare_subscription_update")(shared.context(), {**data, "id": id})
    except tk.ValidationError as error:
        return _render(id, form=form, errors=shared.field_errors(error))
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return shared.abort_for(error)
    tk.h.flash_success(tk._("The subscription is saved."))
    return tk.redirect_to("govshare_exchange.read", id=id)


@exchange.route("/govshare/exchange/subscriptions/<id>/delete", methods=["POST"])
def delete(id: str) -> Any:
    if not shared.logged_in():
        return tk.abort(403, tk._("Log in first"))
    try:
        tk.get_action("govshare_subscription_delete")(shared.context(), {"id": id})
    except tk.ValidationError as error:
        return _render(id, errors=shared.field_errors(error))
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return shared.abort_for(error)
    tk.h.flash_success(tk._("The subscription is deleted; its runs are kept."))
    return tk.redirect_to("govshare_exchange.index")


@exchange.route("/govshare/exchange/subscribe/<grant_id>", methods=["GET", "POST"])
def subscribe(grant_id: str) -> Any:
    """Subscribe one of the grant's resources to a target of the holder (its data officers);
    the grant page shows the same form."""
    if not shared.logged_in():
        return shared.login() if request.method == "GET" else tk.abort(403)
    try:
        grant = tk.get_action("govshare_grant_show")(shared.context(), {"id": grant_id})
    except (tk.ObjectNotFound, tk.NotAuthorized) as error:
        return shared.abort_for(error)
    if not tk.h.check_access("govshare_subscription_create", {"grant_id": grant_id}):
        return tk.abort(403, tk._("Only the holder's data officers may subscribe"))
    form: dict[str, Any] = {"mode": "full", "schedule_kind": "daily", "schedule_at": "02:00"}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = _form()
        data = {
            "grant_id": grant_id,
            **{k: form[k] for k in FORM_FIELDS if k in form},
            "schedule": _schedule(form),
        }
        try:
            created = tk.get_action("govshare_subscription_create")(shared.context(), data)
        except tk.ValidationError as error:
            errors = shared.field_errors(error)
        except (tk.NotAuthorized, tk.ObjectNotFound) as error:
            return shared.abort_for(error)
        else:
            tk.h.flash_success(tk._("Subscribed: the first run is at the time shown."))
            return tk.redirect_to("govshare_exchange.read", id=created["id"])
    try:
        entry = tk.get_action("package_show")(shared.context(), {"id": grant["package_id"]})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        entry = {}
    resources = [
        r
        for r in entry.get("resources") or []
        if not grant.get("resource_ids") or r["id"] in grant["resource_ids"]
    ]
    return tk.render(
        "govshare/exchange/subscribe.html",
        {
            "grant": grant,
            "resources": resources,
            "targets": _targets(grant["requesting_org_id"]),
            "modes": MODES,
            "form": form,
            "errors": errors,
        },
    )

"""Access to shared data (art. 12, issue 5): the pages over the access actions.

Obtain an unconditional entry, apply for a conditional one, open a negotiation on a not-shared
one; the department's outgoing requests, the data officers' inbox, the request page with its
history, thread and decision forms, the authority's escalation queue, and grants with revoke.
Every page calls the actions; none reads the model.
"""

from __future__ import annotations

from typing import Any, cast

import ckan.plugins.toolkit as tk
from ckan.types import Context
from flask import Blueprint, make_response, request, send_file

from ..access import rules, workflow
from ..core import config
from ..logic.auth.access import ATTACHMENT_ROUTE
from . import _shared as shared

__all__ = ["access"]

access = Blueprint("govshare_access", __name__)

# Data items a conditional request may ask for; narrower ones take the negotiation path.
REQUESTABLE = ("unconditional", "conditional")

# Fields of the request form kept as typed when the form comes back with errors.
TEXT_FIELDS = (
    "requesting_org",
    "purpose",
    "purpose_detail",
    "scenario",
    "basis",
    "contact",
    "share_method",
    "period_start",
    "period_end",
    "expected_calls_per_day",
    "reason",
)
LIST_FIELDS = ("resource_ids", "data_items")
# Fields of the decision and resubmission forms.
DECIDE_FIELDS = (
    "reason",
    "period_start",
    "period_end",
    "max_downloads",
    "max_calls_per_day",
    "conditions",
)
# Share methods served by the service interface: their approval sets a daily call quota.
INTERFACE_METHODS = ("api", "online_query")
RESUBMIT_FIELDS = ("reason", "purpose_detail", "scenario", "basis", "contact")
# The escalation form: a referral to the common upper authority (2025 art. 28) takes the upper
# platform, the referral's document number and a note; a decision entered, its document number.
ESCALATE_FIELDS = ("reason", "upper_platform", "reference", "note")
# The steps of the dispute path the request page lists (2016 art. 12(3), 2025 art. 28).
DISPUTE_STEPS = ("reject", "negotiate", "escalate", "grant", "deny")
# Grant list tabs, and the old names of their ``direction`` (docs/api.md, "Deprecated names").
GRANT_DIRECTIONS = ("outgoing", "incoming")
OLD_DIRECTIONS = {"held": "outgoing", "provided": "incoming"}


# ---------------------------------------------------------------------------- plumbing


def _form(*, reason: bool = True) -> dict[str, Any]:
    """The posted form: text fields stripped, the list fields as lists, blanks left out.

    ``reason``: a field posted as ``message`` (its name before issue 15) is the ``reason``.
    """
    data: dict[str, Any] = {}
    for key in request.form:
        if key in LIST_FIELDS:
            data[key] = [v for v in request.form.getlist(key) if v.strip()]
        elif key in ANSWER_FIELDS:  # kept row by row, for the form shown again
            data[key] = request.form.getlist(key)
        elif key != "_csrf_token" and key != "csrf_token":
            value = request.form.get(key, "").strip()
            if value:
                data[key] = value
    if reason and "message" in data:
        data.setdefault("reason", data.pop("message"))
    return data


def _entry(package_id: str | None) -> dict[str, Any]:
    if not package_id:
        return tk.abort(400, tk._("Say which entry (package_id)"))
    try:
        return tk.get_action("package_show")(shared.context(), {"id": package_id})
    except (tk.ObjectNotFound, tk.NotAuthorized) as error:
        return shared.abort_for(error)


def _departments(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The departments the user may apply for: theirs, but not the entry's provider."""
    orgs = tk.get_action("organization_list_for_user")(
        shared.context(), {"id": tk.current_user.name, "permission": "read"}
    )
    return [o for o in orgs if o["id"] != entry.get("owner_org")]


def _labels() -> dict[str, dict[str, str]]:
    """Labels of history actions and roles, in the page's language."""
    return {
        "actions": {
            "submit": tk._("Submitted the request"),
            "approve": tk._("Approved"),
            "reject": tk._("Rejected"),
            "return": tk._("Returned for more information"),
            "resubmit": tk._("Resubmitted"),
            "withdraw": tk._("Withdrew"),
            "expire": tk._("Expired"),
            "negotiate": tk._("Opened a negotiation"),
            "escalate": tk._("Escalated"),
            "grant": tk._("Granted sharing"),
            "deny": tk._("Denied sharing"),
            "comment": tk._("Wrote"),
            # 2025 art. 20: internal sign-off
            "signoff": tk._("Signed off"),
            "signoff_return": tk._("Returned by the head"),
            "draft_answer": tk._("Drafted the answer"),
        },
        "roles": {
            "requester": tk._("Requesting department"),
            "requester_officer": tk._("Requesting department's head"),
            "provider": tk._("Providing department"),
            "provider_staff": tk._("Providing department's staff"),
            "authority": tk._("Sharing authority"),
            "conference": tk._("Joint conference"),
            "system": tk._("Platform"),
            "sysadmin": tk._("System administrator"),
        },
    }


# ---------------------------------------------------------------------------- obtain


@access.route("/govshare/obtain/<package_id>", methods=["GET", "POST"])
def obtain(package_id: str) -> Any:
    """An unconditional entry at once: purpose and pledge, then the grant (art. 12(1))."""
    if not shared.logged_in():
        return shared.login() if request.method == "GET" else tk.abort(403)
    entry = _entry(package_id)
    departments = _departments(entry)
    form: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = _form()
        data = {**form, "package_id": entry["id"], "pledge": bool(form.get("pledge"))}
        if len(departments) == 1 and not data.get("requesting_org"):
            data["requesting_org"] = departments[0]["id"]
        try:
            grant = tk.get_action("govshare_access_obtain")(shared.context(), data)
        except tk.ValidationError as error:
            errors = shared.field_errors(error)
        except (tk.NotAuthorized, tk.ObjectNotFound) as error:
            return shared.abort_for(error)
        else:
            tk.h.flash_success(
                tk._("You obtained the data: the grant is valid until {date}.").format(
                    date=grant["period_end"]
                )
            )
            return tk.redirect_to("govshare_access.grant_read", id=grant["id"])
    if rules.path_for(entry.get("share_type")) != rules.OBTAIN and not errors:
        errors = {"package_id": [tk._("This entry is not shared unconditionally.")]}
    return tk.render(
        "govshare/access/obtain.html",
        {"pkg": entry, "departments": departments, "form": form, "errors": errors},
    )


# ---------------------------------------------------------------------------- request form


def _scope(entry: dict[str, Any], *, negotiation: bool) -> dict[str, Any]:
    """The entry's data items, each with whether it may be asked for by this path."""
    shared = ("unconditional", "conditional", "not_shared") if negotiation else REQUESTABLE
    allowed = set(rules.item_names(entry, shared))
    return {
        "items": [
            {
                "name": item.get("name"),
                "description": item.get("description") or "",
                "share_type": rules.item_share_type(entry, item),
                "requestable": item.get("name") in allowed,
            }
            for item in entry.get("data_items") or []
            if item.get("name")
        ],
        "resources": entry.get("resources") or [],
    }


def _apply(*, negotiation: bool) -> Any:
    if not shared.logged_in():
        return shared.login() if request.method == "GET" else tk.abort(403)
    entry = _entry(request.values.get("package_id"))
    expected = rules.NEGOTIATE if negotiation else rules.REQUEST
    departments = _departments(entry)
    scope = _scope(entry, negotiation=negotiation)
    form: dict[str, Any] = {
        "resource_ids": [r["id"] for r in scope["resources"]],
        "data_items": [i["name"] for i in scope["items"] if i["requestable"]],
    }
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = _form()
        form.setdefault("resource_ids", [])
        form.setdefault("data_items", [])
        data = {**form, "package_id": entry["id"], "pledge": bool(form.get("pledge"))}
        if len(departments) == 1 and not data.get("requesting_org"):
            data["requesting_org"] = departments[0]["id"]
        upload = request.files.get("attachment")
        if upload is not None and upload.filename:
            data["attachment"] = upload
        action = "govshare_negotiation_open" if negotiation else "govshare_request_create"
        try:
            result = tk.get_action(action)(shared.context(), data)
        except tk.ValidationError as error:
            errors = shared.field_errors(error)
            # The action checks the pledge only once the fields are valid: say it at once.
            if not data["pledge"]:
                errors.setdefault("pledge", [rules.NEEDS_PLEDGE])
        except (tk.NotAuthorized, tk.ObjectNotFound) as error:
            return shared.abort_for(error)
        else:
            if negotiation:
                tk.h.flash_success(tk._("Negotiation opened with the providing department."))
            elif result.get("due_date"):
                tk.h.flash_success(
                    tk._("Request submitted. The providing department answers by {date}.").format(
                        date=result["due_date"]
                    )
                )
            else:
                tk.h.flash_success(tk._("Request submitted."))
            return tk.redirect_to("govshare_access.request_read", id=result["id"])
    elif rules.path_for(entry.get("share_type")) != expected:
        errors = {"package_id": [_wrong_path(entry)]}
    return tk.render(
        "govshare/access/request_form.html",
        {
            "pkg": entry,
            "negotiation": negotiation,
            "departments": departments,
            "scope": scope,
            "form": form,
            "errors": errors,
        },
    )


def _wrong_path(entry: dict[str, Any]) -> str:
    return rules.check_path(entry, "")["package_id"][0]


@access.route("/govshare/requests/new", methods=["GET", "POST"])
def request_new() -> Any:
    """The request form for a conditionally shared entry (art. 12(2))."""
    return _apply(negotiation=False)


@access.route("/govshare/negotiations/new", methods=["GET", "POST"])
def negotiation_new() -> Any:
    """The same form, with a first message, for a not-shared entry (art. 12(3))."""
    return _apply(negotiation=True)


# ---------------------------------------------------------------------------- lists


def _request_list(template: str, endpoint: str, base: dict[str, Any], **extra: Any) -> Any:
    if not shared.logged_in():
        return shared.login()
    status = request.args.get("status", "").strip()
    number = shared.page_number()
    query = {**base, "limit": shared.PAGE_SIZE, "offset": (number - 1) * shared.PAGE_SIZE}
    if status == "overdue":
        query["overdue"] = True
    elif status:
        query["status"] = [status]
    try:
        result = tk.get_action("govshare_request_list")(shared.context(), query)
    except tk.ValidationError:
        result = {"count": 0, "results": []}
    except tk.NotAuthorized as error:
        return shared.abort_for(error)
    args = {"status": status} if status else {}
    titles = _titles(*result["results"])
    return tk.render(
        template,
        {
            "requests": result["results"],
            "titles": titles,
            "count": result["count"],
            "status": status,
            "states": workflow.STATES,
            "page": shared.pager(result, number, endpoint, **args),
            "endpoint": endpoint,
            **extra,
        },
    )


@access.route("/govshare/requests")
def requests() -> Any:
    """Requests the user's departments made."""
    return _request_list(
        "govshare/access/requests.html", "govshare_access.requests", {"direction": "outgoing"}
    )


@access.route("/govshare/inbox")
def inbox() -> Any:
    """Requests addressed to the departments the user is a data officer of, by due date; first
    what waits for the user's sign-off (2025 art. 20: their staff's requests and answers)."""
    queue = _signoff_queue()
    return _request_list(
        "govshare/access/inbox.html",
        "govshare_access.inbox",
        {"direction": "incoming"},
        signoff_queue=queue,
        signoff_titles=_titles(*queue),
    )


def _signoff_queue() -> list[dict[str, Any]]:
    """Requests waiting for the user's sign-off, both sides (at most 100; 2025 art. 20)."""
    try:
        found = tk.get_action("govshare_request_list")(
            shared.context(), {"signoff": True, "limit": 100}
        )
    except (tk.ValidationError, tk.NotAuthorized):
        return []
    return found["results"]


@access.route("/govshare/escalations")
def escalations() -> Any:
    """The disputes the sharing authority or the joint conference carries, open and decided,
    filtered by status with counts (``govshare_dispute_list``; issue 19 item 5)."""
    if not shared.logged_in():
        return shared.login()
    status = request.args.get("status", "").strip()
    number = shared.page_number()
    query: dict[str, Any] = {"limit": shared.PAGE_SIZE, "offset": (number - 1) * shared.PAGE_SIZE}
    if status:
        query["status"] = status
    try:
        result = tk.get_action("govshare_dispute_list")(shared.context(), query)
    except tk.NotAuthorized:
        return tk.abort(
            403, tk._("Only the sharing authority and the joint conference decide disputes")
        )
    except tk.ValidationError:
        return tk.abort(400, tk._("No such status"))
    profile = tk.get_action("govshare_rule_profile_show")(shared.context(), {})
    args = {"status": status} if status else {}
    return tk.render(
        "govshare/access/escalations.html",
        {
            "requests": result["results"],
            "count": result["count"],
            "counts": result["counts"],
            "status": status,
            "page": shared.pager(result, number, "govshare_access.escalations", **args),
            # 2025 art. 28: the upper authority and the government, instead of the conference.
            "upper_authority": profile["rules"]["upper_authority"]["on"],
        },
    )


# ---------------------------------------------------------------------------- request page


def _show(id: str) -> dict[str, Any]:
    try:
        return tk.get_action("govshare_request_show")(shared.context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized) as error:
        return shared.abort_for(error)


def _titles(*answers: dict[str, Any]) -> dict[str, str]:
    """Department name -> title, from the ``*_org`` and ``*_org_title`` of the answers."""
    found: dict[str, str] = {}
    for answer in answers:
        for role in ("requesting_org", "provider_org", "actor_org"):
            name = answer.get(role)
            if name:
                found[name] = answer.get(f"{role}_title") or name
    return found


def _render_request(
    id: str,
    *,
    forms: dict[str, dict[str, Any]] | None = None,
    errors: dict[str, dict[str, list[str]]] | None = None,
) -> Any:
    req = _show(id)
    try:
        entry = tk.get_action("package_show")(shared.context(), {"id": req["package_id"]})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        entry = None
    resources = {r["id"]: r for r in (entry or {}).get("resources") or []}
    history = req.get("history") or []
    titles = _titles(req, *history)
    allowed = set(req.get("allowed_actions") or [])
    capacity = None
    if req.get("share_method") in INTERFACE_METHODS and allowed & {"approve", "grant"}:
        capacity = _capacity(req["package_id"])
    grant = None
    if req.get("status") in workflow.GRANTING_STATES:
        held = tk.get_action("govshare_grant_list")(
            shared.context(), {"package_id": req["package_id"], "limit": 1000}
        )
        grant = next((g for g in held["results"] if g.get("request_id") == req["id"]), None)
    disputed = any(e.get("action") in ("negotiate", "escalate") for e in history)
    return tk.render(
        "govshare/access/request.html",
        {
            "req": req,
            # The path the dispute took, with who and when (2025 art. 28), and the upper
            # platforms this one is harvested by, offered for a referral.
            "dispute_path": [e for e in history if e.get("action") in DISPUTE_STEPS]
            if disputed
            else [],
            "upper_platforms": config.harvest_accounts() if "escalate" in allowed else [],
            "pkg": entry,
            "grant": grant,
            "resources": resources,
            "events": [e for e in history if e.get("action") != "comment"],
            "thread": [e for e in history if e.get("action") == "comment"],
            "titles": titles,
            "labels": _labels(),
            "allowed": allowed,
            "capacity": capacity,
            "forms": forms or {},
            "errors": errors or {},
            # 2025 art. 21: the extensions of the answer, and what the profile asks of one.
            "answers": _answers(req, allowed),
        },
    )


def _answers(req: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    """The request page's answer panel (2025 art. 21): the request's extensions and the
    profile's rules on extensions and telling everything at once."""
    profile = tk.get_action("govshare_rule_profile_show")(shared.context(), {})
    rules_on = {key: bool(rule["on"]) for key, rule in profile["rules"].items()}
    extensions: list[dict[str, Any]] = []
    if rules_on.get("extensions") or req.get("extended_days"):
        found = tk.get_action("govshare_extension_list")(
            shared.context(), {"request_id": req["id"], "limit": 100}
        )
        extensions = sorted(found["results"], key=lambda e: e.get("requested_at") or "")
    return {
        "extensions": extensions,
        "extensions_on": bool(rules_on.get("extensions")),
        "tell_all": bool(rules_on.get("tell_all_at_once")),
        "may_extend": bool(rules_on.get("extensions")) and "extend" in allowed,
        "may_decide": bool(rules_on.get("extensions")) and "extension_decide" in allowed,
        "extension_max": (profile["numbers"].get("extension_max") or {}).get("value"),
    }


#: A return's missing items and a rejection's grounds, posted as repeated fields.
ANSWER_FIELDS = ("missing_field", "missing_note", "grounds")


def _answer_fields(decision: str) -> dict[str, Any]:
    """What the answer form adds (2025 art. 21): a return's rows of missing materials
    (``missing_field`` and ``missing_note`` side by side, blank rows left out), a rejection's
    ``grounds``."""
    if decision == "return":
        fields = request.form.getlist("missing_field")
        notes = request.form.getlist("missing_note")
        items = [
            {"field": field.strip(), "note": note.strip()}
            for field, note in zip(fields, notes, strict=False)
            if field.strip() or note.strip()
        ]
        return {"missing_items": items} if items else {}
    if decision == "reject":
        grounds = [g for g in request.form.getlist("grounds") if g.strip()]
        return {"grounds": grounds} if grounds else {}
    return {}


def _capacity(package_id: str) -> dict[str, Any] | None:
    """What the entry's live interface grants take of its daily capacity, for the one
    approving (issue 16, item 6); None for those who may not see it."""
    if not tk.h.check_access("govshare_entry_capacity", {"package_id": package_id}):
        return None  # asked first: a page view records no refusal
    try:
        return tk.get_action("govshare_entry_capacity")(
            shared.context(), {"package_id": package_id}
        )
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None


@access.route("/govshare/requests/<id>")
def request_read(id: str) -> Any:
    if not shared.logged_in():
        return shared.login()
    return _render_request(id)


@access.route("/govshare/requests/<id>/attachment")
def attachment(id: str) -> Any:
    """The request's attachment, to those who may see the request."""
    if not shared.logged_in():
        return shared.login()
    context = cast(Context, {**shared.context(), ATTACHMENT_ROUTE: True})
    try:
        stored = tk.get_action("govshare_request_attachment")(context, {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized) as error:
        return shared.abort_for(error)
    return send_file(stored["path"], as_attachment=True, download_name=stored["name"])


def _step(
    id: str,
    which: str,
    action: str,
    fields: tuple[str, ...],
    *,
    scope: bool = False,
    reason: bool = True,
    **fixed: Any,
) -> Any:
    """Run one of the request page's forms: the action's result, or the page with its errors.

    ``scope``: the form narrows a grant (resources, data items, period, limits). ``reason``:
    the form's text is the step's ``reason`` (the thread's ``message`` is not).
    """
    if not shared.logged_in():
        return tk.abort(403, tk._("Log in first"))
    form = _form(reason=reason)
    keep = (*fields, *LIST_FIELDS) if scope else fields
    data = {k: v for k, v in form.items() if k in keep}
    data.update(fixed, id=id)
    upload = request.files.get("attachment")
    if upload is not None and upload.filename:
        data["attachment"] = upload
    try:
        result = tk.get_action(action)(shared.context(), data)
    except tk.ValidationError as error:
        return _render_request(id, forms={which: form}, errors={which: shared.field_errors(error)})
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return shared.abort_for(error)
    return result


def _done(id: str, text: str) -> Any:
    tk.h.flash_success(text)
    return tk.redirect_to("govshare_access.request_read", id=id)


@access.route("/govshare/requests/<id>/decide", methods=["POST"])
def decide(id: str) -> Any:
    decision = request.form.get("decision", "")
    fields = DECIDE_FIELDS if decision == "approve" else ("reason",)
    result = _step(
        id,
        "decide",
        "govshare_request_decide",
        fields,
        scope=decision == "approve",
        decision=decision,
        **_answer_fields(decision),
    )
    if not isinstance(result, dict):
        return result
    if result.get("status") == workflow.SUBMITTED:  # 2025 art. 20: drafted by staff
        return _done(id, tk._("Answer drafted: it is sent once a data officer signs it off."))
    if result.get("grant"):
        return _done(id, tk._("Request approved: a grant was created."))
    if decision == "reject":
        return _done(id, tk._("Request rejected."))
    return _done(id, tk._("Request returned for more information; the clock stops."))


@access.route("/govshare/requests/<id>/signoff", methods=["POST"])
def signoff(id: str) -> Any:
    """A head signs off what their staff drafted, request or answer (2025 art. 20)."""
    decision = request.form.get("decision", "")
    result = _step(id, "signoff", "govshare_request_signoff", ("reason",), decision=decision)
    if not isinstance(result, dict):
        return result
    if decision == "return":
        return _done(id, tk._("Returned to the drafter."))
    return _done(id, tk._("Signed off: {state}.").format(state=_state(result)))


@access.route("/govshare/requests/<id>/resubmit", methods=["POST"])
def resubmit(id: str) -> Any:
    result = _step(id, "resubmit", "govshare_request_resubmit", RESUBMIT_FIELDS)
    if not isinstance(result, dict):
        return result
    return _done(
        id,
        tk._("Request resubmitted. The providing department answers by {date}.").format(
            date=result.get("due_date") or "—"
        ),
    )


@access.route("/govshare/requests/<id>/withdraw", methods=["POST"])
def withdraw(id: str) -> Any:
    result = _step(id, "withdraw", "govshare_request_withdraw", ("reason",))
    return result if not isinstance(result, dict) else _done(id, tk._("Request withdrawn."))


@access.route("/govshare/requests/<id>/comment", methods=["POST"])
def comment(id: str) -> Any:
    result = _step(id, "comment", "govshare_request_comment", ("message",), reason=False)
    return result if not isinstance(result, dict) else _done(id, tk._("Message added."))


@access.route("/govshare/requests/<id>/escalate", methods=["POST"])
def escalate(id: str) -> Any:
    result = _step(id, "escalate", "govshare_request_escalate", ESCALATE_FIELDS)
    if not isinstance(result, dict):
        return result
    return _done(id, tk._("Dispute escalated: {state}.").format(state=_state(result)))


@access.route("/govshare/requests/<id>/negotiate", methods=["POST"])
def negotiate(id: str) -> Any:
    """Take a rejected request on to negotiation."""
    if not shared.logged_in():
        return tk.abort(403, tk._("Log in first"))
    form = _form()
    data = {"request_id": id}
    if form.get("reason"):
        data["reason"] = form["reason"]
    try:
        tk.get_action("govshare_negotiation_open")(shared.context(), data)
    except tk.ValidationError as error:
        errors = {"negotiate": shared.field_errors(error)}
        return _render_request(id, forms={"negotiate": form}, errors=errors)
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return shared.abort_for(error)
    return _done(id, tk._("Negotiation opened with the providing department."))


@access.route("/govshare/requests/<id>/escalation", methods=["POST"])
def escalation_decide(id: str) -> Any:
    decision = request.form.get("decision", "")
    fields = (*DECIDE_FIELDS, "reference") if decision == "grant" else ("reason", "reference")
    result = _step(
        id,
        "escalation",
        "govshare_escalation_decide",
        fields,
        scope=decision == "grant",
        decision=decision,
    )
    if not isinstance(result, dict):
        return result
    if result.get("grant"):
        return _done(id, tk._("Sharing granted: a grant was created."))
    return _done(id, tk._("Sharing denied."))


def _state(result: dict[str, Any]) -> str:
    return tk.h.govshare_state_label(result.get("status"))


# ---------------------------------------------------------------------------- grants


@access.route("/govshare/grants")
def grants() -> Any:
    """Grants my departments hold, and grants on the entries we provide."""
    if not shared.logged_in():
        return shared.login()
    direction = request.args.get("direction", "outgoing")
    direction = OLD_DIRECTIONS.get(direction, direction)
    if direction not in GRANT_DIRECTIONS:
        direction = "outgoing"
    status = request.args.get("status", "").strip()
    number = shared.page_number()
    query: dict[str, Any] = {
        "direction": direction,
        "limit": shared.PAGE_SIZE,
        "offset": (number - 1) * shared.PAGE_SIZE,
    }
    if status:
        query["status"] = [status]
    try:
        result = tk.get_action("govshare_grant_list")(shared.context(), query)
    except tk.ValidationError:
        result = {"count": 0, "results": []}
    except tk.NotAuthorized as error:
        return shared.abort_for(error)
    args = {"direction": direction, **({"status": status} if status else {})}
    return tk.render(
        "govshare/access/grants.html",
        {
            "grants": result["results"],
            "count": result["count"],
            "direction": direction,
            "status": status,
            "page": shared.pager(result, number, "govshare_access.grants", **args),
        },
    )


def _previews(grant: dict[str, Any], covered: list[str]) -> dict[str, dict[str, Any]] | None:
    """The first rows each covered resource delivers under the grant (issue 16, item 9), as
    ``govshare_data_preview`` cuts them; None when the viewer may not preview (neither the
    holder nor the provider). A resource without rows to show keeps the refusal's text."""
    previews: dict[str, dict[str, Any]] = {}
    if covered and not tk.h.check_access(
        "govshare_data_preview", {"resource_id": covered[0], "grant_id": grant["id"]}
    ):
        return None  # asked first: a page view records no refusal
    for rid in covered:
        try:
            previews[rid] = tk.get_action("govshare_data_preview")(
                shared.context(), {"resource_id": rid, "grant_id": grant["id"]}
            )
        except tk.NotAuthorized:
            return None
        except tk.ValidationError as error:
            previews[rid] = {
                "errors": [m for ms in shared.field_errors(error).values() for m in ms]
            }
        except tk.ObjectNotFound:
            continue
    return previews


def _my_tokens(grant_id: str) -> list[dict[str, Any]] | None:
    """The viewer's own working tokens of the grant, when they may take tokens from it."""
    data = {"grant_id": grant_id}
    if not tk.h.check_access("govshare_token_create", data):
        return None
    found = tk.get_action("govshare_token_list")(
        shared.context(), {**data, "status": ["active"], "limit": 100}
    )
    return found["results"]


def _exchange(
    grant: dict[str, Any],
    entry: dict[str, Any] | None,
    resources: dict[str, Any],
    covered: list[str],
) -> dict[str, Any] | None:
    """The grant page's "Batch exchange" section (issue 17, item 2): the grant's subscriptions
    the viewer sees, and the subscribe form for the holder's data officers while the grant is
    live and one of its methods is batch exchange (``rules.grant_methods``); None when there is
    neither."""
    found = tk.get_action("govshare_subscription_list")(
        shared.context(), {"grant_id": grant["id"], "limit": 100}
    )["results"]
    methods = rules.grant_methods(grant, (entry or {}).get("share_methods") or [])
    can = bool(
        grant.get("live")
        and methods & set(rules.EXCHANGE_METHODS)
        and tk.h.check_access("govshare_subscription_create", {"grant_id": grant["id"]})
    )
    if not found and not can:
        return None
    targets: list[dict[str, Any]] = []
    if can:
        targets = tk.get_action("govshare_exchange_target_list")(
            shared.context(), {"organization": grant["requesting_org_id"], "limit": 1000}
        )["results"]
    return {
        "subscriptions": found,
        "can_subscribe": can,
        "resources": [resources[r] for r in covered],
        "targets": targets,
    }


def _render_grant(
    id: str,
    form: dict[str, Any] | None = None,
    errors: Any = None,
    *,
    new_token: dict[str, Any] | None = None,
    token_errors: dict[str, list[str]] | None = None,
) -> Any:
    try:
        grant = tk.get_action("govshare_grant_show")(shared.context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized) as error:
        return shared.abort_for(error)
    try:
        entry = tk.get_action("package_show")(shared.context(), {"id": grant["package_id"]})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        entry = None
    resources = {r["id"]: r for r in (entry or {}).get("resources") or []}
    covered = [r for r in resources if not grant.get("resource_ids") or r in grant["resource_ids"]]
    live = bool(grant.get("live"))
    page = tk.render(
        "govshare/access/grant.html",
        {
            "grant": grant,
            "pkg": entry,
            "resources": resources,
            "covered": covered,
            # A return or self-service grant uses every method its entry offers (issue 17).
            "interface": bool(
                rules.grant_methods(grant, (entry or {}).get("share_methods") or [])
                & set(INTERFACE_METHODS)
            ),
            "previews": _previews(grant, covered) if live else None,
            "tokens": _my_tokens(grant["id"]) if live else None,
            "exchange": _exchange(grant, entry, resources, covered),
            "new_token": new_token,
            "token_errors": token_errors or {},
            "site": str(tk.config.get("ckan.site_url") or "").rstrip("/"),
            "form": form or {},
            "errors": errors or {},
        },
    )
    response = make_response(page)
    if new_token is not None:  # the secret is shown once: kept by no cache
        response.headers["Cache-Control"] = "no-store"
    return response


@access.route("/govshare/grants/<id>")
def grant_read(id: str) -> Any:
    if not shared.logged_in():
        return shared.login()
    return _render_grant(id)


@access.route("/govshare/grants/<id>/revoke", methods=["POST"])
def grant_revoke(id: str) -> Any:
    """End a grant early, with a reason (a provider's data officer or the authority)."""
    if not shared.logged_in():
        return tk.abort(403, tk._("Log in first"))
    form = _form()
    try:
        tk.get_action("govshare_grant_revoke")(
            shared.context(),
            {
                "id": id,
                "reason": form.get("reason", ""),
                # 2025 art. 27: the service filing covering it, or misuse (a provider's).
                "filing_id": form.get("filing_id"),
                "misuse": form.get("misuse"),
            },
        )
    except tk.ValidationError as error:
        return _render_grant(id, form, shared.field_errors(error))
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return shared.abort_for(error)
    tk.h.flash_success(tk._("Grant revoked; every token issued from it stops working."))
    if request.form.get("came_from") == "list":
        return tk.redirect_to("govshare_access.grants", direction="incoming")
    return tk.redirect_to("govshare_access.grant_read", id=id)


def _token_step(id: str, action: str, data: dict[str, Any]) -> Any:
    """Create or rotate a token from the grant page: the page again with the new secret,
    shown this once (issue 16, item 8), or with the refusal."""
    if not shared.logged_in():
        return tk.abort(403, tk._("Log in first"))
    try:
        token = tk.get_action(action)(shared.context(), data)
    except tk.ValidationError as error:
        return _render_grant(id, token_errors=shared.field_errors(error))
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return shared.abort_for(error)
    return _render_grant(id, new_token=token)


@access.route("/govshare/grants/<id>/tokens", methods=["POST"])
def grant_token_create(id: str) -> Any:
    """A token from the grant for the user (a member of the holding department)."""
    return _token_step(id, "govshare_token_create", {"grant_id": id})


@access.route("/govshare/grants/<id>/tokens/<token_id>/rotate", methods=["POST"])
def grant_token_rotate(id: str, token_id: str) -> Any:
    """A new secret for one of the user's tokens; the old one stops at once."""
    return _token_step(id, "govshare_token_rotate", {"id": token_id})


@access.route("/govshare/grants/<id>/tokens/<token_id>/revoke", methods=["POST"])
def grant_token_revoke(id: str, token_id: str) -> Any:
    if not shared.logged_in():
        return tk.abort(403, tk._("Log in first"))
    try:
        tk.get_action("govshare_token_revoke")(shared.context(), {"id": token_id})
    except tk.ValidationError as error:
        return _render_grant(id, token_errors=shared.field_errors(error))
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return shared.abort_for(error)
    tk.h.flash_success(tk._("Token revoked: it stops working at once."))
    return tk.redirect_to("govshare_access.grant_read", id=id)

"""The grant page's after-delivery steps (2025 Regulations art. 25, 27): 暂停 (suspend), 恢复
(resume), 终止 (terminate) for the sharing authority and the provider's data officers, and
the holder's use-change request (变更使用申请). Each form posts to a route here, which calls
its action and goes back to the grant page (or, for a use change, to the request it made);
a refusal is shown there as a message in the page's language.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, request

from . import _shared as shared

__all__ = ["grant_aftercare"]

grant_aftercare = Blueprint("govshare_grant_aftercare", __name__)

#: Fields posted as several values (checkboxes, multiple selects).
_LISTS = ("kinds", "resource_ids", "data_items")


def _form() -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in request.form:
        if key in ("_csrf_token", "csrf_token"):
            continue
        if key in _LISTS:
            data[key] = [v.strip() for v in request.form.getlist(key) if v.strip()]
        else:
            value = request.form.get(key, "").strip()
            if value:
                data[key] = value
    return data


def _refused(error: tk.ValidationError) -> None:
    for field, messages in shared.field_errors(error).items():
        for text in messages:
            tk.h.flash_error(f"{field}: {tk.h.govshare_message(text)}")


def _step(id: str, action: str, fields: tuple[str, ...], done: str) -> Any:
    if not shared.logged_in():
        return tk.abort(403, tk._("Log in first"))
    form = _form()
    data = {"id": id, **{k: form[k] for k in fields if k in form}}
    try:
        tk.get_action(action)(shared.context(), data)
    except tk.ValidationError as error:
        _refused(error)
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return shared.abort_for(error)
    else:
        tk.h.flash_success(done)
    return tk.redirect_to("govshare_access.grant_read", id=id)


@grant_aftercare.route("/govshare/grants/<id>/suspend", methods=["POST"])
def suspend(id: str) -> Any:
    """暂停: the grant delivers nothing until resumed; the holder is told why and until when."""
    return _step(
        id,
        "govshare_grant_suspend",
        ("reason", "rectify_by"),
        tk._("Sharing suspended: every delivery of this grant is refused until it is resumed."),
    )


@grant_aftercare.route("/govshare/grants/<id>/resume", methods=["POST"])
def resume(id: str) -> Any:
    """恢复: the suspension is lifted; the grant's tokens and exchanges work again."""
    return _step(id, "govshare_grant_resume", ("reason",), tk._("Sharing resumed."))


@grant_aftercare.route("/govshare/grants/<id>/terminate", methods=["POST"])
def terminate(id: str) -> Any:
    """终止: the grant ends for good; the holder must dispose of the data."""
    return _step(
        id,
        "govshare_grant_terminate",
        ("reason", "filing_id"),
        tk._("Sharing terminated: every token and exchange under this grant has stopped."),
    )


@grant_aftercare.route("/govshare/grants/<id>/use-change", methods=["POST"])
def use_change(id: str) -> Any:
    """变更使用申请: the holder asks the provider to widen the scope, change the purpose or pass
    the data to a third party; the request page follows it."""
    if not shared.logged_in():
        return tk.abort(403, tk._("Log in first"))
    form = _form()
    fields = ("kinds", "reason", "resource_ids", "data_items", "purpose", "purpose_detail")
    data = {
        "grant_id": id,
        **{k: form[k] for k in (*fields, "third_party", "period_end") if k in form},
    }
    try:
        made = tk.get_action("govshare_use_change_request")(shared.context(), data)
    except tk.ValidationError as error:
        _refused(error)
        return tk.redirect_to("govshare_access.grant_read", id=id)
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return shared.abort_for(error)
    tk.h.flash_success(tk._("Use change requested: the provider answers it as a request."))
    return tk.redirect_to("govshare_access.request_read", id=made["id"])

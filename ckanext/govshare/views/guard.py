"""Every request: no input the platform cannot hold reaches a govshare page, and no failed
request leaves its database session to the next one (issue 14, items 3 and 4).

- Before a request to a govshare route (a blueprint named ``govshare_*``): its path, query,
  form and JSON body are checked for control characters, unpaired surrogates, over-long
  strings and numbers past 64 bits (``hardening.limits.input_problems``); a bad one answers
  400 with what is wrong, in English and Chinese. Each route still checks its own parameters
  (page numbers, ids) through its actions. Any other request (CKAN's pages, the action API)
  is refused only a NUL byte or an unpaired surrogate, which no database field can store.
- After every request, whatever happened, the session is rolled back and removed
  (``hardening.session.teardown``); when a request fails in the database, it is rolled back
  before CKAN's error page is rendered (``hardening.session.database_error``).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import flask
from ckan import model
from flask import Blueprint, request
from flask.blueprints import BlueprintSetupState
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import Forbidden, HTTPException, NotFound

from ..core import paging
from ..core.messages import message
from ..hardening import limits, session
from ..hardening import search as search_rules

__all__ = ["flag", "guard", "page_number"]

guard = Blueprint("govshare_guard", __name__)

# Routes that answer JSON (download clients, not browsers): their refusals stay JSON.
JSON_BLUEPRINTS = ("govshare_downloads",)
BAD_REQUEST = message(
    "The request holds a value the platform cannot take", "请求中含有平台无法接受的值"
)


def input_problems(*, strict: bool = True) -> dict[str, str]:
    """What is wrong with the current request's path, query, form and JSON body.

    ``strict`` (govshare routes): every rule of ``limits.input_problems``, and path parts are
    ids. Otherwise (CKAN's own routes, the action API): only a NUL byte or an unpaired
    surrogate, which PostgreSQL cannot store whatever the field.
    """
    problems: dict[str, str] = {}
    for name, value in (request.view_args or {}).items():
        problem = (
            limits.reference_problem(value) if strict and isinstance(value, str) else None
        ) or limits.input_problems({name: value}, strict=strict).get(name)
        if problem:
            problems[name] = problem
    problems.update(limits.input_problems(request.args.to_dict(flat=False), strict=strict))
    problems.update(limits.paging_problems(request.args.to_dict(flat=False)))
    problems.update(_dataset_search_problems())
    if request.method in ("POST", "PUT", "PATCH"):
        problems.update(limits.input_problems(request.form.to_dict(flat=False), strict=strict))
        if request.is_json:
            body = request.get_json(silent=True)
            body = body if isinstance(body, dict) else {"": body}
            problems.update(limits.input_problems(body, strict=strict))
            problems.update(limits.paging_problems(body))
    return problems


def _dataset_search_problems() -> dict[str, str]:
    """A dataset search page's ``sort`` (any dataset type's ``<type>.search``): CKAN's view
    reads its clauses before it searches, so the action's own check comes too late there."""
    sort = request.args.get("sort")
    if not sort or not (request.endpoint or "").endswith(".search"):
        return {}
    problem = search_rules.sort_problem(sort)
    return {"sort": problem} if problem else {}


def refuse(problems: dict[str, str]) -> Any:
    """Every problem at once: as a validation error (409) on the action API, as JSON (400)
    to download clients, on CKAN's error page (400) to browsers."""
    if request.path.startswith("/api/"):
        error: dict[str, Any] = {"__type": "Validation Error"}
        error.update({name: [text] for name, text in problems.items()})
        response = flask.jsonify({"success": False, "error": error})
        response.status_code = 409
        return response
    if request.blueprint in JSON_BLUEPRINTS:
        response = flask.jsonify(
            {"reason": "bad_request", "message": BAD_REQUEST, "errors": problems}
        )
        response.status_code = 400
        return response
    lines = [BAD_REQUEST] + [f"{name}: {text}" for name, text in sorted(problems.items())]
    return tk.abort(400, "\n".join(lines))


@guard.before_app_request
def check_input() -> Any:
    """Govshare routes get every rule; every other route (CKAN's pages, the action API) is
    spared only what no database could store."""
    problems = input_problems(strict=(request.blueprint or "").startswith("govshare_"))
    return refuse(problems) if problems else None


def page_number(size: int) -> int:
    """The ``page`` query argument of a list page of ``size`` rows: 1 when absent, 400 when it
    is not a whole number or lies past the deepest page the list actions serve."""
    raw = request.args.get("page")
    if raw in (None, ""):
        return 1
    last = paging.MAX_OFFSET // size + 1
    number = limits.whole_number(raw, 1, last)
    if number is None:
        tk.abort(400, f"page: {limits.not_in_range(1, last)}")
    return number  # type: ignore[return-value]


def flag(name: str, value: Any) -> bool:
    """A yes/no form field or query argument (absent: no); 400 when it is neither."""
    if value is None or value == "":
        return False
    answer = limits.yes_no(value)
    if answer is None:
        return tk.abort(400, f"{name}: {limits.NOT_YES_NO}")
    return answer


def _mark_dispatched(state: BlueprintSetupState) -> None:
    flask.request_started.connect(session.mark_dispatched, state.app, weak=False)


guard.record_once(_mark_dispatched)


def refused(error: Exception) -> Any:
    """A page whose code lets CKAN's ``NotAuthorized`` or ``ObjectNotFound`` escape (some of
    CKAN's own do: the activity changes pages, the autocomplete routes) answers 403 or 404 on
    CKAN's error page, not 500; what it refused is kept out of the answer."""
    model.Session.rollback()  # kept, not removed: the error page still reads the user
    if isinstance(error, tk.ObjectNotFound):
        http: HTTPException = NotFound(NOT_FOUND)
    else:
        http = Forbidden(NOT_AUTHORIZED)
    return flask.current_app.handle_http_exception(http)


NOT_AUTHORIZED = message("You are not authorized to see this page", "您无权查看此页面")
NOT_FOUND = message("Not found", "未找到")

guard.app_errorhandler(tk.NotAuthorized)(refused)
guard.app_errorhandler(tk.ObjectNotFound)(refused)
guard.teardown_app_request(session.teardown)
guard.app_errorhandler(SQLAlchemyError)(session.database_error)

"""The service interface's routes (issue 16, items 4–5; 2025 Regulations art. 22): query
(联机查询) and query-and-verify (查询核验) with a bearer token.

- ``GET /govshare/query/<resource_id>?fields=&filters=&q=&sort=&limit=&offset=|cursor=``
  → ``{"fields", "records", "total", "next"}``;
- ``POST /govshare/verify/<resource_id>`` with JSON ``{"match_on": {...}, "check": {...}}``
  → ``{"found", "match", "mismatched"}``.

Both take the token from ``Authorization: Bearer <token>`` only, and nothing else as the
caller's credential (a logged-in user calls the actions through the action API instead): a
request a browser sends on its own, with the session cookie, cannot spend a grant's quota.
So ``verify`` needs no CSRF token, and is exempt from CKAN's check.

The routes only translate HTTP: every check, the quota, the read and the call's log row are
the actions ``govshare_data_query`` and ``govshare_data_verify``. Refusals answer
``{"reason", "message", "message_en", "message_zh"}`` (``message`` in the page's language)
with their status: 401 without a token, 403, 404, 409 (with ``errors`` per field), 429 with
``Retry-After`` when the grant's daily quota is used up.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.config.middleware.flask_app import csrf
from flask import Blueprint, Response, request

from ..core.messages import halves
from ..logic.auth.interface import route_context
from . import _shared

__all__ = ["interface"]

interface = Blueprint("govshare_interface", __name__)

#: The query parameters the query route passes on (anything else is ignored).
QUERY_PARAMS = ("fields", "filters", "q", "sort", "limit", "offset", "cursor")


def _bearer() -> str | None:
    auth = request.authorization
    return auth.token if auth is not None and auth.type == "bearer" and auth.token else None


def _json(body: Any, status: int = 200) -> Response:
    response = Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _in_language(en: str, zh: str) -> str:
    return zh if (tk.h.lang() or "").startswith("zh") else en


def _refusal(refusal: dict[str, Any], errors: dict[str, list[str]] | None = None) -> Response:
    body: dict[str, Any] = {
        "reason": refusal["reason"],
        "message": _in_language(refusal["message_en"], refusal["message_zh"]),
        "message_en": refusal["message_en"],
        "message_zh": refusal["message_zh"],
    }
    if errors:
        body["errors"] = errors
    response = _json(body, refusal["status"])
    if refusal["status"] == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="govshare"'
    if refusal.get("retry_after"):
        response.headers["Retry-After"] = str(refusal["retry_after"])
    return response


def _call(name: str, data_dict: dict[str, Any]) -> Response:
    """The action for the token's call (the session user, if any, only to refuse a token
    that is someone else's), its answer or refusal as JSON."""
    request.environ["__no_cache__"] = True  # CKAN marks the answer private, not public
    context = route_context(
        _shared.context().get("user", ""), request.endpoint or "", _bearer() or ""
    )
    try:
        return _json(tk.get_action(name)(context, data_dict))
    except tk.ValidationError as error:
        errors = _shared.field_errors(error)
        refusal = getattr(error, "refusal", None)
        if refusal is None:
            en, zh = halves(next(iter(next(iter(errors.values()), [])), ""))
            refusal = {"reason": "invalid", "status": 409, "message_en": en, "message_zh": zh}
        return _refusal({**refusal, "status": 409}, errors)
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        refusal = getattr(error, "refusal", None)
        if refusal is None:  # the guard's refusal before the action ran
            en, zh = halves(str(error))
            status = 404 if isinstance(error, tk.ObjectNotFound) else 403
            refusal = {"reason": "refused", "status": status, "message_en": en, "message_zh": zh}
        return _refusal(refusal)


@interface.route("/govshare/query/<resource_id>", methods=["GET"])
def query(resource_id: str) -> Response:
    """One page of the resource's table cut to the token's grant."""
    data = {k: request.args[k] for k in QUERY_PARAMS if k in request.args}
    return _call("govshare_data_query", {**data, "resource_id": resource_id})


@interface.route("/govshare/verify/<resource_id>", methods=["POST"])
@csrf.exempt
def verify(resource_id: str) -> Response:
    """Whether a row of the token's grant matches, never a value."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        body = {"match_on": None, "check": None}  # the action refuses it (after the token)
    data = {"match_on": body.get("match_on"), "check": body.get("check")}
    return _call("govshare_data_verify", {**data, "resource_id": resource_id})

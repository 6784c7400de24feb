"""Downloads (issue 6, art. 14): one resource with a token, many in a ZIP, one click on the page.

- ``GET /govshare/download/<resource_id>`` with ``Authorization: Bearer <token>``: the
  resource's bytes (uploaded file, or a link fetched from an allowed host), ranges honoured,
  with the grant, purpose and terms in the headers. A token in the URL (``?token=``) is refused
  with 400: URLs are kept in access logs, proxies and browser history (issue 14, item 2).
- ``POST /govshare/download/<resource_id>/start`` (logged in, CSRF-protected): the entry page's
  button; finds a live grant of the user's departments and answers with the file itself for
  the session user, counted and audited (route ``open``): no token, no redirect, no secret in
  any URL.
- ``POST /govshare/bulk`` (JSON ``{"resource_ids": [...], "package_ids": [...], "format":
  "csv"}``, token or session): a streamed ZIP with ``MANIFEST.json``.

Each delivers the grant's scope on the resource (issue 16, item 3): for a resource in the
DataStore, a CSV (default) or XLSX (``?format=xlsx``; the bulk body's ``format``) of exactly
the granted columns and rows, written as it is sent (no ``Content-Length``, no ranges:
``Accept-Ranges: none``); the original file only where the grant covers all of a resource
outside the DataStore; otherwise a refusal (403) with the scope's reason.

The routes only stream (issue 15, item 1): every check is the action
``govshare_download_authorize`` (``govshare_bulk_prepare`` for the ZIP), before any byte;
the count and its audit event are ``govshare_download_count``, committed before the first byte
(``logic/action/downloads.py``). Refusals answer ``{"reason", "message", "message_en",
"message_zh"}`` (``message`` in the page's language) and are audited (outcome ``refused``).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import flask
from flask import Blueprint, Response, request, stream_with_context
from werkzeug.wsgi import FileWrapper

from ..logic.auth.downloads import route_context
from . import _shared

__all__ = ["downloads"]

downloads = Blueprint("govshare_downloads", __name__)


# ---------------------------------------------------------------------------- plumbing


def _call(name: str, data_dict: dict[str, Any]) -> dict[str, Any]:
    """A download action, for the session user (if any), marked as called by this route."""
    context = route_context(_shared.context().get("user", ""), request.endpoint or "")
    return tk.get_action(name)(context, data_dict)


def _bearer() -> str | None:
    """The token of ``Authorization: Bearer <token>``: the only place a secret is taken from
    (the action checks that it is one; anything else there is no download token)."""
    auth = request.authorization
    return auth.token if auth is not None and auth.type == "bearer" else None


def _in_language(refusal: dict[str, Any]) -> str:
    return refusal["message_zh"] if (tk.h.lang() or "").startswith("zh") else refusal["message_en"]


def _refusal(refusal: dict[str, Any], errors: dict[str, Any] | None = None) -> Any:
    """A refusal as the download clients read it: ``{"reason", "message", "message_en",
    "message_zh"}``, with the status the action gave."""
    body = {
        "reason": refusal["reason"],
        "message": _in_language(refusal),
        "message_en": refusal["message_en"],
        "message_zh": refusal["message_zh"],
    }
    if errors:
        body["errors"] = errors
    response = flask.jsonify(body)
    response.status_code = refusal["status"]
    response.headers["Cache-Control"] = "private, no-store"
    if refusal["status"] == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="govshare"'
    return response


# Input an action refused (409 on the action API) is a 400 here, in the refusals' one shape.
_BAD_INPUT = (
    "The request holds a value the platform cannot take",
    "请求中含有平台无法接受的值",
)
_BAD_BULK = (
    'Send JSON {"resource_ids": [...], "package_ids": [...]}',
    '请发送 JSON：{"resource_ids": [...], "package_ids": [...]}',
)
_BAD_FORMAT = (
    "Unknown format: a file cut to the grant is csv (default) or xlsx",
    "格式无效：按授权范围裁剪的文件可为 csv（默认）或 xlsx",
)


def _bad_request(error: tk.ValidationError, texts: tuple[str, str] = _BAD_INPUT) -> Any:
    if "format" in (error.error_dict or {}):
        texts = _BAD_FORMAT
    en, zh = texts
    refusal = {"reason": "bad_request", "status": 400, "message_en": en, "message_zh": zh}
    return _refusal(refusal, _shared.field_errors(error))


# ---------------------------------------------------------------------------- one resource


@downloads.route("/govshare/download/<resource_id>", methods=["GET", "HEAD"])
def download(resource_id: str) -> Any:
    """One resource with a token (art. 14): checked, counted, audited, then streamed."""
    try:
        answer = _call(
            "govshare_download_authorize",
            {
                "resource_id": resource_id,
                "route": "token",
                "token": _bearer(),
                "token_in_url": "token" in request.args,
                "format": request.args.get("format"),
                "range": request.headers.get("Range"),
                "address": request.remote_addr,
            },
        )
    except tk.ValidationError as error:
        return _bad_request(error)
    if answer["refusal"]:
        return _refusal(answer["refusal"])
    return _deliver(answer["delivery"], _refusal)


def _deliver(delivery: Any, refuse: Any) -> Any:
    """The allowed download's bytes, counted (``govshare_download_count``, committed) before
    the first byte when the response carries a body; ``refuse(refusal)`` answers otherwise.
    Shared by the token route and the one-click button."""
    if delivery.is_cut:
        response, size = _cut_response(delivery)
    elif delivery.source.kind == "file":
        response, size = _file_response(delivery)
    else:
        response, size = _link_response(delivery)
    if response.status_code in (200, 206) and request.method != "HEAD":
        counted = _call(
            "govshare_download_count",
            {
                "delivery": delivery,
                "status": response.status_code,
                "size": size,
                "range": request.headers.get("Range"),
            },
        )
        if counted["refusal"]:
            response.close()
            return refuse(counted["refusal"])
    response.headers.update(delivery.headers)
    return response


def _file_response(delivery: Any) -> tuple[Response, int | None]:
    """An uploaded file: sent by nginx (X-Accel-Redirect) or by Flask, ranges honoured."""
    source = delivery.source
    if delivery.accel_location is not None:
        response = Response(status=200, mimetype=source.mimetype)
        response.headers["X-Accel-Redirect"] = delivery.accel_location
        response.headers["Content-Disposition"] = delivery.content_disposition
        response.headers["Accept-Ranges"] = "bytes"
        return response, _range_length(source.size or 0)
    response = flask.send_file(
        source.path or "",
        mimetype=source.mimetype,
        as_attachment=True,
        download_name=source.filename,
        conditional=True,
        etag=True,
        max_age=0,
    )
    body = response.response
    if isinstance(body, FileWrapper):
        body.buffer_size = delivery.chunk_size  # 1 MiB reads, not Werkzeug's 8 KiB
    return response, response.content_length if response.status_code in (200, 206) else None


def _cut_response(delivery: Any) -> tuple[Response, None]:
    """A file cut to the grant, written from the DataStore as it is sent (constant memory):
    always the whole cut (200, ``Accept-Ranges: none``), its length unknown (recorded as
    NULL bytes). A HEAD request reads nothing."""
    head = request.method == "HEAD"
    response = Response(
        stream_with_context(delivery.chunks()) if not head else b"",
        status=200,
        content_type=delivery.source.mimetype,
        direct_passthrough=True,
    )
    response.headers["Content-Disposition"] = delivery.content_disposition
    response.headers["X-Accel-Buffering"] = "no"
    return response, None


def _range_length(size: int) -> int:
    """The bytes nginx will send for the request's Range (the whole file without one)."""
    rng = request.range
    if rng is None or len(rng.ranges) != 1:
        return size
    bounds = rng.range_for_length(size)
    return size if bounds is None else bounds[1] - bounds[0]


def _link_response(delivery: Any) -> tuple[Response, int | None]:
    """A link's bytes as its host sends them (the action opened it, with the ``Range``)."""
    head = request.method == "HEAD"
    response = Response(
        delivery.chunks() if not head else b"",
        status=delivery.upstream_status,
        mimetype=delivery.source.mimetype,
        direct_passthrough=True,
    )
    if head:
        delivery.close()
    response.headers["Content-Disposition"] = delivery.content_disposition
    response.headers.update(delivery.upstream_headers)
    length = delivery.upstream_headers.get("Content-Length")
    return response, int(length) if length and length.isdigit() else None


# ---------------------------------------------------------------------------- one click


@downloads.route("/govshare/download/<resource_id>/start", methods=["POST"])
def start(resource_id: str) -> Any:
    """The entry page's download button: the file itself, for the session user, under a live
    grant of one of the user's departments; checked, counted and audited like a token download
    (route ``open``). Nothing secret is made or put in a URL (issue 14, item 2)."""
    if not _shared.logged_in():
        return tk.redirect_to("user.login", came_from=request.referrer or "/")

    def refuse(refusal: dict[str, Any]) -> Any:
        if refusal["package_name"] is None:  # no such resource: no entry page to go back to
            return tk.abort(404, tk._("Resource not found"))
        tk.h.flash_error(_in_language(refusal))
        return tk.redirect_to("dataset.read", id=refusal["package_name"])

    try:
        answer = _call(
            "govshare_download_authorize",
            {
                "resource_id": resource_id,
                "route": "open",
                "format": request.values.get("format"),
                "range": request.headers.get("Range"),
                "address": request.remote_addr,
            },
        )
    except tk.ValidationError:
        return tk.abort(404, tk._("Resource not found"))
    if answer["refusal"]:
        return refuse(answer["refusal"])
    return _deliver(answer["delivery"], refuse)


# ---------------------------------------------------------------------------- bulk


@downloads.route("/govshare/bulk", methods=["POST"])
def bulk_download() -> Any:
    """Many resources in one ZIP, streamed (token or session); see ``downloads/bulk.py``."""
    body = request.get_json(silent=True)
    if body is None and request.form:
        form = request.form
        body = {
            "resource_ids": form.getlist("resource_ids"),
            "package_ids": form.getlist("package_ids"),
            "format": form.get("format"),
        }
    if not isinstance(body, dict):
        body = {"resource_ids": None, "package_ids": None}  # refused: nothing asked for
    try:
        answer = _call(
            "govshare_bulk_prepare",
            {
                "resource_ids": body.get("resource_ids"),
                "package_ids": body.get("package_ids"),
                "format": body.get("format"),
                "token": _bearer(),
                "address": request.remote_addr,
            },
        )
    except tk.ValidationError as error:
        return _bad_request(error, _BAD_BULK)
    if answer["refusal"]:
        return _refusal(answer["refusal"])
    archive = answer["archive"]
    response = Response(archive.body, mimetype="application/zip", direct_passthrough=True)
    response.headers.update(archive.headers)
    return response


# ---------------------------------------------------------------------------- download list


def _back(default: str) -> str:
    """Where a form goes back to: its ``came_from`` when it is a path of this site."""
    came = request.form.get("came_from") or ""
    local = came.startswith("/") and not came.startswith(("//", "/\\"))
    return came if local and "\n" not in came and "\r" not in came else default


def _flash_refusal(error: tk.ValidationError | tk.NotAuthorized) -> None:
    if isinstance(error, tk.ValidationError):
        for messages in _shared.field_errors(error).values():
            for text in messages:
                tk.h.flash_error(tk.h.govshare_message(text))
    else:
        tk.h.flash_error(tk.h.govshare_message(str(error)))


@downloads.route("/govshare/cart")
def cart() -> Any:
    """The user's download list (下载清单, issue 19 item 8): each item's grant, purpose, downloads
    left and granted columns, or why it cannot be downloaded now; one ZIP of what can."""
    if not _shared.logged_in():
        return _shared.login()
    try:
        listed = tk.get_action("govshare_cart_show")(_shared.context(), {})
    except tk.NotAuthorized as error:
        return _shared.abort_for(error)
    return tk.render("govshare/downloads/cart.html", {"cart": listed})


@downloads.route("/govshare/cart/add", methods=["POST"])
def cart_add() -> Any:
    """Put the form's resources (``resource_ids``) or entries (``package_ids``) in the list,
    then back to the page it came from."""
    if not _shared.logged_in():
        return tk.redirect_to("user.login", came_from=request.referrer or "/")
    back = _back(tk.h.url_for("govshare_downloads.cart"))
    data = {
        "resource_ids": request.form.getlist("resource_ids"),
        "package_ids": request.form.getlist("package_ids"),
    }
    try:
        result = tk.get_action("govshare_cart_add")(_shared.context(), data)
    except (tk.ValidationError, tk.NotAuthorized) as error:
        _flash_refusal(error)
        return tk.redirect_to(back)
    added = len(result["added"])
    if added:
        tk.h.flash_success(
            tk.ungettext(
                "{n} resource added to your download list.",
                "{n} resources added to your download list.",
                added,
            ).format(n=added)
        )
    else:
        tk.h.flash_notice(tk._("Already in your download list."))
    return tk.redirect_to(back)


@downloads.route("/govshare/cart/remove", methods=["POST"])
def cart_remove() -> Any:
    """Take the form's resources out of the list."""
    if not _shared.logged_in():
        return tk.redirect_to("user.login", came_from=request.referrer or "/")
    back = _back(tk.h.url_for("govshare_downloads.cart"))
    try:
        tk.get_action("govshare_cart_remove")(
            _shared.context(), {"resource_ids": request.form.getlist("resource_ids")}
        )
    except (tk.ValidationError, tk.NotAuthorized) as error:
        _flash_refusal(error)
        return tk.redirect_to(back)
    tk.h.flash_success(tk._("Removed from your download list."))
    return tk.redirect_to(back)


@downloads.route("/govshare/cart/clear", methods=["POST"])
def cart_clear() -> Any:
    """Empty the list."""
    if not _shared.logged_in():
        return tk.redirect_to("user.login", came_from=request.referrer or "/")
    try:
        tk.get_action("govshare_cart_clear")(_shared.context(), {})
    except tk.NotAuthorized as error:
        return _shared.abort_for(error)
    tk.h.flash_success(tk._("Your download list is empty."))
    return tk.redirect_to("govshare_downloads.cart")


@downloads.route("/govshare/cart/download", methods=["POST"])
def cart_download() -> Any:
    """Every item of the list that can be downloaded now, in ONE ZIP through the bulk path
    (``govshare_bulk_prepare``: each file cut to its grant, counted and audited as any bulk
    download); the items that cannot are left out (the list page says why)."""
    if not _shared.logged_in():
        return tk.redirect_to("user.login", came_from=request.referrer or "/")
    try:
        listed = tk.get_action("govshare_cart_show")(_shared.context(), {})
    except tk.NotAuthorized as error:
        return _shared.abort_for(error)
    if not listed["available_resource_ids"]:
        tk.h.flash_error(tk._("Nothing in your download list can be downloaded now."))
        return tk.redirect_to("govshare_downloads.cart")
    try:
        answer = _call(
            "govshare_bulk_prepare",
            {
                "resource_ids": listed["available_resource_ids"],
                "format": request.form.get("format") or None,
                "address": request.remote_addr,
            },
        )
    except tk.ValidationError as error:
        _flash_refusal(error)
        return tk.redirect_to("govshare_downloads.cart")
    if answer["refusal"]:
        tk.h.flash_error(_in_language(answer["refusal"]))
        return tk.redirect_to("govshare_downloads.cart")
    archive = answer["archive"]
    response = Response(archive.body, mimetype="application/zip", direct_passthrough=True)
    response.headers.update(archive.headers)
    return response


# ---------------------------------------------------------------------------- tokens page

_TOKEN_STATUSES = ("active", "expired", "revoked", "used_up")


def _grants_by_id(ids: list[str]) -> dict[str, dict[str, Any]]:
    """The grants of the user's tokens, as ``govshare_grant_show`` shows them to the user."""
    found: dict[str, dict[str, Any]] = {}
    for grant_id in dict.fromkeys(ids):
        try:
            found[grant_id] = tk.get_action("govshare_grant_show")(
                _shared.context(), {"id": grant_id}
            )
        except (tk.ObjectNotFound, tk.NotAuthorized):
            continue
    return found


def _live_grants() -> list[dict[str, Any]]:
    """The live grants the user's departments hold: what a token can be taken from."""
    try:
        found = tk.get_action("govshare_grant_list")(
            _shared.context(), {"direction": "outgoing", "status": ["active"], "limit": 100}
        )
    except (tk.ValidationError, tk.NotAuthorized):
        return []
    return [g for g in found["results"] if g.get("live")]


def _render_tokens(errors: dict[str, list[str]] | None = None, status: int = 200) -> Any:
    status_filter = request.args.get("status", "").strip()
    number = _shared.page_number()
    query: dict[str, Any] = {
        "limit": _shared.PAGE_SIZE,
        "offset": (number - 1) * _shared.PAGE_SIZE,
    }
    if status_filter in _TOKEN_STATUSES:
        query["status"] = [status_filter]
    else:
        status_filter = ""
    try:
        result = tk.get_action("govshare_token_list")(_shared.context(), query)
    except tk.NotAuthorized as error:
        return _shared.abort_for(error)
    args = {"status": status_filter} if status_filter else {}
    page = tk.render(
        "govshare/downloads/tokens.html",
        {
            "tokens": result["results"],
            "count": result["count"],
            "grants": _grants_by_id([t["grant_id"] for t in result["results"]]),
            "live_grants": _live_grants(),
            "status": status_filter,
            "statuses": _TOKEN_STATUSES,
            "errors": errors or {},
            "form": request.form if errors else {},
            "page": _shared.pager(result, number, "govshare_downloads.tokens", **args),
        },
    )
    return page, status


@downloads.route("/govshare/tokens")
def tokens() -> Any:
    """The user's download and interface tokens (issue 19 item 8): status, grant, entry,
    created, expiry, last use; never a secret."""
    if not _shared.logged_in():
        return _shared.login()
    return _render_tokens()


def _secret_page(token: dict[str, Any]) -> Any:
    """The one page that shows a new secret: rendered in the POST's answer (never in a URL,
    never stored by a cache)."""
    grant = _grants_by_id([token["grant_id"]]).get(token["grant_id"])
    page = tk.render("govshare/downloads/token_created.html", {"token": token, "grant": grant})
    response = flask.make_response(page)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _days(value: str | None) -> int | None:
    """A number of days of the form (blank: the default), in seconds."""
    value = (value or "").strip()
    if not value:
        return None
    return int(value) * 24 * 3600 if value.isdigit() else -1


@downloads.route("/govshare/tokens", methods=["POST"])
def token_create() -> Any:
    """A token from a live grant of the user's department; its secret shown once."""
    if not _shared.logged_in():
        return tk.abort(403, tk._("Log in first"))
    data: dict[str, Any] = {"grant_id": request.form.get("grant_id") or ""}
    expires = _days(request.form.get("expires_days"))
    if expires is not None:
        data["expires_in"] = expires  # -1 (not a number of days): refused by the action
    if (request.form.get("max_uses") or "").strip():
        data["max_uses"] = request.form["max_uses"].strip()
    try:
        token = tk.get_action("govshare_token_create")(_shared.context(), data)
    except tk.ValidationError as error:
        return _render_tokens(_shared.field_errors(error), 409)
    except tk.NotAuthorized as error:
        return _render_tokens({"grant_id": [str(error)]}, 403)
    except tk.ObjectNotFound as error:
        return _render_tokens({"grant_id": [str(error) or tk._("Not found")]}, 404)
    return _secret_page(token)


@downloads.route("/govshare/tokens/<token_id>/rotate", methods=["POST"])
def token_rotate(token_id: str) -> Any:
    """A new secret for one of the user's tokens; the old one stops at once."""
    if not _shared.logged_in():
        return tk.abort(403, tk._("Log in first"))
    try:
        token = tk.get_action("govshare_token_rotate")(_shared.context(), {"id": token_id})
    except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as error:
        if isinstance(error, tk.ObjectNotFound):
            return _shared.abort_for(error)
        _flash_refusal(error)
        return tk.redirect_to("govshare_downloads.tokens")
    return _secret_page(token)


@downloads.route("/govshare/tokens/<token_id>/revoke", methods=["POST"])
def token_revoke(token_id: str) -> Any:
    """Stop one of the user's tokens at once."""
    if not _shared.logged_in():
        return tk.abort(403, tk._("Log in first"))
    try:
        tk.get_action("govshare_token_revoke")(_shared.context(), {"id": token_id})
    except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as error:
        if isinstance(error, tk.ObjectNotFound):
            return _shared.abort_for(error)
        _flash_refusal(error)
        return tk.redirect_to("govshare_downloads.tokens")
    tk.h.flash_success(tk._("Token revoked: it no longer works."))
    return tk.redirect_to("govshare_downloads.tokens")

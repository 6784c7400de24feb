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

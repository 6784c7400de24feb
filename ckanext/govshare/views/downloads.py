"""Downloads (issue 6, art. 14): one resource with a token, many in a ZIP, one click on the page.

- ``GET /govshare/download/<resource_id>`` with ``Authorization: Bearer <token>``: the
  resource's bytes (uploaded file, or a link fetched from an allowed host), ranges honoured,
  with the grant, purpose and terms in the headers. A token in the URL (``?token=``) is refused
  with 400: URLs are kept in access logs, proxies and browser history (issue 14, item 2).
- ``POST /govshare/download/<resource_id>/start`` (logged in, CSRF-protected): the entry page's
  button; finds a live grant of the user's departments and answers with the file itself for
  the session user, counted and audited (route ``open``): no token, no redirect, no secret in
  any URL.
- ``POST /govshare/bulk`` (JSON ``{"resource_ids": [...], "package_ids": [...]}``, token or
  session): a streamed ZIP with ``MANIFEST.json``.

Every check comes before any byte; the count and its audit event commit before streaming.
Refusals answer 403 with ``{"reason", "message"}`` and are audited (outcome ``refused``).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import flask
from ckan import model
from flask import Blueprint, Response, request
from werkzeug.wsgi import FileWrapper

from ..core import clock, config
from ..downloads import bulk, serve, service, tokens
from ..downloads.model import ROUTE_BULK, ROUTE_OPEN, ROUTE_TOKEN

__all__ = ["downloads"]

downloads = Blueprint("govshare_downloads", __name__)

MISSING = "missing_token"
TOKEN_IN_URL = "token_in_url"
NOT_SIGNED_IN = "not_signed_in"


# ---------------------------------------------------------------------------- plumbing


def _session_user() -> model.User | None:
    """The user the request is otherwise authenticated as (session cookie or CKAN API token)."""
    user = tk.current_user
    if user is None or not user.is_authenticated:
        return None
    return model.User.get(user.id)


def _secret() -> str | None:
    """The token of ``Authorization: Bearer <token>``: the only place a secret is taken from."""
    return tokens.from_header(request.headers.get("Authorization"))


def _address() -> str | None:
    return request.remote_addr


def _refusal(status: int, reason: str, reasons: dict[str, tuple[str, str]] | None = None) -> Any:
    en, zh = (reasons or bulk.REASONS).get(reason, (reason, reason))
    text = zh if (tk.h.lang() or "").startswith("zh") else en
    response = flask.jsonify(
        {"reason": reason, "message": text, "message_en": en, "message_zh": zh}
    )
    response.status_code = status
    response.headers["Cache-Control"] = "private, no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="govshare"'
    return response


_REASONS = {
    **bulk.REASONS,
    MISSING: (
        "A download token is needed: send the header Authorization: Bearer <token>",
        "需要下载令牌：请发送请求头 Authorization: Bearer <令牌>",
    ),
    TOKEN_IN_URL: (
        "A download token may not be sent in the URL (?token=): URLs are kept in logs and "
        "browser history. Send the header Authorization: Bearer <token> instead; on the entry "
        "page, use the Download button",
        "下载令牌不得放在网址中（?token=）：网址会留在日志和浏览器历史记录里。"
        "请改用请求头 Authorization: Bearer <令牌>；在目录页面上请使用“下载”按钮",
    ),
    NOT_SIGNED_IN: ("Log in first", "请先登录"),
}


# ---------------------------------------------------------------------------- one resource


@downloads.route("/govshare/download/<resource_id>", methods=["GET", "HEAD"])
def download(resource_id: str) -> Any:
    """One resource with a token (art. 14): checked, counted, audited, then streamed."""
    if "token" in request.args:
        return _refusal(400, TOKEN_IN_URL, _REASONS)
    secret, address = _secret(), _address()
    session_user = _session_user()
    if not secret:
        return _refusal(401, MISSING, _REASONS)
    token = service.find(secret)
    res = service.resource(resource_id)
    grant = service.access_service.load_grant(token["grant_id"]) if token else None

    def refuse(reason: str, status: int = 403) -> Any:
        owner = model.User.get(token["user_id"]) if token else None
        service.refuse(
            reason,
            resource_id=resource_id,
            user=session_user or owner,
            token=token,
            grant=grant,
            res=res,
            route=ROUTE_TOKEN,
            address=address,
        )
        return _refusal(status, reason, _REASONS)

    reason = tokens.check(
        token,
        grant,
        user_id=session_user.id if session_user else None,
        resource_id=resource_id,
        package_id=res["package_id"] if res else None,
        now=clock.now(),
        today=clock.today(),
    )
    if reason is None and not service.still_member(token["user_id"], token["organization_id"]):  # type: ignore[index]
        reason = tokens.WRONG_USER
    if reason is not None:
        return refuse(reason)
    assert token is not None and grant is not None and res is not None
    user = model.User.get(token["user_id"])
    return _deliver(res, grant, user=user, token=token, address=address, refuse=refuse)


def _deliver(
    res: dict[str, Any],
    grant: dict[str, Any],
    *,
    user: model.User,
    token: dict[str, Any] | None,
    address: str | None,
    refuse: Any,
) -> Any:
    """The checked download's bytes: counted (token and grant) and recorded with its audit
    event, committed before the first byte; ``refuse(reason, status)`` answers otherwise.
    Shared by the token route and the one-click button (``token`` None: route ``open``)."""
    source = serve.locate(res)
    if isinstance(source, str):
        return refuse(source, 404 if source == serve.NO_FILE else 403)
    headers = serve.terms_headers(grant, token["id"] if token else None)
    if source.kind == "file":
        response, size = _file_response(source)
    else:
        upstream = serve.open_link_safely(source.url or "", request.headers.get("Range"))
        if upstream is None:
            return refuse(serve.UPSTREAM_FAILED, 502)
        response, size = _link_response(source, upstream)
    if response.status_code in (200, 206) and request.method != "HEAD":
        reason = service.count(token, grant)
        if reason is not None:
            response.close()
            return refuse(reason)
        service.record(
            user=user,
            grant=grant,
            res=res,
            token=token,
            route=ROUTE_TOKEN if token else ROUTE_OPEN,
            size=size,
            address=address,
            detail={"range": request.headers.get("Range")} if response.status_code == 206 else None,
        )
        model.Session.commit()
    response.headers.update(headers)
    return response


def _file_response(source: serve.Source) -> tuple[Response, int | None]:
    """An uploaded file: sent by nginx (X-Accel-Redirect) or by Flask, ranges honoured."""
    if serve.accel() == "x-accel":
        location = serve.accel_location(source.path or "")
        if location is not None:
            response = Response(status=200, mimetype=source.mimetype)
            response.headers["X-Accel-Redirect"] = location
            response.headers["Content-Disposition"] = serve.content_disposition(source.filename)
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
        body.buffer_size = serve.CHUNK  # 1 MiB reads, not Werkzeug's 8 KiB, when no sendfile
    return response, response.content_length if response.status_code in (200, 206) else None


def _range_length(size: int) -> int:
    """The bytes nginx will send for the request's Range (the whole file without one)."""
    rng = request.range
    if rng is None or len(rng.ranges) != 1:
        return size
    bounds = rng.range_for_length(size)
    return size if bounds is None else bounds[1] - bounds[0]


def _link_response(source: serve.Source, upstream: Any) -> tuple[Response, int | None]:
    status = upstream.status_code
    length = upstream.headers.get("Content-Length")
    response = Response(
        serve.link_chunks(upstream) if request.method != "HEAD" else b"",
        status=status,
        mimetype=source.mimetype,
        direct_passthrough=True,
    )
    if request.method == "HEAD":
        upstream.close()
    response.headers["Content-Disposition"] = serve.content_disposition(source.filename)
    for name in ("Content-Length", "Content-Range", "Accept-Ranges", "Last-Modified", "ETag"):
        if upstream.headers.get(name):
            response.headers[name] = upstream.headers[name]
    return response, int(length) if length and length.isdigit() else None


# ---------------------------------------------------------------------------- one click


@downloads.route("/govshare/download/<resource_id>/start", methods=["POST"])
def start(resource_id: str) -> Any:
    """The entry page's download button: the file itself, for the session user, under a live
    grant of one of the user's departments; checked, counted and audited like a token download
    (route ``open``). Nothing secret is made or put in a URL (issue 14, item 2)."""
    user = _session_user()
    if user is None:
        return tk.redirect_to("user.login", came_from=request.referrer or "/")
    res = service.resource(resource_id)
    if res is None:
        return tk.abort(404, tk._("Resource not found"))
    address = _address()
    grants = service.live_grants(
        service.who.organizations_of(user.id), res["package_id"], resource_id
    )
    grants = [g for g in grants if tokens.left(g.get("max_downloads"), g["downloads_used"])]
    if not grants:
        service.refuse(
            bulk.NO_GRANT,
            resource_id=resource_id,
            user=user,
            res=res,
            route=ROUTE_OPEN,
            address=address,
        )
        tk.h.flash_error(
            tk._(
                "None of your departments holds a live grant with downloads left for this resource"
            )
        )
        return tk.redirect_to("dataset.read", id=res["package_name"])
    grant = grants[0]

    def refuse(reason: str, status: int = 403) -> Any:
        service.refuse(
            reason,
            resource_id=resource_id,
            user=user,
            grant=grant,
            res=res,
            route=ROUTE_OPEN,
            address=address,
        )
        en, zh = _REASONS.get(reason, (reason, reason))
        tk.h.flash_error(zh if (tk.h.lang() or "").startswith("zh") else en)
        return tk.redirect_to("dataset.read", id=res["package_name"])

    return _deliver(res, grant, user=user, token=None, address=address, refuse=refuse)


# ---------------------------------------------------------------------------- bulk


@downloads.route("/govshare/bulk", methods=["POST"])
def bulk_download() -> Any:
    """Many resources in one ZIP, streamed (token or session); see ``downloads/bulk.py``."""
    address = _address()
    session_user = _session_user()
    secret = tokens.from_header(request.headers.get("Authorization"))
    token = None
    if secret:
        token = service.find(secret)
        if token is None:
            service.refuse(
                tokens.UNKNOWN,
                resource_id=None,
                user=session_user,
                route=ROUTE_BULK,
                address=address,
            )
            return _refusal(403, tokens.UNKNOWN, _REASONS)
        if session_user is not None and session_user.id != token["user_id"]:
            service.refuse(
                tokens.WRONG_USER,
                resource_id=None,
                user=session_user,
                token=token,
                route=ROUTE_BULK,
                address=address,
            )
            return _refusal(403, tokens.WRONG_USER, _REASONS)
        user = model.User.get(token["user_id"])
        if user is None or not service.still_member(user.id, token["organization_id"]):
            service.refuse(
                tokens.WRONG_USER,
                resource_id=None,
                user=user,
                token=token,
                route=ROUTE_BULK,
                address=address,
            )
            return _refusal(403, tokens.WRONG_USER, _REASONS)
    elif session_user is not None:
        user = session_user
    else:
        return _refusal(401, MISSING, _REASONS)
    body = request.get_json(silent=True)
    if body is None and request.form:
        body = {k: request.form.getlist(k) for k in ("resource_ids", "package_ids")}
    if not isinstance(body, dict):
        return _bad_request()
    resource_ids, package_ids = body.get("resource_ids") or [], body.get("package_ids") or []
    if not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v)
        for v in (resource_ids, package_ids)
    ) or not (resource_ids or package_ids):
        return _bad_request()
    max_files = config.download_bulk_max_files()
    items, refused = bulk.plan(
        resource_ids, package_ids, user=user, token=token, max_files=max_files
    )
    items = bulk.count(items, refused, user=user, token=token, address=address)
    model.Session.commit()
    meta = {
        "generated_at": clock.now().isoformat(),
        "site": tk.config.get("ckan.site_url"),
        "user": user.name,
        "token_id": token["id"] if token else None,
    }
    response = Response(
        bulk.archive(items, refused, meta), mimetype="application/zip", direct_passthrough=True
    )
    name = f"govshare-{clock.today().isoformat()}.zip"
    response.headers["Content-Disposition"] = serve.content_disposition(name)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Accel-Buffering"] = "no"
    response.headers["X-Govshare-Files"] = str(len(items))
    response.headers["X-Govshare-Refused"] = str(len(refused))
    response.headers["X-Govshare-Terms"] = serve.terms_headers(
        {"id": "", "purpose": "", "purpose_detail": ""}
    )["X-Govshare-Terms"]
    return response


def _bad_request() -> Any:
    response = flask.jsonify(
        {
            "reason": "bad_request",
            "message": 'Send JSON {"resource_ids": [...], "package_ids": [...]}',
            "message_zh": '请发送 JSON：{"resource_ids": [...], "package_ids": [...]}',
        }
    )
    response.status_code = 400
    return response

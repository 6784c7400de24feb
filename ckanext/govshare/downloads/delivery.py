"""One download, from its check to its count (art. 14): the domain service of the download routes.

A download is two steps, each an action (``logic/action/downloads.py``), so that the route
only streams:

1. :func:`authorize` — every check, in a fixed order, before anything is sent: the token
   (``tokens.check``) or, for the entry page's button, a live grant of the user's departments;
   the owner still a member of the token's department; where the bytes come from
   (``serve.locate``; a link is opened here, with the request's ``Range``). The answer is a
   :class:`Delivery` (what the route streams and what counting it needs) or a
   :class:`Refusal`, audited (outcome ``refused``).
2. :func:`count` — once the route knows the response is a 200 or 206 with a body: one
   conditional ``UPDATE … RETURNING`` on the token and one on the grant
   (``service.count``), the ``govshare_download`` row and its audit event, committed by the
   action before the first byte. A download that lost the race for the last use is a
   :class:`Refusal`, audited in the same transaction, with nothing counted.

What is delivered is the grant's scope on the resource (issue 16, item 3; art. 14 of the
2016 Measures, art. 25 of the 2025 Regulations: no use beyond the granted scope), asked of
``dataplane.service.scope_for`` on every download with the grant read in this request: a
resource outside the DataStore that the grant covers entirely is the original file
(``serve``); a resource in the DataStore is a CSV (default) or XLSX of exactly the granted
columns and rows (``dataplane.cut``), streamed in constant memory; a grant with nothing of the
resource (narrowed on a resource that cannot be cut, no granted column in the table, ended) is
a :class:`Refusal` whose reason is the scope rule's (``access.scope.REASONS``).

The bulk ZIP is one step, :func:`prepare_bulk`: the token or session, every file's checks
and scope, counts and records (``bulk.plan``, ``bulk.count``), committed by its action before
the archive is streamed.

Refusals carry one shape everywhere (``{"reason", "message_en", "message_zh"}``; the route
adds ``message`` in the page's language): :data:`REASONS` is every reason the download
routes give.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ..access import grants as access_grants
from ..access import suspension
from ..access.scope import OutOfScope, Scope
from ..core import clock, config, membership
from ..dataplane import cut
from ..dataplane import service as dataplane
from . import bulk, serve, service, tokens
from .model import ROUTE_BULK, ROUTE_OPEN, ROUTE_TOKEN

__all__ = [
    "MISSING",
    "NOT_SIGNED_IN",
    "REASONS",
    "TOKEN_IN_URL",
    "Archive",
    "Delivery",
    "Refusal",
    "authorize",
    "count",
    "prepare_bulk",
    "refusal",
]

MISSING = "missing_token"
TOKEN_IN_URL = "token_in_url"
NOT_SIGNED_IN = "not_signed_in"

#: Every reason a download route refuses with, in English and Chinese.
REASONS: dict[str, tuple[str, str]] = {
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

# The button's refusal when no grant is found says what the button needs (a grant with
# downloads left); the audit event's reason stays ``no_grant``.
_NO_GRANT_WITH_DOWNLOADS = (
    "None of your departments holds a live grant with downloads left for this resource",
    "您所在部门没有涵盖该资源且尚有下载次数的有效授权",
)


@dataclass(frozen=True)
class Refusal:
    """Why a download is refused: the reason code, the HTTP status, the text in both
    languages; ``package_name`` lets the entry page's button go back to the entry."""

    reason: str
    status: int = 403
    package_name: str | None = None
    texts: tuple[str, str] | None = None

    def answer(self) -> dict[str, Any]:
        en, zh = self.texts or REASONS.get(self.reason, (self.reason, self.reason))
        return {
            "reason": self.reason,
            "status": self.status,
            "message_en": en,
            "message_zh": zh,
            "package_name": self.package_name,
        }


def refusal(reason: str, status: int = 403) -> dict[str, Any]:
    """A refusal's answer (the one shape of every download refusal)."""
    return Refusal(reason, status).answer()


@dataclass
class Delivery:
    """A checked download: what the route streams, and what counting it needs.

    The route reads ``source`` (a file: ``path``, ``filename``, ``mimetype``, ``size``),
    ``accel_location`` (nginx sends the file), ``upstream_status``/``upstream_headers`` and
    :meth:`chunks` (a link, opened with the request's ``Range``; a cut file, ``source.kind``
    ``cut``, written from the DataStore as it is read), and sets ``headers`` (grant, purpose,
    terms; for a cut file its columns) on its response.
    """

    res: dict[str, Any]
    grant: dict[str, Any]
    user: model.User
    token: dict[str, Any] | None
    route: str
    address: str | None
    source: serve.Source
    headers: dict[str, str]
    content_disposition: str
    accel_location: str | None = None
    upstream: Any = None
    chunk_size: int = serve.CHUNK
    scope: Scope | None = None
    fmt: str | None = None
    tally: cut.Tally = field(default_factory=cut.Tally)
    counted: bool = field(default=False, init=False)
    started: float = field(default_factory=time.monotonic, init=False)

    @property
    def is_cut(self) -> bool:
        """The file is cut to the grant (not the original): no length, no ranges."""
        return self.source.kind == serve.CUT

    @property
    def upstream_status(self) -> int | None:
        return None if self.upstream is None else int(self.upstream.status_code)

    @property
    def upstream_headers(self) -> dict[str, str]:
        """The link's headers the route passes on (length, range, validators)."""
        if self.upstream is None:
            return {}
        names = ("Content-Length", "Content-Range", "Accept-Ranges", "Last-Modified", "ETag")
        return {n: self.upstream.headers[n] for n in names if self.upstream.headers.get(n)}

    def chunks(self) -> Iterator[bytes]:
        """A cut file's bytes as they are written (``tally`` filled on the way), or the
        link's, 1 MiB at a time (the upstream is closed at the end)."""
        if self.is_cut:
            assert self.scope is not None and self.fmt is not None
            return cut.chunks(self.scope, self.fmt, self.tally)
        return serve.link_chunks(self.upstream, self.chunk_size)

    def close(self) -> None:
        """Let go of the link (a HEAD request, or a refusal after it was opened)."""
        if self.upstream is not None:
            self.upstream.close()


# ---------------------------------------------------------------------------- checks


def _refused(
    reason: str,
    status: int = 403,
    *,
    resource_id: str | None,
    route: str,
    address: str | None,
    user: Any = None,
    token: Mapping[str, Any] | None = None,
    grant: Mapping[str, Any] | None = None,
    res: Mapping[str, Any] | None = None,
    texts: tuple[str, str] | None = None,
) -> Refusal:
    """The refusal, audited (outcome ``refused``) in the action's transaction; a suspended
    grant's refusal says its reason and date to rectify by (2025 art. 27)."""
    if texts is None and reason == tokens.SUSPENDED:
        texts = tokens.texts(reason, grant)
    service.refuse(
        reason,
        resource_id=resource_id,
        user=user,
        token=token,
        grant=grant,
        res=res,
        route=route,
        address=address,
        commit=False,
        status=status,
    )
    return Refusal(reason, status, (res or {}).get("package_name"), texts)


def authorize(
    resource_id: str,
    *,
    route: str,
    secret: str | None,
    session_user: model.User | None,
    address: str | None,
    range_header: str | None,
    token_in_url: bool = False,
    fmt: str | None = None,
) -> Delivery | Refusal:
    """Every check of one download, before any byte (art. 14; workflows.md "Grants and
    download tokens"): with a token (route ``token``) or, for the entry page's button, the
    session user's departments' live grant (route ``open``); then the grant's scope on the
    resource (``fmt``: ``csv`` or ``xlsx``, the format of a cut file)."""
    started = time.monotonic()
    result = _authorize(
        resource_id,
        route=route,
        secret=secret,
        session_user=session_user,
        address=address,
        range_header=range_header,
        token_in_url=token_in_url,
        fmt=fmt,
    )
    if isinstance(result, Delivery):
        result.started = started  # the call log's milliseconds run from the first check
    return result


def _authorize(
    resource_id: str,
    *,
    route: str,
    secret: str | None,
    session_user: model.User | None,
    address: str | None,
    range_header: str | None,
    token_in_url: bool,
    fmt: str | None,
) -> Delivery | Refusal:
    if route == ROUTE_OPEN:
        return _authorize_session(
            resource_id, user=session_user, address=address, range_header=range_header, fmt=fmt
        )
    if token_in_url:
        return Refusal(TOKEN_IN_URL, 400)
    if not tokens.well_formed(secret):
        return Refusal(MISSING, 401)
    token = service.find(secret)
    res = service.resource(resource_id)
    grant = access_grants.load_grant(token["grant_id"]) if token else None
    owner = model.User.get(token["user_id"]) if token else None
    reason = tokens.check(
        token,
        grant,
        user_id=session_user.id if session_user else None,
        resource_id=resource_id,
        package_id=res["package_id"] if res else None,
        now=clock.now(),
        today=clock.today(),
    )
    if (
        reason is None
        and token is not None
        and not service.still_member(token["user_id"], token["organization_id"])
    ):
        reason = tokens.WRONG_USER  # the owner no longer belongs to the token's department
    if reason is not None:
        return _refused(
            reason,
            resource_id=resource_id,
            route=ROUTE_TOKEN,
            address=address,
            user=session_user or owner,
            token=token,
            grant=grant,
            res=res,
        )
    assert token is not None and grant is not None and res is not None and owner is not None
    return _source(res, grant, owner, token, ROUTE_TOKEN, address, range_header, fmt)


def _authorize_session(
    resource_id: str,
    *,
    user: model.User | None,
    address: str | None,
    range_header: str | None,
    fmt: str | None = None,
) -> Delivery | Refusal:
    """The entry page's button: a live grant of one of the user's departments with downloads
    left that has something of the resource (``bulk.pick``: a department holding a narrowed
    and a full grant gets what the full one allows), the one ending last; no token is made
    (issue 14, item 2)."""
    if user is None:
        return Refusal(NOT_SIGNED_IN, 401)
    res = service.resource(resource_id)
    if res is None:
        return Refusal(bulk.NOT_FOUND, 404)
    grants = service.live_grants(
        membership.organizations_of(user.id), res["package_id"], resource_id
    )
    grants = [g for g in grants if tokens.left(g.get("max_downloads"), g["downloads_used"])]
    if not grants:
        suspended = suspension.suspended_for(
            membership.organizations_of(user.id), res["package_id"], resource_id
        )
        if suspended is not None:  # say why (2025 art. 27), not "no grant"
            return _refused(
                tokens.SUSPENDED,
                resource_id=resource_id,
                route=ROUTE_OPEN,
                address=address,
                user=user,
                grant=suspended,
                res=res,
            )
        return _refused(
            bulk.NO_GRANT,
            resource_id=resource_id,
            route=ROUTE_OPEN,
            address=address,
            user=user,
            res=res,
            texts=_NO_GRANT_WITH_DOWNLOADS,
        )
    grant, scoped = bulk.pick(grants, resource_id, dataplane.entry(res["package_id"]))
    return _source(res, grant, user, None, ROUTE_OPEN, address, range_header, fmt, scoped)


def _source(
    res: dict[str, Any],
    grant: dict[str, Any],
    user: model.User,
    token: dict[str, Any] | None,
    route: str,
    address: str | None,
    range_header: str | None,
    fmt: str | None = None,
    scoped: Scope | OutOfScope | None = None,
) -> Delivery | Refusal:
    """What the checked download delivers: the grant's scope on the resource, asked now
    (``dataplane.service.scope_for``, unless the caller just asked it: no cached scope, so a
    grant revoked a moment ago delivers nothing). A cut scope is a file written from the
    DataStore; a whole scope the original's bytes, whose link is opened here (a ``Range`` is
    passed on), so that a host that fails is a refusal (502) before the route answers."""

    def refused(reason: str, status: int, texts: tuple[str, str] | None = None) -> Refusal:
        return _refused(
            reason,
            status,
            resource_id=res["id"],
            route=route,
            address=address,
            user=user,
            token=token,
            grant=grant,
            res=res,
            texts=texts,
        )

    if scoped is None:
        scoped = dataplane.scope_for(grant, res["id"])
    if isinstance(scoped, OutOfScope):
        return refused(scoped.reason, 403, scoped.texts)
    headers = serve.terms_headers(grant, token["id"] if token else None)
    if scoped.cut:
        fmt = fmt or cut.CSV
        source = bulk.cut_source(res, fmt)
        headers.update(serve.scope_headers(scoped.columns, scoped.rows is not None))
        return Delivery(
            res=res,
            grant=grant,
            user=user,
            token=token,
            route=route,
            address=address,
            source=source,
            headers=headers,
            content_disposition=serve.content_disposition(source.filename),
            scope=scoped,
            fmt=fmt,
        )
    source = serve.locate(res)
    if isinstance(source, str):
        return refused(source, 404 if source == serve.NO_FILE else 403)
    delivery = Delivery(
        res=res,
        grant=grant,
        user=user,
        token=token,
        route=route,
        address=address,
        source=source,
        headers=headers,
        content_disposition=serve.content_disposition(source.filename),
    )
    if source.kind == "file":
        if serve.accel() == "x-accel":
            delivery.accel_location = serve.accel_location(source.path or "")
        return delivery
    delivery.upstream = serve.open_link_safely(source.url or "", range_header)
    if delivery.upstream is None:
        return refused(serve.UPSTREAM_FAILED, 502)
    return delivery


# ---------------------------------------------------------------------------- counting


def count(
    delivery: Delivery, *, status: int, size: int | None, range_header: str | None = None
) -> Refusal | None:
    """Count the download against the token and the grant and record it (row and audit
    event) in the action's transaction, committed before the first byte; ``status`` is the
    response's (a 206 records its ``Range``). Of concurrent downloads against a last use
    exactly one passes (``service.count``); the others are refused here, audited, with
    nothing counted."""
    reason = service.count(delivery.token, delivery.grant)
    if reason is not None:
        model.Session.rollback()  # the token's use may be taken already: give it back
        delivery.close()
        return _refused(
            reason,
            resource_id=delivery.res["id"],
            route=delivery.route,
            address=delivery.address,
            user=delivery.user,
            token=delivery.token,
            grant=delivery.grant,
            res=delivery.res,
        )
    service.record(
        user=delivery.user,
        grant=delivery.grant,
        res=delivery.res,
        token=delivery.token,
        route=delivery.route,
        size=size,
        address=delivery.address,
        detail=_detail(delivery, status, range_header),
        status=status,
        fields=list(delivery.scope.columns) if delivery.scope and delivery.is_cut else None,
        milliseconds=int((time.monotonic() - delivery.started) * 1000),
    )
    delivery.counted = True
    return None


def _detail(delivery: Delivery, status: int, range_header: str | None) -> dict[str, Any] | None:
    """What the download's audit event adds: the range of a 206; for a cut file the
    columns, the row filter and the format delivered (art. 24: what was handed over)."""
    detail: dict[str, Any] = {}
    if status == 206:
        detail["range"] = range_header
    if delivery.scope is not None and delivery.is_cut:
        detail.update(bulk.scope_detail(delivery.scope, delivery.fmt))
    return detail or None


# ---------------------------------------------------------------------------- bulk


@dataclass
class Archive:
    """A bulk download ready to stream: the ZIP (generated as it is read, ``MANIFEST.json``
    last) and the response's headers."""

    body: Iterator[bytes]
    headers: dict[str, str]
    files: int
    refused: int


def prepare_bulk(
    resource_ids: list[str],
    package_ids: list[str],
    *,
    secret: str | None,
    session_user: model.User | None,
    address: str | None,
    fmt: str | None = None,
) -> Archive | Refusal:
    """Many resources in one ZIP (art. 14), with a token or the session's departments'
    grants: every file checked, cut to its grant's scope (``fmt``: the cut files' format),
    counted and recorded in the action's transaction (one savepoint each), every refusal
    listed in the manifest and audited."""
    token = None
    if tokens.well_formed(secret):
        token = service.find(secret)
        if token is None:
            return _refused(
                tokens.UNKNOWN,
                resource_id=None,
                route=ROUTE_BULK,
                address=address,
                user=session_user,
            )
        if session_user is not None and session_user.id != token["user_id"]:
            return _refused(
                tokens.WRONG_USER,
                resource_id=None,
                route=ROUTE_BULK,
                address=address,
                user=session_user,
                token=token,
            )
        user = model.User.get(token["user_id"])
        if user is None or not service.still_member(user.id, token["organization_id"]):
            return _refused(
                tokens.WRONG_USER,
                resource_id=None,
                route=ROUTE_BULK,
                address=address,
                user=user,
                token=token,
            )
    elif session_user is not None:
        user = session_user
    else:
        return Refusal(MISSING, 401)
    items, refused = bulk.plan(
        resource_ids,
        package_ids,
        user=user,
        token=token,
        max_files=config.download_bulk_max_files(),
        fmt=fmt or cut.CSV,
    )
    items = bulk.count(items, refused, user=user, token=token, address=address)
    meta = {
        "generated_at": clock.now().isoformat(),
        "site": tk.config.get("ckan.site_url"),
        "user": user.name,
        "token_id": token["id"] if token else None,
    }
    terms = serve.terms_headers({"id": "", "purpose": "", "purpose_detail": ""})
    headers = {
        "Content-Disposition": serve.content_disposition(
            f"govshare-{clock.today().isoformat()}.zip"
        ),
        "Cache-Control": "private, no-store",
        "X-Accel-Buffering": "no",
        "X-Govshare-Files": str(len(items)),
        "X-Govshare-Refused": str(len(refused)),
        "X-Govshare-Terms": terms["X-Govshare-Terms"],
    }
    return Archive(bulk.archive(items, refused, meta), headers, len(items), len(refused))

"""Where a resource's bytes come from, and the headers that go with them (art. 14).

Uploaded files are read from CKAN's storage (``get_resource_uploader(res).get_path(id)``), or
handed to nginx with ``X-Accel-Redirect`` when ``ckanext.govshare.download_accel = x-accel``.
Link resources are fetched by the server, streaming, only from the hosts listed in
``ckanext.govshare.download.allowed_hosts`` (no redirects followed: a redirect could leave the
list). A file cut to a grant (``kind`` ``cut``, issue 16) is written from the DataStore by
``dataplane.cut``; here are only its name and headers. Everything else about a download
(tokens, scope, counting) is decided before this is called.
"""

from __future__ import annotations

import os
import posixpath
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import ckan.plugins.toolkit as tk

from ..core import config

CHUNK = 1024 * 1024
CUT = "cut"  # a Source written from the DataStore, cut to a grant's scope
NO_FILE = "no_file"
HOST_NOT_ALLOWED = "host_not_allowed"
UPSTREAM_FAILED = "upstream_failed"

TERMS_EN = (
    "For the purpose stated in the grant only; no onward transfer to any other party; "
    "destroy when no longer needed (Interim Measures art. 14)"
)
TERMS_ZH = "仅限授权所述用途使用，不得转交第三方或用于其他目的，不再需要时应销毁（第十四条）"


@dataclass
class Source:
    """A resource's bytes: a file on this server, or a URL on an allowed host."""

    kind: str  # ``file``, ``link`` or ``cut`` (written from the DataStore)
    filename: str
    mimetype: str
    path: str | None = None
    size: int | None = None
    url: str | None = None


# ---------------------------------------------------------------------------- config


def allowed_hosts() -> frozenset[str]:
    return frozenset(h.strip().lower() for h in config.download_allowed_hosts() if h.strip())


def accel() -> str:
    return config.download_accel().strip().lower()


def accel_prefix() -> str:
    prefix = config.download_accel_prefix()
    return prefix if prefix.endswith("/") else prefix + "/"


def fetch_timeout() -> float:
    return float(config.download_fetch_timeout())


def host_allowed(url: str, hosts: frozenset[str] | None = None) -> bool:
    """An http(s) URL whose host (or ``host:port``) is on the allow-list."""
    hosts = allowed_hosts() if hosts is None else hosts
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname.lower()
    return host in hosts or (port is not None and f"{host}:{port}" in hosts)


# ---------------------------------------------------------------------------- names


def safe_name(name: str, fallback: str) -> str:
    """A file name with no directory parts, control characters or leading dots."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().lstrip(".")
    return name[:200] or fallback


def filename_of(res: Mapping[str, Any]) -> str:
    """The resource's name with the file's extension (CKAN stores uploads under a munged
    ASCII name: 人口数据 is more use to the department than ``-.csv``), else the URL's."""
    url = res.get("url") or ""
    base = safe_name(posixpath.basename(unquote(urlsplit(url).path)) if url else "", "")
    ext = posixpath.splitext(base)[1]
    name = safe_name(res.get("name") or "", "")
    if name:
        return name if not ext or name.lower().endswith(ext.lower()) else name + ext
    return base or res["id"]


def mimetype_of(res: Mapping[str, Any], filename: str) -> str:
    if res.get("mimetype"):
        return str(res["mimetype"])
    import mimetypes

    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


# ---------------------------------------------------------------------------- sources


def locate(res: Mapping[str, Any]) -> Source | str:
    """The resource's bytes, or why the platform cannot serve them (a reason code)."""
    filename = filename_of(res)
    mimetype = mimetype_of(res, filename)
    if res.get("url_type") == "upload":
        from ckan.lib.uploader import get_resource_uploader

        path = get_resource_uploader(dict(res)).get_path(res["id"])
        try:
            size = os.stat(path).st_size
        except OSError:
            return NO_FILE
        return Source("file", filename, mimetype, path=path, size=size)
    url = res.get("url") or ""
    if not url:
        return NO_FILE
    if not host_allowed(url):
        return HOST_NOT_ALLOWED
    return Source("link", filename, mimetype, url=url)


def open_link(url: str, headers: Mapping[str, str] | None = None) -> Any:
    """A streaming GET of a link resource (the caller closes it); redirects are not followed."""
    import requests

    return requests.get(
        url,
        headers=dict(headers or {}),
        stream=True,
        allow_redirects=False,
        timeout=(min(fetch_timeout(), 10.0), fetch_timeout()),
    )


def open_link_safely(url: str, range_header: str | None = None) -> Any | None:
    """The upstream response when it answers 200 or 206 (a Range is passed on), else None."""
    import requests

    try:
        response = open_link(url, {"Range": range_header} if range_header else None)
    except requests.RequestException:
        return None
    if response.status_code not in (200, 206):
        response.close()
        return None
    return response


def link_chunks(response: Any, chunk: int = CHUNK) -> Iterator[bytes]:
    try:
        yield from response.iter_content(chunk)
    finally:
        response.close()


def file_chunks(path: str, chunk: int = CHUNK) -> Iterator[bytes]:
    with open(path, "rb") as f:
        while True:
            block = f.read(chunk)
            if not block:
                return
            yield block


def accel_location(path: str) -> str | None:
    """The internal URL nginx serves ``path`` from (``/_govshare_accel/<path under
    ckan.storage_path>``), or ``None`` when the file is not under the storage path."""
    storage = tk.config.get("ckan.storage_path") or ""
    if not storage:
        return None
    root = os.path.realpath(storage)
    real = os.path.realpath(path)
    if os.path.commonpath([root, real]) != root:
        return None
    return accel_prefix() + quote(os.path.relpath(real, root).replace(os.sep, "/"))


# ---------------------------------------------------------------------------- headers


def ext_value(text: str) -> str:
    """RFC 8187 ``ext-value``: ``UTF-8''`` and the percent-encoded text."""
    return "UTF-8''" + quote(text, safe="")


def content_disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "") or "download"
    if ascii_name == filename:
        return f'attachment; filename="{ascii_name}"'
    return f'attachment; filename="{ascii_name}"; filename*={ext_value(filename)}'


def scope_headers(columns: tuple[str, ...] | list[str], filtered: bool) -> dict[str, str]:
    """A cut file's headers (issue 16, item 3): the columns it holds (RFC 8187, they may be
    Chinese) and whether a row filter applies; no length is known before it is written, and
    no range can be served of a file written as it is read (``Accept-Ranges: none``)."""
    return {
        "X-Govshare-Scope": (
            f"cut; columns={len(columns)}; rows={'filtered' if filtered else 'all'}; "
            f"names*={ext_value(','.join(columns))}"
        ),
        "Accept-Ranges": "none",
    }


def terms_headers(grant: Mapping[str, Any], token_id: str | None = None) -> dict[str, str]:
    """The grant, its purpose and the terms of use, on every download response.

    Non-ASCII text is percent-encoded as an RFC 8187 parameter (``…*=UTF-8''…``).
    """
    headers = {
        "X-Govshare-Grant": str(grant["id"]),
        "X-Govshare-Purpose": (
            f"{grant['purpose']}; detail*={ext_value(grant.get('purpose_detail') or '')}"
        ),
        "X-Govshare-Terms": (
            "purpose-bound; no-onward-transfer; "
            f"text*={ext_value(TERMS_EN)}; text-zh*={ext_value(TERMS_ZH)}"
        ),
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    if token_id:
        headers["X-Govshare-Token"] = token_id
    return headers

"""Bulk download for departments: many resources in one streamed ZIP (art. 14).

Each file is ``<resource_code>/<file name>``; ``MANIFEST.json``, the archive's last member,
gives for every file its entry, grant, purpose, terms, sha256 and size, and lists every
requested resource or entry that was refused and why: nothing is dropped silently.

Each file is its grant's scope on the resource (issue 16, item 3; ``dataplane.service.
scope_for``): a resource in the DataStore is a CSV or XLSX of exactly the granted columns and
rows (``<name>.csv``/``.xlsx``), whose columns and row count the manifest lists (counted while
the file streams; the manifest is written last, so they are known); a resource outside it is
the original file only for a grant that covers it entirely; a grant with nothing of it is a
refusal with the scope rule's reason (``access.scope.REASONS``). The ZIP is
built while it is sent (zipstream-ng, stored, zip64 when needed): memory stays constant and
the first bytes leave at once. Every file is a download: counted against the token and the
grant and recorded before the first byte, like a single download.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import zipstream
from ckan import model

from ..access import grants as access_grants
from ..access import scope as access_scope
from ..access import suspension
from ..access.scope import OutOfScope, Scope
from ..core import clock, membership
from ..dataplane import cut
from ..dataplane import service as dataplane
from . import serve, service, tokens
from .model import ROUTE_BULK

NOT_FOUND = "not_found"
NO_GRANT = "no_grant"
TOO_MANY = "too_many"
FAILED = "failed"

REASONS: dict[str, tuple[str, str]] = {
    **access_scope.REASONS,  # the token's texts win where the codes are the same
    **tokens.REASONS,
    NOT_FOUND: ("No such resource or entry", "资源或信息资源不存在"),
    NO_GRANT: (
        "None of your departments holds a live grant covering this resource",
        "您所在部门没有涵盖该资源的有效授权",
    ),
    TOO_MANY: ("Too many files in one request", "单次请求的文件过多"),
    serve.NO_FILE: ("The resource has no file to download", "该资源没有可下载的文件"),
    serve.HOST_NOT_ALLOWED: (
        "The resource links to a host the platform does not fetch from",
        "该资源链接的主机不在平台允许获取的范围内",
    ),
    serve.UPSTREAM_FAILED: (
        "The resource's host did not deliver the file",
        "资源所在主机未能提供文件",
    ),
}

# The status a refused file of the archive is logged with (the archive itself is a 200).
_STATUS = {NOT_FOUND: 404, serve.NO_FILE: 404, serve.UPSTREAM_FAILED: 502, TOO_MANY: 413}

# A cut file whose table could not be read to the end (the manifest's ``error``).
READ_FAILED = (
    "The resource's table could not be read to the end",
    "未能完整读取该资源的数据表",
)


def reason_entry(reason: str, grant: Mapping[str, Any] | None = None, **ids: Any) -> dict[str, Any]:
    """A refused file of the manifest; under a suspended ``grant`` its reason and date to
    rectify by (2025 art. 27)."""
    if grant is not None and reason == tokens.SUSPENDED:
        en, zh = tokens.texts(reason, grant)
    else:
        en, zh = REASONS.get(reason, (reason, reason))
    return {**ids, "reason": reason, "message": en, "message_zh": zh}


def cut_source(res: Mapping[str, Any], fmt: str) -> serve.Source:
    """A file cut to a grant: the original's name with the format's extension."""
    return serve.Source(serve.CUT, cut.filename(serve.filename_of(res), fmt), cut.MIMETYPES[fmt])


def scope_detail(scope: Scope, fmt: str | None) -> dict[str, Any]:
    """What a cut file holds, for its audit event (art. 24) and the manifest."""
    return {
        "cut": True,
        "format": fmt,
        "columns": list(scope.columns),
        "row_filter": scope.rows.as_dict() if scope.rows is not None else None,
    }


def pick(
    grants: Sequence[dict[str, Any]], resource_id: str, entry: Mapping[str, Any]
) -> tuple[dict[str, Any], Scope | OutOfScope]:
    """Of a department's live grants covering a resource (in ``service.live_grants``'
    order), the first with something of it and its scope; none: the first and why not."""
    first: tuple[dict[str, Any], Scope | OutOfScope] | None = None
    for grant in grants:
        scoped = dataplane.scope_for(grant, resource_id, entry)
        if isinstance(scoped, Scope):
            return grant, scoped
        first = first or (grant, scoped)
    assert first is not None, "pick needs at least one grant"
    return first


@dataclass
class Item:
    """One file of the archive: what is sent, under which grant and scope (``scope`` set for
    a cut file, ``fmt`` its format), and its manifest record."""

    res: dict[str, Any]
    grant: dict[str, Any]
    source: serve.Source
    arcname: str = ""
    record: dict[str, Any] = field(default_factory=dict)
    scope: Scope | None = None
    fmt: str | None = None
    tally: cut.Tally = field(default_factory=cut.Tally)


def plan(
    resource_ids: Sequence[str],
    package_ids: Sequence[str],
    *,
    user: model.User,
    token: Mapping[str, Any] | None,
    max_files: int,
    fmt: str = cut.CSV,
) -> tuple[list[Item], list[dict[str, Any]]]:
    """The files a request may have, each cut to its grant's scope (``fmt``: the cut files'
    format), and what it may not (with reasons). The scope is asked with the grant read in
    this request and the entry read once per entry."""
    refused: list[dict[str, Any]] = []
    wanted: list[str] = []
    for rid in resource_ids:
        if rid not in wanted:
            wanted.append(rid)
    for pid in package_ids:
        found, rids = service.package_resources(pid)
        if found is None:
            refused.append(reason_entry(NOT_FOUND, package_id=pid))
        wanted.extend(r for r in rids if r not in wanted)
    if len(wanted) > max_files:
        refused.extend(reason_entry(TOO_MANY, resource_id=r) for r in wanted[max_files:])
        wanted = wanted[:max_files]
    grant_of_token = access_grants.load_grant(token["grant_id"]) if token is not None else None
    orgs = membership.organizations_of(user.id)
    now, today = clock.now(), clock.today()
    entries: dict[str, dict[str, Any]] = {}
    items: list[Item] = []
    for rid in wanted:
        res = service.resource(rid)
        if res is None:
            refused.append(reason_entry(NOT_FOUND, resource_id=rid))
            continue
        if token is not None:
            reason = tokens.check(
                token,
                grant_of_token,
                user_id=user.id,
                resource_id=rid,
                package_id=res["package_id"],
                now=now,
                today=today,
            )
            grant = grant_of_token
        else:
            grants = service.live_grants(orgs, res["package_id"], rid)
            reason = None if grants else NO_GRANT
            grant = grants[0] if grants else None
            if grant is None:  # a suspended grant says why (2025 art. 27)
                grant = suspension.suspended_for(orgs, res["package_id"], rid, today)
                reason = tokens.SUSPENDED if grant is not None else NO_GRANT
        scoped: Scope | OutOfScope | None = None
        source: serve.Source | str = NO_GRANT
        if reason is None and grant is not None:
            pid = res["package_id"]
            if pid not in entries:
                entries[pid] = dataplane.entry(pid)
            if token is not None:
                scoped = dataplane.scope_for(grant, rid, entries[pid])
            else:
                grant, scoped = pick(grants, rid, entries[pid])
            if isinstance(scoped, OutOfScope):
                reason = scoped.reason
            elif scoped.cut:
                source = cut_source(res, fmt)
            else:
                source = serve.locate(res)
                if isinstance(source, str):
                    reason = source
        if reason is not None or grant is None or not isinstance(source, serve.Source):
            refused.append(
                reason_entry(
                    reason or NO_GRANT, grant, resource_id=rid, package_id=res["package_id"]
                )
                | {"_res": res, "_grant": grant}
            )
            continue
        cut_scope = scoped if isinstance(scoped, Scope) and scoped.cut else None
        items.append(
            Item(
                res=res,
                grant=grant,
                source=source,
                scope=cut_scope,
                fmt=fmt if cut_scope is not None else None,
            )
        )
    _name(items)
    return items, refused


def _name(items: list[Item]) -> None:
    """``<resource_code>/<file name>``, unique within the archive."""
    taken: set[str] = {"MANIFEST.json"}
    for item in items:
        folder = "/".join(
            serve.safe_name(part, "_") for part in str(item.res["resource_code"]).split("/")
        )
        base = item.source.filename
        name, n = f"{folder}/{base}", 1
        while name in taken:
            n += 1
            stem, dot, ext = base.rpartition(".")
            name = f"{folder}/{stem} ({n}).{ext}" if dot and stem else f"{folder}/{base} ({n})"
        taken.add(name)
        item.arcname = name


def count(
    items: list[Item],
    refused: list[dict[str, Any]],
    *,
    user: model.User,
    token: Mapping[str, Any] | None,
    address: str | None,
) -> list[Item]:
    """Count and record every file (one savepoint each), audit the refusals; the caller
    commits. Files over a limit move to ``refused``. Grants are locked in id order."""
    kept: list[Item] = []
    for item in sorted(items, key=lambda i: (i.grant["id"], i.arcname)):
        savepoint = model.Session.begin_nested()
        reason = service.count(token, item.grant)
        if reason is not None:
            savepoint.rollback()
            refused.append(
                reason_entry(reason, resource_id=item.res["id"], package_id=item.res["package_id"])
                | {"_res": item.res, "_grant": item.grant}
            )
            continue
        service.record(
            user=user,
            grant=item.grant,
            res=item.res,
            token=token,
            route=ROUTE_BULK,
            size=item.source.size,  # a cut file's is not known before it is written: NULL
            address=address,
            detail={
                "path": item.arcname,
                **(scope_detail(item.scope, item.fmt) if item.scope is not None else {}),
            },
            fields=list(item.scope.columns) if item.scope is not None else None,
        )
        savepoint.commit()
        kept.append(item)
    for entry in refused:
        service.refuse(
            entry["reason"],
            resource_id=entry.get("resource_id") or entry.get("package_id"),
            user=user,
            token=token,
            grant=entry.get("_grant"),
            res=entry.get("_res"),
            route=ROUTE_BULK,
            address=address,
            commit=False,
            status=_STATUS.get(entry["reason"], 403),
        )
    kept.sort(key=lambda i: items.index(i))
    return kept


def _file_record(item: Item) -> dict[str, Any]:
    res, grant = item.res, item.grant
    return {
        "path": item.arcname,
        "resource_id": res["id"],
        "resource_name": res.get("name"),
        "resource_code": res.get("resource_code"),
        "package_id": res["package_id"],
        "package_name": res.get("package_name"),
        "grant_id": grant["id"],
        "purpose": grant["purpose"],
        "purpose_detail": grant.get("purpose_detail"),
        "terms": {"en": serve.TERMS_EN, "zh": serve.TERMS_ZH},
        "cut": item.scope is not None,
        "format": item.fmt,
        "columns": None,
        "rows": None,
        "row_filter": (
            item.scope.rows.as_dict() if item.scope is not None and item.scope.rows else None
        ),
        "sha256": None,
        "size": None,
        "complete": False,
    }


def _hashed(item: Item) -> Iterator[bytes]:
    """The file's bytes, hashed and counted on the way into the archive; a cut file's columns
    and rows counted too (its ``Tally``).

    A link whose host fails part-way (or a table that cannot be read to the end) leaves a
    shorter member (the archive stays valid) and the manifest says so: ``complete: false``
    with the error.
    """
    record, digest, size = item.record, hashlib.sha256(), 0
    try:
        if item.scope is not None:
            chunks: Iterator[bytes] = cut.chunks(item.scope, item.fmt or cut.CSV, item.tally)
        elif item.source.kind == "file":
            chunks = serve.file_chunks(item.source.path or "")
        else:
            response = serve.open_link(item.source.url or "")
            if response.status_code != 200:
                response.close()
                raise OSError(f"HTTP {response.status_code}")
            chunks = serve.link_chunks(response)
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            yield chunk
        record["complete"] = True
    except Exception as error:  # reported in the manifest, not raised mid-stream
        texts = READ_FAILED if item.scope is not None else REASONS[serve.UPSTREAM_FAILED]
        record["error"] = f"{texts[0]}: {error}"
    finally:
        record["sha256"] = digest.hexdigest()
        record["size"] = size
        if item.scope is not None:
            record["columns"] = list(item.tally.columns)
            record["rows"] = item.tally.rows


def _manifest(
    files: list[dict[str, Any]], refused: list[dict[str, Any]], meta: Mapping[str, Any]
) -> Iterator[bytes]:
    """Written last, when every file's sha256 and size are known."""
    document = {
        **meta,
        "finished_at": clock.now().isoformat(),
        "terms": {"en": serve.TERMS_EN, "zh": serve.TERMS_ZH},
        "files": files,
        "failed": [f["path"] for f in files if not f["complete"]],
        "refused": [{k: v for k, v in r.items() if not k.startswith("_")} for r in refused],
    }
    yield json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def archive(
    items: list[Item], refused: list[dict[str, Any]], meta: Mapping[str, Any]
) -> Iterator[bytes]:
    """The ZIP, generated as it is read."""
    zs = zipstream.ZipStream(compress_type=zipstream.ZIP_STORED)
    files = []
    for item in items:
        item.record = _file_record(item)
        files.append(item.record)
        size = item.source.size if item.source.kind == "file" else None
        zs.add(_hashed(item), arcname=item.arcname, size=size)
    zs.add(_manifest(files, refused, meta), arcname="MANIFEST.json")
    yield from zs

"""Verifying, anchoring and archiving the chain (``ckan govshare audit …``).

An archive is a gzip file of JSON lines: a header (the hash the archived part starts from), the
events in chain order, and a trailer (the head hash at the cut, the count). The cut is recorded
in ``govshare_audit_archive`` so that verification of what stays in the table starts from it.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..core import clock
from . import chain, store
from .model import LOCK_KEY, archive_table, event_table

FORMAT = "govshare-audit-archive/1"


class ArchiveError(Exception):
    pass


def table_start(conn: sa.engine.Connection) -> tuple[str, int]:
    """The hash and seq the table's events continue from: the last archive's head, or genesis."""
    last = conn.execute(
        sa.select(archive_table.c.head_hash, archive_table.c.last_seq)
        .order_by(archive_table.c.last_seq.desc())
        .limit(1)
    ).first()
    return (last.head_hash, last.last_seq + 1) if last else (chain.GENESIS, 1)


def _event_json(event: dict[str, Any]) -> dict[str, Any]:
    return {**event, "time": chain.format_time(event["time"])}


def read_archive(path: str | Path) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    """The header and an iterator over the events of an archive file.

    The trailer is added to the header (``header["trailer"]``) once the events are consumed.
    """
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        header = json.loads(handle.readline())
    if header.get("format") != FORMAT:
        raise ArchiveError(f"{path}: not a govshare audit archive")

    def events() -> Iterator[dict[str, Any]]:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            handle.readline()
            for line in handle:
                item = json.loads(line)
                if "trailer" in item:
                    header["trailer"] = item["trailer"]
                    return
                yield item

    return header, events()


def verify_archive(path: str | Path) -> chain.Verification:
    header, events = read_archive(path)
    result = chain.verify(events, header["start_hash"], header["first_seq"])
    trailer = header.get("trailer")
    if result.ok and (
        not trailer or trailer["head_hash"] != result.head or trailer["count"] != result.count
    ):
        return chain.Verification(result.count, result.head, -1, "archive trailer does not match")
    return result


def verify_all(
    conn: sa.engine.Connection, archives: Iterable[str | Path] = ()
) -> tuple[chain.Verification, str]:
    """Verify the archives (in chain order) and then the table; return the result and where.

    Without archives the table is verified from the last archive's recorded head.
    """
    paths = sorted(archives, key=lambda p: read_archive(p)[0]["first_seq"])
    head: str | None = None
    seq, total = 0, 0  # seq: the first seq after ``head``, set with it
    for path in paths:
        header, _ = read_archive(path)
        if head is not None and (header["start_hash"], header["first_seq"]) != (head, seq):
            return chain.Verification(
                total, head, header["first_seq"], "archives do not join"
            ), str(path)
        result = verify_archive(path)
        total += result.count
        if not result.ok:
            return chain.Verification(total, result.head, result.broken_seq, result.reason), str(
                path
            )
        head, seq = result.head, header["first_seq"] + result.count
    if head is None:
        head, seq = table_start(conn)
    result = chain.verify(store.iter_events(conn, after_seq=seq - 1), head, seq)
    result.count += total
    return result, "table"


def anchors(conn: sa.engine.Connection) -> list[tuple[str, int, str]]:
    """(UTC day, seq, hash) of the last event of each day: the heads to keep off the platform."""
    day = sa.func.date(sa.func.timezone("UTC", event_table.c.time)).label("day")
    rows = conn.execute(
        sa.select(day, event_table.c.seq, event_table.c.hash)
        .distinct(day)
        .order_by(day, event_table.c.seq.desc())
    ).all()
    return [(str(r.day), r.seq, r.hash) for r in rows]


def archive(conn: sa.engine.Connection, before: dt.datetime, directory: str | Path) -> dict:
    """Move the events older than ``before`` into a verified archive file, then delete them.

    Runs in ``conn``'s transaction (the caller commits): the chain's lock is held throughout,
    the prefix is verified before it is written, the file is re-read and verified before any
    row goes, and rows are deleted through the maintenance escape only up to the verified cut.
    """
    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_KEY)))
    if before.tzinfo is None:
        before = before.replace(tzinfo=dt.timezone.utc)
    # The archived part is a prefix of the chain: everything before the first event at or after
    # ``before``.
    first_kept = conn.execute(
        sa.select(sa.func.min(event_table.c.seq)).where(event_table.c.time >= before)
    ).scalar()
    cut = (
        first_kept - 1
        if first_kept is not None
        else conn.execute(sa.select(sa.func.max(event_table.c.seq))).scalar()
    )
    start_hash, first_seq = table_start(conn)
    if cut is None or cut < first_seq:
        return {"count": 0}

    def prefix() -> Iterator[dict[str, Any]]:
        for event in store.iter_events(conn, after_seq=first_seq - 1):
            if event["seq"] > cut:
                return
            yield event

    checked = chain.verify(prefix(), start_hash, first_seq)
    if not checked.ok:
        raise ArchiveError(f"chain broken at event {checked.broken_seq}: {checked.reason}")

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"govshare-audit-{first_seq:012d}-{cut:012d}.jsonl.gz"
    tmp = path.with_suffix(".tmp")
    header = {"format": FORMAT, "start_hash": start_hash, "first_seq": first_seq}
    with gzip.open(tmp, "wt", encoding="utf-8") as out:
        out.write(chain.dumps(header) + "\n")
        for event in prefix():
            out.write(chain.dumps(_event_json(event)) + "\n")
        trailer = {"head_hash": checked.head, "count": checked.count, "last_seq": cut}
        out.write(chain.dumps({"trailer": trailer}) + "\n")
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)

    again = verify_archive(path)
    if not again.ok or again.head != checked.head or again.count != checked.count:
        raise ArchiveError(f"{path}: the written archive does not verify; nothing deleted")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    record = {
        "created": clock.now(),
        "path": str(path),
        "before": before,
        "first_seq": first_seq,
        "last_seq": cut,
        "start_hash": start_hash,
        "head_hash": checked.head,
        "count": checked.count,
        "sha256": digest,
    }
    conn.execute(archive_table.insert().values(**record))
    with store.maintenance(conn):
        conn.execute(sa.delete(event_table).where(event_table.c.seq <= cut))
    return record

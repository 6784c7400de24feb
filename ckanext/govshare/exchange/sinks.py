"""Delivering a run's rows into an exchange target (前置机, 2016 Measures art. 12; batch exchange,
2025 Regulations art. 22): a PostgreSQL database or a directory of CSV files (issue 17, item 3).

The rows arrive as CSV pieces from ``dataplane.store.copy_csv`` (PostgreSQL's ``COPY … TO
STDOUT`` of the grant's scope, no header). They are counted and hashed as they stream past
(:class:`Tally`): ``sha256`` is the SHA-256 of exactly those CSV bytes — the data rows, header
excluded — so it is the same number for a PostgreSQL and a directory target, and equals the
SHA-256 of ``COPY (SELECT <granted columns> … ORDER BY _id) TO STDOUT WITH (FORMAT csv)``.

Readers of a target never see half a run:

- PostgreSQL, ``full``: one target transaction creates a staging table, ``COPY … FROM STDIN``
  fills it, the old table is dropped and the staging table renamed; then COMMIT. A run that
  dies before the commit is rolled back by the server: the table is as before.
- PostgreSQL, ``incremental``: one transaction copies into a temporary table and upserts on the
  key column (``INSERT … ON CONFLICT (key) DO UPDATE``, the table's unique index on it): a
  rerun of the same rows changes nothing and adds no row. The table is created with a
  fillfactor of :data:`INCREMENTAL_FILLFACTOR`, so that an update of a row (the key never
  changes) can stay on its page (a HOT update: no new index entry). Into an empty table (the
  first run) the rows are inserted plainly and the key's unique index is built after them.
- Directory: the file is written to a temporary name in the same directory, fsynced and moved
  over the old one (``os.replace``, atomic), then its manifest the same way.

Errors are :class:`DeliveryError` with a bilingual, scrubbed reason: never the connection
string or its password (psycopg2's messages can echo the DSN).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg2
from psycopg2 import sql

from ..core.messages import message
from .rules import STAGING_SUFFIX, staging_name

__all__ = [
    "DeliveryError",
    "Delivered",
    "STAGING_SUFFIX",
    "Tally",
    "scrub",
    "staging_name",
    "to_directory",
    "to_postgresql",
]

KEY_INDEX_SUFFIX = "__gs_key"
# PostgreSQL's identifier limit in bytes (table names are lowercase ASCII: bytes = chars).
MAX_IDENT = 63
APPLICATION_NAME = "ckanext-govshare exchange"
# A full run waits at most this long for readers of the old table before the swap.
LOCK_TIMEOUT = "5min"
#: Tables made by incremental runs fill their pages to 90 %, leaving room for the new versions
#: of their rows: a changed row is rewritten on its own page (a HOT update) without a new entry
#: in the key's index. Measured: 10,000 changed rows spread over a 1,000,000-row table, right
#: after a checkpoint, upserted in ~0.3 s instead of ~0.45 s (every update HOT, not ~40 %).
INCREMENTAL_FILLFACTOR = 90


class DeliveryError(Exception):
    """A delivery that did not happen; ``str()`` is a bilingual reason, safe to show."""


@dataclass
class Delivered:
    """What a delivery handed over: rows, bytes and SHA-256 of the CSV data (no header)."""

    rows: int
    bytes: int
    sha256: str
    files: list[str] = field(default_factory=list)


class Tally:
    """CSV pieces of ``(bytes, rows)`` passed through, counted and hashed on the way."""

    def __init__(self, chunks: Iterable[tuple[bytes, int]]) -> None:
        self._chunks = iter(chunks)
        self._hash = hashlib.sha256()
        self.rows = 0
        self.bytes = 0

    def __iter__(self) -> Iterator[bytes]:
        for data, rows in self._chunks:
            self._hash.update(data)
            self.rows += rows
            self.bytes += len(data)
            yield data

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def delivered(self, files: Sequence[str] = ()) -> Delivered:
        return Delivered(self.rows, self.bytes, self.sha256, list(files))


class _Reader:
    """A file-like ``read()`` over the pieces, for psycopg2's ``copy_expert`` (whole pieces
    are handed on: psycopg2 sends whatever ``read`` answers)."""

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._pieces = iter(pieces)
        #: What broke the source midway (psycopg2 reports it as a failed COPY).
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        try:
            return next(self._pieces, b"")
        except BaseException as error:
            self.error = error
            raise

    def readline(self, size: int = -1) -> bytes:  # pragma: no cover - not used by COPY
        return self.read(size)


# ------------------------------------------------------------------------- scrubbing

_URL_CREDENTIALS = re.compile(r"(://)[^/@\s\"']*@")
_KEYWORD_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


def scrub(text: str, dsn: str | None = None) -> str:
    """``text`` without the connection string, its password or any credentials in it:
    one line, at most 300 characters."""
    out = str(text or "")
    if dsn:
        out = out.replace(dsn, "[dsn]")
        try:
            password = psycopg2.extensions.parse_dsn(dsn).get("password")
        except psycopg2.Error:
            password = None
        if password:
            out = out.replace(password, "***")
    out = _URL_CREDENTIALS.sub(r"\1***@", out)
    out = _KEYWORD_PASSWORD.sub(r"\1***", out)
    line = " ".join(part.strip() for part in out.strip().splitlines() if part.strip())
    return line[:300]


def _failed(error: BaseException, dsn: str | None = None) -> DeliveryError:
    detail = scrub(str(error) or error.__class__.__name__, dsn)
    if isinstance(error, psycopg2.OperationalError):
        return DeliveryError(
            message(
                f"The exchange database could not be reached or broke off: {detail}",
                f"无法连接交换库或连接中断：{detail}",
            )
        )
    return DeliveryError(
        message(
            f"The exchange database refused the delivery: {detail}",
            f"交换库拒绝写入数据：{detail}",
        )
    )


# ------------------------------------------------------------------------- PostgreSQL


def _key_index(table: str) -> str:
    return table[: MAX_IDENT - len(KEY_INDEX_SUFFIX)] + KEY_INDEX_SUFFIX


def _column_list(columns: Sequence[str]) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(c) for c in columns)


def _definitions(columns: Sequence[str], types: Mapping[str, str]) -> sql.Composable:
    # Types come from the DataStore's catalogue (format_type), never from a user.
    return sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(types.get(c) or "text")) for c in columns
    )


def connect(dsn: str, timeout: int) -> Any:
    """A connection to the target (``connect_timeout``), UTF-8; errors scrubbed."""
    try:
        conn = psycopg2.connect(dsn, connect_timeout=timeout, application_name=APPLICATION_NAME)
    except psycopg2.Error as error:
        raise _failed(error, dsn) from None
    conn.set_client_encoding("UTF8")
    return conn


def to_postgresql(
    dsn: str,
    table: str,
    columns: Sequence[str],
    types: Mapping[str, str],
    chunks: Iterable[tuple[bytes, int]],
    *,
    mode: str,
    key: str | None = None,
    timeout: int = 10,
) -> Delivered:
    """Deliver the CSV ``chunks`` of ``columns`` into ``table`` of the target database, in one
    target transaction: a staging table swapped in (``full``) or an upsert on ``key``
    (``incremental``)."""
    if mode == "incremental" and not key:
        raise ValueError("an incremental delivery needs the key column")
    tally = Tally(chunks)
    reader = _Reader(tally)
    conn = connect(dsn, timeout)
    try:
        with conn.cursor() as cur:
            cur.execute("SET LOCAL lock_timeout = %s", (LOCK_TIMEOUT,))
            if mode == "full":
                _full(cur, table, columns, types, reader)
            else:
                _upsert(cur, table, columns, types, key or "", reader)
        conn.commit()
    except DeliveryError:
        _abandon(conn)
        raise
    except psycopg2.Error as error:
        _abandon(conn)
        if reader.error is not None:
            # The rows' source broke midway (psycopg2 wraps it): say that, not the target.
            raise reader.error from None
        raise _failed(error, dsn) from None
    except BaseException:
        # The rows' source failed midway (or the run was stopped): nothing was committed.
        _abandon(conn)
        raise
    finally:
        conn.close()
    return tally.delivered()


def _abandon(conn: Any) -> None:
    # A connection that is gone was rolled back by the server.
    with contextlib.suppress(psycopg2.Error):
        conn.rollback()


def _copy_in(cur: Any, table: str, columns: Sequence[str], reader: _Reader) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(
        sql.Identifier(table), _column_list(columns)
    )
    cur.copy_expert(statement.as_string(cur), reader, size=1 << 20)


def _full(
    cur: Any, table: str, columns: Sequence[str], types: Mapping[str, str], reader: _Reader
) -> None:
    staging = staging_name(table)
    cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(staging)))
    cur.execute(
        sql.SQL("CREATE TABLE {} ({})").format(
            sql.Identifier(staging), _definitions(columns, types)
        )
    )
    _copy_in(cur, staging, columns, reader)
    cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))
    cur.execute(
        sql.SQL("ALTER TABLE {} RENAME TO {}").format(
            sql.Identifier(staging), sql.Identifier(table)
        )
    )


def _upsert(
    cur: Any,
    table: str,
    columns: Sequence[str],
    types: Mapping[str, str],
    key: str,
    reader: _Reader,
) -> None:
    target, ident = sql.Identifier(table), sql.Identifier(key)
    index = sql.SQL("CREATE UNIQUE INDEX IF NOT EXISTS {} ON {} ({})").format(
        sql.Identifier(_key_index(table)), target, ident
    )
    cur.execute(
        sql.SQL("CREATE TABLE IF NOT EXISTS {} ({}) WITH (fillfactor = {})").format(
            target, _definitions(columns, types), sql.Literal(INCREMENTAL_FILLFACTOR)
        )
    )
    cur.execute(sql.SQL("SELECT 1 FROM {} LIMIT 1").format(target))
    empty = cur.fetchone() is None
    if not empty:
        cur.execute(index)
    temp = "govshare_exchange_delta"
    cur.execute(
        sql.SQL("CREATE TEMPORARY TABLE {} ({}, {} bigserial) ON COMMIT DROP").format(
            sql.Identifier(temp), _definitions(columns, types), sql.Identifier("__gs_seq")
        )
    )
    _copy_in(cur, temp, columns, reader)
    others = [c for c in columns if c != key]
    if empty:
        # Nothing to conflict with (the last version of each key is taken below): a plain
        # insert, and the key's index built once over the rows rather than row by row.
        conflict: sql.Composable = sql.SQL("")
    elif others:
        assignments = sql.SQL(", ").join(
            sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(c), sql.Identifier(c)) for c in others
        )
        conflict = sql.SQL(" ON CONFLICT ({}) DO UPDATE SET {}").format(ident, assignments)
    else:
        conflict = sql.SQL(" ON CONFLICT ({}) DO NOTHING").format(ident)
    # The last version of a key in the delta wins; a row without a key cannot be matched
    # and is left out.
    cur.execute(
        sql.SQL(
            "INSERT INTO {target} ({cols}) SELECT DISTINCT ON ({key}) {cols} FROM {temp} "
            "WHERE {key} IS NOT NULL ORDER BY {key}, {seq} DESC{conflict}"
        ).format(
            target=target,
            cols=_column_list(columns),
            key=ident,
            temp=sql.Identifier(temp),
            seq=sql.Identifier("__gs_seq"),
            conflict=conflict,
        )
    )
    if empty:
        cur.execute(index)


# ------------------------------------------------------------------------- directory


def _header(columns: Sequence[str]) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerow(columns)
    return text.getvalue().encode("utf-8")


def _atomic_write(directory: str, name: str, parts: Iterable[bytes]) -> None:
    """``parts`` into ``directory/name``: a temporary file there, fsynced, moved over."""
    fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                out.write(part)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, os.path.join(directory, name))
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _sync_directory(directory)


def _sync_directory(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _compact(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def to_directory(
    directory: str,
    name: str,
    columns: Sequence[str],
    chunks: Iterable[tuple[bytes, int]],
    *,
    mode: str,
    manifest: Mapping[str, Any],
    now: Any,
) -> Delivered:
    """``<name>.csv`` (``full``) or, when rows changed, a delta ``<name>.<finished>.csv``
    (``incremental``), UTF-8 with a header of the granted columns, then
    ``<name>.manifest.json`` describing it (plus ``manifest``'s keys). ``now()`` gives the
    finishing time."""
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as error:
        raise DeliveryError(
            message(
                f"The exchange directory cannot be written: {error.strerror}",
                f"无法写入交换目录：{error.strerror}",
            )
        ) from None
    tally = Tally(chunks)
    files: list[str] = []
    try:
        if mode == "full":
            file_name = f"{name}.csv"
            _atomic_write(directory, file_name, _with_header(columns, tally))
            files.append(file_name)
        else:
            # Written under a temporary name; named by the finishing time once complete, and
            # only when rows changed.
            fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as out:
                    for part in _with_header(columns, tally):
                        out.write(part)
                    out.flush()
                    os.fsync(out.fileno())
                if tally.rows:
                    file_name = f"{name}.{_compact(now())}.csv"
                    os.replace(temp, os.path.join(directory, file_name))
                    files.append(file_name)
                    _sync_directory(directory)
            finally:
                if os.path.exists(temp):
                    os.unlink(temp)
        finished = now()
        document = {
            "table": name,
            "mode": mode,
            "columns": list(columns),
            "files": files,
            "rows": tally.rows,
            "bytes": tally.bytes,
            "sha256": tally.sha256,
            "sha256_of": "the CSV data rows as delivered, UTF-8, header excluded",
            "finished_at": finished.astimezone(dt.timezone.utc).isoformat(),
            **dict(manifest),
        }
        body = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")
        _atomic_write(directory, f"{name}.manifest.json", [body])
    except OSError as error:
        raise DeliveryError(
            message(
                f"Writing to the exchange directory failed: {error.strerror or error}",
                f"写入交换目录失败：{error.strerror or error}",
            )
        ) from None
    return tally.delivered(files)


def _with_header(columns: Sequence[str], pieces: Iterable[bytes]) -> Iterator[bytes]:
    yield _header(columns)
    yield from pieces

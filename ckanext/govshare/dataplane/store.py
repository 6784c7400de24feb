"""Reading a resource's table in CKAN's DataStore, cut to a scope (issue 16, items 2–5).

Every way tabular data leaves the platform reads through here, with the columns and the row
filter of an ``access.scope.Scope`` — never a column or row outside it. Reads go over the
DataStore's read-only database role (``ckan.datastore.read_url``), so nothing here can change
the data. Identifiers are quoted by SQLAlchemy's dialect and values are bound parameters
(an unknown-typed literal that PostgreSQL casts to the column's type, as CKAN's own
``datastore_search`` filters do); a value the column's type cannot take is a :class:`BadValue`.

Why not call ``datastore_search``: its ``q`` searches the whole row's ``_full_text``, columns
outside the grant included (a caller could learn about hidden columns from which rows match),
its total counts every row, and it cannot stream a million rows in constant memory. The
interface's speed is measured beside it in ``bench/query.py``.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine

from ..access.scope import RowFilter

# CKAN's own columns of every DataStore table: never delivered.
HIDDEN = ("_id", "_full_text")
STREAM_BATCH = 2000


class BadValue(ValueError):
    """A filter or check value that the column's type cannot hold, or a bad cursor."""


def engine() -> Engine:
    """The DataStore's read-only engine (CKAN's, shared with ``datastore_search``)."""
    from ckanext.datastore.backend.postgres import get_read_engine

    return get_read_engine()


_PREPARER = postgresql.dialect().identifier_preparer


def _ident(name: str) -> str:
    return _PREPARER.quote_identifier(name)


def table_columns(resource_id: str, conn: Connection | None = None) -> list[str] | None:
    """The table's columns in order (``_id`` and ``_full_text`` left out), or None when the
    resource has no table in the DataStore."""
    sql = sa.text(
        "SELECT a.attname FROM pg_attribute a "
        "WHERE a.attrelid = to_regclass(:rel) AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum"
    )
    rel = _ident(resource_id)

    def read(c: Connection) -> list[str] | None:
        if c.execute(sa.text("SELECT to_regclass(:rel)"), {"rel": rel}).scalar() is None:
            return None
        return [r[0] for r in c.execute(sql, {"rel": rel}) if r[0] not in HIDDEN]

    if conn is not None:
        return read(conn)
    with engine().connect() as c:
        return read(c)


def row_count(resource_id: str, rows: RowFilter | None = None) -> int:
    """Rows of the table a scope's row filter lets through."""
    where, params = _where(rows, {}, None, ())
    with engine().connect() as c:
        return int(
            c.execute(
                sa.text(f"SELECT count(*) FROM {_ident(resource_id)}{where}"), params
            ).scalar()
            or 0
        )


def plain_value(value: Any) -> Any:
    """A value as JSON carries it (what ``datastore_search`` answers)."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, memoryview):
        return bytes(value).hex()
    return value


def bound(value: Any) -> str | None:
    """A filter value as text: PostgreSQL casts it to the column's type, so ``"5"`` and ``5``
    both find 5 in an integer column and "5" in a text one (as ``datastore_search`` does)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _where(
    rows: RowFilter | None,
    filters: Mapping[str, Sequence[Any]],
    q: str | None,
    searched: Sequence[str],
    after: int | None = None,
    pyformat: bool = False,
) -> tuple[str, dict[str, Any]]:
    """The WHERE clause and its parameters, as ``:name`` (SQLAlchemy) or, with ``pyformat``,
    ``%(name)s`` (the DBAPI's own, for COPY)."""

    def ph(name: str) -> str:
        return f"%({name})s" if pyformat else f":{name}"

    clauses: list[str] = []
    params: dict[str, Any] = {}
    n = 0

    def values_in(column: str, values: Sequence[Any]) -> str:
        nonlocal n
        names = []
        for value in values:
            n += 1
            params[f"v{n}"] = bound(value)
            names.append(ph(f"v{n}"))
        return f"{_ident(column)} IN ({', '.join(names)})"

    if rows is not None and rows.prefix is not None:
        # A return grant's region (2025 Regulations art. 24): the column's text starts with
        # the prefix, its LIKE wildcards escaped, as a bound parameter.
        escaped = rows.prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["prefix"] = f"{escaped}%"
        clauses.append(f"{_ident(rows.column)}::text LIKE {ph('prefix')}")
    elif rows is not None:
        clauses.append(values_in(rows.column, rows.values))
    for column, values in filters.items():
        clauses.append(values_in(column, values))
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["q"] = f"%{escaped}%"
        text = ", ".join(f"{_ident(c)}::text" for c in searched)
        clauses.append(f"concat_ws(' ', {text}) ILIKE {ph('q')}")
    if after is not None:
        params["after"] = after
        clauses.append(f'"_id" > {ph("after")}')
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


@dataclass(frozen=True)
class Page:
    fields: list[dict[str, str]]
    records: list[dict[str, Any]]
    total: int
    next: str | None


def encode_cursor(value: Mapping[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as error:
        raise BadValue("cursor") from error
    if not isinstance(value, dict) or not all(
        isinstance(value.get(k, 0), int) and value.get(k, 0) >= 0 for k in ("after", "offset")
    ):
        raise BadValue("cursor")
    return value


def column_types(resource_id: str, columns: Sequence[str], conn: Connection) -> dict[str, str]:
    sql = sa.text(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "WHERE a.attrelid = to_regclass(:rel) AND a.attnum > 0 AND NOT a.attisdropped"
    )
    types = {str(r[0]): str(r[1]) for r in conn.execute(sql, {"rel": _ident(resource_id)})}
    return {c: types.get(c, "text") for c in columns}


def select(
    resource_id: str,
    columns: Sequence[str],
    rows: RowFilter | None = None,
    *,
    filters: Mapping[str, Sequence[Any]] | None = None,
    q: str | None = None,
    sort: Sequence[tuple[str, bool]] = (),
    limit: int = 100,
    cursor: str | None = None,
    offset: int = 0,
    searched: Sequence[str] = (),
) -> Page:
    """One page of ``columns`` of the rows the scope and the caller's filters select.

    ``sort`` is ``(column, descending)`` pairs; without it rows come in the table's order and
    the page's ``next`` cursor continues after the last row (keyset: deep pages cost as little
    as the first); with it, ``next`` carries the offset. ``q`` is a case-insensitive substring
    search over ``searched`` (the granted columns): it works for Chinese, which PostgreSQL's
    text search does not split into words.
    """
    after: int | None = None
    if cursor:
        position = decode_cursor(cursor)
        after, offset = position.get("after"), int(position.get("offset", 0))
    keyset = not sort
    where, params = _where(rows, filters or {}, q, searched, after if keyset else None)
    count_where, count_params = _where(rows, filters or {}, q, searched)
    table = _ident(resource_id)
    selected = ", ".join(_ident(c) for c in columns)
    order = (
        ", ".join(f"{_ident(c)} {'DESC' if desc else 'ASC'}" for c, desc in sort) + ', "_id"'
        if sort
        else '"_id"'
    )
    params.update(limit=limit + 1, offset=0 if keyset else offset)
    with engine().connect() as conn:
        try:
            result = conn.execute(
                sa.text(
                    f'SELECT "_id", {selected} FROM {table}{where} ORDER BY {order} '
                    "LIMIT :limit OFFSET :offset"
                ),
                params,
            ).fetchall()
            total = conn.execute(
                sa.text(f"SELECT count(*) FROM {table}{count_where}"), count_params
            ).scalar()
        except sa_exc.DataError as error:
            raise BadValue(str(error.orig).splitlines()[0]) from error
        types = column_types(resource_id, columns, conn)
    more = len(result) > limit
    result = result[:limit]
    records = [{c: plain_value(v) for c, v in zip(columns, row[1:], strict=True)} for row in result]
    nxt = None
    if more and result:
        nxt = encode_cursor({"after": int(result[-1][0])} if keyset else {"offset": offset + limit})
    return Page(
        fields=[{"id": c, "type": types[c]} for c in columns],
        records=records,
        total=int(total or 0),
        next=nxt,
    )


def stream(
    resource_id: str, columns: Sequence[str], rows: RowFilter | None = None
) -> Iterator[list[tuple[Any, ...]]]:
    """Every row of ``columns`` the scope selects, in table order, ``STREAM_BATCH`` at a time
    from a server-side cursor: constant memory for any size of table."""
    where, params = _where(rows, {}, None, ())
    selected = ", ".join(_ident(c) for c in columns)
    sql = sa.text(f'SELECT {selected} FROM {_ident(resource_id)}{where} ORDER BY "_id"')
    with engine().connect() as conn:
        result = conn.execution_options(stream_results=True, max_row_buffer=STREAM_BATCH).execute(
            sql, params
        )
        try:
            while True:
                batch = result.fetchmany(STREAM_BATCH)
                if not batch:
                    return
                yield [tuple(r) for r in batch]
        finally:
            result.close()


# Rows a COPY batch of a cut CSV holds: a few MB of CSV in memory at a time.
COPY_BATCH = 50_000


@dataclass(frozen=True)
class Changed:
    """Rows changed within a window of a watermark column (incremental batch exchange,
    issue 17): ``after`` < value ≤ ``upto`` (``after`` None: from the start). Values are text,
    cast by PostgreSQL to the column's type."""

    column: str
    after: str | None
    upto: str


def max_value(resource_id: str, column: str, rows: RowFilter | None = None) -> str | None:
    """The highest value of ``column`` among the rows the scope selects, as text (None when
    there is no row or no value)."""
    where, params = _where(rows, {}, None, ())
    with engine().connect() as c:
        value = c.execute(
            sa.text(f"SELECT max({_ident(column)})::text FROM {_ident(resource_id)}{where}"),
            params,
        ).scalar()
    return None if value is None else str(value)


def copy_csv(
    resource_id: str,
    columns: Sequence[str],
    rows: RowFilter | None = None,
    changed: Changed | None = None,
) -> Iterator[tuple[bytes, int]]:
    """Every row of ``columns`` the scope selects as CSV (no header), in table order, with
    the number of rows in each piece: PostgreSQL's ``COPY … TO STDOUT`` over keyset batches
    of ``COPY_BATCH`` rows, so the database formats the values (5–9 times faster than
    writing them from Python, ``bench/downloads.py``) and memory stays constant. A batch's
    ``_id`` range is fixed first, so each COPY reads exactly the rows counted. ``changed``
    keeps only the rows in a watermark window (incremental exchange)."""
    table = _ident(resource_id)
    selected = ", ".join(_ident(c) for c in columns)
    # psycopg2's own connection: COPY … TO STDOUT is a DBAPI extension SQLAlchemy does not type.
    raw: Any = engine().raw_connection()
    try:
        cursor: Any = raw.cursor()
        after = 0
        while True:
            where, params = _where(rows, {}, None, (), after, pyformat=True)
            if changed is not None:
                mark = _ident(changed.column)
                where += f" AND {mark} <= %(wm_upto)s"
                params["wm_upto"] = changed.upto
                if changed.after is not None:
                    where += f" AND {mark} > %(wm_after)s"
                    params["wm_after"] = changed.after
            params["n"] = COPY_BATCH
            cursor.execute(
                f'SELECT max("_id"), count(*) FROM (SELECT "_id" FROM {table}{where} '
                'ORDER BY "_id" LIMIT %(n)s) s',
                params,
            )
            last, count = cursor.fetchone()
            if not count:
                return
            params["last"] = last
            sql = cursor.mogrify(
                f'COPY (SELECT {selected} FROM {table}{where} AND "_id" <= %(last)s '
                'ORDER BY "_id") TO STDOUT WITH (FORMAT csv)',
                params,
            )
            buffer = io.BytesIO()
            cursor.copy_expert(sql.decode() if isinstance(sql, bytes) else sql, buffer)
            yield buffer.getvalue(), int(count)
            after = int(last)
    finally:
        raw.rollback()
        raw.close()


@dataclass(frozen=True)
class Verification:
    found: bool
    match: bool
    mismatched: list[str]


# Rows a verification looks at: a key that matches more rows than this is not a key.
VERIFY_ROWS = 100


def verify(
    resource_id: str,
    rows: RowFilter | None,
    match_on: Mapping[str, Any],
    check: Mapping[str, Any],
) -> Verification:
    """Query and verify (查询核验): whether a row matching ``match_on`` exists in the scope, and
    whether its ``check`` columns hold the given values — never a value of the data."""
    where, params = _where(rows, {c: [v] for c, v in match_on.items()}, None, ())
    tests = []
    for i, (column, value) in enumerate(check.items()):
        params[f"c{i}"] = bound(value)
        tests.append(f"({_ident(column)} IS NOT DISTINCT FROM :c{i}) AS t{i}")
    inner = ", ".join(tests) or "true AS t"
    outer = ", ".join(f"bool_or(t{i})" for i in range(len(check)))
    all_ok = " AND ".join(f"t{i}" for i in range(len(check))) or "true"
    sql = sa.text(
        f"SELECT count(*), bool_or({all_ok}){', ' + outer if outer else ''} FROM "
        f"(SELECT {inner} FROM {_ident(resource_id)}{where} LIMIT {VERIFY_ROWS}) s"
    )
    with engine().connect() as conn:
        try:
            row = conn.execute(sql, params).one()
        except sa_exc.DataError as error:
            raise BadValue(str(error.orig).splitlines()[0]) from error
    found = int(row[0]) > 0
    columns = list(check)
    mismatched = [c for i, c in enumerate(columns) if found and not row[2 + i]]
    return Verification(found=found, match=bool(found and row[1]), mismatched=mismatched)

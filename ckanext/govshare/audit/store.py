"""Appending to the chain, reading it back, and the one escape from append-only.

``record`` writes through ``model.Session``, i.e. in the caller's transaction: the event commits
or rolls back with the change it describes. One statement moves the chain's head row
(``govshare_audit_head``) and inserts the event; the head row's lock, held until the caller's
transaction ends, serialises appenders, so concurrent writers form one linear chain (at the
price of one audited transaction committing at a time), and a rolled-back append leaves the
head as it was.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import sqlalchemy as sa
from ckan import model

from ..core import clock
from . import chain
from .model import ESCAPE_SETTING, event_table, head_table

# Keys whose values are never written to an event's detail.
SECRET_KEYS = frozenset({"token", "password", "password1", "password2", "apikey", "api_key"})


def _scrub(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            str(k): ("[removed]" if str(k).lower() in SECRET_KEYS else _scrub(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set):
        return [_scrub(v) for v in value]
    return value


def normalise_detail(detail: Mapping[str, Any] | None) -> dict[str, Any]:
    """Detail as it will read back from the database (JSON types only), secrets removed."""
    text = json.dumps(_scrub(dict(detail or {})), sort_keys=True, ensure_ascii=False, default=str)
    return json.loads(text)


def _request_context() -> tuple[str | None, str | None]:
    """The client address and a request id, when there is a request."""
    try:
        import flask

        if not flask.has_request_context():
            return None, None
        g = flask.g
        request_id = getattr(g, "govshare_request_id", None)
        if request_id is None:
            request_id = flask.request.headers.get("X-Request-ID") or uuid.uuid4().hex
            g.govshare_request_id = request_id
        return flask.request.remote_addr, request_id
    except RuntimeError:  # pragma: no cover - outside an application context
        return None, None


_PREV = "@@govshare-prev-hash@@"
_SEQ = "@@govshare-seq@@"
_APPEND_SQL = """
WITH head AS (
    UPDATE {head} SET
        prev_hash = hash,
        seq = seq + 1,
        hash = encode(sha256(convert_to(
            %(before_prev)s || hash || %(before_seq)s || (seq + 1)::text || %(after_seq)s,
            'UTF8')), 'hex')
    WHERE id = 1
    RETURNING seq, prev_hash, hash
)
INSERT INTO {events} (seq, {fields}, prev_hash, hash)
SELECT head.seq, {values}, head.prev_hash, head.hash FROM head
RETURNING seq, prev_hash, hash
""".format(
    head=head_table.name,
    events=event_table.name,
    fields=", ".join(f for f in chain.FIELDS if f != "seq"),
    values=", ".join(
        f"%({f})s" + ("::json" if f == "detail" else "") for f in chain.FIELDS if f != "seq"
    ),
)


def _canonical_parts(event: Mapping[str, Any]) -> tuple[str, str, str]:
    """The canonical serialisation cut where the previous hash and the seq go.

    The database fills them in, under the head row's lock, in the statement that appends: one
    round trip is all an appender holds the chain for. Both keys come after ``detail`` in the
    sorted serialisation, and values inside strings have their quotes escaped, so the last
    occurrence of each placeholder is the event's own.
    """
    text = chain.canonical({**event, "seq": _SEQ}, _PREV).decode("utf-8")
    before_prev, _, rest = text.rpartition(f'"prev_hash":"{_PREV}"')
    middle, _, after_seq = rest.rpartition(f'"seq":"{_SEQ}"')
    return before_prev + '"prev_hash":"', '"' + middle + '"seq":', after_seq


def record(
    action: str,
    *,
    actor_id: str | None = None,
    actor_name: str | None = None,
    actor_department: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    object_department: str | None = None,
    outcome: str = "success",
    detail: Mapping[str, Any] | None = None,
    client_address: str | None = None,
    request_id: str | None = None,
    connection: sa.engine.Connection | None = None,
) -> dict[str, Any]:
    """Append one event to the chain in the current transaction and return it (with its hash).

    ``connection`` is for callers inside a flush (SQLAlchemy events); everyone else leaves it
    out and writes through ``model.Session``. The caller commits (or rolls back) as usual.
    """
    if outcome not in chain.OUTCOMES:
        raise ValueError(f"outcome must be one of {chain.OUTCOMES}: {outcome!r}")
    address, req = _request_context()
    conn = connection if connection is not None else model.Session.connection()
    event: dict[str, Any] = {
        # When the event was made; ``seq`` is the chain's order.
        "time": clock.now(),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "actor_department": actor_department,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_department": object_department,
        "outcome": outcome,
        "detail": normalise_detail(detail),
        "client_address": client_address if client_address is not None else address,
        "request_id": request_id if request_id is not None else req,
    }
    before_prev, before_seq, after_seq = _canonical_parts(event)
    params = {
        **event,
        "detail": chain.dumps(event["detail"]),
        "before_prev": before_prev,
        "before_seq": before_seq,
        "after_seq": after_seq,
    }
    seq, prev, digest = conn.exec_driver_sql(_APPEND_SQL, params).one()
    event.update(seq=seq, prev_hash=prev, hash=digest)
    return event


@contextlib.contextmanager
def maintenance(conn: sa.engine.Connection) -> Iterator[None]:
    """Let the append-only trigger pass UPDATE/DELETE for the rest of ``conn``'s transaction.

    ``SET LOCAL`` ends with the transaction, so nothing else on the connection inherits it.
    Only the archive command (and tests that reset or tamper on purpose) use it.
    """
    conn.execute(sa.text(f"SET LOCAL {ESCAPE_SETTING} = 'on'"))
    yield


def iter_events(
    conn: sa.engine.Connection, after_seq: int | None = None, batch: int = 10000
) -> Iterator[dict[str, Any]]:
    """Every event in chain order, read in keyset-paged batches (bounded memory)."""
    cols = [c for c in event_table.c]
    last = after_seq if after_seq is not None else 0
    while True:
        rows = conn.execute(
            sa.select(*cols)
            .where(event_table.c.seq > last)
            .order_by(event_table.c.seq)
            .limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield dict(row._mapping)
        last = rows[-1].seq


def head(conn: sa.engine.Connection) -> tuple[int, str] | None:
    row = conn.execute(
        sa.select(event_table.c.seq, event_table.c.hash).order_by(event_table.c.seq.desc()).limit(1)
    ).first()
    return (row.seq, row.hash) if row else None

"""Commits of a harvest import that do not wait for the disk (PostgreSQL ``synchronous_commit``).

Plain Python over SQLAlchemy. An import writes each entry in its own transactions (CKAN's
``package_create``, its activity, the harvest record's states: about nine commits an entry),
and with ``synchronous_commit = on`` each commit waits for its WAL flush: 4 ms on the
benchmark machine, a third of an entry's import. With it ``off`` for the import's own
transactions (``SET LOCAL``, never the pooled connection's setting), every transaction stays
atomic — the entry, its origin stamps, its audit events and its harvest record commit or fail
together — and the database stays consistent after a crash; what a crash may lose is the last
fraction of a second of committed imports (PostgreSQL: up to three times
``wal_writer_delay``), always a suffix in commit order, together with their harvest records, so
the next job imports those entries again (issue 20, item 4; PostgreSQL manual, "Asynchronous
Commit").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, orm

_relaxed: ContextVar[bool] = ContextVar("govshare_harvest_relaxed_commits", default=False)


def _after_begin(_session: Any, _transaction: Any, connection: Any) -> None:
    if _relaxed.get():
        connection.execute(sa.text("SET LOCAL synchronous_commit = off"))


def install(session_factory: Any) -> None:
    """Listen on ``session_factory`` (CKAN's ``model.Session``) once."""
    if not event.contains(session_factory, "after_begin", _after_begin):
        event.listen(session_factory, "after_begin", _after_begin)


@contextmanager
def relaxed(session: Any) -> Iterator[None]:
    """Transactions begun inside do not wait for their commit to reach the disk; one already
    open is relaxed too."""
    install(session)
    token = _relaxed.set(True)
    try:
        current = session() if isinstance(session, orm.scoped_session) else session
        if current.in_transaction():
            current.execute(sa.text("SET LOCAL synchronous_commit = off"))
        yield
    finally:
        _relaxed.reset(token)

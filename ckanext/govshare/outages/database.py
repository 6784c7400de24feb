"""Which database errors mean "the database cannot be reached for now" (issue 14, item 9).

PostgreSQL restarting, failing over or refusing connections surfaces in a request as one of
these; the request did nothing (its transaction is gone with the connection) and the same
request a few seconds later will succeed, so it is answered 503 with ``Retry-After``
(``views/outages.py``), never 500. Errors of the request itself (bad data, a constraint, a
bug) are not among them.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

#: SQLAlchemy's code for "Can't reconnect until invalid transaction is rolled back" (1.4, 2.0):
#: the session's connection was lost earlier in the same request.
INVALID_TRANSACTION = "8s2b"

#: What the handler answers for: the exception classes that may mean an outage.
HANDLED = (
    exc.OperationalError,
    exc.InterfaceError,
    exc.DisconnectionError,
    exc.PendingRollbackError,
)


def unavailable(error: BaseException) -> bool:
    """True for a lost or refused connection, a database shutting down or starting up, and a
    transaction the server aborted (deadlock, serialization failure, statement timeout:
    ``OperationalError`` by DB-API's definition, "not under the control of the programmer")."""
    if isinstance(error, exc.OperationalError | exc.DisconnectionError):
        return True
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, exc.PendingRollbackError):
        return getattr(error, "code", None) == INVALID_TRANSACTION
    return False


def first_line(error: BaseException) -> str:
    """The driver's message without SQLAlchemy's statement and parameters (for one log line)."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()
    return f"{type(original).__name__}: {text[0] if text else ''}"[:300]


#: Set on ``flask.g`` when the database failed as unreachable during the current request.
LOST = "govshare_database_lost"


def _noticed(context: Any) -> None:
    """SQLAlchemy ``handle_error``: remember, for this request, that the database was lost.

    CKAN's API view catches every exception of an action itself and answers 500; this mark
    lets that 500 be answered 503 instead (``views/outages``). A failed ``pool_pre_ping``
    is not a loss: the pool reconnects and the request goes on.
    """
    if getattr(context, "is_pre_ping", False) or not has_request_context():
        return
    if context.is_disconnect or unavailable(context.sqlalchemy_exception):
        setattr(g, LOST, True)


def listen() -> None:
    """Watch every engine of the process for lost connections (once)."""
    if not event.contains(Engine, "handle_error", _noticed):
        event.listen(Engine, "handle_error", _noticed)


def lost_in_request() -> bool:
    return bool(has_request_context() and g.get(LOST))

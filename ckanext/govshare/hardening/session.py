"""A failed request leaves nothing behind (issue 14, item 3).

CKAN removes the SQLAlchemy session in ``ckan_after_request``, which Flask runs only when a
response is produced. When a view fails in the database, CKAN's error page is rendered in the
same, aborted transaction; its first query fails too, no response is produced, the session
stays, and the next request served by that thread answers 500 with ``InFailedSqlTransaction``.

- ``teardown``: after every request, whatever happened, roll back and remove the session
  (a Flask ``teardown_app_request`` of the ``govshare_guard`` blueprint, for the requests
  Flask dispatched: ``mark_dispatched``).
- ``database_error``: when a request fails in the database, roll back before the error page
  is rendered, so that the page itself can read the database; then CKAN's own error handling.
- ``discard``: the same clean-up for actions run outside requests (``ckan govshare``
  commands).

A lost connection (PostgreSQL restarted) is left to whatever maps it to 503; this only makes
sure the next request starts with a clean session.
"""

from __future__ import annotations

import logging
from typing import Any

from ckan import model

log = logging.getLogger(__name__)


def discard() -> None:
    """Roll back whatever the session holds and remove it; never raises.

    A rollback on a broken connection can fail itself: the session is removed anyway (the
    pool then discards the connection), so the next use starts afresh.
    """
    try:
        model.Session.rollback()
    except Exception:
        log.warning("Rolling the session back failed; removing it", exc_info=True)
    try:
        model.Session.remove()
    except Exception:
        log.warning("Removing the session failed", exc_info=True)


# Set in a request's WSGI environ when Flask dispatches it (``request_started``).
DISPATCHED = "ckanext.govshare.dispatched"


def mark_dispatched(sender: Any, **extra: Any) -> None:
    """Flask ``request_started``: this request context serves a request.

    CKAN pushes request contexts of its own outside requests (``url_for`` in commands, jobs
    and tests, while an action iterates a query); tearing those down must not touch the
    session the action is still using.
    """
    from flask import request

    request.environ[DISPATCHED] = True


def teardown(error: BaseException | None = None) -> None:
    """Flask ``teardown_app_request``: after every dispatched request, even one that raised
    (before any ``before_request`` handler ran, or in one), the session ends."""
    from flask import request

    if request.environ.get(DISPATCHED):
        discard()


def database_error(error: Exception) -> Any:
    """Flask error handler for ``SQLAlchemyError``: roll back, then answer as CKAN would.

    In production CKAN registers one handler for every ``Exception`` (its 500 page); in tests
    and debug mode none, and the error propagates. Both are kept: this only rolls back first.
    """
    from flask import current_app

    try:
        model.Session.rollback()
    except Exception:
        log.warning("Rolling the session back failed", exc_info=True)
    handlers = current_app.error_handler_spec.get(None, {}).get(None, {})
    handler = handlers.get(Exception)
    if handler is None:
        raise error
    return handler(error)

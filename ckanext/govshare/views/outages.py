"""503 with ``Retry-After``, never 500, while the database cannot be reached (issue 14, item 9).

When PostgreSQL restarts (or fails over, or refuses connections), requests that were using it
fail with a connection error. CKAN's own handler would answer 500 and render its error page,
whose header reads the database again (the user's picture, the site's settings): that second
failure escapes Flask and the client gets a bare 500, or the development server's traceback.
This handler answers at once, without touching the database or the templates: JSON in the
API's shape for ``/api/`` paths, a small bilingual page otherwise, 503 with ``Retry-After``,
and one warning line in the log instead of a traceback per request. The request did nothing:
its transaction ended with the connection (the session is removed after the response, as CKAN
does after every request), and the same request succeeds once the database is back — the
connection pool tests connections before use (``sqlalchemy.pool_pre_ping``, CKAN's default).

CKAN's action API catches every exception an action raises and answers 500 itself; for those,
the engine's ``handle_error`` event marks the request when the database was lost in it, and the
500 is answered 503 the same way (``lost_during_request``). A 503 on a write says the request
may not have been carried out; the platform's writes are whole or absent (one transaction for a
change, its history, audit event and notices), so asking again is safe to check first.

Registered application-wide (``app_errorhandler``, ``after_app_request``) through this
blueprint, which has no route.
"""

from __future__ import annotations

import json
import logging
from html import escape
from typing import Any

from ckan import model
from flask import Blueprint, Response, current_app, request

from ..core.messages import message
from ..outages import database

log = logging.getLogger(__name__)

outages = Blueprint("govshare_outages", __name__)

#: Seconds a client is asked to wait: a PostgreSQL restart takes one to three (bench/faults.py).
RETRY_AFTER = 5

EN = "The service is briefly unavailable: its database cannot be reached. Try again in a moment."
ZH = "服务暂时不可用：无法连接数据库，请稍后重试。"
UNAVAILABLE = message(EN, ZH)

_PAGE = """<!DOCTYPE html>
<html lang="zh-Hans-CN">
<head><meta charset="utf-8"><meta name="robots" content="noindex">
<meta http-equiv="refresh" content="{retry}">
<title>503 服务暂时不可用 | Service unavailable</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto; line-height: 1.6">
<h1>服务暂时不可用</h1>
<p>{zh}</p>
<h1 lang="en">Service unavailable</h1>
<p lang="en">{en}</p>
</body>
</html>
"""


def _api_body() -> str:
    """CKAN's API error shape (``success: false`` and an ``error`` object)."""
    body: dict[str, Any] = {
        "success": False,
        "error": {"__type": "Service Unavailable", "message": UNAVAILABLE},
    }
    name = request.path.rstrip("/").rsplit("/", 1)[-1]
    if "/action/" in request.path and name:
        body["help"] = f"{request.url_root}api/3/action/help_show?name={name}"
    return json.dumps(body, ensure_ascii=False)


def unavailable_response() -> Response:
    """The 503 answer for the current request (no database, no template)."""
    if request.path.startswith("/api/"):
        response = Response(_api_body(), 503, mimetype="application/json")
    else:
        page = _PAGE.format(retry=RETRY_AFTER, zh=escape(ZH), en=escape(EN))
        response = Response(page, 503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER)
    response.headers["Cache-Control"] = "no-store"
    return response


def _next_handler(error: Exception) -> Any:
    """The handler Flask would have chosen without this one (the next class up the error's
    MRO that has one: the rollback handler for ``SQLAlchemyError``, CKAN's for ``Exception``)."""
    handlers = current_app.error_handler_spec.get(None, {}).get(None, {})
    for cls in type(error).__mro__:
        handler = handlers.get(cls)
        if handler is not None and handler is not database_unavailable:
            return handler
    return None


def database_unavailable(error: Exception) -> Any:
    """The database is unreachable for now: 503. Other errors of these classes go on to the
    handler that would have answered them (500), as before."""
    if not database.unavailable(error):
        handler = _next_handler(error)
        if handler is None:
            raise error
        return handler(error)
    log.warning(
        "503 for %s %s: database unavailable (%s)",
        request.method,
        request.path,
        database.first_line(error),
    )
    return unavailable_response()


for _error_class in database.HANDLED:
    outages.app_errorhandler(_error_class)(database_unavailable)


def end_session() -> bool:
    """Close the request's session before CKAN's ``ckan_after_request`` does (this hook runs
    first); True when the database was lost meanwhile.

    Closing rolls back, on the connection: if PostgreSQL went away after the response was
    made, CKAN's own ``Session.remove()`` raises, and a request that had done its work
    (committed) would be answered 500. Here the failure is noted and the session dropped, so
    the answer stays what the request earned."""
    try:
        model.Session.remove()
    except Exception as error:
        model.Session.registry.clear()
        if not database.unavailable(error):
            log.warning("Closing the session failed", exc_info=True)
        return True
    return False


@outages.after_app_request
def lost_during_request(response: Response) -> Response:
    """A 500 of a request in which the database was lost is that loss: 503 instead.

    CKAN's action API answers 500 for any exception an action raises, before an error
    handler could see it; the engine's ``handle_error`` marks the request (``database``).
    Any other answer stands, even if the connection went away as the session was closed."""
    lost_at_close = end_session()
    if response.status_code == 500 and (lost_at_close or database.lost_in_request()):
        log.warning("503 for %s %s: database lost during the request", request.method, request.path)
        return unavailable_response()
    return response


outages.record_once(lambda _state: database.listen())

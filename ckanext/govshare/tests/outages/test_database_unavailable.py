"""A lost database answers 503 with Retry-After and a bilingual message, never 500, and the
next request is served normally (issue 14, item 9).

The loss is real: the request's own PostgreSQL connection is terminated
(``pg_terminate_backend(pg_backend_pid())``), as a restart terminates every connection; no
server is restarted. bench/faults.py restarts a whole (throwaway) PostgreSQL under load.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib import app_globals
from sqlalchemy import exc

from ckanext.govshare.outages import database
from ckanext.govshare.views.outages import RETRY_AFTER, UNAVAILABLE


def kill_own_connection(*_args: Any, **_kwargs: Any) -> Any:
    """What a PostgreSQL restart does to the connection the request is using."""
    model.Session.execute(sa.text("select pg_terminate_backend(pg_backend_pid())"))
    return None


@pytest.fixture
def lost_before_every_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first database call of every request (CKAN's settings check) loses its connection."""
    monkeypatch.setattr(app_globals.app_globals, "_check_uptodate", kill_own_connection)


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER)
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.usefixtures("clean_db")
def test_a_page_answers_503_in_both_languages(app: Any, lost_before_every_request: None):
    response = app.get("/organization/")
    assert_unavailable(response)
    assert response.content_type.startswith("text/html")
    assert "服务暂时不可用" in response.text
    assert "Service unavailable" in response.text
    assert "Traceback" not in response.text and "psycopg2" not in response.text


@pytest.mark.usefixtures("clean_db")
def test_the_api_answers_503_in_its_own_shape(app: Any, lost_before_every_request: None):
    response = app.get("/api/3/action/package_search")
    assert_unavailable(response)
    body = response.json
    assert body["success"] is False
    assert body["error"]["__type"] == "Service Unavailable"
    assert body["error"]["message"] == UNAVAILABLE
    assert " | " in body["error"]["message"]  # English | Chinese
    assert body["help"].endswith("help_show?name=package_search")


@pytest.mark.usefixtures("clean_db")
def test_a_connection_lost_inside_an_action_is_503_not_500(
    app: Any, monkeypatch: pytest.MonkeyPatch
):
    """CKAN's API view catches the action's exception and answers 500 itself: the engine's
    error event marked the request, and the answer becomes 503."""
    # The API view's own module (CKAN loads its view modules afresh for each app).
    view_globals = app.flask_app.view_functions["api.action"].__globals__
    real = view_globals["get_action"]

    def get_action(name: str) -> Any:
        return kill_own_connection if name == "status_show" else real(name)

    monkeypatch.setitem(view_globals, "get_action", get_action)
    assert_unavailable(app.post("/api/3/action/status_show", json={}))
    assert app.post("/api/3/action/package_search", json={}).json["success"] is True


@pytest.mark.usefixtures("clean_db")
def test_the_next_request_is_served_on_the_same_app(app: Any, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(app_globals.app_globals, "_check_uptodate", kill_own_connection)
    assert_unavailable(app.get("/organization/"))
    monkeypatch.undo()  # the database is back
    assert app.get("/organization/").status_code == 200
    assert app.get("/api/3/action/package_search").json["success"] is True


@pytest.mark.usefixtures("clean_db")
def test_a_connection_lost_after_the_work_is_done_keeps_the_answer(
    app: Any, monkeypatch: pytest.MonkeyPatch
):
    """The request used its connection and finished; PostgreSQL then went away before the
    session was closed. Closing fails (its rollback cannot reach the server): the answer the
    request earned stands, instead of CKAN's after-request hook turning it into a 500."""

    def doomed_connection() -> None:
        pid = model.Session.execute(sa.text("select pg_backend_pid()")).scalar()
        with model.meta.engine.connect() as other:
            other.execute(sa.text("select pg_terminate_backend(:pid)"), {"pid": pid})

    monkeypatch.setattr(app_globals.app_globals, "_check_uptodate", doomed_connection)
    response = app.get("/api/3/action/status_show")
    assert response.status_code == 200
    assert response.json["success"] is True


@pytest.mark.usefixtures("clean_db")
def test_other_database_errors_are_not_answered_503(app: Any, monkeypatch: pytest.MonkeyPatch):
    """A statement that fails by itself (here a division by zero) is the request's own fault."""

    def divide_by_zero() -> None:
        model.Session.execute(sa.text("select 1 / 0"))

    monkeypatch.setattr(app_globals.app_globals, "_check_uptodate", divide_by_zero)
    try:
        status = app.get("/organization/").status_code
    except exc.DataError:  # tests run with errors propagated (no 500 page)
        status = 500
    assert status == 500


@pytest.mark.unit
@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (exc.OperationalError("select 1", {}, Exception("server closed the connection")), True),
        (exc.OperationalError("select 1", {}, Exception("deadlock detected")), True),
        (
            exc.InterfaceError("select 1", {}, Exception("closed"), connection_invalidated=True),
            True,
        ),
        (exc.InterfaceError("select 1", {}, Exception("cursor closed")), False),
        (exc.DisconnectionError("lost"), True),
        (exc.PendingRollbackError("invalid transaction", code="8s2b"), True),
        (exc.PendingRollbackError("rolled back due to a previous exception", code="7s2a"), False),
        (exc.IntegrityError("insert", {}, Exception("duplicate key")), False),
        (exc.DataError("select", {}, Exception("bigint out of range")), False),
        (ValueError("no"), False),
    ],
)
def test_which_errors_mean_the_database_is_unreachable(error: BaseException, expected: bool):
    assert database.unavailable(error) is expected

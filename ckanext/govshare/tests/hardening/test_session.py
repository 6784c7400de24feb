"""A failed request leaves nothing behind (issue 14, item 3).

A request fails in the database for real: the audit trail's table is renamed under the
running application (a second connection), ``/govshare/audit/`` queries it and PostgreSQL
answers ``UndefinedTable``. The table is put back, and the next request, served by the same
process on the same thread, must answer 200: before the fix its session was still in the
aborted transaction and answered ``InFailedSqlTransaction``.

The test application runs as in production (``debug = false``): CKAN renders its error page
for any exception, and that page, which reads the database too, must render, not fail again
and escape as a bare 500.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import ckan.cli.cli
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.common import config

from ckanext.govshare.audit.model import event_table
from ckanext.govshare.workdays.model import calendar_day_table

from .conftest import Platform


@contextlib.contextmanager
def table_missing(table: sa.Table) -> Iterator[None]:
    """The table under another name while the block runs (DDL on its own connection)."""
    away = f"{table.name}_away"
    model.Session.remove()
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text(f"ALTER TABLE {table.name} RENAME TO {away}"))
    try:
        yield
    finally:
        # The session is left as the application left it: the next request must cope.
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text(f"ALTER TABLE {away} RENAME TO {table.name}"))


def audit_table_missing() -> contextlib.AbstractContextManager[None]:
    return table_missing(event_table)


def test_after_a_database_error_the_next_request_is_served(platform: Platform):
    """Whatever the failed request answered, the next one on this thread starts clean."""
    sysadmin = platform.headers("sysadmin")
    with audit_table_missing(), contextlib.suppress(sa.exc.SQLAlchemyError):
        platform.app.get("/govshare/audit/", headers=sysadmin)  # its answer: the next test
    assert platform.app.get("/organization/", headers=sysadmin).status_code == 200


@pytest.fixture
def production_app(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The application as in production (``debug = false``, not testing): CKAN's error page
    answers any exception. CKAN 2.11's test application already runs so; 2.12's runs in
    testing mode (errors propagate), so one is built for the test."""
    if Exception in platform.app.flask_app.error_handler_spec[None][None]:
        return platform.app
    from ckan.config.middleware import make_app
    from ckan.tests.helpers import CKANTestApp

    monkeypatch.setitem(config, "testing", False)
    app = CKANTestApp(make_app(config))
    assert Exception in app.flask_app.error_handler_spec[None][None]
    return app


def test_after_a_database_error_the_error_page_renders_and_the_next_request_is_served(
    platform: Platform, production_app: Any
):
    """CKAN's error page is rendered in the request that failed (its header reads the
    database: the user, the unread notices), then the next request on this thread works."""
    sysadmin = platform.headers("sysadmin")
    with audit_table_missing():
        failed = production_app.get("/govshare/audit/", headers=sysadmin)
    assert failed.status_code == 500
    assert "<html" in failed.get_data(as_text=True).lower()  # CKAN's error page, rendered
    assert production_app.get("/organization/", headers=sysadmin).status_code == 200
    assert production_app.get("/govshare/audit/", headers=sysadmin).status_code == 200


def test_an_action_failing_in_the_database_leaves_the_api_working(platform: Platform):
    sysadmin = platform.headers("sysadmin")
    with audit_table_missing():
        failed = platform.app.post("/api/3/action/govshare_audit_list", json={}, headers=sysadmin)
    assert failed.status_code == 500 and failed.get_json()["success"] is False
    listed = platform.app.post("/api/3/action/govshare_audit_list", json={}, headers=sysadmin)
    assert listed.status_code == 200 and listed.get_json()["success"] is True


def test_a_command_failing_in_the_database_leaves_a_clean_session(platform: Platform, cli: Any):
    """``ckan govshare …`` runs actions outside any request: the session ends rolled back."""
    with table_missing(calendar_day_table):
        result = cli.invoke(ckan.cli.cli.ckan, ["govshare", "calendar", "show", "2026"])
        assert isinstance(result.exception, sa.exc.ProgrammingError), result.output
        # The same process, the same thread: its session is usable again.
        assert model.Session.execute(sa.text("SELECT 1")).scalar() == 1

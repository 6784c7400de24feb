"""Fixtures shared by the whole suite.

Every test runs with the plugins of the test config loaded (``with_plugins``), against the
real PostgreSQL and Redis of ``config/test.ini``.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories

from ckanext.govshare.search import result_cache
from ckanext.govshare.tests import factories as gs_factories

_STACK = inspect.stack


def pytest_configure(config: Any) -> None:
    # CKAN's toolkit finds a plugin's folder with ``inspect.stack()``, which reads the source
    # lines of every frame: under pytest's deep stacks that is most of the time it takes to
    # load the plugins before each test. File names are all it needs.
    inspect.stack = functools.partial(_STACK, 0)
    # Test users need real password hashes, not slow ones (as Django's tests use a fast hasher).
    import ckan.model.user
    from passlib.hash import pbkdf2_sha512

    ckan.model.user.pbkdf2_sha512 = pbkdf2_sha512.using(rounds=1000)  # type: ignore[attr-defined]
    config.addinivalue_line("markers", "unit: plain-Python test; needs no plugin or database")


@pytest.fixture(autouse=True)
def _load_plugins(request: pytest.FixtureRequest) -> None:
    """The platform is the sum of its plugins: tests see it as users do (unit tests excepted)."""
    if request.node.get_closest_marker("unit") is None:
        request.getfixturevalue("with_plugins")


# Plugins whose Alembic chains the suite needs, in order.
_MIGRATED = ("activity", "harvest", "govshare_search", "govshare")


@pytest.fixture
def clean_db(reset_db: Any, migrate_db_for: Any) -> None:
    """CKAN's ``clean_db``, plus the plugins' migrations that its first reset drops."""
    reset_db()
    result_cache.bump()  # the reset wrote to the index behind CKAN's back
    inspector = sa.inspect(model.meta.engine)
    for plugin in _MIGRATED:
        if not inspector.has_table(f"{plugin}_alembic_version"):
            migrate_db_for(plugin)


@pytest.fixture
def sysadmin() -> dict[str, Any]:
    return factories.Sysadmin()


@pytest.fixture
def department() -> dict[str, Any]:
    return gs_factories.Department()


@pytest.fixture
def user_context():
    """A context for ``call_action`` as the given user (auth is checked)."""

    def make(user: dict[str, Any]) -> dict[str, Any]:
        return {"user": user["name"], "ignore_auth": False}

    return make

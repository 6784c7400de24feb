"""Fixtures shared by the whole suite.

Every test runs with the plugins of the test config loaded (``with_plugins``), against the
real PostgreSQL and Redis of ``config/test.ini``. A world the tests of a module share is built
once and handed back from a snapshot to every later test that builds it the same way
(``module_world``); objects a single test needs come from the factories
(``tests/factories.py``).
"""

from __future__ import annotations

import collections
import contextlib
import copy
import functools
import inspect
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import ckan.plugins
import ckan.plugins.toolkit as tk
import jinja2
import jinja2.bccache
import pytest
import sqlalchemy as sa
import yaml
from ckan import model
from ckan.tests import factories

from ckanext.govshare.core import clock
from ckanext.govshare.search import result_cache
from ckanext.govshare.tests import factories as gs_factories
from ckanext.govshare.tests.db import SNAPSHOT_SCHEMA, Snapshot, reset_audit

#: The platform's clock as the code has it: a world built while a test pinned it is not shared.
_CLOCK_NOW = clock.now


def pytest_configure(config: Any) -> None:
    # A plugin load (about 200 a suite, with the CLI tests' and apps' own) spent most of its
    # time on three things that do not change within a session:
    # - CKAN's toolkit finds a plugin's folder with ``inspect.stack()``, which reads the
    #   source lines of every frame and looks up each frame's module. File names are all it
    #   needs.
    inspect.stack = _frames
    # - CKAN looks up each plugin's entry point by scanning every installed distribution's
    #   metadata, once a plugin and group (12 ms a look-up). Nothing is installed meanwhile.
    import ckan.plugins.core

    ckan.plugins.core.entry_points = functools.cache(ckan.plugins.core.entry_points)  # type: ignore[assignment]
    # - the YAML of CKAN's config declarations and of the scheming schemas, read on every
    #   load by PyYAML's Python parser; its C parser gives the same documents.
    if yaml.__with_libyaml__:
        yaml.safe_load = functools.partial(yaml.load, Loader=yaml.CSafeLoader)  # type: ignore[assignment]
    # - the templates, compiled again by every app a test builds (about 130 a suite): one
    #   store of their compiled code for the session, keyed by file and checked against the
    #   source (jinja's own bytecode cache), as a long-lived site compiles each once.
    import ckan.lib.jinja_extensions

    ckan.lib.jinja_extensions.get_jinja_env_options = _with_compiled_templates(  # type: ignore[assignment]
        ckan.lib.jinja_extensions.get_jinja_env_options
    )
    # Test users need real password hashes, not slow ones (as Django's tests use a fast hasher).
    import ckan.model.user
    from passlib.hash import pbkdf2_sha512

    ckan.model.user.pbkdf2_sha512 = pbkdf2_sha512.using(rounds=1000)  # type: ignore[attr-defined]
    config.addinivalue_line("markers", "unit: plain-Python test; needs no plugin or database")


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory for the test session (jinja checks each against its
    source's checksum before using it)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED_TEMPLATES = _CompiledTemplates()


def _with_compiled_templates(options: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    @functools.wraps(options)
    def with_cache() -> dict[str, Any]:
        return {**options(), "bytecode_cache": _COMPILED_TEMPLATES}

    return with_cache


def _frames(context: int = 1) -> list[inspect.FrameInfo]:
    """``inspect.stack()`` without source lines or module look-ups: each caller's frame, file
    name, line and function (what CKAN's toolkit, pytest and bs4 read of it)."""
    frame = sys._getframe(1)
    frames = []
    while frame is not None:
        code = frame.f_code
        info = inspect.FrameInfo(frame, code.co_filename, frame.f_lineno, code.co_name, None, None)
        frames.append(info)
        frame = frame.f_back
    return frames


PROFILE_OPTION = "ckanext.govshare.rule_profile"
#: The profile a test runs under unless it names one (``ckan_config`` mark, or the
#: ``rule_profile`` fixture of ``tests/profiles.py`` that runs a suite under both). The suites
#: written before the 2025 profile became the default state the 2016 Measures' behaviour.
BASELINE_PROFILE = "measures-2016"


def _browser_outside_its_folder(item: Any) -> bool:
    """pytest-playwright gives every test that names one of its fixtures (``page``,
    ``context``, ``browser``...) a session-scoped ``browser_name`` parameter, also when the
    name is only a test's own parameter. Such a test is grouped with the browser tests and
    has once failed at set-up there ("dictionary keys changed during iteration")."""
    callspec = getattr(item, "callspec", None)
    return bool(callspec and "browser_name" in callspec.params) and "browser" not in item.path.parts


def pytest_collection_modifyitems(items: list[Any]) -> None:
    stray = [item.nodeid for item in items if _browser_outside_its_folder(item)]
    if stray:
        raise pytest.UsageError(
            "tests outside tests/browser/ that take a playwright fixture (rename a parameter "
            "called page, context or browser): " + ", ".join(stray)
        )
    for item in items:
        named = any(
            mark.args and mark.args[0] == PROFILE_OPTION
            for mark in item.iter_markers("ckan_config")
        )
        if not named:
            item.add_marker(pytest.mark.ckan_config(PROFILE_OPTION, BASELINE_PROFILE))


@pytest.fixture(scope="module", autouse=True)
def _baseline_profile_outside_tests() -> None:
    """What runs outside a test's ``ckan_config`` (module-scoped fixtures that build a
    catalogue, e.g. tests/dcat/test_endpoints.py) runs under the baseline profile too, as the
    tests that use it do: an entry built there under regulation-2025 would wait for the
    authority's review (hidden from other departments) and a request for a sign-off. Set at
    each module's start (a plugin load in between may have put the configured default back);
    each test's ``ckan_config`` marks still set its own profile."""
    tk.config[PROFILE_OPTION] = BASELINE_PROFILE


@pytest.fixture(autouse=True)
def _load_plugins(request: pytest.FixtureRequest) -> None:
    """The platform is the sum of its plugins: tests see it as users do (unit tests excepted)."""
    if request.node.get_closest_marker("unit") is None:
        request.getfixturevalue("with_plugins")


class _Loaded:
    """What the last plugin load left: reused while the next test asks for the same set-up."""

    key: tuple[Any, ...] | None = None
    plugins: list[str] = []
    config: dict[str, Any] = {}
    app: Any = None


def _setup_key(request: pytest.FixtureRequest, *, with_profile: bool = True) -> tuple[Any, ...]:
    marks = tuple(
        (repr(mark.args), repr(sorted(mark.kwargs.items())))
        for mark in request.node.iter_markers("ckan_config")
        if with_profile or not (mark.args and mark.args[0] == PROFILE_OPTION)
    )
    return (marks, tk.config.get("ckan.plugins"))


def _apply_profile_marks(request: pytest.FixtureRequest, config: Any) -> None:
    """The test's rule profile, set as CKAN's ``ckan_config`` sets its marks (in the same
    order: the last one applied wins)."""
    for mark in request.node.iter_markers("ckan_config"):
        if mark.args and mark.args[0] == PROFILE_OPTION:
            config[PROFILE_OPTION] = mark.args[1]


@pytest.fixture
def with_plugins(request: pytest.FixtureRequest, ckan_config: Any) -> Iterator[None]:
    """CKAN's ``with_plugins``, without loading every plugin again for each test.

    CKAN's fixture loads the plugins before each test and unloads them after, which is most
    of what a database test costs (with ``app``, about 2 s a test). Here the plugins stay
    loaded while the next test has the same ``ckan_config`` marks and nothing unloaded
    them; the configuration the load produced is put back for each test, since
    ``ckan_config`` restores the one from before the load when a test ends.

    The rule profile is not part of what a load depends on: the platform reads it from the
    configuration on every use (``core/config.py``), and nothing a plugin sets up when loaded
    depends on it. A test under the other profile gets the loaded plugins and configuration
    with its own profile set (a module run under both profiles used to load the plugins and
    build an app again in between).
    """
    from ckan.plugins import core

    key = _setup_key(request, with_profile=False)
    if key == _Loaded.key and _Loaded.plugins == core._PLUGINS:
        ckan_config.clear()
        ckan_config.update(copy.deepcopy(_Loaded.config))
        _apply_profile_marks(request, ckan_config)
    else:
        _Loaded.key = None
        ckan.plugins.load_all()
        _Loaded.key = key
        _Loaded.plugins = list(core._PLUGINS)
        _Loaded.config = copy.deepcopy(dict(ckan_config))
        _Loaded.app = None
    yield


@pytest.fixture
def app(make_app: Any, with_plugins: None) -> Any:
    """CKAN's ``app``, built once for each plugin load (see ``with_plugins``).

    Each request still gets a test client of its own, so no cookie outlives a request.
    """
    if _Loaded.app is None:
        _Loaded.app = make_app()
    return _Loaded.app


# Plugins whose Alembic chains the suite needs, in order.
_MIGRATED = ("activity", "harvest", "govshare_search", "govshare")


@pytest.fixture(scope="session")
def reset_database(reset_db: Any, migrate_db_for: Any) -> Callable[[], None]:
    """CKAN's database reset, plus the plugins' migrations that its first reset drops, and
    an empty audit trail.

    CKAN's reset leaves the audit tables alone (they are not on its metadata): without
    emptying them, a world built after a test that wrote events (a browser journey's cart, a
    token revoked) kept those events in its snapshot, and a later test counting its own
    events found them too."""

    def reset() -> None:
        engine = model.meta.engine
        reset_db()
        result_cache.bump()  # the reset wrote to the index behind CKAN's back
        inspector = sa.inspect(model.meta.engine)
        for plugin in _MIGRATED:
            if not inspector.has_table(f"{plugin}_alembic_version"):
                migrate_db_for(plugin)
        if engine is not None and model.meta.engine is not engine:
            # CKAN's migration environment binds the model to its own engine, one without a
            # pool (``ckan/migration/env.py``): every session after it opened a PostgreSQL
            # connection of its own, several a request. The site's pooled engine, as served.
            model.meta.engine.dispose()
            model.init_model(engine)
        reset_audit()

    return reset


@pytest.fixture
def clean_db(reset_database: Callable[[], None]) -> None:
    """CKAN's ``clean_db``, plus the plugins' migrations that its first reset drops, and an
    empty audit trail."""
    reset_database()


@pytest.fixture
def audit_db(clean_db: None) -> None:
    """A clean database with an empty audit trail: the name the audit, login and export tests
    ask for (``clean_db`` empties the trail)."""


T = TypeVar("T")


class _Worlds:
    """The worlds built so far (the last ``KEPT``), each with the snapshot of the database
    it left, most recently used last."""

    KEPT = 4
    kept: collections.OrderedDict[tuple[Any, ...], tuple[Any, Snapshot]] = collections.OrderedDict()
    built = 0
    restored = 0

    @classmethod
    def schema(cls) -> str:
        """A snapshot schema no kept world uses (the least recently used one's, when full)."""
        if len(cls.kept) >= cls.KEPT:
            cls.kept.popitem(last=False)
        used = {snapshot.schema for _, snapshot in cls.kept.values()}
        return next(
            f"{SNAPSHOT_SCHEMA}_{n}"
            for n in range(cls.KEPT)
            if f"{SNAPSHOT_SCHEMA}_{n}" not in used
        )


def _world_key(request: pytest.FixtureRequest, build: Callable[[], Any]) -> tuple[Any, ...]:
    """What a world depends on: its build function, the test's set-up and the whole
    configuration. A later module that builds the same world with the same function, on the
    same configuration, gets its snapshot back instead of a new build (a folder's modules
    share their conftest's world; modules run under both rule profiles switch between two). A
    world built by a closure (it may hold the module's own fixtures' values) or under a pinned
    clock stays its module's own."""
    own = bool(getattr(build, "__closure__", None)) or clock.now is not _CLOCK_NOW
    settings = tuple(sorted((key, repr(value)) for key, value in tk.config.items()))
    return (
        request.path if own else None,
        build.__module__,
        build.__qualname__,
        repr(_setup_key(request)),
        hash(settings),
    )


@pytest.fixture
def module_world(
    request: pytest.FixtureRequest, with_plugins: None, reset_database: Callable[[], None]
) -> Callable[..., Any]:
    """``get(build)``: the module's world, built once, as it was after ``build``.

    The first test that asks for a world resets the database and calls ``build`` (with the
    plugins loaded); each later test that asks for the same world (``_world_key``: in the
    same module, or in another on the same configuration) gets it back with whatever the
    tests before it wrote taken away (``tests.db.Snapshot``), so tests may write freely: a
    request, an approval, a patched entry or a deleted member are gone for the next test.
    A change of ``ckan_config`` marks builds it again. Each test gets its own copy of the
    returned object. A test that also asks for ``clean_db`` gets the world on a reset
    database, as before. ``GOVSHARE_CHECK_RESTORE=1`` compares every table with the snapshot
    after each restore (slow; for changing ``Snapshot``).
    """
    if "clean_db" in request.fixturenames:
        request.getfixturevalue("clean_db")

    def get(build: Callable[[], T]) -> T:
        wanted = _world_key(request, build)
        kept = _Worlds.kept.pop(wanted, None)
        if kept is not None and kept[1].restore():
            _Worlds.restored += 1
            if os.environ.get("GOVSHARE_CHECK_RESTORE"):
                assert not kept[1].differences(), "the snapshot was not put back"
        else:
            schema = kept[1].schema if kept is not None else _Worlds.schema()
            reset_database()
            kept = (build(), Snapshot.take(schema))
            _Worlds.built += 1
        _Worlds.kept[wanted] = kept
        result_cache.bump()  # the index changed behind the cache's back
        return copy.deepcopy(kept[0])

    return get


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _Worlds.built:
        terminalreporter.write_line(
            f"module worlds: {_Worlds.built} built, {_Worlds.restored} restored for a test"
        )


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _Worlds.kept:
        _Worlds.kept.clear()
        with contextlib.suppress(Exception):  # a test database that went away keeps them
            Snapshot.drop()


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


@pytest.fixture(autouse=True)
def _login_throttle_reset(request: pytest.FixtureRequest) -> None:
    """Failed logins of one test do not lock the logins of the next (issue 14 item 8)."""
    if request.node.get_closest_marker("unit") is None:
        from ckanext.govshare.logins import service

        service.throttle().reset()

"""A pytest plugin that runs CKAN core's search tests against the embedded search backend.

Use: ``pytest --ckan-ini=config/test.ini -p ckanext.govshare.tests.ckan_core.plugin
--pyargs ckan.tests.lib.search ckan.tests.logic.action.test_get ...`` (``make test`` runs it).

What it changes, and nothing else, so that CKAN's tests run as CKAN runs them:

* The configuration: the given ini, with CKAN's own test settings (``test-core.ini``: English,
  no plugins, CKAN's default auth options) over the platform's. ``govshare_search`` is not in
  ``ckan.plugins``: it is made a *system* plugin, as CKAN's ``synchronous_search``, so that
  neither ``unload_non_system_plugins`` (before the tests), ``with_plugins`` nor a test's
  ``ckan_config("ckan.plugins", ...)`` unloads it. The index is never Solr, for any test.
* CKAN's database reset (``clean_db``) drops every table, the index's too; the backend's
  migrations are run again after it, as ``ckan db upgrade -p govshare_search`` would.
* The selection: the modules and ``-k`` words of ``selection.MODULES``, less
  ``selection.DESELECTED`` (tests of Solr itself, each with its reason).
"""

from __future__ import annotations

import os
import re
import tempfile
from typing import Any

import pytest

from . import selection

PLUGIN = "govshare_search"

# CKAN's test settings (its test-core.ini) where the platform's ini differs.
CORE_SETTINGS = {
    "ckan.plugins": "",
    "ckan.site_id": "test.ckan.net",
    "ckan.site_url": "http://test.ckan.net",
    "ckan.site_title": "CKAN",
    "ckan.site_description": "",
    "ckan.locale_default": "en",
    "ckan.locales_offered": "",
    "ckan.display_timezone": "UTC",
    "ckan.views.default_views": "image_view datatables_view",
    "ckan.max_resource_size": "10",
    "ckan.csrf_protection.ignore_extensions": "true",
    "ckan.auth.public_user_details": "true",
    "ckan.auth.user_create_organizations": "true",
    "ckan.auth.user_create_groups": "true",
    "ckan.auth.create_user_via_api": "false",
    "ckan.auth.create_user_via_web": "true",
    "ckan.auth.create_dataset_if_not_in_organization": "true",
    "ckan.auth.anon_create_dataset": "false",
    "ckan.auth.user_delete_groups": "true",
    "ckan.auth.user_delete_organizations": "true",
    "ckan.auth.create_unowned_dataset": "true",
    "ckan.datasets_per_page": "20",
    "ckan.tracking_enabled": "true",
    "ckan.extra_resource_fields": "alt_url",
    "testing": "true",
    # The backend's own options at their declared defaults: CKAN 2.12's fixtures restore the
    # configuration as read from this file before each test, without plugins' declarations.
    "ckanext.govshare.search.coded_facets": "",
    "ckanext.govshare.search.cache_ttl": "300",
}


# CKAN reads the logging sections of the ini it is given, not of the one it uses.
_LOGGING = [
    "[loggers]",
    "keys = root",
    "[handlers]",
    "keys = console",
    "[formatters]",
    "keys = generic",
    "[logger_root]",
    "level = WARNING",
    "handlers = console",
    "[handler_console]",
    "class = StreamHandler",
    "args = (sys.stderr,)",
    "level = NOTSET",
    "formatter = generic",
    "[formatter_generic]",
    "format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s",
]


def own_database(platform_ini: str) -> str:
    """The URL of a database of the core tests' own, ``<test db>_ckan_core``, created when
    missing: CKAN's resets leave a database with core's tables only (no plugin's migrations),
    which the platform's suite must never find in its own database."""
    import configparser

    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from ckanext.govshare.tests.federation.sites import admin_url

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(platform_ini, encoding="utf-8")
    url = make_url(parser.get("app:main", "sqlalchemy.url"))
    name = f"{url.database}_ckan_core"
    own = url.set(database=name).render_as_string(hide_password=False)
    engine = sa.create_engine(
        admin_url(url.render_as_string(hide_password=False)),
        isolation_level="AUTOCOMMIT",
        poolclass=sa.pool.NullPool,
    )
    try:
        with engine.connect() as conn:
            found = conn.execute(
                sa.text("select 1 from pg_database where datname = :name"), {"name": name}
            ).scalar()
            if not found:
                conn.execute(sa.text(f'create database "{name}" owner "{url.username}"'))
    finally:
        engine.dispose()
    return own


def core_ini(platform_ini: str, directory: str) -> str:
    """Writes an ini that takes ``platform_ini`` (Redis, secrets) with CKAN's test settings
    and a database of its own over it, and returns its path."""
    lines = ["[app:main]", f"use = config:{os.path.abspath(platform_ini)}"]
    lines += [f"{key} = {value}" for key, value in CORE_SETTINGS.items()]
    lines.append(f"sqlalchemy.url = {own_database(platform_ini)}")
    lines += _LOGGING
    path = os.path.join(directory, "ckan-core-tests.ini")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


def _keep_backend_loaded() -> None:
    """Makes ``govshare_search`` a system plugin for the run (see the module docstring)."""
    from ckan.plugins import core

    if not hasattr(core, "find_system_plugins"):
        _never_unload()  # CKAN 2.12: no system plugins
        return
    original = core.find_system_plugins
    if getattr(original, "_govshare", False):
        return

    def find_system_plugins() -> list[str]:
        names = original()
        return names if PLUGIN in names else [*names, PLUGIN]

    find_system_plugins._govshare = True  # type: ignore[attr-defined]
    core.find_system_plugins = find_system_plugins


def _never_unload() -> None:
    """CKAN 2.12 has no system plugins: its fixtures unload every plugin before the tests and
    after each ``with_plugins``. There, ``govshare_search`` is loaded once (at session start)
    and CKAN's ``unload`` passes it over, so no test runs without it."""
    from ckan.plugins import core

    original = core.unload
    if getattr(original, "_govshare", False):
        return

    def unload(*plugins: str) -> None:
        original(*[name for name in plugins if name != PLUGIN])

    unload._govshare = True  # type: ignore[attr-defined]
    core.unload = unload


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """After CKAN's own start, before collection: CKAN's search tests ask at import whether the
    index answers (``search.is_available()``), so the backend is loaded and a new database
    built now, not at the first test."""
    import sqlalchemy as sa
    from ckan import model, plugins
    from ckan.tests import helpers

    if not plugins.plugin_loaded(PLUGIN):
        plugins.load(PLUGIN)
    engine = model.meta.engine
    if engine is None or not sa.inspect(engine).has_table(f"{PLUGIN}_alembic_version"):
        helpers.reset_db()


def _migrate_after_reset() -> None:
    """CKAN's ``reset_db`` drops the index table with the rest: migrate it back each time."""
    import sqlalchemy as sa
    from ckan import model
    from ckan.cli.db import _run_migrations
    from ckan.tests import helpers

    from ckanext.govshare.search import result_cache

    original = helpers.reset_db
    if getattr(original, "_govshare", False):
        return

    def reset_db() -> None:
        engine = model.meta.engine
        original()
        if not sa.inspect(model.meta.engine).has_table(f"{PLUGIN}_alembic_version"):
            _run_migrations(PLUGIN)
            if engine is not None and model.meta.engine is not engine:
                # CKAN's migration environment binds the model to an engine without a pool.
                model.meta.engine.dispose()
                model.init_model(engine)
        result_cache.bump()  # the reset emptied the index behind the cache's back

    reset_db._govshare = True  # type: ignore[attr-defined]
    helpers.reset_db = reset_db


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    ini = getattr(config.option, "ckan_ini", None)
    if not ini:
        raise pytest.UsageError("the CKAN core tests need --ckan-ini (the platform's test ini)")
    directory = tempfile.mkdtemp(prefix="govshare-ckan-core-")
    config.option.ckan_ini = core_ini(ini, directory)
    config._govshare_unmatched = dict(_deselected())  # type: ignore[attr-defined]
    _keep_backend_loaded()
    _migrate_after_reset()


def _deselected() -> dict[str, str]:
    """The tests left out on the installed CKAN, with their reasons."""
    import ckan

    if ckan.__version__.startswith("2.12"):
        return {**selection.DESELECTED, **selection.DESELECTED_212}
    return selection.DESELECTED


_PARAMS = re.compile(r"\[.*?\]")


def test_key(item: pytest.Item) -> tuple[str, str] | None:
    """``(module, Class::test)`` of a collected test, parameters left out."""
    module = getattr(item, "module", None)
    if module is None or "::" not in item.nodeid:
        return None
    return module.__name__, _PARAMS.sub("", item.nodeid.split("::", 1)[1])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unmatched: dict[str, str] = config._govshare_unmatched  # type: ignore[attr-defined]
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        key = test_key(item)
        if key is None or key[0] not in selection.MODULES:
            dropped.append(item)
            continue
        module, name = key
        word = selection.MODULES[module]
        full = f"{module}::{name}"
        if word is not None and word not in name.lower():
            dropped.append(item)
        elif full in _deselected():
            unmatched.pop(full, None)
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    unmatched = getattr(config, "_govshare_unmatched", {})
    if unmatched:
        terminalreporter.write_line(
            "deselection entries that match no test of this CKAN (renamed or gone): "
            + ", ".join(sorted(unmatched))
        )


def _search_state() -> str:
    """What the index and its cache held when a test failed: a core test that fails once in a
    while under load (``test_search_page_results`` on 2.12, once in CI) can then be read."""
    import sqlalchemy as sa
    from ckan import model

    from ckanext.govshare.search import result_cache

    generation = result_cache._call("state", lambda r: r.get(result_cache._generation_key()))
    lines = [
        f"cache generation: {generation!r}",
        f"cache in outage: {result_cache._breaker.in_outage}",
    ]
    with model.meta.engine.connect() as conn:  # type: ignore[union-attr]
        rows = conn.execute(
            sa.text("select name, state, title from package order by metadata_created limit 30")
        ).all()
        lines.append(f"packages (committed): {[tuple(row) for row in rows]}")
        indexed = conn.execute(
            sa.text(
                "select doc->>'name', doc->>'state' from govshare_search_index "
                "order by index_id limit 30"
            )
        ).all()
        lines.append(f"index (committed): {[tuple(row) for row in indexed]}")
    return "\n".join(lines)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        try:
            report.sections.append(("govshare search state", _search_state()))
        except Exception as error:  # a diagnosis never fails the run
            report.sections.append(("govshare search state", f"not read: {error!r}"))

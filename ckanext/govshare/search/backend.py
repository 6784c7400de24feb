"""Puts the PostgreSQL index in Solr's place inside ``ckan.lib.search``.

CKAN has no search-backend interface (ckan/ckan#7552): core, and extensions such as
ckanext-harvest, reach Solr through ``make_connection`` bound into several modules, and
start-up checks Solr's schema version. ``install`` rebinds those names to the PostgreSQL
connection and ``uninstall`` puts CKAN's own back, so with the plugin off CKAN is stock.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import ckan.plugins as p
import sqlalchemy as sa
from ckan import model
from ckan.common import config
from ckan.lib.search import common as search_common

from .connection import TABLE, PostgresSearchConnection

log = logging.getLogger(__name__)

_ORIGINAL_MAKE_CONNECTION = search_common.make_connection
_originals: dict[tuple[str, str], Any] = {}


def _active() -> bool:
    """The plugin is loaded, or configured and between loads (test fixtures reload plugins)."""
    if p.plugin_loaded("govshare_search"):
        return True
    return "govshare_search" in (config.get("ckan.plugins") or [])


class DateDecodingConnection(PostgresSearchConnection):
    """The connection CKAN's ``make_connection()`` gives by default: as pysolr with CKAN's
    ``solr_datetime_decoder``, a stored date (``2014-03-22T00:00:00Z``) comes back as a
    ``datetime``; ``make_connection(decode_dates=False)`` (dataset search) keeps strings."""

    def search(self, q: str = "*:*", search_handler: str | None = None, **params: Any) -> Any:
        results = super().search(q, search_handler, **params)
        results.docs = [search_common.solr_datetime_decoder(dict(d)) for d in results.docs]
        results.raw_response["response"]["docs"] = results.docs
        return results


def make_connection(decode_dates: bool = True) -> Any:
    """Replacement for ``ckan.lib.search.common.make_connection``.

    Once the plugin is unloaded (tests that switch plugins), CKAN's own function answers.
    """
    if not _active():
        return _ORIGINAL_MAKE_CONNECTION(decode_dates)
    return DateDecodingConnection() if decode_dates else PostgresSearchConnection()


SOLR_URL_IGNORED = (
    "solr_url is set (%s) but the embedded search backend (plugin govshare_search) is in "
    "ckan.plugins: every search and index write goes to PostgreSQL, never to Solr. Remove "
    "solr_url, or remove govshare_search from ckan.plugins to search with Solr."
)
TABLE_MISSING = (
    "The search index table %s is missing: nothing can be searched or indexed. Run "
    "`ckan db upgrade -p govshare_search`, then `ckan search-index rebuild`."
)


#: Start-up reports already logged by this process.
REPORTED: set[str] = set()


def startup_problems(solr_url: str | None, table_exists: bool) -> list[tuple[int, str]]:
    """What start-up reports about a site configured for the embedded backend, so that it is
    never mistaken for a Solr site: ``(logging level, message)``."""
    problems: list[tuple[int, str]] = []
    if solr_url:
        problems.append((logging.WARNING, SOLR_URL_IGNORED % solr_url))
    if not table_exists:
        problems.append((logging.ERROR, TABLE_MISSING % TABLE))
    return problems


def check_schema_version(schema_file: str | None = None) -> bool:
    """Replacement for ``check_solr_schema_version``, which CKAN calls at every start: the
    index table must exist, and a solr_url that is not used is reported."""
    if not _active():
        return _originals[("ckan.lib.search", "check_solr_schema_version")](schema_file)
    engine = model.meta.engine
    table_exists = engine is None or sa.inspect(engine).has_table(TABLE)
    for level, message in startup_problems(config.get("solr_url"), table_exists):
        if message not in REPORTED:  # once a process: CKAN runs this at each plugin load too
            REPORTED.add(message)
            log.log(level, message)
    return table_exists


def _rebind(module: Any, name: str, value: Any) -> None:
    key = (module.__name__, name)
    if key not in _originals:
        _originals[key] = getattr(module, name)
    setattr(module, name, value)


def install() -> None:
    import ckan.lib.search as search

    _rebind(search_common, "make_connection", make_connection)
    _rebind(search, "check_solr_schema_version", check_schema_version)
    # Every module that imported make_connection by name (ckan.lib.search.index/query,
    # ckan.lib.search, ckanext.harvest...) keeps its own binding: rebind those too.
    for module in list(sys.modules.values()):
        if module is None or module is search_common:
            continue
        try:
            bound = module.__dict__.get("make_connection")
        except Exception:
            continue
        if bound is _ORIGINAL_MAKE_CONNECTION:
            _rebind(module, "make_connection", make_connection)


def uninstall() -> None:
    for (module_name, name), value in list(_originals.items()):
        module = sys.modules.get(module_name)
        if module is not None:
            setattr(module, name, value)
    _originals.clear()


def installed() -> bool:
    return search_common.make_connection is make_connection

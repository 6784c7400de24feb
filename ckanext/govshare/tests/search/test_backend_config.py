"""A site configured for the embedded backend is never mistaken for a Solr site (issue 20,
item 6): the plugin declares its options, needs no solr_url, and start-up reports a solr_url
that is not used and a missing index table."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.common import config_declaration
from ckan.config.declaration import Key
from ckan.config.declaration.option import Flag
from ckan.config.middleware import make_app
from ckan.lib import search

from ckanext.govshare.search import backend
from ckanext.govshare.search.connection import TABLE


@pytest.mark.unit
@pytest.mark.parametrize(
    ("solr_url", "table", "levels"),
    [
        (None, True, []),
        ("", True, []),
        ("http://solr:8983/solr/ckan", True, [logging.WARNING]),
        (None, False, [logging.ERROR]),
        ("http://solr:8983/solr/ckan", False, [logging.WARNING, logging.ERROR]),
    ],
)
def test_startup_problems(solr_url: str | None, table: bool, levels: list[int]):
    problems = backend.startup_problems(solr_url, table)
    assert [level for level, _ in problems] == levels
    for _, message in problems:
        assert ("solr_url" in message and "govshare_search" in message) or TABLE in message


def test_the_plugin_declares_its_options_and_needs_no_solr_url():
    for key in ("ckanext.govshare.search.coded_facets", "ckanext.govshare.search.cache_ttl"):
        assert config_declaration.get(Key.from_string(key)) is not None, key
    solr_url = config_declaration.get(Key.from_string("solr_url"))
    assert solr_url is not None and not solr_url.has_flag(Flag.required)


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def reports() -> Iterator[Any]:
    """What the backend logs (the ini's ``ckanext`` logger does not propagate to pytest's, and
    a CLI test that loaded the ini's logging section leaves the backend's logger disabled)."""
    handler = _Kept()
    backend.REPORTED.clear()
    disabled = backend.log.disabled
    backend.log.disabled = False
    backend.log.addHandler(handler)
    try:
        yield handler
    finally:
        backend.log.removeHandler(handler)
        backend.log.disabled = disabled


@pytest.mark.ckan_config("solr_url", "http://127.0.0.1:8983/solr/ckan")
def test_a_solr_url_that_is_not_used_is_reported_at_start_up(ckan_config: Any, reports: Any):
    make_app(ckan_config)
    warnings = [r for r in reports.records if r.name == backend.log.name]
    assert warnings and {r.levelno for r in warnings} == {logging.WARNING}
    assert "http://127.0.0.1:8983/solr/ckan" in warnings[0].getMessage()


def test_a_missing_index_table_is_an_error_at_start_up(
    clean_db: Any, ckan_config: Any, reports: Any
):
    engine = model.meta.engine
    with engine.begin() as conn:
        conn.execute(sa.text(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_away"))
    try:
        assert search.check_solr_schema_version() is False
        make_app(ckan_config)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"ALTER TABLE {TABLE}_away RENAME TO {TABLE}"))
    errors = [r for r in reports.records if r.levelno == logging.ERROR]
    assert errors and all("ckan db upgrade -p govshare_search" in r.getMessage() for r in errors)
    assert search.check_solr_schema_version() is True

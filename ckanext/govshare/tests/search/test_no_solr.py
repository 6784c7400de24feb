"""With ``govshare_search`` on, nothing reaches Solr; with it off, CKAN is stock."""

from __future__ import annotations

import logging
from typing import Any

import pysolr
import pytest
from ckan.config.middleware import make_app
from ckan.lib import search
from ckan.lib.search import common as search_common
from ckan.tests.helpers import call_action

from ckanext.govshare.search import backend
from ckanext.govshare.search.connection import PostgresSearchConnection
from ckanext.govshare.tests import factories as gs_factories

PLUGINS_WITHOUT_SEARCH = (
    "activity scheming_datasets scheming_organizations dcat harvest ckan_harvester govshare"
)


@pytest.fixture
def solr_forbidden(monkeypatch: Any) -> list[str]:
    calls: list[str] = []

    def refuse(self: Any, *args: Any, **kwargs: Any) -> None:
        calls.append(f"{args} {kwargs}")
        raise AssertionError("Solr was called")

    monkeypatch.setattr(pysolr.Solr, "__init__", refuse)
    monkeypatch.setattr(pysolr.Solr, "_send_request", refuse)
    return calls


def test_start_up_and_every_index_path_stay_off_solr(
    solr_forbidden: list[str], clean_db: Any, ckan_config: Any, caplog: Any, cli: Any
):
    caplog.set_level(logging.WARNING)
    make_app(ckan_config)  # start-up, with its schema-version check
    org = gs_factories.Department()
    dataset = gs_factories.CatalogueEntry(owner_org=org["id"], tags=[{"name": "solr"}])
    call_action("package_search", q="*:*", **{"facet.field": ["tags"]})
    call_action("organization_list", all_fields=True)
    call_action("tag_show", id="solr", include_datasets=True)
    call_action("package_autocomplete", q=dataset["name"][:5])
    search.rebuild()
    search.check()
    search.show(dataset["name"])
    assert search.check_solr_schema_version() is True
    assert solr_forbidden == []
    # The one mention allowed: start-up's report that the configured solr_url is not used.
    report = backend.SOLR_URL_IGNORED % ckan_config.get("solr_url")
    assert not [
        r for r in caplog.records if "solr" in r.getMessage().lower() and r.getMessage() != report
    ]


def test_every_bound_make_connection_is_the_postgres_one():
    import ckan.lib.search.index as index_module
    import ckan.lib.search.query as query_module
    import ckanext.harvest.logic.action.update as harvest_update

    for module in (search_common, search, index_module, query_module, harvest_update):
        assert isinstance(module.make_connection(), PostgresSearchConnection), module


def test_delete_by_query_as_harvest_source_clear_sends_it(clean_db: Any):
    conn = PostgresSearchConnection()
    conn.add(
        [
            {"index_id": "h1", "id": "h1", "site_id": "govshare", "harvest_source_id": "s1"},
            {"index_id": "h2", "id": "h2", "site_id": "govshare", "harvest_source_id": "s2"},
        ]
    )
    conn.delete(q='+harvest_source_id:"s1" +site_id:"govshare"')
    assert [d["id"] for d in conn.search(q="*:*", rows=10).docs] == ["h2"]


@pytest.mark.ckan_config("ckan.plugins", PLUGINS_WITHOUT_SEARCH)
@pytest.mark.ckan_config("solr_url", "http://127.0.0.1:8983/solr/ckan")
def test_without_the_plugin_ckan_talks_to_solr_as_stock():
    conn = search_common.make_connection()
    assert isinstance(conn, pysolr.Solr)
    assert conn.url == "http://127.0.0.1:8983/solr/ckan"

"""Catalogue pages that only name their entries (``profiles=govshare_list``, dcat/listing.py;
issue 20, item 4), and the DCAT harvester's walk for deletions that reads them.

The listing is the catalogue endpoint with another profile: the same search, paging, filters
and reader's visibility, so it names exactly the entries the full pages hold, and says nothing
else of them. The harvester's walk takes its guids from it where the source offers it, and
reads the full pages where it does not (a stock ckanext-dcat platform answers 409) or where the
listing cannot be trusted (fewer entries than its count).
"""

from __future__ import annotations

import json
import uuid
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
from ckan import plugins
from ckan.tests import factories, helpers
from rdflib import ConjunctiveGraph, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, RDF

from ckanext.govshare.dcat import listing
from ckanext.govshare.tests import factories as gs

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
RUN = uuid.uuid4().hex[:8]  # the module does not reset the database: its entries are tagged
TAG = f"listing-{RUN}"
ONLY = f"fq=tags:{TAG}"
LIST = f"profiles={listing.PROFILE}"
# The entries' predicates the listing may write: their type, and the catalogue's link to them.
ENTRY_PREDICATES = {RDF.type, DCAT.dataset}


@pytest.fixture(scope="module")
def site() -> dict[str, Any]:
    """Five entries of one department: open, closed to the public, not shared, private (which
    no catalogue page shows: ckanext-dcat's search leaves private entries out), and one more
    open. Two to a page: the sysadmin's catalogue has two pages."""
    plugins.load_all()
    try:
        admin = factories.Sysadmin(name=f"listing-admin-{RUN}")
        org = gs.Department(name=f"listing-provider-{RUN}", title="市场监管局")
        entries = {}
        for key, fields in (
            ("open", {"open_to_public": "open"}),
            ("closed", {"open_to_public": "not_open"}),
            (
                "notshared",
                {
                    **gs.graded_fields("not_shared"),
                    "share_type": "not_shared",
                    "open_to_public": "not_open",
                    "legal_basis": "《中华人民共和国保守国家秘密法》第九条",
                },
            ),
            ("private", {"open_to_public": "open", "private": True}),
            ("second", {"open_to_public": "open"}),
        ):
            entries[key] = helpers.call_action(
                "package_create",
                context={"user": admin["name"], "ignore_auth": True},
                name=f"{key}-{RUN}",
                title=f"{key} entry",
                notes="摘要",
                owner_org=org["id"],
                **{
                    **gs.entry_fields(),
                    "tags": [{"name": TAG}],
                    "resources": [{"url": f"http://secret.example/{key}.csv", "format": "CSV"}],
                    **fields,
                },
            )
        token = factories.APIToken(user=admin["name"])["token"]
    finally:
        plugins.unload_all()
    return {"entries": entries, "token": token}


def _get(app: Any, path: str, token: str | None = None, status: int = 200) -> str:
    headers = {"Authorization": token} if token else {}
    response = app.get(path, headers=headers)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


def _graph(app: Any, path: str, token: str | None = None) -> Graph:
    return ConjunctiveGraph().parse(data=_get(app, path, token), format="turtle")


def _named(graph: Graph) -> set[str]:
    return {str(ref) for ref in graph.subjects(RDF.type, DCAT.Dataset)}


def _walk(app: Any, path: str, token: str | None = None) -> tuple[set[str], list[Graph]]:
    """Every entry named from ``path`` on, following hydra's next pages; the pages."""
    named: set[str] = set()
    graphs = []
    url: str | None = path
    while url:
        graph = _graph(app, url, token)
        graphs.append(graph)
        named |= _named(graph)
        nexts = [str(o) for o in graph.objects(None, HYDRA.next)]
        url = _local(nexts[0]) if nexts else None
    return named, graphs


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _ref(entry: dict[str, Any]) -> str:
    return f"{plugins.toolkit.config['ckan.site_url']}/dataset/{entry['id']}"


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
@pytest.mark.parametrize("reader", ["anonymous", "sysadmin"])
def test_the_listing_names_the_entries_of_the_full_pages_and_nothing_else(
    app: Any, site: dict[str, Any], reader: str
) -> None:
    token = site["token"] if reader == "sysadmin" else None
    site_url = plugins.toolkit.config["ckan.site_url"]
    full, _ = _walk(app, f"/catalog.ttl?{ONLY}", token)
    listed, pages = _walk(app, f"/catalog.ttl?{ONLY}&{LIST}", token)

    assert listed == full
    entries = site["entries"]
    # The public sees the entries open to it (the catalogue's own rule, not the listing's).
    expected = {"open", "second"} | ({"closed", "notshared"} if token else set())
    assert {k for k in entries if _ref(entries[k]) in listed} == expected
    assert len(pages) == len(expected) // 2  # the paging kept the profile: two to a page
    for graph in pages:
        for subject, predicate, obj in graph:
            if str(subject) in listed:
                assert (predicate, obj) == (RDF.type, DCAT.Dataset), (subject, predicate, obj)
            elif str(obj) in listed:
                assert predicate in ENTRY_PREDICATES
            else:  # the catalogue's paging: its links and counts
                assert str(predicate).startswith(str(HYDRA)) or predicate == RDF.type
                if isinstance(obj, Literal) and obj.datatype is None:
                    assert str(obj).startswith(f"{site_url}/catalog.ttl?"), obj
        assert "secret.example" not in graph.serialize(format="nt")
        totals = [int(str(o)) for o in graph.objects(None, HYDRA.totalItems)]
        assert totals == [len(expected)]


@pytest.mark.ckan_config("ckanext.govshare.export_not_shared", "false")
def test_the_listing_leaves_out_what_the_catalogue_leaves_out(
    app: Any, site: dict[str, Any]
) -> None:
    full, _ = _walk(app, f"/catalog.ttl?{ONLY}")
    listed, _ = _walk(app, f"/catalog.ttl?{ONLY}&{LIST}")
    assert listed == full
    assert _ref(site["entries"]["notshared"]) not in listed


def test_an_unknown_profile_is_a_409_as_a_stock_platform_answers(app: Any) -> None:
    """What a lower platform without the listing answers the harvester (ckanext-dcat)."""
    _get(app, f"/catalog.ttl?{ONLY}&profiles=no_such_profile", status=409)


# ------------------------------------------------------------- the harvester's walk


class _Lower:
    """The harvester's downloads answered by this process's app (as the harvest account: the
    sysadmin's token), each URL noted; a listing
    page as a platform without it answers (``offers_listing=False``: ckanext-dcat's 409, which
    its harvester records as a gather error), or with an entry left out (``drop``)."""

    def __init__(self, app: Any, harvester: Any, token: str, offers_listing: bool = True) -> None:
        self.app = app
        self.token = token
        self.harvester = harvester
        self.offers_listing = offers_listing
        self.drop: str | None = None
        self.urls: list[str] = []

    def __call__(self, url: str, harvest_job: Any, page: int = 1, content_type: Any = None):
        self.urls.append(url)
        listing_page = LIST in url
        if listing_page and not self.offers_listing:
            self.harvester._save_gather_error(f"Could not get content from {url}: 409", harvest_job)
            return None, None
        text = _get(self.app, _local(url), self.token)
        if listing_page and self.drop:
            graph = ConjunctiveGraph().parse(data=text, format="turtle")
            graph.remove((URIRef(self.drop), None, None))
            graph.remove((None, None, URIRef(self.drop)))
            text = graph.serialize(format="turtle")
        return text, "turtle"


@pytest.fixture
def walk(app: Any, site: dict[str, Any], monkeypatch: pytest.MonkeyPatch):
    """The walk for deletions of a source reading this site's catalogue (the module's
    entries), with the gather errors it records."""
    from ckanext.harvest.harvesters.base import HarvesterBase

    from ckanext.govshare.harvest.plugin import GovshareDCATRDFHarvester

    harvester = GovshareDCATRDFHarvester()
    errors: list[str] = []
    monkeypatch.setattr(HarvesterBase, "_save_gather_error", lambda self, m, j: errors.append(m))
    source_url = f"{plugins.toolkit.config['ckan.site_url']}/catalog.ttl?{ONLY}"
    job = SimpleNamespace(
        source=SimpleNamespace(
            id="source", url=source_url, config=json.dumps({"rdf_format": "turtle"})
        )
    )

    def run(lower: _Lower) -> set[str] | int | None:
        monkeypatch.setattr(harvester, "_get_content_and_type", lower)
        return harvester._catalogue_guids(job, total_only=False)

    return SimpleNamespace(harvester=harvester, run=run, errors=errors)


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_the_walk_for_deletions_reads_the_listing(app: Any, site: dict[str, Any], walk: Any):
    from ckanext.govshare.harvest import plugin as harvest_plugin

    assert harvest_plugin.LIST_PROFILE == listing.PROFILE
    lower = _Lower(app, walk.harvester, site["token"])
    guids = walk.run(lower)

    entries = site["entries"]
    assert guids == {_ref(entries[k]) for k in ("open", "closed", "notshared", "second")}
    assert lower.urls and all(LIST in url for url in lower.urls), lower.urls
    assert len(lower.urls) == 2
    assert walk.errors == []


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_a_source_without_the_listing_is_walked_page_by_page_and_no_error_is_recorded(
    app: Any, site: dict[str, Any], walk: Any
):
    lower = _Lower(app, walk.harvester, site["token"], offers_listing=False)
    guids = walk.run(lower)

    entries = site["entries"]
    assert guids == {_ref(entries[k]) for k in ("open", "closed", "notshared", "second")}
    assert [LIST in url for url in lower.urls] == [True, False, False]
    assert walk.errors == []


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_a_listing_short_of_its_count_is_not_trusted(app: Any, site: dict[str, Any], walk: Any):
    """An entry that moved between pages while they were read is missing from the listing:
    deleting by it would delete an entry still there. The full pages are read instead."""
    lower = _Lower(app, walk.harvester, site["token"])
    lower.drop = _ref(site["entries"]["closed"])
    guids = walk.run(lower)

    assert lower.drop in guids
    assert len(guids) == 4
    assert [LIST in url for url in lower.urls] == [True, True, False, False]


def test_a_page_that_cannot_be_read_during_the_full_walk_still_fails_the_walk(
    app: Any, site: dict[str, Any], walk: Any
):
    """No listing, and a full page that cannot be read: no guids (nothing is deleted), and the
    error is the job's."""
    lower = _Lower(app, walk.harvester, site["token"], offers_listing=False)

    def failing(url: str, harvest_job: Any, page: int = 1, content_type: Any = None):
        if LIST in url:
            return lower(url, harvest_job, page, content_type)
        walk.harvester._save_gather_error("Could not get content", harvest_job)
        return None, None

    assert walk.run(failing) is None  # type: ignore[arg-type]
    assert walk.errors == ["Could not get content"]

"""Every kind of resource in the ``govshare`` profile's export, and the service interface,
without a database (issue 20, items 1 and 2): what each writes, that it validates against the
DCAT-AP 3 shapes, and that ``parse_dataset`` reads it back."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS

from ckanext.govshare.dcat import access_service, cut_resources, media, profile
from ckanext.govshare.dcat.vocab import GOVSHARE

from . import samples
from .test_profile import SITE, _dataset_ref, _graph, _parse, _restricted, _shacl

pytestmark = pytest.mark.unit

PID = "7c9e6679-7425-40de-944b-e07fc1f90ae2"
UPLOAD = "0f3b9a3c-1d2e-4c5b-9a7d-0000000000a1"
LINK = "0f3b9a3c-1d2e-4c5b-9a7d-0000000000a2"
TABLE = "0f3b9a3c-1d2e-4c5b-9a7d-0000000000a3"
NO_FORMAT = "0f3b9a3c-1d2e-4c5b-9a7d-0000000000a4"
ODD = "0f3b9a3c-1d2e-4c5b-9a7d-0000000000a5"
LOADED = "0f3b9a3c-1d2e-4c5b-9a7d-0000000000a6"


def _resource(rid: str, **fields: Any) -> dict[str, Any]:
    return {"id": rid, "package_id": PID, "name": rid[-2:], "description": "", **fields}


# Each kind as package_show gives it to the providing department.
KINDS = {
    # A file uploaded through the API or the form: CKAN detects the media type.
    UPLOAD: _resource(
        UPLOAD,
        url=f"{SITE}/dataset/{PID}/resource/{UPLOAD}/download/registrations.csv",
        url_type="upload",
        format="CSV",
        mimetype="text/csv",
        size=2048,
    ),
    # A link: the format as typed, no media type.
    LINK: _resource(LINK, url="http://data.example.gov.cn/files/marriage.xlsx", format="xlsx"),
    # A table made by datastore_create: url_type datastore, no format.
    TABLE: _resource(
        TABLE,
        url=f"{SITE}/datastore/dump/{TABLE}",
        url_type="datastore",
        datastore_active=True,
        format="",
    ),
    # No format, nothing to guess it from.
    NO_FORMAT: _resource(NO_FORMAT, url="http://data.example.gov.cn/files/export", format=""),
    # An odd format label and a media type IANA does not register.
    ODD: _resource(
        ODD,
        url="http://data.example.gov.cn/files/odd.dat",
        format="统计报表",
        mimetype="application/x-govshare-odd",
    ),
    # An uploaded CSV that xloader loaded into the DataStore.
    LOADED: _resource(
        LOADED,
        url=f"{SITE}/dataset/{PID}/resource/{LOADED}/download/loaded.csv",
        url_type="upload",
        format="CSV",
        mimetype="text/csv",
        datastore_active=True,
    ),
}


def _entry(**overrides: Any) -> dict[str, Any]:
    entry = samples.entry("conditional", **{"share_methods": ["api", "file_download"], **overrides})
    entry["resources"] = [copy.deepcopy(r) for r in KINDS.values()]
    return entry


def _distribution(rid: str) -> URIRef:
    return URIRef(f"{SITE}/dataset/{PID}/resource/{rid}")


@pytest.fixture(autouse=True)
def _no_database(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """What the database would say of the tables of cut resources (none, unless a test
    says so), and the lookups asked for."""
    asked: list[list[str]] = []

    def stored(ids: list[str]) -> dict[str, cut_resources.Facts]:
        asked.append(sorted(ids))
        return {}

    monkeypatch.setattr(profile.GovshareProfile, "stored_facts", staticmethod(stored))
    return asked


def test_every_kind_of_resource_validates_for_every_reader() -> None:
    entry = _entry()
    _shacl(_graph(entry))
    _shacl(_graph(_restricted(entry)))


def test_formats_are_eu_file_types_and_media_types_iana_iris() -> None:
    graph = _graph(_entry())
    fmt = {rid: graph.value(_distribution(rid), DCTERMS["format"]) for rid in KINDS}
    mediatype = {rid: graph.value(_distribution(rid), DCAT.mediaType) for rid in KINDS}
    assert fmt[UPLOAD] == URIRef(media.FILE_TYPE_BASE + "CSV")
    assert mediatype[UPLOAD] == URIRef(media.IANA_BASE + "text/csv")
    assert (mediatype[UPLOAD], RDF.type, DCTERMS.MediaType) in graph
    assert (fmt[UPLOAD], RDF.type, DCTERMS.MediaTypeOrExtent) in graph
    assert fmt[LINK] == URIRef(media.FILE_TYPE_BASE + "XLSX")
    assert graph.value(fmt[LINK], RDFS.label) == Literal("xlsx")
    assert mediatype[LINK] is None
    assert fmt[TABLE] is None and mediatype[TABLE] is None
    assert fmt[NO_FORMAT] is None and mediatype[NO_FORMAT] is None
    # Outside the table: the label on a blank MediaTypeOrExtent; the x- type left out.
    assert isinstance(fmt[ODD], BNode)
    assert graph.value(fmt[ODD], RDFS.label) == Literal("统计报表")
    assert mediatype[ODD] is None
    # No literal anywhere as a format or a media type.
    for predicate in (DCTERMS["format"], DCAT.mediaType):
        assert not [o for o in graph.objects(None, predicate) if isinstance(o, Literal)]


def test_formats_and_media_types_read_back() -> None:
    (parsed,) = _parse(_graph(_entry()))
    by_name = {r["name"]: r for r in parsed["resources"]}
    read = {rid: by_name[KINDS[rid]["name"]] for rid in KINDS}
    assert (read[UPLOAD]["format"], read[UPLOAD]["mimetype"]) == ("CSV", "text/csv")
    assert read[LINK]["format"] == "xlsx" and "mimetype" not in read[LINK]
    assert "format" not in read[TABLE] and "mimetype" not in read[TABLE]
    assert "format" not in read[NO_FORMAT]
    assert read[ODD]["format"] == "统计报表" and "mimetype" not in read[ODD]


def test_formats_of_another_dcat_source_are_read() -> None:
    """A lower platform on the stock profile writes literals, or IRIs without labels."""
    graph = _graph(_entry())
    upload, link = _distribution(UPLOAD), _distribution(LINK)
    for node in (upload, link):
        graph.remove((node, DCTERMS["format"], None))
        graph.remove((node, DCAT.mediaType, None))
    graph.add((upload, DCTERMS["format"], Literal("text/csv")))
    graph.add((link, DCTERMS["format"], URIRef(media.FILE_TYPE_BASE + "GEOJSON")))
    graph.add((link, DCAT.mediaType, Literal("application/geo+json")))
    (parsed,) = _parse(graph)
    by_name = {r["name"]: r for r in parsed["resources"]}
    assert by_name[KINDS[UPLOAD]["name"]]["mimetype"] == "text/csv"
    assert by_name[KINDS[LINK]["name"]]["format"] == "GeoJSON"
    assert by_name[KINDS[LINK]["name"]]["mimetype"] == "application/geo+json"


def _services(graph: Graph) -> dict[str, URIRef]:
    found = {}
    for rid in KINDS:
        service = graph.value(_distribution(rid), DCAT.accessService)
        if service is not None:
            found[rid] = service
    return found


def test_tables_served_by_the_interface_get_a_data_service() -> None:
    entry = _entry()
    graph = _graph(entry)
    services = _services(graph)
    assert set(services) == {TABLE, LOADED}  # only what is in the DataStore
    ref = _dataset_ref(graph, entry)
    service = services[TABLE]
    assert (service, RDF.type, DCAT.DataService) in graph
    assert graph.value(service, DCAT.endpointURL) == URIRef(f"{SITE}/govshare/query/{TABLE}")
    assert graph.value(service, GOVSHARE.verifyURL) == URIRef(f"{SITE}/govshare/verify/{TABLE}")
    assert graph.value(service, DCAT.endpointDescription) == URIRef(
        f"{SITE}/govshare/interface/openapi.json"
    )
    assert graph.value(service, DCAT.servesDataset) == ref
    titles = {t.language: str(t) for t in graph.objects(service, DCTERMS.title)}
    assert titles == {"en": "Service interface: a3", "zh": "服务接口：a3"}
    descriptions = " ".join(str(d) for d in graph.objects(service, DCTERMS.description))
    for item in entry["data_items"]:
        assert item["name"] in descriptions
    assert set(graph.objects(service, GOVSHARE.dataItem)) == set(
        graph.objects(ref, GOVSHARE.dataItem)
    )
    rights = graph.value(service, DCTERMS.accessRights)
    assert (rights, RDF.type, DCTERMS.RightsStatement) in graph
    labels = " ".join(str(v) for v in graph.objects(rights, RDFS.label))
    assert entry["share_conditions"] in labels and "有条件共享" in labels
    assert graph.value(service, GOVSHARE.shareType) == graph.value(ref, GOVSHARE.shareType)
    assert graph.value(service, GOVSHARE.requestPage) == URIRef(profile.request_page(SITE, entry))
    _shacl(graph)


def test_the_interface_is_found_by_a_reader_who_may_not_download(
    _no_database: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The link policy cuts datastore_active from the resource: the database says it."""
    entry = _restricted(_entry())
    facts = {TABLE: cut_resources.Facts(in_datastore=True)}
    monkeypatch.setattr(
        profile.GovshareProfile,
        "stored_facts",
        staticmethod(lambda ids: {k: v for k, v in facts.items() if k in ids}),
    )
    graph = _graph(entry)
    assert set(_services(graph)) == {TABLE}
    text = graph.serialize(format="turtle")
    assert "data.example.gov.cn" not in text
    assert "/download/" not in text
    _shacl(graph)


def test_the_database_is_asked_only_for_cut_resources_of_interface_entries(
    _no_database: list[list[str]],
) -> None:
    _graph(_entry())
    assert _no_database == []  # the provider's dict says it all
    _graph(_restricted(_entry(share_methods=["file_download"])))
    assert _no_database == []  # no interface: nothing to ask
    _graph(_restricted(_entry()))
    assert _no_database == [sorted(KINDS)]


@pytest.mark.parametrize("methods", [["file_download"], ["exchange_node", "bulk_download"], []])
def test_no_service_without_an_interface_method(methods: list[str]) -> None:
    assert _services(_graph(_entry(share_methods=methods))) == {}


@pytest.mark.parametrize("method", ["api", "online_query"])
def test_either_interface_method_offers_the_service(method: str) -> None:
    assert set(_services(_graph(_entry(share_methods=[method])))) == {TABLE, LOADED}


def test_the_service_reads_back_onto_the_resource() -> None:
    entry = _entry()
    (parsed,) = _parse(_graph(entry))
    by_name = {r["name"]: r for r in parsed["resources"]}
    assert "access_services" not in by_name[KINDS[UPLOAD]["name"]]
    (service,) = json.loads(by_name[KINDS[TABLE]["name"]]["access_services"])
    assert service["endpoint_url"] == [f"{SITE}/govshare/query/{TABLE}"]
    assert service["verify_url"] == f"{SITE}/govshare/verify/{TABLE}"
    assert service["endpoint_description"] == f"{SITE}/govshare/interface/openapi.json"
    assert service["title"] == "Service interface: a3"
    assert service["title_zh"] == "服务接口：a3"
    assert service["data_items"] == [i["name"] for i in entry["data_items"]]
    assert service["share_conditions"] == entry["share_conditions"]
    assert service["request_page"] == profile.request_page(SITE, entry)
    assert entry["share_conditions"] in service["access_rights"]
    assert service["serves_dataset"] == [f"{SITE}/dataset/{PID}"]


def test_a_harvested_entry_sends_applicants_to_its_source() -> None:
    source = "https://city.example.gov.cn/govshare/requests/new?package_id=abc"
    (parsed,) = _parse(_graph(_entry(source_apply_url=source)))
    table = next(r for r in parsed["resources"] if r["name"] == KINDS[TABLE]["name"])
    assert json.loads(table["access_services"])[0]["request_page"] == source


def test_no_token_or_grant_in_the_service() -> None:
    entry = _entry()
    for resource in entry["resources"]:  # whatever a plugin might have put on the dict
        resource["token"] = "gstok_SECRET0123456789"
        resource["grant_id"] = "grant-secret-id"
    text = _graph(_restricted(entry)).serialize(format="nt")
    assert "SECRET0123456789" not in text and "grant-secret-id" not in text


@pytest.mark.parametrize(
    ("stored", "kept"),
    [
        ([{"title": "WMS", "endpoint_url": ["https://maps.example.gov.cn/wms"]}], True),
        ([{"endpoint_url": ["https://maps.example.gov.cn/wms"]}], False),  # no title
        ([{"title": "WMS"}], False),  # no endpoint
        ([{"title": "WMS", "endpoint_url": ["javascript:alert(1)"]}], False),
        ("not json", False),
        ({"title": "WMS"}, False),
    ],
)
def test_a_stored_access_service_is_exported_only_when_valid(stored: Any, kept: bool) -> None:
    entry = _entry(share_methods=["file_download"])
    link = next(r for r in entry["resources"] if r["id"] == LINK)
    link["access_services"] = json.dumps(stored) if not isinstance(stored, str) else stored
    graph = _graph(entry)
    assert (graph.value(_distribution(LINK), DCAT.accessService) is not None) is kept
    _shacl(graph)
    assert (access_service.valid_stored(link["access_services"]) is not None) is kept


def _upper_copy(parsed: dict[str, Any]) -> dict[str, Any]:
    """The entry as an upper platform holds it after harvesting ``parsed``: its resources are
    no tables of the upper platform's, they keep the source's services."""
    entry = _entry(source_apply_url=profile.request_page(SITE, _entry()))
    entry["source_platform_url"] = SITE
    kept = {r["name"]: r for r in parsed["resources"]}
    for resource in entry["resources"]:
        resource.pop("datastore_active", None)
        resource["url_type"] = ""
        services = kept[resource["name"]].get("access_services")
        if services:
            resource["access_services"] = services
    return entry


def test_an_upper_platform_passes_the_interface_on_to_the_level_above() -> None:
    """Province → national (art. 11): the harvested services are exported again, valid, and
    read back the same."""
    (first,) = _parse(_graph(_entry()))
    upper = _upper_copy(first)
    graph = _graph(upper)
    _shacl(graph)
    assert set(_services(graph)) == {TABLE, LOADED}
    (again,) = _parse(graph)
    for before, after in zip(first["resources"], again["resources"], strict=True):
        assert json.loads(before.get("access_services") or "null") == json.loads(
            after.get("access_services") or "null"
        ), before["name"]


def test_a_department_on_the_upper_platform_finds_the_harvested_interface(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The link policy cut the resource's extras: the database gives the kept services."""
    (first,) = _parse(_graph(_entry()))
    upper = _upper_copy(first)
    stored = {
        r["id"]: cut_resources.Facts(access_services=json.loads(r["access_services"]))
        for r in upper["resources"]
        if r.get("access_services")
    }
    monkeypatch.setattr(
        profile.GovshareProfile,
        "stored_facts",
        staticmethod(lambda ids: {k: v for k, v in stored.items() if k in ids}),
    )
    graph = _graph(_restricted(upper))
    assert set(_services(graph)) == {TABLE, LOADED}
    endpoints = {str(o) for o in graph.objects(None, DCAT.endpointURL)}
    assert endpoints == {f"{SITE}/govshare/query/{TABLE}", f"{SITE}/govshare/query/{LOADED}"}
    _shacl(graph)


def test_a_stored_service_with_text_rights_is_written_valid() -> None:
    entry = _entry(share_methods=["file_download"])
    link = next(r for r in entry["resources"] if r["id"] == LINK)
    link["access_services"] = json.dumps(
        [
            {
                "title": "WMS",
                "endpoint_url": ["https://maps.example.gov.cn/wms"],
                "access_rights": "仅限政务外网",
                "uri": "not an iri",
            }
        ]
    )
    graph = _graph(entry)
    service = graph.value(_distribution(LINK), DCAT.accessService)
    rights = graph.value(service, DCTERMS.accessRights)
    assert graph.value(rights, RDFS.label) == Literal("仅限政务外网")
    _shacl(graph)


def _facts(monkeypatch: pytest.MonkeyPatch, facts: dict[str, cut_resources.Facts]) -> None:
    monkeypatch.setattr(
        profile.GovshareProfile,
        "stored_facts",
        staticmethod(lambda ids: {k: v for k, v in facts.items() if k in ids}),
    )


WMS = [{"title": "WMS", "endpoint_url": ["https://maps.example.gov.cn/wms"]}]


def test_services_kept_on_a_local_resource_stay_with_those_who_see_its_extras(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only a harvested entry's kept services are read from the database for a cut reader:
    on a local one they are the provider's extras, which the link policy keeps from others."""
    _facts(monkeypatch, {LINK: cut_resources.Facts(access_services=WMS)})
    graph = _graph(_restricted(_entry(share_methods=["api"])))
    assert LINK not in _services(graph)


def test_a_kept_service_naming_the_resource_link_is_not_passed_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    link = KINDS[LINK]["url"]
    naming = [{"title": "Raw", "endpoint_url": [link]}]
    entry = _entry(share_methods=["file_download"], source_apply_url=SITE + "/apply")
    entry["source_platform_url"] = SITE
    _facts(monkeypatch, {LINK: cut_resources.Facts(access_services=[*naming, *WMS], url=link)})
    graph = _graph(_restricted(entry))
    endpoints = {str(o) for o in graph.objects(None, DCAT.endpointURL)}
    assert endpoints == {"https://maps.example.gov.cn/wms"}
    assert link not in graph.serialize(format="nt")
    _facts(monkeypatch, {LINK: cut_resources.Facts(access_services=naming, url=link)})
    assert LINK not in _services(_graph(_restricted(entry)))

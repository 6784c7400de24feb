"""The ``govshare`` DCAT profile, without a database: every catalogue field there and back,
the vocabularies, SHACL validity, links (issue 7 items 1, 2, 5)."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from ckanext.dcat.processors import RDFParser, RDFSerializer
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS

from ckanext.govshare.catalogue import codes
from ckanext.govshare.dcat import export, profile, vocab
from ckanext.govshare.dcat.vocab import GOVSHARE

from . import samples

pytestmark = pytest.mark.unit

SHAPES = Path(__file__).parent.parent / "data" / "dcat-ap_3_shacl_shapes.ttl"
SITE = "http://127.0.0.1:5000"

# Every catalogue field of catalogue.md that the entry itself carries (owner_org travels as the
# publisher; see docs/federation.md), and the CKAN fields of the form.
CATALOGUE_FIELDS = (
    "title",
    "notes",
    "resource_code",
    "provider_code",
    "resource_category",
    "basic_category",
    "theme",
    "format_type",
    "data_items",
    "share_type",
    "share_conditions",
    "legal_basis",
    "share_methods",
    "usage_requirements",
    "region_item",
    "coverage_region",
    "key_item",
    "watermark_item",
    "open_to_public",
    "open_conditions",
    "update_cycle",
    "release_date",
    "related_resource_codes",
    "project_code",
    "maintainer",
    "maintainer_email",
)


@cache
def _shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def _restricted(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry as ``datalinks`` hands it to a reader who may not download: links blanked."""
    entry = copy.deepcopy(entry)
    entry["resources"] = [
        {
            "id": r["id"],
            "package_id": r["package_id"],
            "name": r["name"],
            "format": r["format"],
            "url": "",
            "govshare_restricted": True,
        }
        for r in entry["resources"]
    ]
    return entry


def _graph(*entries: dict[str, Any]) -> Graph:
    serializer = RDFSerializer(profiles=["govshare"])
    for entry in entries:
        serializer.graph_from_dataset(entry)
    return serializer.g


def _parse(graph: Graph) -> list[dict[str, Any]]:
    parser = RDFParser(profiles=["govshare"])
    parser.g = graph
    return list(parser.datasets())


def _dataset_ref(graph: Graph, entry: dict[str, Any]) -> URIRef:
    return next(s for s in graph.subjects(RDF.type, DCAT.Dataset) if entry["id"] in str(s))


@pytest.mark.parametrize("share_type", samples.SHARE_TYPES)
def test_every_catalogue_field_survives_the_round_trip(share_type: str) -> None:
    entry = samples.entry(share_type)
    (parsed,) = _parse(_graph(entry))
    for field in CATALOGUE_FIELDS:
        assert parsed.get(field) == entry.get(field), field
    assert sorted(t["name"] for t in parsed["tags"]) == sorted(t["name"] for t in entry["tags"])
    (resource,) = parsed["resources"]
    source = entry["resources"][0]
    assert {k: resource[k] for k in ("name", "description", "format", "url")} == {
        k: source[k] for k in ("name", "description", "format", "url")
    }
    extras = {e["key"]: e["value"] for e in parsed["extras"]}
    assert extras["publisher_name"] == samples.ORG["title"]
    assert extras[profile.REQUEST_PAGE_EXTRA] == profile.request_page(SITE, entry)
    # Nothing the schema does not take at the top level (the DCAT-AP keys were mapped).
    for key in ("contact", "publisher", "frequency", "access_rights", "issued"):
        assert key not in parsed


@pytest.mark.parametrize("share_type", samples.SHARE_TYPES)
def test_graph_to_dict_to_graph_gives_the_same_graph(share_type: str) -> None:
    entry = samples.entry(share_type)
    first = _graph(entry)
    (parsed,) = _parse(first)
    again = {
        **parsed,
        **{k: entry[k] for k in ("id", "name", "organization", "metadata_modified")},
        "resources": [
            {**r, "id": s["id"], "package_id": entry["id"]}
            for r, s in zip(parsed["resources"], entry["resources"], strict=True)
        ],
    }
    assert isomorphic(first, _graph(again))


def test_optional_fields_left_empty_stay_out() -> None:
    entry = samples.entry("unconditional")
    optional = (
        "usage_requirements",
        "project_code",
        "related_resource_codes",
        "basic_category",
        "region_item",
        "coverage_region",
        "key_item",
        "watermark_item",
    )
    for key in optional:
        entry.pop(key, None)
    (parsed,) = _parse(_graph(entry))
    for key in optional:
        assert key not in parsed
    for key in ("share_conditions", "legal_basis", "open_conditions", "theme"):
        assert key not in parsed


@pytest.mark.parametrize("code", [c.value for c in codes.SHARE_TYPES])
def test_share_type_is_a_concept_of_the_published_scheme(code: str) -> None:
    entry = samples.entry(code if code != "unconditional" else "unconditional")
    graph = _graph(entry)
    concept = graph.value(_dataset_ref(graph, entry), GOVSHARE.shareType)
    base = profile.vocabulary_base()
    assert concept == URIRef(f"{base}share-type#{code}")
    assert (concept, RDF.type, SKOS.Concept) in graph
    assert (concept, SKOS.inScheme, URIRef(base + "share-type")) in graph
    assert graph.value(concept, SKOS.notation) == Literal(code)
    assert graph.value(concept, SKOS.broader) == vocab.SHARE_TYPE_BROADER[code]
    published = vocab.scheme_graph(base)
    assert (concept, SKOS.broader, vocab.SHARE_TYPE_BROADER[code]) in published
    assert (concept, SKOS.inScheme, URIRef(base + "share-type")) in published


def test_published_scheme_has_each_share_type_once_and_follows_its_base() -> None:
    graph = vocab.scheme_graph("https://example.gov.cn/vocab/")
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert concepts == {
        URIRef(f"https://example.gov.cn/vocab/share-type#{c.value}") for c in codes.SHARE_TYPES
    }
    for concept in concepts:
        langs = {label.language for label in graph.objects(concept, SKOS.prefLabel)}
        assert langs == {"en", "zh"}


def test_share_type_of_another_platform_is_read_by_its_notation() -> None:
    entry = samples.entry("conditional")
    graph = _graph(entry)
    ref = _dataset_ref(graph, entry)
    ours = graph.value(ref, GOVSHARE.shareType)
    theirs = URIRef("https://province.example.gov.cn/vocab/share-type#c2")
    graph.remove((ref, GOVSHARE.shareType, ours))
    graph.add((ref, GOVSHARE.shareType, theirs))
    graph.add((theirs, SKOS.notation, Literal("conditional")))
    (parsed,) = _parse(graph)
    assert parsed["share_type"] == "conditional"


@pytest.mark.parametrize(
    ("open_to_public", "right"),
    [("open", "PUBLIC"), ("conditional_open", "RESTRICTED"), ("not_open", "NON_PUBLIC")],
)
def test_access_rights_follow_open_to_public(open_to_public: str, right: str) -> None:
    entry = samples.entry("unconditional", open_to_public=open_to_public)
    graph = _graph(entry)
    assert graph.value(_dataset_ref(graph, entry), DCTERMS.accessRights) == URIRef(
        f"http://publications.europa.eu/resource/authority/access-right/{right}"
    )
    assert _parse(graph)[0]["open_to_public"] == open_to_public


@pytest.mark.parametrize("cycle", [c.value for c in codes.UPDATE_CYCLES])
def test_update_cycle_is_an_eu_frequency(cycle: str) -> None:
    entry = samples.entry("unconditional", update_cycle=cycle)
    graph = _graph(entry)
    frequency = graph.value(_dataset_ref(graph, entry), DCTERMS.accrualPeriodicity)
    assert str(frequency).startswith(str(vocab.FREQUENCY))
    assert _parse(graph)[0]["update_cycle"] == cycle


def test_every_code_list_value_has_a_uri() -> None:
    assert set(vocab.UPDATE_CYCLE) == {c.value for c in codes.UPDATE_CYCLES}
    assert set(vocab.OPEN_TO_PUBLIC) == {c.value for c in codes.OPEN_TO_PUBLIC}
    assert set(vocab.SHARE_TYPE_BROADER) == {c.value for c in codes.SHARE_TYPES}


@pytest.mark.parametrize(
    ("share_type", "path"),
    [
        ("unconditional", "/govshare/obtain/{id}"),
        ("conditional", "/govshare/requests/new?package_id={id}"),
        ("not_shared", "/govshare/negotiations/new?package_id={id}"),
    ],
)
def test_restricted_distribution_points_to_the_request_page(share_type: str, path: str) -> None:
    entry = _restricted(samples.entry(share_type, open_to_public="not_open"))
    graph = _graph(entry)
    page = URIRef(SITE + path.format(id=entry["id"]))
    ref = _dataset_ref(graph, entry)
    assert graph.value(ref, GOVSHARE.requestPage) == page
    assert graph.value(ref, DCAT.landingPage) == URIRef(f"{SITE}/dataset/{entry['name']}")
    for distribution in graph.objects(ref, DCAT.distribution):
        assert list(graph.objects(distribution, DCAT.accessURL)) == [page]
        assert list(graph.objects(distribution, DCAT.downloadURL)) == []
    text = graph.serialize(format="turtle")
    assert "data.example.gov.cn" not in text
    assert "token" not in text.lower()
    (parsed,) = _parse(graph)
    assert [r["url"] for r in parsed["resources"]] == [""]
    assert "access_url" not in parsed["resources"][0]


def test_harvested_entry_keeps_the_request_page_of_its_source() -> None:
    source = "https://city.example.gov.cn/govshare/requests/new?package_id=abc"
    entry = _restricted(samples.entry("conditional", source_apply_url=source))
    graph = _graph(entry)
    ref = _dataset_ref(graph, entry)
    assert graph.value(ref, GOVSHARE.requestPage) == URIRef(source)


def test_open_data_keeps_its_link() -> None:
    entry = samples.entry("unconditional")
    graph = _graph(entry)
    links = {str(o) for o in graph.objects(None, DCAT.accessURL)}
    assert links == {entry["resources"][0]["url"]}


def _shacl(graph: Graph) -> None:
    conforms, _, text = validate(graph, shacl_graph=_shapes(), inference="none")
    assert conforms, text


@pytest.mark.parametrize("share_type", samples.SHARE_TYPES)
@pytest.mark.parametrize("restricted", [False, True])
def test_entry_of_each_share_type_validates_against_dcat_ap_3(
    share_type: str, restricted: bool
) -> None:
    entry = samples.entry(share_type)
    _shacl(_graph(_restricted(entry) if restricted else entry))


def test_catalogue_page_validates_against_dcat_ap_3() -> None:
    serializer = RDFSerializer(profiles=["govshare"])
    entries = [samples.entry(s) for s in samples.SHARE_TYPES]
    entries[2] = _restricted(entries[2])
    page = f"{SITE}/catalog.ttl?page=1"
    serializer.serialize_catalog(
        {},
        entries,
        _format="turtle",
        pagination_info={
            "count": 3,
            "items_per_page": 100,
            "current": page,
            "first": page,
            "last": page,
        },
    )
    _shacl(serializer.g)


@pytest.mark.parametrize(
    ("exporting", "export_all", "expected"),
    [
        (True, False, ["-dataset_type:harvest", export.NOT_SHARED_FILTER]),
        (True, True, ["-dataset_type:harvest"]),
        (False, False, ["-dataset_type:harvest"]),
    ],
)
def test_not_shared_filter_only_for_dcat_searches_when_switched_off(
    exporting: bool, export_all: bool, expected: list[str]
) -> None:
    params: dict[str, Any] = {"q": "*:*", "fq_list": ["-dataset_type:harvest"]}
    export.add_filter(params, exporting=exporting, export_all=export_all)
    assert params["fq_list"] == expected

"""A harvested catalogue conforms too, and the interface and formats survive the trip (issue
20, items 1 and 2).

Two real sites on loopback (``tests/federation``): the lower platform holds an entry offered
through the service interface, with a CSV uploaded through the API (CKAN detects
``text/csv``) and loaded into the DataStore, a table made by ``datastore_create`` and a link
with no format. The upper platform harvests it with the ``govshare_dcat_rdf`` harvester as a
department account of the lower one; then:

- the upper platform's resources have their format and media type back, and the served ones
  the interface's address on the lower platform and where to apply there;
- the upper platform's whole ``/catalog.ttl`` validates against DCAT-AP 3, for a sysadmin and
  for the public, and re-exports formats and media types as IRIs;
- no token and no value of the data reached the upper platform, its harvest objects included.

Slow (two servers and a harvest): one scenario.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from ckanext.govshare.dcat import media
from ckanext.govshare.tests.factories import provider_code
from ckanext.govshare.tests.federation.conftest import PROFILES
from ckanext.govshare.tests.federation.sites import Federation, Site
from ckanext.govshare.tests.federation.test_roundtrip import _harvest, _harvest_errors

from .test_profile import _shacl

VALUE = "唯一数据值-harvest-7f3a"  # a value of the data: never on the upper platform
CSV = f"统一社会信用代码,企业名称\n91310000,{VALUE}\n".encode()
ITEMS = [
    {"name": "统一社会信用代码", "data_type": "string", "length": "18"},
    {"name": "企业名称", "data_type": "string"},
]


@pytest.fixture(scope="module")
def federation(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Federation]:
    from pathlib import Path

    ini = Path(request.config.getoption("ckan_ini")).resolve()
    sites = Federation(ini, tmp_path_factory.mktemp("federation"))
    try:
        sites.start({"lower": PROFILES, "upper": PROFILES})
        yield sites
    finally:
        sites.stop()


@pytest.fixture(autouse=True)
def _load_plugins() -> None:
    """The two sites are servers of their own: this process needs no plugins loaded."""


def _seed(lower: Site) -> dict[str, Any]:
    lower.action(
        "organization_create",
        name="provider",
        title="市场监管局",
        provider_code=provider_code(),
        department_level="provincial",
    )
    lower.action(
        "organization_create",
        name="upper-liaison",
        title="上级平台联络",
        provider_code=provider_code(),
        department_level="national",
    )
    lower.action(
        "user_create", name="upper-harvester", email="h@example.org", password="Harvest-2026-pw!"
    )
    lower.action(
        "organization_member_create", id="upper-liaison", username="upper-harvester", role="member"
    )
    token = lower.action("api_token_create", user="upper-harvester", name="harvest")["token"]
    entry = lower.action(
        "package_create",
        name="interface-entry",
        title="Interface entry 接口资源",
        notes="摘要",
        owner_org="provider",
        resource_category="departmental",
        format_type="database",
        share_type="conditional",
        share_conditions="仅限市场监管用途",
        share_methods=["api", "file_download"],
        open_to_public="not_open",
        update_cycle="monthly",
        release_date="2026-01-15",
        data_items=ITEMS,
    )
    answer = lower.session.post(
        f"{lower.url}/api/3/action/resource_create",
        data={"package_id": entry["id"], "name": "registrations"},
        files={"upload": ("registrations.csv", CSV, "text/csv")},
        headers={"Authorization": lower.token},
        timeout=60,
    )
    upload = answer.json()["result"]
    assert upload["mimetype"] == "text/csv"
    fields = [{"id": "统一社会信用代码", "type": "text"}, {"id": "企业名称", "type": "text"}]
    records = [{"统一社会信用代码": "91310000", "企业名称": VALUE}]
    lower.action(
        "datastore_create", resource_id=upload["id"], force=True, fields=fields, records=records
    )
    table = lower.action(
        "datastore_create",
        resource={"package_id": entry["id"], "name": "online-table"},
        fields=fields,
        records=records,
    )
    link = lower.action(
        "resource_create",
        package_id=entry["id"],
        name="no-format",
        url="http://restricted-data.example/export",
        format="",
    )
    return {
        "token": token,
        "entry": entry,
        "upload": upload["id"],
        "table": table["resource_id"],
        "link": link["id"],
    }


@pytest.fixture(scope="module")
def world(federation: Federation) -> dict[str, Any]:
    lower = federation.wait(federation.sites["lower"])
    seeded = _seed(lower)
    upper = federation.wait(federation.sites["upper"])
    upper.action(
        "organization_create", name="via-dcat", title="Harvested", department_level="national"
    )
    upper.action(
        "harvest_source_create",
        name="lower-dcat",
        title="Lower platform 下级平台",
        url=f"{lower.url}/catalog.ttl",
        source_type="govshare_dcat_rdf",
        owner_org="via-dcat",
        config=json.dumps({"rdf_format": "turtle", "api_key": seeded["token"]}),
    )
    _harvest(upper, "lower-dcat")
    assert _harvest_errors(upper, "lower-dcat") == []
    # A department of the upper platform: it may not download the harvested entry's data.
    upper.action(
        "organization_create",
        name="upper-department",
        title="省教育厅",
        provider_code=provider_code(),
        department_level="provincial",
    )
    upper.action("user_create", name="reader", email="r@example.org", password="Reader-2026-pw!")
    upper.action(
        "organization_member_create", id="upper-department", username="reader", role="member"
    )
    reader = upper.action("api_token_create", user="reader", name="read")["token"]
    return {"lower": lower, "upper": upper, "reader": reader, **seeded}


def _harvested(upper: Site) -> dict[str, Any]:
    found = upper.action("package_search", q="*:*", fq="share_type:conditional", rows=10)
    (entry,) = [e for e in found["results"] if e["title"].startswith("Interface entry")]
    return entry


def _catalogue(site: Site, token: str | None) -> Graph:
    whole = Graph()
    page = 1
    while True:
        answer = site.get(f"/catalog.ttl?page={page}", token)
        assert answer.status_code == 200, answer.text[-2000:]
        graph = Graph().parse(data=answer.content.decode("utf-8"), format="turtle")
        _shacl(graph)
        whole += graph
        if not list(graph.subjects(RDF.type, DCAT.Dataset)) or page >= 100:
            return whole
        page += 1


def test_a_harvested_catalogue_keeps_formats_interfaces_and_conforms(world: dict[str, Any]):
    lower, upper = world["lower"], world["upper"]
    entry = _harvested(upper)
    resources = {r["name"]: r for r in entry["resources"]}
    assert set(resources) == {"registrations", "online-table", "no-format"}

    # Formats and media types read back from the IRIs.
    assert resources["registrations"]["format"] == "CSV"
    assert resources["registrations"]["mimetype"] == "text/csv"
    assert not resources["no-format"].get("format")

    # The interface: its address on the lower platform and where to apply there.
    for name, rid in (("registrations", world["upload"]), ("online-table", world["table"])):
        (service,) = json.loads(resources[name]["access_services"])
        assert service["endpoint_url"] == [f"{lower.url}/govshare/query/{rid}"]
        assert service["request_page"].startswith(f"{lower.url}/govshare/requests/new")
        assert service["data_items"] == [i["name"] for i in ITEMS]
        assert service["share_conditions"] == "仅限市场监管用途"
    assert "access_services" not in resources["no-format"]

    # The upper platform's own export conforms, for its sysadmin, a department and the
    # public, and passes the interface on (art. 11) to the level above.
    for token in (upper.token, world["reader"], None):
        graph = _catalogue(upper, token)
        for predicate in (DCTERMS["format"], DCAT.mediaType):
            assert not [o for o in graph.objects(None, predicate) if isinstance(o, Literal)]
        if token is None:
            continue  # the public does not see an entry that is not open
        assert URIRef(media.IANA_BASE + "text/csv") in set(graph.objects(None, DCAT.mediaType))
        endpoints = {str(o) for o in graph.objects(None, DCAT.endpointURL)}
        assert endpoints == {
            f"{lower.url}/govshare/query/{world['upload']}",
            f"{lower.url}/govshare/query/{world['table']}",
        }

    # Nothing secret travelled: the harvest account's token, a value of the data.
    stored = upper.sql("select content from harvest_object where content is not null")
    texts = [str(row.content) for row in stored]
    texts.append(json.dumps(upper.action("package_show", id=entry["id"]), ensure_ascii=False))
    for text in texts:
        assert world["token"] not in text
        assert VALUE not in text
        assert "restricted-data.example" not in text

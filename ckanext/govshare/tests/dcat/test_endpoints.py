"""The DCAT endpoints of a running platform, read as each role (issue 7 items 2, 3, 5, 6).

One small catalogue, built once for the module: an entry open to the public, and unconditional,
conditional and not-shared entries closed to it, each with a link found nowhere else; a
department holding a grant for the unconditional one.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from ckan import plugins
from ckan.tests import factories, helpers
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, RDF, SKOS

from ckanext.govshare.dcat import profile, vocab
from ckanext.govshare.dcat.vocab import GOVSHARE
from ckanext.govshare.tests import factories as gs

from .test_profile import _shacl

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
FORMATS = {"ttl": "turtle", "xml": "xml", "jsonld": "json-ld"}
SECRET = "http://secret.example/"
# The module's entries, whatever else the test database holds: every catalogue URL filters by it.
RUN = uuid.uuid4().hex[:8]  # names unique across runs: the module does not reset the database
TAG = f"dcat-{RUN}"
ONLY = f"fq=tags:{TAG}"


def _entry(admin: dict[str, Any], org: dict[str, Any], key: str, share_type: str, public: str):
    fields: dict[str, Any] = {
        **gs.entry_fields(),
        "tags": [{"name": TAG}],
        "share_type": share_type,
        "open_to_public": public,
        "data_items": [{"name": "统一社会信用代码", "data_type": "string", "length": "18"}],
        "resources": [
            {
                "url": ("http://open.example/" if public == "open" else SECRET) + f"{key}.csv",
                "name": f"{key}.csv",
                "format": "CSV",
            }
        ],
    }
    if share_type == "conditional":
        fields["share_conditions"] = "仅限市场监管用途"
    if share_type == "not_shared":
        fields["legal_basis"] = "《中华人民共和国保守国家秘密法》第九条"
    return helpers.call_action(
        "package_create",
        context={"user": admin["name"], "ignore_auth": True},
        name=f"{key}-{RUN}",
        title=f"{key} entry",
        notes="摘要",
        owner_org=org["id"],
        **fields,
    )


@pytest.fixture(scope="module")
def site() -> dict[str, Any]:
    """The catalogue, its users and their API tokens (built once; plugins loaded meanwhile)."""
    plugins.load_all()
    try:
        admin = factories.Sysadmin(name=f"dcat-admin-{RUN}")
        provider = gs.Department(name=f"provider-{RUN}", title="市场监管局")
        holder_org = gs.Department(name=f"holder-{RUN}", title="税务局")
        other_org = gs.Department(name=f"other-{RUN}", title="教育局")
        authority = _authority()
        users = {"sysadmin": admin}
        for role, org, capacity in (
            ("officer", provider, "admin"),
            ("grant_holder", holder_org, "member"),
            ("department", other_org, "member"),
            ("authority", authority, "member"),
        ):
            users[role] = factories.User(name=f"{role.replace('_', '-')}-{RUN}")
            helpers.call_action(
                "organization_member_create",
                context={"user": admin["name"], "ignore_auth": True},
                id=org["id"],
                username=users[role]["name"],
                role=capacity,
            )
        entries = {
            "open": _entry(admin, provider, "open", "unconditional", "open"),
            "unconditional": _entry(admin, provider, "uncond", "unconditional", "not_open"),
            "conditional": _entry(admin, provider, "cond", "conditional", "not_open"),
            "not_shared": _entry(admin, provider, "notshared", "not_shared", "not_open"),
        }
        helpers.call_action(
            "govshare_access_obtain",
            context={"user": users["grant_holder"]["name"], "ignore_auth": False},
            package_id=entries["unconditional"]["id"],
            requesting_org=holder_org["name"],
            purpose="work_reference",
            purpose_detail="统计分析",
            pledge=True,
        )
        tokens = {role: factories.APIToken(user=u["name"])["token"] for role, u in users.items()}
    finally:
        plugins.unload_all()
    return {"entries": entries, "tokens": tokens}


def _authority() -> dict[str, Any]:
    """The sharing authority's organization (other tests may have made it already)."""
    name = plugins.toolkit.config["ckanext.govshare.authority_org"]
    try:
        return helpers.call_action("organization_show", id=name)
    except plugins.toolkit.ObjectNotFound:
        return gs.Department(name=name, title="数据局")


def _get(app: Any, site: dict[str, Any], url: str, role: str | None, status: int = 200) -> Any:
    headers = {"Authorization": site["tokens"][role]} if role else {}
    response = app.get(url, headers=headers)
    assert response.status_code == status, (url, role, response.status_code)
    return response


def _rdf(app: Any, site: dict[str, Any], url: str, role: str | None, fmt: str = "ttl") -> Graph:
    return Graph().parse(
        data=_get(app, site, url, role).get_data(as_text=True), format=FORMATS[fmt]
    )


def _links(graph: Graph) -> dict[str, set[str]]:
    """Per entry (its name's key), every accessURL and downloadURL of its distributions."""
    result: dict[str, set[str]] = {}
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        links = set()
        for distribution in graph.objects(dataset, DCAT.distribution):
            for predicate in (DCAT.accessURL, DCAT.downloadURL):
                links.update(str(o) for o in graph.objects(distribution, predicate))
        result[str(dataset).rsplit("/", 1)[1]] = links
    return result


def _expected(site: dict[str, Any], role: str | None) -> dict[str, set[str]]:
    """What each role may see as a link: data for those who may download, else the request page."""
    site_url = plugins.toolkit.config["ckan.site_url"]
    result = {}
    for key, entry in site["entries"].items():
        resource = entry["resources"][0]
        if key == "open" or role in ("officer", "sysadmin"):
            links = {resource["url"]}
        elif key == "unconditional" and role == "grant_holder":
            links = {f"{site_url}/govshare/download/{resource['id']}"}
        else:
            links = {profile.request_page(site_url, entry)}
        if role is None and key != "open":
            continue  # the public does not see entries closed to it (public_catalogue)
        result[entry["id"]] = links
    return result


ROLES = [None, "department", "grant_holder", "authority", "officer", "sysadmin"]


def test_no_link_to_data_the_reader_may_not_download(app: Any, site: dict[str, Any]):
    """Each role of workflows.md, through the catalogue (search) and the entry (show) paths."""
    site_url = plugins.toolkit.config["ckan.site_url"]
    assert ROLES
    for role in ROLES:
        expected = _expected(site, role)
        catalogue = _rdf(app, site, f"/catalog.ttl?{ONLY}", role)
        assert _links(catalogue) == expected, role
        for entry in site["entries"].values():
            if entry["id"] not in expected:
                continue
            graph = _rdf(app, site, f"/dataset/{entry['id']}.ttl", role)
            assert _links(graph) == {entry["id"]: expected[entry["id"]]}, role
            ref = next(graph.subjects(RDF.type, DCAT.Dataset))
            page = URIRef(profile.request_page(site_url, entry))
            assert graph.value(ref, GOVSHARE.requestPage) == page, role
        if role not in ("officer", "sysadmin"):
            text = _get(app, site, f"/catalog.jsonld?{ONLY}", role).get_data(as_text=True)
            assert SECRET not in text, role
            assert "token" not in text.lower(), role


def _page_count(graph: Graph) -> int:
    return int(next(graph.objects(None, HYDRA.totalItems)))


def _all_pages(app: Any, site: dict[str, Any], fmt: str) -> tuple[int, list[str]]:
    ids: list[str] = []
    page, total = 1, None
    while True:
        graph = _rdf(app, site, f"/catalog.{fmt}?{ONLY}&page={page}", "sysadmin", fmt)
        total = _page_count(graph)
        found = [str(d).rsplit("/", 1)[1] for d in graph.subjects(RDF.type, DCAT.Dataset)]
        ids.extend(found)
        if page * 2 >= total:
            return total, ids
        assert len(found) == 2
        page += 1


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_catalogue_pages_through_every_entry(app: Any, site: dict[str, Any]):
    for fmt in ("ttl", "xml", "jsonld"):
        total, ids = _all_pages(app, site, fmt)
        assert total == 4, fmt
        assert sorted(ids) == sorted(e["id"] for e in site["entries"].values()), fmt


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
@pytest.mark.ckan_config("ckanext.govshare.export_not_shared", False)
def test_not_shared_entries_can_be_left_out_of_every_endpoint(app: Any, site: dict[str, Any]):
    total, ids = _all_pages(app, site, "ttl")
    assert total == 3
    assert sorted(ids) == sorted(e["id"] for k, e in site["entries"].items() if k != "not_shared")
    not_shared = site["entries"]["not_shared"]
    for role in ("sysadmin", "officer", "department"):
        _get(app, site, f"/dataset/{not_shared['id']}.ttl", role, status=404)
    graph = _rdf(
        app, site, f"/dataset/{site['entries']['conditional']['id']}.rdf", "department", "xml"
    )
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == 1
    # The rest of the platform still lists it.
    found = helpers.call_action(
        "package_search",
        context={"user": "", "ignore_auth": True},
        fq=f"tags:{TAG} share_type:not_shared",
    )
    assert found["count"] == 1


def test_export_validates_and_its_share_types_dereference(app: Any, site: dict[str, Any]):
    catalogue = _rdf(app, site, f"/catalog.ttl?{ONLY}", "sysadmin")
    _shacl(catalogue)
    assert {str(o) for o in catalogue.objects(None, GOVSHARE.shareType)} >= {
        str(vocab.share_type_uri(profile.vocabulary_base(), t))
        for t in ("unconditional", "conditional", "not_shared")
    }
    response = _get(app, site, "/govshare/vocabulary/share-type.ttl", None)
    assert response.headers["Content-Type"].startswith("text/turtle")
    scheme = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    for concept in set(catalogue.objects(None, GOVSHARE.shareType)):
        assert (concept, RDF.type, SKOS.Concept) in scheme
        assert scheme.value(concept, SKOS.broader) == catalogue.value(concept, SKOS.broader)


@pytest.mark.ckan_config("ckanext.govshare.export_not_shared", False)
@pytest.mark.ckan_config("ckanext.govshare.harvest_accounts", [f"department-{RUN}"])
def test_a_harvesting_account_gets_no_not_shared_entry_through_the_api(
    app: Any, site: dict[str, Any]
):
    """The CKAN harvester reads package_search and package_show as its account on the lower."""
    not_shared = site["entries"]["not_shared"]
    search = f"/api/3/action/package_search?fq=tags:{TAG}&rows=10"
    harvested = _get(app, site, search, "department").json["result"]
    assert harvested["count"] == 3
    assert not_shared["id"] not in {r["id"] for r in harvested["results"]}
    refused = _get(
        app, site, f"/api/3/action/package_show?id={not_shared['id']}", "department", 403
    )
    assert "不予共享" in refused.json["error"]["message"]
    # Every other reader, a department's officer included, still has the whole catalogue.
    assert _get(app, site, search, "officer").json["result"]["count"] == 4
    _get(app, site, f"/api/3/action/package_show?id={not_shared['id']}", "authority")


@pytest.mark.ckan_config("ckanext.govshare.harvest_accounts", [f"department-{RUN}"])
def test_a_harvesting_account_gets_every_entry_while_they_are_exported(
    app: Any, site: dict[str, Any]
):
    search = f"/api/3/action/package_search?fq=tags:{TAG}&rows=10"
    assert _get(app, site, search, "department").json["result"]["count"] == 4
    _get(
        app,
        site,
        f"/api/3/action/package_show?id={site['entries']['not_shared']['id']}",
        "department",
    )

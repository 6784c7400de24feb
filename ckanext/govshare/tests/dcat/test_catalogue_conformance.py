"""The whole catalogue export validates against DCAT-AP 3, with entries built the way users
build them (issue 20, items 1 and 2).

One catalogue, built once for the module, through the platform's own doors:

- ``api``: an entry made with ``package_create`` whose CSV is uploaded with ``resource_create``
  (CKAN detects ``text/csv``) and then loaded into the DataStore as xloader does, a link, and
  a resource with no format; it offers the service interface (``api``);
- ``form``: an entry typed into the dataset form and its file uploaded through the resource
  form (the test app's POSTs, CSRF token and all);
- ``sheet``: two entries of the department's catalogue spreadsheet, imported on its page;
- ``table``: a conditional entry whose only resource is a table made by ``datastore_create``
  (``url_type`` ``datastore``), offered through online query (``online_query``).

The rows hold values found nowhere else, and a department holds a grant and a token on the
``api`` entry: none of them may reach any reader's export. Every page of ``/catalog.ttl`` is
validated with pyshacl for the public, a department and a sysadmin; the harvest is
``test_harvest_conformance.py``.
"""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

import pytest
from ckan import plugins
from ckan.tests import factories, helpers
from ckan.tests.pytest_ckan.fixtures import FakeFileStorage
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from ckanext.govshare.catalogue import spreadsheet
from ckanext.govshare.dcat import media
from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.datastore_tables import load_table

from .test_profile import _shacl

RUN = uuid.uuid4().hex[:8]
TAG = f"conform-{RUN}"
ONLY = f"fq=tags:{TAG}"
VALUES = [f"数据值{RUN}-{i}" for i in range(3)]  # data values: never in any export
CSV = (
    "统一社会信用代码,企业名称\n" + "".join(f"9131{i},{v}\n" for i, v in enumerate(VALUES))
).encode()
ITEMS = [
    {"name": "统一社会信用代码", "data_type": "string", "length": "18"},
    {"name": "企业名称", "data_type": "string"},
]
ROLES = [None, "department", "sysadmin"]
PER_PAGE = "3"  # this module's entries: over several pages
WHOLE_PER_PAGE = "25"  # the whole catalogue, whatever else the test database holds
IANA_CSV = URIRef(media.IANA_BASE + "text/csv")
EU_CSV = URIRef(media.FILE_TYPE_BASE + "CSV")


def _admin(site: dict[str, Any]) -> dict[str, Any]:
    return {"user": site["users"]["sysadmin"]["name"], "ignore_auth": True}


def _fields(**overrides: Any) -> dict[str, Any]:
    return {**gs.entry_fields(), "data_items": ITEMS, "tags": [{"name": TAG}], **overrides}


def _csrf(body: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', body)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def _api_entry(site: dict[str, Any]) -> dict[str, Any]:
    context = {"user": site["users"]["officer"]["name"]}
    entry = helpers.call_action(
        "package_create",
        context=context,
        name=f"api-{RUN}",
        title="API entry 接口录入",
        notes="摘要",
        owner_org=site["provider"]["id"],
        **_fields(share_methods=["file_download", "api"]),
    )
    upload = helpers.call_action(
        "resource_create",
        context=context,
        package_id=entry["id"],
        name="企业登记.csv",
        upload=FakeFileStorage(io.BytesIO(CSV), "registrations.csv"),
    )
    assert upload["mimetype"] == "text/csv" and upload["url_type"] == "upload"
    load_table(upload["id"], records=[{"统一社会信用代码": "9131", "企业名称": VALUES[0]}])
    helpers.call_action(
        "resource_create",
        context=context,
        package_id=entry["id"],
        name="外部链接",
        url="http://open.example.gov.cn/registrations.xlsx",
    )
    helpers.call_action(
        "resource_create",
        context=context,
        package_id=entry["id"],
        name="无格式",
        url="http://open.example.gov.cn/export",
        format="",
    )
    return helpers.call_action("package_show", context=_admin(site), id=entry["id"])


def _table_entry(site: dict[str, Any]) -> dict[str, Any]:
    context = {"user": site["users"]["officer"]["name"]}
    entry = helpers.call_action(
        "package_create",
        context=context,
        name=f"table-{RUN}",
        title="Table entry 数据表",
        notes="摘要",
        owner_org=site["provider"]["id"],
        **_fields(
            share_type="conditional",
            share_conditions="仅限市场监管用途",
            open_to_public="not_open",
            share_methods=["online_query"],
        ),
    )
    made = helpers.call_action(
        "datastore_create",
        context=_admin(site),
        resource={"package_id": entry["id"], "name": "在线表"},
        fields=[{"id": "统一社会信用代码", "type": "text"}, {"id": "企业名称", "type": "text"}],
        records=[{"统一社会信用代码": "9132", "企业名称": VALUES[1]}],
    )
    table = helpers.call_action("resource_show", context=_admin(site), id=made["resource_id"])
    assert table["url_type"] == "datastore" and table["datastore_active"]
    return helpers.call_action("package_show", context=_admin(site), id=entry["id"])


def _form_entry(site: dict[str, Any], app: Any) -> dict[str, Any]:
    headers = {"Authorization": site["tokens"]["officer"]}
    name = f"form-{RUN}"
    form = app.get("/dataset/new", headers=headers).body
    data = {
        "_csrf_token": _csrf(form),
        "title": "Form entry 表单录入",
        "name": name,
        "notes": "摘要",
        "owner_org": site["provider"]["id"],
        "tag_string": TAG,
        "resource_category": "departmental",
        "format_type": "spreadsheet",
        "share_type": "unconditional",
        "share_methods": "file_download",
        "open_to_public": "open",
        "update_cycle": "monthly",
        "release_date": "2026-01-15",
        "data_items-0-name": "统一社会信用代码",
        "data_items-0-data_type": "string",
        "save": "continue",
    }
    done = app.post("/dataset/new", data=data, headers=headers, follow_redirects=False)
    assert done.status_code == 302, done.body[-2000:]
    form = app.get(f"/dataset/{name}/resource/new", headers=headers).body
    done = app.post(
        f"/dataset/{name}/resource/new",
        data={
            "_csrf_token": _csrf(form),
            "id": "",
            "name": "表单上传.csv",
            "url": "",
            # A Chinese file name, as most of the platform's users have (CKAN alone stores it
            # as ".csv", with no media type).
            "upload": (io.BytesIO(CSV), "表单上传.csv"),
            "save": "go-metadata",
        },
        headers=headers,
        follow_redirects=False,
    )
    assert done.status_code == 302, done.body[-2000:]
    return helpers.call_action("package_show", context=_admin(site), id=name)


def _sheet_entries(site: dict[str, Any], app: Any) -> list[dict[str, Any]]:
    headers = {"Authorization": site["tokens"]["officer"]}
    org = site["provider"]["name"]
    rows = []
    for n, share_type in enumerate(("unconditional", "not_shared")):
        row = {
            **gs.entry_fields(),
            "name": f"sheet-{n}-{RUN}",
            "title": f"Sheet entry {n} 表格导入",
            "notes": "摘要",
            "organization": {"name": org},
            "share_type": share_type,
            "share_methods": ["api"],
            "open_to_public": "open" if n == 0 else "not_open",
            "tags": [{"name": TAG}],
            "data_items": ITEMS,
        }
        if share_type == "not_shared":
            row["legal_basis"] = "《中华人民共和国保守国家秘密法》第九条"
        rows.append(row)
    book = io.BytesIO()
    spreadsheet.write(rows, book)
    path = f"/organization/{org}/catalogue/import"
    form = app.get(path, headers=headers).body
    done = app.post(
        path,
        headers=headers,
        data={"_csrf_token": _csrf(form), "spreadsheet": (io.BytesIO(book.getvalue()), "c.xlsx")},
    )
    assert "新建 2 条" in done.body, done.body[-3000:]
    return [
        helpers.call_action("package_show", context=_admin(site), id=row["name"]) for row in rows
    ]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The catalogue, its readers and their API tokens (built once; plugins loaded meanwhile)."""
    config = plugins.toolkit.config
    storage = config.get("ckan.storage_path")
    config["ckan.storage_path"] = str(tmp_path_factory.mktemp("storage"))
    plugins.load_all()
    try:
        site: dict[str, Any] = {"users": {"sysadmin": factories.Sysadmin(name=f"cf-admin-{RUN}")}}
        site["provider"] = gs.Department(name=f"cf-provider-{RUN}", title="市场监管局")
        holder = gs.Department(name=f"cf-holder-{RUN}", title="税务局")
        for role, org, capacity in (
            ("officer", site["provider"], "admin"),
            ("department", holder, "member"),
        ):
            site["users"][role] = factories.User(name=f"cf-{role}-{RUN}")
            helpers.call_action(
                "organization_member_create",
                context=_admin(site),
                id=org["id"],
                username=site["users"][role]["name"],
                role=capacity,
            )
        site["tokens"] = {
            role: factories.APIToken(user=user["name"])["token"]
            for role, user in site["users"].items()
        }
        app = helpers._get_test_app()
        entries = {"api": _api_entry(site), "table": _table_entry(site)}
        entries["form"] = _form_entry(site, app)
        entries["sheet"], entries["sheet_not_shared"] = _sheet_entries(site, app)
        site["entries"] = entries
        # A department's grant and interface token on the api entry: a secret of the reader.
        grant = helpers.call_action(
            "govshare_access_obtain",
            context={"user": site["users"]["department"]["name"]},
            package_id=entries["api"]["id"],
            requesting_org=holder["name"],
            purpose="work_reference",
            purpose_detail="统计分析",
            pledge=True,
        )
        site["secret"] = helpers.call_action(
            "govshare_token_create",
            context={"user": site["users"]["department"]["name"]},
            grant_id=grant["id"],
        )["token"]
    finally:
        plugins.unload_all()
        config["ckan.storage_path"] = storage
    return site


def _turtle(app: Any, site: dict[str, Any], url: str, role: str | None) -> str:
    headers = {"Authorization": site["tokens"][role]} if role else {}
    response = app.get(url, headers=headers)
    assert response.status_code == 200, (url, role, response.status_code)
    return response.get_data(as_text=True)


def _catalogue(
    app: Any, site: dict[str, Any], role: str | None, query: str = "", per_page: str = PER_PAGE
) -> Graph:
    """Every page of ``/catalog.ttl`` as ``role`` reads it, each validated on its own."""
    whole = Graph()
    page = 1
    while True:
        text = _turtle(app, site, f"/catalog.ttl?{query}&page={page}", role)
        graph = Graph().parse(data=text, format="turtle")
        _shacl(graph)
        assert site["secret"] not in text, role
        for value in VALUES:
            assert value not in text, (role, value)
        whole += graph
        found = list(graph.subjects(RDF.type, DCAT.Dataset))
        if len(found) < int(per_page):
            return whole
        page += 1
        assert page < 500, "the walk ends"


def _distribution(graph: Graph, resource: dict[str, Any]) -> URIRef:
    matches = [d for d in graph.subjects(RDF.type, DCAT.Distribution) if resource["id"] in str(d)]
    assert len(matches) == 1, resource["name"]
    return matches[0]


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", WHOLE_PER_PAGE)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_whole_catalogue_validates(
    app: Any, site: dict[str, Any], role: str | None
):
    """Not only this module's entries: whatever the platform holds must conform."""
    graph = _catalogue(app, site, role, per_page=WHOLE_PER_PAGE)
    ids = {str(d).rsplit("/", 1)[1] for d in graph.subjects(RDF.type, DCAT.Dataset)}
    visible = {"api", "form", "sheet"} if role is None else set(site["entries"])
    assert {site["entries"][k]["id"] for k in visible} <= ids, role
    for predicate in (DCTERMS["format"], DCAT.mediaType):
        literals = [o for o in graph.objects(None, predicate) if isinstance(o, Literal)]
        assert literals == [], (role, predicate)


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", PER_PAGE)
@pytest.mark.parametrize("role", ROLES)
def test_each_kind_of_resource_exports_its_format_and_media_type(
    app: Any, site: dict[str, Any], role: str | None
):
    graph = _catalogue(app, site, role, ONLY)
    api, form = site["entries"]["api"], site["entries"]["form"]
    uploads = [api["resources"][0], form["resources"][0]]
    assert [r["mimetype"] for r in uploads] == ["text/csv", "text/csv"]
    assert form["resources"][0]["url"].endswith("/download/biao-dan-shang-chuan.csv")
    for upload in uploads:
        distribution = _distribution(graph, upload)
        assert graph.value(distribution, DCAT.mediaType) == IANA_CSV, role
        assert (IANA_CSV, RDF.type, DCTERMS.MediaType) in graph
        assert graph.value(distribution, DCTERMS["format"]) == EU_CSV, role
    link, no_format = api["resources"][1], api["resources"][2]
    assert link["format"] == "XLSX" and no_format["format"] == ""
    assert graph.value(_distribution(graph, link), DCTERMS["format"]) == URIRef(
        media.FILE_TYPE_BASE + "XLSX"
    )
    assert graph.value(_distribution(graph, no_format), DCTERMS["format"]) is None
    if role is not None:
        table = site["entries"]["table"]["resources"][0]
        assert graph.value(_distribution(graph, table), DCAT.mediaType) is None


def _service(graph: Graph, resource: dict[str, Any]) -> Any:
    return graph.value(_distribution(graph, resource), DCAT.accessService)


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", PER_PAGE)
@pytest.mark.parametrize("role", ROLES)
def test_tables_the_interface_serves_are_discoverable_by_every_reader(
    app: Any, site: dict[str, Any], role: str | None
):
    site_url = plugins.toolkit.config["ckan.site_url"].rstrip("/")
    graph = _catalogue(app, site, role, ONLY)
    served = [site["entries"]["api"]["resources"][0]]
    if role is not None:  # the public does not see the conditional entry at all
        served.append(site["entries"]["table"]["resources"][0])
    for resource in served:
        service = _service(graph, resource)
        assert service is not None, (role, resource["name"])
        assert graph.value(service, DCAT.endpointURL) == URIRef(
            f"{site_url}/govshare/query/{resource['id']}"
        )
        assert (service, RDF.type, DCAT.DataService) in graph
        description = str(graph.value(service, DCAT.endpointDescription))
        assert description == f"{site_url}/govshare/interface/openapi.json"
        answer = app.get(description.removeprefix(site_url))  # any reader, no token
        assert answer.status_code == 200
        assert answer.json["servers"] == [{"url": site_url}]
        assert set(answer.json["paths"]) == {
            "/govshare/query/{resource_id}",
            "/govshare/verify/{resource_id}",
        }
    # Not in the DataStore, or the entry offers no interface: no service.
    assert _service(graph, site["entries"]["api"]["resources"][1]) is None
    assert _service(graph, site["entries"]["form"]["resources"][0]) is None
    assert len(set(graph.subjects(RDF.type, DCAT.DataService))) == len(served)


def test_each_entry_alone_validates(app: Any, site: dict[str, Any]):
    assert len(site["entries"]) >= 5  # api, table, form and the spreadsheet's two
    for role in ROLES:
        for key, entry in site["entries"].items():
            if role is None and key in ("table", "sheet_not_shared"):
                continue
            text = _turtle(app, site, f"/dataset/{entry['id']}.ttl", role)
            _shacl(Graph().parse(data=text, format="turtle"))
            assert site["secret"] not in text and VALUES[0] not in text, (role, key)


def test_a_table_loaded_later_is_offered_at_once(app: Any, site: dict[str, Any]):
    """xloader (datastore_create on the resource) marks the table with a bulk UPDATE of the
    resource row: the next export offers the interface, also to a department whose copy of
    the entry is cut by the link policy (the entry is not open to the public)."""
    context = {"user": site["users"]["officer"]["name"]}
    tag = f"later-{RUN}"
    entry = helpers.call_action(
        "package_create",
        context=context,
        name=f"later-{RUN}",
        title="Loaded later 后导入",
        notes="摘要",
        owner_org=site["provider"]["id"],
        **_fields(share_methods=["api"], tags=[{"name": tag}], open_to_public="not_open"),
    )
    resource = helpers.call_action(
        "resource_create",
        context=context,
        package_id=entry["id"],
        name="later.csv",
        url="http://open.example.gov.cn/later.csv",
    )
    readers = ["department", "sysadmin"]
    assert resource["id"] and readers
    for role in readers:  # what each reader's export keeps
        assert _service(_catalogue(app, site, role, f"fq=tags:{tag}"), resource) is None
    load_table(resource["id"], records=[{"统一社会信用代码": "9133", "企业名称": VALUES[2]}])
    for role in readers:
        graph = _catalogue(app, site, role, f"fq=tags:{tag}")
        assert _service(graph, resource) is not None, role

"""Catalogue pages from each entry's kept RDF (dcat/cache.py, issue 20 item 3).

What is kept is never stale (an edit of the entry, of its department's title, of a resource,
a setting that shows in the RDF: the next page has it), never serves one reader's links to
another, never serves an entry the reader's search does not give, and reads exactly as
ckanext-dcat's own serializer writes the page, in every format.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model, plugins
from ckan.tests import factories, helpers
from rdflib import ConjunctiveGraph, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from ckanext.govshare.dcat import cache
from ckanext.govshare.tests import factories as gs

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
FORMATS = {"ttl": "turtle", "xml": "xml", "jsonld": "json-ld", "n3": "n3"}
SECRET = "http://secret.example/"  # the closed entry's links are for its provider
RUN = uuid.uuid4().hex[:8]  # the module does not reset the database: its entries are tagged
TAG = f"rdfcache-{RUN}"
ONLY = f"fq=tags:{TAG}"


def _entry(admin: dict[str, Any], org: dict[str, Any], key: str, public: str) -> dict[str, Any]:
    return helpers.call_action(
        "package_create",
        context={"user": admin["name"], "ignore_auth": True},
        name=f"{key}-{RUN}",
        title=f"{key} entry",
        notes="摘要",
        owner_org=org["id"],
        **{
            **gs.entry_fields(),
            "tags": [{"name": TAG}],
            "open_to_public": public,
            "resources": [
                {"url": f"{SECRET}{key}.csv", "name": f"{key}.csv", "format": "CSV"},
                {"url": f"{SECRET}{key}-2.csv", "name": f"{key}-2.csv", "format": "CSV"},
            ],
        },
    )


@pytest.fixture(scope="module")
def site() -> dict[str, Any]:
    """An entry open to the public and one closed to it that a department holds a grant for."""
    plugins.load_all()
    try:
        admin = factories.Sysadmin(name=f"rdfc-admin-{RUN}")
        provider = gs.Department(name=f"rdfc-provider-{RUN}", title="市场监管局")
        holder_org = gs.Department(name=f"rdfc-holder-{RUN}", title="税务局")
        other_org = gs.Department(name=f"rdfc-other-{RUN}", title="教育局")
        users = {"sysadmin": admin}
        for role, org, capacity in (
            ("officer", provider, "admin"),
            ("grant_holder", holder_org, "member"),
            ("department", other_org, "member"),
        ):
            users[role] = factories.User(name=f"rdfc-{role.replace('_', '-')}-{RUN}")
            helpers.call_action(
                "organization_member_create",
                context={"user": admin["name"], "ignore_auth": True},
                id=org["id"],
                username=users[role]["name"],
                role=capacity,
            )
        entries = {
            "open": _entry(admin, provider, "open", "open"),
            "closed": _entry(admin, provider, "closed", "not_open"),
        }
        helpers.call_action(
            "govshare_access_obtain",
            context={"user": users["grant_holder"]["name"], "ignore_auth": False},
            package_id=entries["closed"]["id"],
            requesting_org=holder_org["name"],
            purpose="work_reference",
            purpose_detail="统计分析",
            pledge=True,
        )
        tokens = {role: factories.APIToken(user=u["name"])["token"] for role, u in users.items()}
    finally:
        plugins.unload_all()
    return {"entries": entries, "tokens": tokens, "admin": admin, "provider": provider}


def _text(app: Any, site: dict[str, Any], url: str, role: str | None = "sysadmin") -> str:
    headers = {"Authorization": site["tokens"][role]} if role else {}
    response = app.get(url, headers=headers)
    assert response.status_code == 200, (url, role, response.status_code)
    return response.get_data(as_text=True)


def _graph(app: Any, site: dict[str, Any], url: str, role: str | None = "sysadmin") -> Graph:
    fmt = FORMATS[url.split("?")[0].rsplit(".", 1)[1]]
    return ConjunctiveGraph().parse(data=_text(app, site, url, role), format=fmt)


def _kept(package_id: str) -> dict[str, str]:
    """variant → triples of the rows kept for an entry."""
    rows = model.Session.execute(
        sa.text("SELECT variant, triples FROM govshare_dcat_rdf WHERE package_id = :id"),
        {"id": package_id},
    ).all()
    model.Session.rollback()
    return {r.variant: r.triples for r in rows}


def _ref(entry: dict[str, Any]) -> URIRef:
    return URIRef(f"{plugins.toolkit.config['ckan.site_url']}/dataset/{entry['id']}")


def _patch(action: str, site: dict[str, Any], **fields: Any) -> None:
    helpers.call_action(action, context={"user": site["admin"]["name"]}, **fields)


@pytest.mark.parametrize("fmt", ["ttl", "xml", "jsonld", "n3"])
def test_pages_read_as_the_stock_serializer_writes_them(
    app: Any, site: dict[str, Any], fmt: str, monkeypatch: pytest.MonkeyPatch
):
    """Built, then kept, the page is the graph ckanext-dcat's serializer makes of it."""
    url = f"/catalog.{fmt}?{ONLY}&page=1"
    for role in ("sysadmin", "grant_holder"):
        built = _graph(app, site, url, role)
        kept = _graph(app, site, url, role)
        with monkeypatch.context() as patched:
            patched.setattr(cache, "applies", lambda data_dict: False)
            stock = _graph(app, site, url, role)
        assert len(set(stock.subjects(RDF.type, DCAT.Dataset))) == 2
        assert isomorphic(built, stock), (fmt, role)
        assert isomorphic(kept, stock), (fmt, role)
        assert next(stock.objects(None, HYDRA.totalItems)) == Literal(2)


def test_the_next_page_shows_every_change(app: Any, site: dict[str, Any]):
    """An edit of the entry, of a resource, of its department's title: kept rows go in the
    change's transaction, and the next page and the entry's own RDF show it."""
    entry = site["entries"]["open"]
    ref = _ref(entry)
    _text(app, site, f"/catalog.ttl?{ONLY}")
    _text(app, site, f"/catalog.ttl?{ONLY}", "department")
    assert _kept(entry["id"])

    _patch("package_patch", site, id=entry["id"], title="新标题 renamed")
    assert not _kept(entry["id"])
    for role in ("sysadmin", "department", None):
        page = _graph(app, site, f"/catalog.ttl?{ONLY}", role)
        assert page.value(ref, DCTERMS.title) == Literal("新标题 renamed"), role
    assert _graph(app, site, f"/dataset/{entry['id']}.ttl").value(ref, DCTERMS.title) == Literal(
        "新标题 renamed"
    )

    resource = entry["resources"][0]
    _patch("resource_patch", site, id=resource["id"], name="改名的资源.csv")
    assert not _kept(entry["id"])
    for url in (f"/catalog.ttl?{ONLY}", f"/dataset/{entry['id']}.ttl"):
        page = _graph(app, site, url)
        titles = {str(page.value(d, DCTERMS.title)) for d in page.objects(ref, DCAT.distribution)}
        assert "改名的资源.csv" in titles, url

    _patch("organization_patch", site, id=site["provider"]["id"], title="市场监督管理局")
    assert not _kept(entry["id"])
    for url in (f"/catalog.ttl?{ONLY}", f"/dataset/{entry['id']}.ttl"):
        page = _graph(app, site, url)
        names = {str(page.value(p, FOAF.name)) for p in page.objects(ref, DCTERMS.publisher)}
        assert names == {"市场监督管理局"}, url


def test_each_reader_gets_their_own_links(app: Any, site: dict[str, Any]):
    """The provider's links are kept, then a department and a grant holder read the page:
    each gets the links the policy gives them, from a copy of their own."""
    closed = site["entries"]["closed"]
    site_url = plugins.toolkit.config["ckan.site_url"]
    _patch("package_patch", site, id=closed["id"], notes=f"摘要 {uuid.uuid4().hex}")
    platform = {f"{site_url}/govshare/download/{r['id']}" for r in closed["resources"]}
    for _ in range(2):  # built, then kept
        for role in ("officer", "department", "grant_holder", "sysadmin"):
            text = _text(app, site, f"/catalog.ttl?{ONLY}", role)
            if role in ("officer", "sysadmin"):
                assert f"{SECRET}closed.csv" in text, role
                continue
            assert f"{SECRET}closed" not in text, role
            assert all((u in text) == (role == "grant_holder") for u in platform), role
        assert f"{SECRET}closed" not in _text(app, site, f"/catalog.jsonld?{ONLY}", "department")
    kept = _kept(closed["id"])
    assert set(kept) == {"links", "no-links", next(k for k in kept if k.startswith("some:"))}
    assert f"{SECRET}closed" not in kept["no-links"]
    assert f"{SECRET}closed" in kept["links"]


def test_a_kept_copy_is_served_only_for_the_same_entry_and_settings(
    app: Any, site: dict[str, Any], ckan_config: Any, monkeypatch: pytest.MonkeyPatch
):
    """Pages are read from what is kept; a setting that shows in the RDF (the vocabulary's
    base URI) or a row built from another version of the entry is built again."""
    entry = site["entries"]["open"]
    _text(app, site, f"/catalog.ttl?{ONLY}")
    marker = '<http://kept.example/row> <http://kept.example/p> "kept" .\n'
    model.Session.execute(
        sa.text("UPDATE govshare_dcat_rdf SET triples = triples || :m WHERE package_id = :id"),
        {"m": marker, "id": entry["id"]},
    )
    model.Session.commit()
    assert "kept.example" in _text(app, site, f"/catalog.ttl?{ONLY}")

    monkeypatch.setitem(ckan_config, "ckanext.govshare.vocabulary_base_uri", "https://v.example/")
    text = _text(app, site, f"/catalog.ttl?{ONLY}")
    assert "kept.example" not in text
    assert "https://v.example/share-type" in text
    monkeypatch.undo()

    _text(app, site, f"/catalog.ttl?{ONLY}")  # kept under the site's settings again
    model.Session.execute(
        sa.text(
            "UPDATE govshare_dcat_rdf SET triples = triples || :m, digest = 'other' "
            "WHERE package_id = :id"
        ),
        {"m": marker, "id": entry["id"]},
    )
    model.Session.commit()
    assert "kept.example" not in _text(app, site, f"/catalog.ttl?{ONLY}")


def test_entries_the_search_leaves_out_are_never_served(app: Any, site: dict[str, Any]):
    """What a reader gets is decided by the search: a private or deleted entry whose rows are
    still kept (written back after the change) is not on anyone's page."""
    admin = site["admin"]
    extra = _entry(admin, site["provider"], f"gone-{uuid.uuid4().hex[:6]}", "open")
    _text(app, site, f"/catalog.ttl?{ONLY}")
    kept = _kept(extra["id"])
    assert kept

    def put_back() -> None:
        for variant, triples in kept.items():
            model.Session.execute(
                sa.text(
                    "INSERT INTO govshare_dcat_rdf VALUES (:id, :v, 'x', :t, now()) "
                    "ON CONFLICT DO NOTHING"
                ),
                {"id": extra["id"], "v": variant, "t": triples},
            )
        model.Session.commit()

    ref = _ref(extra)
    _patch("package_patch", site, id=extra["id"], private=True)
    put_back()
    for role in ("department", None):
        assert (ref, RDF.type, DCAT.Dataset) not in _graph(app, site, f"/catalog.ttl?{ONLY}", role)
    _patch("package_delete", site, id=extra["id"])
    put_back()
    for role in ("sysadmin", "officer", "department", None):
        page = _graph(app, site, f"/catalog.ttl?{ONLY}", role)
        assert (ref, RDF.type, DCAT.Dataset) not in page, role


def test_modified_since_and_paging_as_before(app: Any, site: dict[str, Any]):
    since = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat()
    entry = site["entries"]["closed"]
    _patch("package_patch", site, id=entry["id"], notes="改过的摘要")
    page = _graph(app, site, f"/catalog.ttl?{ONLY}&modified_since={since}")
    assert set(page.subjects(RDF.type, DCAT.Dataset)) == {_ref(entry)}
    assert next(page.objects(None, HYDRA.totalItems)) == Literal(1)
    page = _graph(app, site, f"/catalog.ttl?{ONLY}&page=9")
    assert not set(page.subjects(RDF.type, DCAT.Dataset))


def _variants(package_id: str) -> dict[str, str]:
    """variant → digest of the rows kept for an entry."""
    rows = model.Session.execute(
        sa.text("SELECT variant, digest FROM govshare_dcat_rdf WHERE package_id = :id"),
        {"id": package_id},
    ).all()
    model.Session.rollback()
    return {r.variant: r.digest for r in rows}


def _keep_both(app: Any, site: dict[str, Any]) -> None:
    for role in ("sysadmin", "department"):
        _text(app, site, f"/catalog.ttl?{ONLY}", role)


def test_a_bulk_update_forgets_the_rows_it_matches(app: Any, site: dict[str, Any]):
    """A bulk UPDATE through the session fires no mapper event (CKAN's datastore marks a table
    so): the rows its WHERE matches forget their entries' kept RDF in its transaction, in the
    ORM's form and Core's, of a resource, an entry or a department; a rollback forgets
    nothing."""
    closed, opened = site["entries"]["closed"], site["entries"]["open"]
    resource = closed["resources"][0]
    updates = [
        lambda: (
            model.Session.query(model.Resource)
            .filter(model.Resource.id == resource["id"])
            .update({"description": "bulk 批量"}, synchronize_session=False)
        ),
        lambda: model.Session.execute(
            sa.update(model.Package)
            .where(model.Package.id == closed["id"])
            .values(metadata_modified=model.Package.metadata_modified)
        ),
        lambda: model.Session.execute(
            model.resource_table.update()
            .where(model.resource_table.c.package_id == closed["id"])
            .values(description="core 批量")
        ),
    ]
    for update in updates:
        _keep_both(app, site)
        assert len(_variants(closed["id"])) >= 2 and _variants(opened["id"])
        update()
        model.Session.rollback()
        assert len(_variants(closed["id"])) >= 2
        update()
        model.Session.commit()
        assert not _variants(closed["id"])
        assert _variants(opened["id"]), "an entry the update did not match keeps its rows"

    _keep_both(app, site)
    model.Session.query(model.Group).filter(model.Group.id == site["provider"]["id"]).update(
        {"description": "批量"}, synchronize_session=False
    )
    model.Session.commit()
    assert not _variants(closed["id"]) and not _variants(opened["id"])

    _keep_both(app, site)  # no WHERE: every row may have changed, nothing kept is left
    model.Session.query(model.Group).update(
        {"description": model.Group.description}, synchronize_session=False
    )
    model.Session.commit()
    left = model.Session.execute(sa.text("SELECT count(*) FROM govshare_dcat_rdf")).scalar()
    model.Session.rollback()
    assert left == 0


def _interface_entry(site: dict[str, Any], key: str) -> dict[str, Any]:
    """An entry not open to the public that offers the interface: for a department its resource
    is cut, and the profile reads from the database whether its table is in the DataStore."""
    return helpers.call_action(
        "package_create",
        context={"user": site["admin"]["name"], "ignore_auth": True},
        name=f"{key}-{RUN}",
        title=f"{key} 接口",
        notes="摘要",
        owner_org=site["provider"]["id"],
        **{
            **gs.entry_fields(),
            "share_methods": ["api"],
            "open_to_public": "not_open",
            "tags": [{"name": TAG}],
            "resources": [{"url": f"{SECRET}{key}.csv", "name": f"{key}.csv", "format": "CSV"}],
        },
    )


def test_a_row_written_while_the_copy_is_built_is_not_kept(
    app: Any, site: dict[str, Any], monkeypatch: pytest.MonkeyPatch
):
    """The profile reads a cut resource after the page read the rows' versions: a write that
    commits in between is served as built but not filed under the digest it does not match."""
    from ckanext.govshare.dcat import profile

    entry = _interface_entry(site, "race")
    resource_id = entry["resources"][0]["id"]
    real = profile.GovshareProfile.stored_facts

    def written_meanwhile(ids: list[str]) -> Any:
        if resource_id in ids:
            engine = model.meta.engine
            assert engine is not None
            with engine.begin() as connection:
                connection.execute(
                    sa.text("UPDATE resource SET description = 'meanwhile' WHERE id = :id"),
                    {"id": resource_id},
                )
        return real(ids)

    monkeypatch.setattr(profile.GovshareProfile, "stored_facts", staticmethod(written_meanwhile))
    page = _graph(app, site, f"/catalog.ttl?{ONLY}", "department")
    assert (_ref(entry), RDF.type, DCAT.Dataset) in page
    assert cache.cache_keys.NO_LINKS not in _variants(entry["id"])
    monkeypatch.undo()
    _text(app, site, f"/catalog.ttl?{ONLY}", "department")
    assert cache.cache_keys.NO_LINKS in _variants(entry["id"])


def test_a_write_no_event_sees_is_never_served_stale(app: Any, site: dict[str, Any]):
    """Plain SQL (or another process) marks a cut resource's table in the DataStore: no event
    forgets the kept row, but the row's version is in the digest, so the next page offers a
    department the interface the profile now finds in the database."""
    entry = _interface_entry(site, "sql")
    resource_id = entry["resources"][0]["id"]

    def service() -> Any:
        page = _graph(app, site, f"/catalog.ttl?{ONLY}", "department")
        (distribution,) = [
            d for d in page.objects(_ref(entry), DCAT.distribution) if resource_id in str(d)
        ]
        return page.value(distribution, DCAT.accessService)

    assert service() is None
    kept = _variants(entry["id"])
    assert cache.cache_keys.NO_LINKS in kept
    model.Session.execute(
        sa.text(
            "UPDATE resource SET extras = jsonb_set(coalesce(extras, '{}')::jsonb, "
            "'{datastore_active}', 'true')::text WHERE id = :id"
        ),
        {"id": resource_id},
    )
    model.Session.commit()
    assert _variants(entry["id"]) == kept, "no event saw the write"
    assert service() is not None
    assert _variants(entry["id"])[cache.cache_keys.NO_LINKS] != kept[cache.cache_keys.NO_LINKS]


def test_the_digest_names_the_resources_rows():
    """The same dict with another stored version of one of its resources is another digest."""
    entry = {"id": "e", "resources": [{"id": "r1"}, {"id": "r2"}]}
    keys = cache.cache_keys
    assert keys.versions_of(entry, {"r1": "7"}) == {"r1": "7", "r2": "-"}
    one = keys.digest("f", entry, keys.versions_of(entry, {"r1": "7", "r2": "9"}))
    assert one == keys.digest("f", entry, {"r2": "9", "r1": "7"})
    assert one != keys.digest("f", entry, keys.versions_of(entry, {"r1": "8", "r2": "9"}))
    assert one != keys.digest("f", entry)


def test_the_harvesters_walk_reads_a_pages_guids_as_its_gather_derives_them(app: Any, site: dict):
    """A DCAT harvester's walk for deletions takes each entry's URI as its guid
    (``GovshareDCATRDFHarvester._page_guids``, without the profiles' parse of every entry): the
    guids the gather derives from the profiles' parse of the same page, which it stored."""
    from ckanext.dcat.processors import RDFParser

    from ckanext.govshare.harvest.plugin import GovshareDCATRDFHarvester

    harvester = GovshareDCATRDFHarvester()
    source_url = "http://lower.example/catalog.ttl"

    def both(text: str, fmt: str = "turtle") -> tuple[list[str], list[str]]:
        parser = RDFParser()
        parser.parse(text, _format=fmt)
        fast = sorted(harvester._page_guids(parser, source_url))
        slow = sorted(
            guid
            for dataset in parser.datasets()
            if (guid := harvester._get_guid(dataset, source_url=source_url))
        )
        return fast, slow

    fast, slow = both(_text(app, site, f"/catalog.ttl?{ONLY}"))
    assert fast == slow
    # (Tests before this one may have added entries with the module's tag.)
    assert {str(_ref(entry)) for entry in site["entries"].values()} <= set(fast)
    assert all(
        guid.startswith(f"{plugins.toolkit.config['ckan.site_url']}/dataset/") for guid in fast
    )

    # An entry without a URI (a blank node) is known by what the profiles read: the page is
    # parsed as the gather parses it.
    blank = (
        "@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .\n"
        '[] a dcat:Dataset ; dct:identifier "entry-without-uri" ; dct:title "甲" .\n'
        '<http://lower.example/dataset/b> a dcat:Dataset ; dct:title "乙" .\n'
    )
    fast, slow = both(blank)
    assert fast == slow == ["entry-without-uri", "http://lower.example/dataset/b"]

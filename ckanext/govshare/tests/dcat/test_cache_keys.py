"""What kept RDF is filed under and when it may be served (dcat/cache_keys.py, issue 20 item 3)."""

from __future__ import annotations

from rdflib import Graph, URIRef

from ckanext.govshare.dcat import cache_keys


def _entry(*resources: dict[str, object]) -> dict[str, object]:
    return {"id": "e1", "title": "登记信息", "resources": list(resources)}


RAW = {"id": "r1", "url": "http://files.example/a.csv"}
PLATFORM = {"id": "r2", "url": "http://site/govshare/download/r2", "govshare_restricted": True}
NONE = {"id": "r3", "url": "", "govshare_restricted": True}


def test_the_variant_is_the_links_the_reader_was_shown():
    assert cache_keys.variant(_entry(RAW, dict(RAW, id="r9"))) == cache_keys.ALL_LINKS
    assert cache_keys.variant(_entry()) == cache_keys.ALL_LINKS  # nothing to hide
    assert cache_keys.variant(_entry(NONE, dict(NONE, id="r4"))) == cache_keys.NO_LINKS
    grant = cache_keys.variant(_entry(PLATFORM, NONE))
    assert grant.startswith(cache_keys.SOME_LINKS)
    # A grant on another resource is another class of reader.
    assert cache_keys.variant(_entry(NONE, PLATFORM)) != grant
    assert cache_keys.variant(_entry(PLATFORM, PLATFORM)) != grant


def test_the_digest_follows_every_value_and_the_fingerprint():
    entry = _entry(RAW)
    same = {"resources": [dict(RAW)], "title": "登记信息", "id": "e1"}  # another key order
    assert cache_keys.digest("f", entry) == cache_keys.digest("f", same)
    assert cache_keys.digest("f", entry) != cache_keys.digest("g", entry)
    renamed = dict(entry, title="登记信息 (2026)")
    assert cache_keys.digest("f", entry) != cache_keys.digest("f", renamed)
    # The same entry with its link hidden (another reader) never matches the linked one.
    assert cache_keys.digest("f", entry) != cache_keys.digest("f", _entry(NONE))
    nested = _entry(dict(RAW, name="a"))
    assert cache_keys.digest("f", nested) != cache_keys.digest("f", _entry(dict(RAW, name="b")))


def test_the_fingerprint_follows_code_profiles_and_settings():
    base = cache_keys.fingerprint("v1", ["govshare"], {"ckan.site_url": "http://a"})
    assert base == cache_keys.fingerprint("v1", ["govshare"], {"ckan.site_url": "http://a"})
    assert base != cache_keys.fingerprint("v2", ["govshare"], {"ckan.site_url": "http://a"})
    assert base != cache_keys.fingerprint("v1", ["euro_dcat_ap_3"], {"ckan.site_url": "http://a"})
    assert base != cache_keys.fingerprint("v1", ["govshare"], {"ckan.site_url": "http://b"})


def test_a_page_in_a_line_format_parses_as_turtle():
    head = "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n\n<http://c/> a dcat:Catalog .\n"
    lines = [
        '<http://c/d1> <http://purl.org/dc/terms/title> "标题 \\"一\\""@zh .\n',
        '_:b1 <http://purl.org/dc/terms/title> "two" .\n<http://c/d2> <http://x/p> _:b1 .',
        "",
    ]
    text = cache_keys.assembled(head, lines)
    graph = Graph().parse(data=text, format="turtle")
    assert len(graph) == 4
    assert graph.value(URIRef("http://c/d1"), URIRef("http://purl.org/dc/terms/title")) is not None
    assert cache_keys.assembled(head, []) == head

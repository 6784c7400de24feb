"""The vocabularies of the govshare DCAT profile (issue 7; ../shared/domain/federation.md).

Plain Python: code lists of catalogue.md mapped to URIs, both ways. The EU authority tables
(access rights, frequencies) are fixed; the share-type concept scheme is published by each
platform under ``ckanext.govshare.vocabulary_base_uri`` and read back by its
``skos:notation`` (or the URI fragment), so an upper platform reads the concepts of a lower one
whatever base it uses.
"""

from __future__ import annotations

from importlib import resources

from rdflib import Graph, Namespace, URIRef

# The govshare namespace: properties DCAT-AP has none for (documented in docs/federation.md).
GOVSHARE = Namespace("https://w3id.org/govshare/ns#")

ACCESS_RIGHT = Namespace("http://publications.europa.eu/resource/authority/access-right/")
LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")

# dct:accessRights is about the public: open_to_public (federation.md, "DCAT-AP mapping").
OPEN_TO_PUBLIC = {
    "open": ACCESS_RIGHT.PUBLIC,
    "conditional_open": ACCESS_RIGHT.RESTRICTED,
    "not_open": ACCESS_RIGHT.NON_PUBLIC,
}

# Each share type is skos:broader its nearest EU access right (share-type.ttl says the same).
SHARE_TYPE_BROADER = {
    "unconditional": ACCESS_RIGHT.PUBLIC,
    "conditional": ACCESS_RIGHT.RESTRICTED,
    "not_shared": ACCESS_RIGHT.NON_PUBLIC,
}

# update_cycle → the EU frequency authority table.
UPDATE_CYCLE = {
    "realtime": FREQUENCY.UPDATE_CONT,
    "daily": FREQUENCY.DAILY,
    "weekly": FREQUENCY.WEEKLY,
    "monthly": FREQUENCY.MONTHLY,
    "quarterly": FREQUENCY.QUARTERLY,
    "semiannual": FREQUENCY.ANNUAL_2,
    "annual": FREQUENCY.ANNUAL,
    "irregular": FREQUENCY.IRREG,
}

# CKAN locales (their language part) → the EU language authority table.
LANGUAGES = {"zh": LANGUAGE.ZHO, "en": LANGUAGE.ENG}

SCHEME_FILE = "share-type.ttl"
SCHEME_NAME = "share-type"


def _reverse(mapping: dict[str, URIRef]) -> dict[str, str]:
    return {str(uri): code for code, uri in mapping.items()}


_OPEN_BY_URI = _reverse(OPEN_TO_PUBLIC)
_CYCLE_BY_URI = _reverse(UPDATE_CYCLE)


def access_right(open_to_public: str | None) -> URIRef | None:
    return OPEN_TO_PUBLIC.get(open_to_public or "")


def open_to_public(uri: str | None) -> str | None:
    """The ``open_to_public`` code of an EU access right (the URI, with http or https)."""
    return _OPEN_BY_URI.get(_http(uri))


def frequency(update_cycle: str | None) -> URIRef | None:
    return UPDATE_CYCLE.get(update_cycle or "")


def update_cycle(uri: str | None) -> str | None:
    return _CYCLE_BY_URI.get(_http(uri))


def _http(uri: str | None) -> str:
    text = str(uri or "").strip()
    return "http://" + text[len("https://") :] if text.startswith("https://") else text


def language(locale: str) -> URIRef | None:
    return LANGUAGES.get(locale.replace("-", "_").split("_")[0].lower())


def default_base_uri(site_url: str) -> str:
    return site_url.rstrip("/") + "/govshare/vocabulary/"


def scheme_uri(base: str) -> URIRef:
    return URIRef(base + SCHEME_NAME)


def share_type_uri(base: str, code: str) -> URIRef:
    return URIRef(f"{base}{SCHEME_NAME}#{code}")


def share_type_code(uri: str | None, notation: str | None = None) -> str | None:
    """A share-type concept's code: its ``skos:notation``, else its URI fragment."""
    for candidate in (notation, str(uri or "").rpartition("#")[2]):
        if candidate in SHARE_TYPE_BROADER:
            return candidate
    return None


def scheme_graph(base: str) -> Graph:
    """The published concept scheme, its relative IRIs resolved against ``base``."""
    text = resources.files("ckanext.govshare.dcat").joinpath(SCHEME_FILE).read_text("utf-8")
    graph = Graph()
    graph.parse(data=text, format="turtle", publicID=base)
    graph.bind("skos", "http://www.w3.org/2004/02/skos/core#")
    graph.bind("dct", "http://purl.org/dc/terms/")
    return graph

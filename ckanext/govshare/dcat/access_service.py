"""The service interface in the export: ``dcat:accessService`` (issue 20, item 2).

2025 Regulations art. 22 (服务接口) and the 2016 Measures art. 12 (联机查询): a resource whose
entry offers the service interface (share method ``api`` or ``online_query``) and whose table
is in the DataStore is answered at ``/govshare/query/<resource id>`` (and verified at
``/govshare/verify/<resource id>``) under a grant. Art. 8 and 11: the upper platforms that
harvest the catalogue must let their users find that interface and apply for it at the source.

The distribution gets a ``dcat:DataService`` (DCAT-AP 3 § Data Service: ``dct:title`` and
``dcat:endpointURL`` mandatory) with

- ``dcat:endpointURL``: the query address (the verify address as ``govshare:verifyURL``),
  ``dcat:endpointDescription``: the interface's OpenAPI document (``openapi``);
- ``dct:title``, ``dct:description`` (en, zh): what the interface does and the data items it
  serves by name. DCAT-AP 3 has no property for the fields a service serves, and
  ``dct:description`` is the one every DCAT reader shows; ``govshare:dataItem`` links the same
  ``govshare:DataItem`` nodes the dataset describes, for govshare readers (the shapes are
  open: properties outside DCAT-AP are allowed);
- ``dct:accessRights``: a ``dct:RightsStatement`` labelled with the share type and conditions
  (DCAT-AP 3 takes a ``dct:RightsStatement`` there, max one), and ``govshare:shareType``,
  ``govshare:shareConditions``, ``govshare:requestPage`` (where to apply, art. 12);
- ``dcat:servesDataset``: the entry.

Only addresses and descriptions: no token, no grant, no value of the data is ever written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ckanext.dcat.profiles import DCAT as DCAT_NS
from ckanext.dcat.profiles import DCT, RDF, RDFS
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..catalogue.codes import SHARE_TYPES
from ..interface.rules import SHARE_METHODS as INTERFACE_METHODS
from . import openapi
from .vocab import GOVSHARE

QUERY_PATH = "/govshare/query/"
VERIFY_PATH = "/govshare/verify/"
# The parsed resource's key for the services (ckanext-dcat's, a JSON list of dicts).
ACCESS_SERVICES = "access_services"
# At most this many data items are named in the description (the nodes carry them all).
MAX_NAMED_ITEMS = 50

_SHARE_LABELS = {c.value: c for c in SHARE_TYPES}


@dataclass(frozen=True)
class Interface:
    """One resource's service interface as the export shows it."""

    resource_id: str
    resource_name: str
    endpoint: str
    verify: str
    description: str
    share_type: str | None
    share_conditions: str | None
    request_page: str
    items: tuple[str, ...]


def offers_interface(entry: Mapping[str, Any]) -> bool:
    """The entry offers the service interface among its share methods (art. 22)."""
    methods = entry.get("share_methods") or []
    if isinstance(methods, str):
        methods = [methods]
    return bool(set(methods) & set(INTERFACE_METHODS))


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def in_datastore(resource: Mapping[str, Any], stored: Iterable[str] = ()) -> bool:
    """The resource's table is in the DataStore: as its dict says, or — a dict the link
    policy has cut to its description — as ``stored`` (ids read from the database) says."""
    if _true(resource.get("datastore_active")) or resource.get("url_type") == "datastore":
        return True
    return str(resource.get("id") or "") in set(stored)


def interfaces(
    entry: Mapping[str, Any], site: str, request_page: str, stored: Iterable[str] = ()
) -> list[Interface]:
    """The entry's resources served by the interface, in the entry's order."""
    if not offers_interface(entry):
        return []
    stored = set(stored)
    names = tuple(
        str(item.get("name")).strip()
        for item in entry.get("data_items") or []
        if isinstance(item, Mapping) and str(item.get("name") or "").strip()
    )
    conditions = str(entry.get("share_conditions") or "").strip() or None
    found = []
    for resource in entry.get("resources") or []:
        rid = str(resource.get("id") or "")
        if not rid or not in_datastore(resource, stored):
            continue
        found.append(
            Interface(
                resource_id=rid,
                resource_name=str(resource.get("name") or "").strip() or rid,
                endpoint=f"{site}{QUERY_PATH}{rid}",
                verify=f"{site}{VERIFY_PATH}{rid}",
                description=f"{site}{openapi.PATH}",
                share_type=entry.get("share_type") if entry.get("share_type") else None,
                share_conditions=conditions,
                request_page=request_page,
                items=names,
            )
        )
    return found


def texts(interface: Interface) -> dict[str, tuple[str, str]]:
    """The service's title, description and rights label (English, Chinese)."""
    shown = interface.items[:MAX_NAMED_ITEMS]
    more = len(interface.items) - len(shown)
    en_items = ", ".join(shown) + (f" and {more} more" if more else "")
    zh_items = "、".join(shown) + (f"等{len(interface.items)}项" if more else "")
    en_desc = (
        "Online query (联机查询) and query-and-verify (查询核验) of the table of this resource, "
        "cut to the caller's grant (2025 Regulations art. 22, 25). Apply at the request page "
        "for a grant; calls carry its token."
    )
    zh_desc = (
        "对该资源数据表的联机查询和查询核验，按调用方授权范围裁剪（《政务数据共享条例》"
        "第二十二条、第二十五条）。请在申请页面申请授权，调用时携带授权令牌。"
    )
    if shown:
        en_desc += f" Data items served: {en_items}."
        zh_desc += f"提供的信息项：{zh_items}。"
    label = _SHARE_LABELS.get(interface.share_type or "")
    en_rights = label.en if label else "Shared under a grant"
    zh_rights = label.zh if label else "依授权共享"
    if interface.share_conditions:
        en_rights += f": {interface.share_conditions}"
        zh_rights += f"：{interface.share_conditions}"
    return {
        "title": (
            f"Service interface: {interface.resource_name}",
            f"服务接口：{interface.resource_name}",
        ),
        "description": (en_desc, zh_desc),
        "rights": (en_rights, zh_rights),
    }


def add(
    g: Graph,
    interface: Interface,
    distribution: Node,
    dataset: Node,
    *,
    share_concept: Node | None = None,
    item_nodes: Sequence[Node] = (),
) -> URIRef:
    """Write the interface as the distribution's ``dcat:accessService``; its IRI."""
    service = URIRef(f"{distribution}#interface")
    g.add((distribution, DCAT_NS.accessService, service))
    g.add((service, RDF.type, DCAT_NS.DataService))
    endpoint = URIRef(interface.endpoint)
    g.add((service, DCAT_NS.endpointURL, endpoint))
    g.add((endpoint, RDF.type, RDFS.Resource))
    g.add((service, GOVSHARE.verifyURL, URIRef(interface.verify)))
    description = URIRef(interface.description)
    g.add((service, DCAT_NS.endpointDescription, description))
    g.add((description, RDF.type, RDFS.Resource))
    words = texts(interface)
    for key, predicate in (("title", DCT.title), ("description", DCT.description)):
        en, zh = words[key]
        g.add((service, predicate, Literal(en, lang="en")))
        g.add((service, predicate, Literal(zh, lang="zh")))
    rights = BNode()
    g.add((service, DCT.accessRights, rights))
    g.add((rights, RDF.type, DCT.RightsStatement))
    en, zh = words["rights"]
    g.add((rights, RDFS.label, Literal(en, lang="en")))
    g.add((rights, RDFS.label, Literal(zh, lang="zh")))
    if share_concept is not None:
        g.add((service, GOVSHARE.shareType, share_concept))
    if interface.share_conditions:
        g.add((service, GOVSHARE.shareConditions, Literal(interface.share_conditions)))
    g.add((service, GOVSHARE.requestPage, URIRef(interface.request_page)))
    for node in item_nodes:
        g.add((service, GOVSHARE.dataItem, node))
    g.add((service, DCAT_NS.servesDataset, dataset))
    return service


def _text(g: Graph, node: Node, predicate: URIRef, lang: str) -> str | None:
    values = list(g.objects(node, predicate))
    for value in values:
        if isinstance(value, Literal) and (value.language or "").startswith(lang):
            return str(value)
    plain = [v for v in values if isinstance(v, Literal)]
    return str(plain[0]) if plain else None


def parse(g: Graph, distribution: Node) -> list[dict[str, Any]]:
    """The distribution's data services as dicts an upper platform keeps and shows: where
    the interface answers, what it serves, on which terms and where to apply."""
    found = []
    for service in g.objects(distribution, DCAT_NS.accessService):
        endpoints = sorted(str(o) for o in g.objects(service, DCAT_NS.endpointURL))
        title = _text(g, service, DCT.title, "en")
        if not endpoints or not title:
            continue  # not a DataService DCAT-AP 3 accepts: nothing to show
        parsed: dict[str, Any] = {
            "uri": str(service) if isinstance(service, URIRef) else "",
            "title": title,
            "endpoint_url": endpoints,
        }
        for key, predicate, lang in (
            ("title_zh", DCT.title, "zh"),
            ("description", DCT.description, "en"),
            ("description_zh", DCT.description, "zh"),
        ):
            value = _text(g, service, predicate, lang)
            if value and value != parsed.get(key.removesuffix("_zh")):
                parsed[key] = value
        rights = g.value(service, DCT.accessRights)
        if rights is not None:
            label = _text(g, rights, RDFS.label, "en")
            parsed["access_rights"] = label or str(rights)
        for key, predicate in (
            ("endpoint_description", DCAT_NS.endpointDescription),
            ("verify_url", GOVSHARE.verifyURL),
            ("request_page", GOVSHARE.requestPage),
            ("share_conditions", GOVSHARE.shareConditions),
        ):
            value = g.value(service, predicate)
            if value is not None:
                parsed[key] = str(value)
        served = sorted(str(o) for o in g.objects(service, DCAT_NS.servesDataset))
        if served:
            parsed["serves_dataset"] = served
        items = []
        for node in g.objects(service, GOVSHARE.dataItem):
            position = str(g.value(node, GOVSHARE.position) or "")
            name = g.value(node, DCT.title)
            if name is not None:
                items.append((int(position) if position.isdigit() else 0, str(name)))
        if items:
            parsed["data_items"] = [name for _, name in sorted(items)]
        found.append(parsed)
    return found


def valid_stored(services: Any) -> list[dict[str, Any]] | None:
    """A resource's own ``access_services`` (ckanext-dcat's key) as the stock profile would
    write them, or ``None`` when any lacks what DCAT-AP 3 requires (a title and an endpoint):
    such a list is left out rather than exported invalid."""
    if isinstance(services, str):
        try:
            services = json.loads(services)
        except ValueError:
            return None
    if not isinstance(services, list):
        return None
    for service in services:
        if not isinstance(service, dict) or not service.get("title"):
            return None
        endpoints = service.get("endpoint_url")
        if not endpoints or not all(
            isinstance(e, str) and e.startswith(("http://", "https://"))
            for e in (endpoints if isinstance(endpoints, list) else [endpoints])
        ):
            return None
    return services


def not_naming(services: Any, link: str) -> list[dict[str, Any]] | None:
    """The kept services that nowhere name ``link`` (the resource's own link, which the
    reader may not have: art. 14): read from the database for such a reader, a service is
    left out rather than passed on with it."""
    kept = valid_stored(services)
    if kept is None or not link:
        return kept
    return [s for s in kept if link not in json.dumps(s, ensure_ascii=False)] or None


def _http(value: Any) -> str | None:
    text = str(value or "").strip()
    return text if text.startswith(("http://", "https://")) and " " not in text else None


def add_stored(
    g: Graph,
    service: Mapping[str, Any],
    distribution: Node,
    dataset: Node,
    *,
    item_nodes: Sequence[Node] = (),
) -> Node | None:
    """Write a service the resource keeps (``access_services``: read from a lower platform's
    export by :func:`parse`, or set on the resource) as valid DCAT-AP 3, so an upper platform
    passes a lower one's interface on to the level above (art. 11); ``None`` when it lacks a
    title or an http(s) endpoint. Only the keys :func:`parse` gives are written: a value that
    would not validate (an access right that is text, not a ``dct:RightsStatement``) is
    written as DCAT-AP 3 takes it."""
    endpoints = service.get("endpoint_url")
    endpoints = [e for e in (endpoints if isinstance(endpoints, list) else [endpoints]) if e]
    links = [URIRef(e) for e in (_http(e) for e in endpoints) if e]
    title = str(service.get("title") or "").strip()
    if not links or not title:
        return None
    uri = _http(service.get("uri"))
    node: Node = URIRef(uri) if uri else BNode()
    g.add((distribution, DCAT_NS.accessService, node))
    g.add((node, RDF.type, DCAT_NS.DataService))
    for link in links:
        g.add((node, DCAT_NS.endpointURL, link))
        g.add((link, RDF.type, RDFS.Resource))
    for key, predicate, lang in (
        ("title", DCT.title, "en"),
        ("title_zh", DCT.title, "zh"),
        ("description", DCT.description, "en"),
        ("description_zh", DCT.description, "zh"),
    ):
        text = str(service.get(key) or "").strip()
        if text:
            g.add((node, predicate, Literal(text, lang=lang)))
    description = _http(service.get("endpoint_description"))
    if description:
        g.add((node, DCAT_NS.endpointDescription, URIRef(description)))
        g.add((URIRef(description), RDF.type, RDFS.Resource))
    rights = str(service.get("access_rights") or "").strip()
    if rights:
        statement: Node = URIRef(rights) if _http(rights) else BNode()
        g.add((node, DCT.accessRights, statement))
        g.add((statement, RDF.type, DCT.RightsStatement))
        if isinstance(statement, BNode):
            g.add((statement, RDFS.label, Literal(rights)))
    for key, predicate in (
        ("verify_url", GOVSHARE.verifyURL),
        ("request_page", GOVSHARE.requestPage),
    ):
        link = _http(service.get(key))
        if link:
            g.add((node, predicate, URIRef(link)))
    conditions = str(service.get("share_conditions") or "").strip()
    if conditions:
        g.add((node, GOVSHARE.shareConditions, Literal(conditions)))
    names = {str(n) for n in service.get("data_items") or [] if n}
    for item in item_nodes:
        if str(g.value(item, DCT.title) or "") in names:
            g.add((node, GOVSHARE.dataItem, item))
    g.add((node, DCAT_NS.servesDataset, dataset))
    return node

"""The ``govshare`` ckanext-dcat profile: DCAT-AP 3 plus the share metadata (issue 7 items 1, 2).

Extends ckanext-dcat's ``euro_dcat_ap_3``. Before the DCAT-AP 3 profile writes an entry, the
entry's codes are turned into what DCAT-AP expects (``open_to_public`` → ``dct:accessRights``,
``update_cycle`` → ``dct:accrualPeriodicity``, ``release_date`` → ``dct:issued``, the department
and its provider code → ``dct:publisher``); what DCAT-AP has no property for goes in the
govshare namespace (``vocab.GOVSHARE``). ``parse_dataset`` reads it all back into the dataset
dict of ``schemas/dataset.yaml``. The mapping table is docs/federation.md.

Links: the profile writes what ``package_show`` / ``package_search`` gave the reader, and the
``datalinks`` policy has already taken the links to data out for readers who may not download
(art. 14). A distribution without a link gets the entry's request page on this platform as
its ``dcat:accessURL`` (DCAT-AP requires one): a page, not data.

Issue 20: formats are EU file types and media types IANA IRIs (``media``), whatever kind of
resource the entry holds (an upload with the media type CKAN detected, a link, a DataStore
table, none); a resource the service interface serves gets its ``dcat:accessService``
(``access_service``). Both are read back.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles import DCAT as DCAT_NS
from ckanext.dcat.profiles import DCT, FOAF, RDF, RDFS, SKOS, VCARD, XSD, CleanedURIRef
from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile
from ckanext.dcat.utils import catalog_uri, publisher_uri_organization_fallback, resource_uri
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ..access import rules as access_rules
from ..catalogue.codes import SHARE_METHODS, SHARE_TYPES
from ..core import config
from . import access_service, cut_resources, media, vocab
from .vocab import GOVSHARE

# Single-valued text fields written as govshare literals.
TEXT_FIELDS = {
    "resource_code": GOVSHARE.resourceCode,
    "resource_category": GOVSHARE.resourceCategory,
    "basic_category": GOVSHARE.basicCategory,
    "theme": GOVSHARE.theme,
    "format_type": GOVSHARE.formatType,
    "share_conditions": GOVSHARE.shareConditions,
    "legal_basis": GOVSHARE.legalBasis,
    "usage_requirements": GOVSHARE.usageRequirements,
    "open_conditions": GOVSHARE.openConditions,
    "project_code": GOVSHARE.projectCode,
    # Issue 17: the data items holding a row's division code (data return, 2025 Regulations
    # art. 24), its key and its change watermark (batch exchange, art. 22), and the region
    # covered (GB/T 2260).
    "region_item": GOVSHARE.regionItem,
    "coverage_region": GOVSHARE.coverageRegion,
    "key_item": GOVSHARE.keyItem,
    "watermark_item": GOVSHARE.watermarkItem,
    # Issue 18 (2025 Regulations art. 13-15): the data grade and personal information the
    # catalogue states, the scope and use of a conditional entry, the kind of a not-shared
    # entry's basis. The assessments' texts stay on the platform.
    "data_grade": GOVSHARE.dataGrade,
    "personal_information": GOVSHARE.personalInformation,
    "use_scope": GOVSHARE.useScope,
    "legal_basis_type": GOVSHARE.legalBasisType,
}
# Repeating text fields, one triple per value.
LIST_FIELDS = {
    "share_methods": GOVSHARE.shareMethod,
    "related_resource_codes": GOVSHARE.relatedResourceCode,
}
# Extras the parsed dict keeps for the harvesting side (docs/federation.md).
REQUEST_PAGE_EXTRA = "govshare_request_page"
_CONSUMED_EXTRAS = {
    "issued",
    "frequency",
    "access_rights",
    "publisher_identifier",
    "theme",
    "contact_name",
    "contact_email",
    "contact_uri",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_SHARE_LABELS = {c.value: c for c in SHARE_TYPES}
_METHOD_ORDER = {c.value: i for i, c in enumerate(SHARE_METHODS)}


def site_url() -> str:
    return str(tk.config.get("ckan.site_url") or "").rstrip("/")


def vocabulary_base() -> str:
    """``ckanext.govshare.vocabulary_base_uri``, else ``<ckan.site_url>/govshare/vocabulary/``."""
    base = config.vocabulary_base_uri().strip()
    if not base:
        return vocab.default_base_uri(site_url())
    return base if base.endswith(("/", "#")) else base + "/"


def request_page(site: str, entry: Mapping[str, Any]) -> str:
    """Where a department applies for the entry on this platform (art. 12): obtain, request
    or negotiate, as its share type calls for; a harvested entry keeps its source's page."""
    if entry.get("source_apply_url"):
        return str(entry["source_apply_url"])  # harvested: apply where the entry comes from
    path = access_rules.path_for(entry.get("share_type"))
    key = entry.get("id") or entry.get("name") or ""
    if path == access_rules.OBTAIN:
        return f"{site}/govshare/obtain/{key}"
    if path == access_rules.NEGOTIATE:
        return f"{site}/govshare/negotiations/new?package_id={key}"
    return f"{site}/govshare/requests/new?package_id={key}"


def landing_page(site: str, entry: Mapping[str, Any]) -> str:
    return f"{site}/dataset/{entry.get('name') or entry.get('id')}"


def prepared(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The entry as the DCAT-AP 3 profile should see it: codes turned into its keys and URIs.

    ``theme`` is ours (a catalogue theme code), not a ``dcat:theme`` URI, so it is taken out.
    """
    data = {k: v for k, v in entry.items() if k not in ("theme", "url", "extras")}
    site = site_url()
    data["url"] = landing_page(site, entry)
    rights = vocab.access_right(entry.get("open_to_public"))
    if rights is not None:
        data["access_rights"] = str(rights)
    freq = vocab.frequency(entry.get("update_cycle"))
    if freq is not None:
        data["frequency"] = str(freq)
    if entry.get("release_date"):
        data["issued"] = str(entry["release_date"])[:10]
    org = entry.get("organization") or {}
    if org:
        if org.get("id"):
            data["publisher_uri"] = publisher_uri_organization_fallback(dict(entry))
        data["publisher_name"] = org.get("title") or org.get("name")
        if entry.get("provider_code"):
            data["publisher_identifier"] = entry["provider_code"]
    data["resources"] = [_prepared_resource(r) for r in entry.get("resources") or []]
    return data


def _prepared_resource(resource: Mapping[str, Any]) -> dict[str, Any]:
    """The resource without what the govshare profile writes itself: format, media type and
    the services it is offered through (``access_services``)."""
    return {
        k: v
        for k, v in resource.items()
        if k not in ("format", "mimetype", access_service.ACCESS_SERVICES)
    }


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _as_list(value: Any) -> list[str]:
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        if value.startswith("["):
            try:
                return [str(v) for v in json.loads(value)]
            except ValueError:
                pass
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


class GovshareProfile(EuropeanDCATAP3Profile):
    """DCAT-AP 3 with the catalogue metadata of catalogue.md (registered as ``govshare``)."""

    # ------------------------------------------------------------------ writing

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        self.g.bind("govshare", GOVSHARE)
        super().graph_from_dataset(prepared(dataset_dict), dataset_ref)
        items = self._share_metadata(dataset_dict, dataset_ref)
        distributions = _distributions(dataset_dict)
        self._distributions_without_links(dataset_dict, distributions)
        self._formats(dataset_dict, distributions)
        self._access_services(dataset_dict, dataset_ref, items, distributions)
        self._conform(dataset_ref)

    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None, catalog_ref: Node) -> None:
        self.g.bind("govshare", GOVSHARE)
        super().graph_from_catalog(catalog_dict, catalog_ref)
        # DCAT-AP 3 requires the catalogue's publisher: this platform.
        if (catalog_ref, DCT.publisher, None) not in self.g:
            agent = URIRef(catalog_uri().rstrip("/") + "/")
            self.g.add((catalog_ref, DCT.publisher, agent))
            self.g.add((agent, RDF.type, FOAF.Agent))
            name = tk.config.get("ckan.site_title") or site_url()
            self.g.add((agent, FOAF.name, Literal(name)))
        # The DCAT-AP 3 shapes check classes without inference: say them.
        for homepage in self.g.objects(catalog_ref, FOAF.homepage):
            self.g.add((homepage, RDF.type, FOAF.Document))
        for language in list(self.g.objects(catalog_ref, DCT.language)):
            uri = vocab.language(str(language))
            if isinstance(language, Literal) and uri is not None:
                self.g.remove((catalog_ref, DCT.language, language))
                self.g.add((catalog_ref, DCT.language, uri))
                self.g.add((uri, RDF.type, DCT.LinguisticSystem))

    def _conform(self, ref: Node) -> None:
        """What the DCAT-AP 3 SHACL shapes ask beyond the DCAT-AP 3 profile's output: the
        classes of links and contact points."""
        g = self.g
        for contact in g.objects(ref, DCAT_NS.contactPoint):
            g.add((contact, RDF.type, VCARD.Kind))
        for distribution in g.objects(ref, DCAT_NS.distribution):
            for predicate in (DCAT_NS.accessURL, DCAT_NS.downloadURL):
                for link in g.objects(distribution, predicate):
                    g.add((link, RDF.type, RDFS.Resource))

    def _formats(self, entry: Mapping[str, Any], distributions: Mapping[str, Node]) -> None:
        """Each distribution's ``dct:format`` (an EU file type, else its label on a blank
        ``dct:MediaTypeOrExtent``) and ``dcat:mediaType`` (an IANA IRI, a ``dct:MediaType``)
        from the resource's ``format`` and ``mimetype``, whatever made the resource: CKAN's
        detected ``text/csv`` of an upload is a literal the DCAT-AP 3 shapes reject (issue 20).
        An odd value is left out rather than written invalid (``media``)."""
        g = self.g
        for resource in entry.get("resources") or []:
            distribution = distributions.get(str(resource.get("id") or ""))
            if distribution is None:
                continue
            g.remove((distribution, DCT["format"], None))
            g.remove((distribution, DCAT_NS.mediaType, None))
            fmt = media.resource_format(resource.get("format"), resource.get("mimetype"))
            if fmt is not None:
                node: Node = URIRef(fmt.iri) if fmt.iri else BNode()
                g.add((distribution, DCT["format"], node))
                g.add((node, RDF.type, DCT.MediaTypeOrExtent))
                g.add((node, RDFS.label, Literal(fmt.label)))
            iri = media.media_type_iri(
                media.resource_media_type(resource.get("format"), resource.get("mimetype"))
            )
            if iri is not None:
                g.add((distribution, DCAT_NS.mediaType, URIRef(iri)))
                g.add((URIRef(iri), RDF.type, DCT.MediaType))

    def _access_services(
        self,
        entry: Mapping[str, Any],
        ref: Node,
        items: list[BNode],
        distributions: Mapping[str, Node],
    ) -> None:
        """The services each resource is offered through (issue 20, item 2): this platform's
        interface for a table it serves, and the services a harvested resource keeps from its
        source (passed on to the level above, art. 11). For a resource the link policy cut,
        the database says both (``cut_resources``): asked only for an entry that offers the
        interface or was harvested; kept services are read there for a harvested entry only
        (what its source exported to this platform's account), and never one that names the
        resource's own link."""
        resources = [r for r in entry.get("resources") or [] if r.get("id")]
        local = access_service.offers_interface(entry)
        harvested = bool(entry.get("source_platform_url") or entry.get("source_apply_url"))
        facts: dict[str, cut_resources.Facts] = {}
        if local or harvested:
            cut = [str(r["id"]) for r in resources if r.get("govshare_restricted")]
            facts = self.stored_facts(cut) if cut else {}
        g = self.g
        if local:
            page = request_page(site_url(), entry)
            share_type = entry.get("share_type")
            concept = (
                self._share_concept(share_type) if share_type in vocab.SHARE_TYPE_BROADER else None
            )
            tables = {rid for rid, fact in facts.items() if fact.in_datastore}
            for found in access_service.interfaces(entry, site_url(), page, tables):
                distribution = distributions[found.resource_id]
                access_service.add(
                    g, found, distribution, ref, share_concept=concept, item_nodes=items
                )
        for resource in resources:
            fact = facts.get(str(resource["id"]))
            kept = resource.get(access_service.ACCESS_SERVICES)
            if kept is None and fact is not None and harvested:
                kept = access_service.not_naming(fact.access_services, fact.url)
            if not kept:
                continue
            distribution = distributions[str(resource["id"])]
            for service in access_service.valid_stored(kept) or []:
                access_service.add_stored(g, service, distribution, ref, item_nodes=items)

    @staticmethod
    def stored_facts(resource_ids: list[str]) -> dict[str, cut_resources.Facts]:
        """Of the resources the link policy cut: their tables and stored services."""
        return cut_resources.facts(resource_ids)

    def _share_metadata(self, entry: Mapping[str, Any], ref: Node) -> list[BNode]:
        """The share metadata of the entry; its data items' nodes, in order."""
        g = self.g
        for key, predicate in TEXT_FIELDS.items():
            value = _text(entry.get(key))
            if value is not None:
                g.add((ref, predicate, Literal(value)))
        for key, predicate in LIST_FIELDS.items():
            for value in _as_list(entry.get(key)):
                g.add((ref, predicate, Literal(value)))
        share_type = entry.get("share_type")
        if share_type in vocab.SHARE_TYPE_BROADER:
            g.add((ref, GOVSHARE.shareType, self._share_concept(share_type)))
        items = []
        for position, item in enumerate(entry.get("data_items") or []):
            node = self._data_item(item, position)
            g.add((ref, GOVSHARE.dataItem, node))
            items.append(node)
        g.add((ref, GOVSHARE.requestPage, URIRef(request_page(site_url(), entry))))
        return items

    def _share_concept(self, code: str) -> URIRef:
        """The share-type concept, described enough to be read without fetching the scheme."""
        base = vocabulary_base()
        concept = vocab.share_type_uri(base, code)
        g = self.g
        if (concept, RDF.type, SKOS.Concept) not in g:
            g.add((concept, RDF.type, SKOS.Concept))
            g.add((concept, SKOS.inScheme, vocab.scheme_uri(base)))
            g.add((concept, SKOS.notation, Literal(code)))
            g.add((concept, SKOS.prefLabel, Literal(_SHARE_LABELS[code].en, lang="en")))
            g.add((concept, SKOS.prefLabel, Literal(_SHARE_LABELS[code].zh, lang="zh")))
            g.add((concept, SKOS.broader, vocab.SHARE_TYPE_BROADER[code]))
        return concept

    def _data_item(self, item: Mapping[str, Any], position: int) -> BNode:
        g = self.g
        node = BNode()
        g.add((node, RDF.type, GOVSHARE.DataItem))
        g.add((node, GOVSHARE.position, Literal(position, datatype=XSD.nonNegativeInteger)))
        if _text(item.get("name")):
            g.add((node, DCT.title, Literal(str(item["name"]).strip())))
        if _text(item.get("data_type")):
            g.add((node, GOVSHARE.dataType, Literal(str(item["data_type"]))))
        length = item.get("length")
        if length not in (None, ""):
            with contextlib.suppress(TypeError, ValueError):
                g.add(
                    (node, GOVSHARE.length, Literal(int(length), datatype=XSD.nonNegativeInteger))
                )
        if _text(item.get("description")):
            g.add((node, DCT.description, Literal(str(item["description"]).strip())))
        if item.get("base_item") not in (None, ""):
            base_item = str(item["base_item"]).lower() == "true"
            g.add((node, GOVSHARE.baseItem, Literal(base_item)))
        if item.get("share_type") in vocab.SHARE_TYPE_BROADER:
            g.add((node, GOVSHARE.shareType, self._share_concept(item["share_type"])))
        return node

    def _distributions_without_links(
        self, entry: Mapping[str, Any], distributions: Mapping[str, Node]
    ) -> None:
        """A distribution the reader may not download points to the request page (art. 12)."""
        page = URIRef(request_page(site_url(), entry))
        for resource in entry.get("resources") or []:
            if resource.get("url"):
                continue
            distribution = distributions.get(str(resource.get("id") or ""))
            if distribution is None:
                continue
            self.g.remove((distribution, DCAT_NS.downloadURL, None))
            self.g.remove((distribution, DCAT_NS.accessURL, None))
            self.g.add((distribution, DCAT_NS.accessURL, page))

    # ------------------------------------------------------------------ reading

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> dict[str, Any]:
        dataset_dict = super().parse_dataset(dataset_dict, dataset_ref)
        return self._parse_share_metadata(dataset_dict, dataset_ref)

    def _parse_share_metadata(self, data: dict[str, Any], ref: Node) -> dict[str, Any]:
        g = self.g
        extras = {e["key"]: e["value"] for e in data.get("extras") or []}

        def taken(key: str) -> Any:
            """A value the DCAT-AP 3 profile parsed, at the top level or among the extras."""
            return data.get(key) if data.get(key) not in (None, "") else extras.get(key)

        result: dict[str, Any] = {}
        result["open_to_public"] = vocab.open_to_public(taken("access_rights"))
        result["update_cycle"] = vocab.update_cycle(taken("frequency"))
        issued = str(taken("issued") or "")
        result["release_date"] = issued[:10] if _DATE.match(issued) else None
        result["provider_code"] = _text(taken("publisher_identifier"))
        contact = _contact(data, extras)
        result.update(contact)

        for key, predicate in TEXT_FIELDS.items():
            result[key] = _text(g.value(ref, predicate))
        for key, predicate in LIST_FIELDS.items():
            values = sorted(str(v) for v in g.objects(ref, predicate))
            if key == "share_methods":  # in the code list's order, as the schema keeps them
                values.sort(key=lambda v: (_METHOD_ORDER.get(v, len(_METHOD_ORDER)), v))
            result[key] = values or None
        result["share_type"] = self._share_code(g.value(ref, GOVSHARE.shareType))
        items = [self._parse_data_item(node) for node in g.objects(ref, GOVSHARE.dataItem)]
        items.sort(key=lambda pair: pair[0])
        result["data_items"] = [item for _, item in items] or None

        # Only what the schema takes: drop the DCAT-AP 3 keys we mapped, keep the rest.
        for key in ("contact", "publisher", "creator", "theme", *_CONSUMED_EXTRAS):
            if key not in result and not self._schema_field(key):
                data.pop(key, None)
        for key, value in result.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        page = g.value(ref, GOVSHARE.requestPage)
        kept = [e for e in data.get("extras") or [] if e["key"] not in _CONSUMED_EXTRAS]
        kept = [e for e in kept if e["key"] not in result]
        if page is not None:
            kept.append({"key": REQUEST_PAGE_EXTRA, "value": str(page)})
        data["extras"] = kept
        self._parse_resources(data, str(page) if page is not None else None)
        distributions = {str(d): d for d in g.objects(ref, DCAT_NS.distribution)}
        for resource in data.get("resources") or []:
            distribution = distributions.get(str(resource.get("distribution_ref") or ""))
            if distribution is not None:
                self._parse_format(resource, distribution)
                services = access_service.parse(g, distribution)
                if services:
                    resource[access_service.ACCESS_SERVICES] = json.dumps(
                        services, ensure_ascii=False
                    )
                else:
                    resource.pop(access_service.ACCESS_SERVICES, None)
        return data

    def _parse_format(self, resource: dict[str, Any], distribution: Node) -> None:
        """``format`` and ``mimetype`` back from the IRIs (or a lower platform's literals):
        the label the file type was written with, the IANA type as ``type/subtype``."""
        g = self.g
        fmt = g.value(distribution, DCT["format"])
        label: str | None = None
        mimetype = media.media_type(str(g.value(distribution, DCAT_NS.mediaType) or ""))
        if isinstance(fmt, Literal):
            label = str(fmt).strip() or None
            if mimetype is None and "/" in (label or ""):
                mimetype = media.media_type(label)  # a media type as the format (DCAT 1)
        elif fmt is not None:
            labels = sorted({str(v) for v in g.objects(fmt, RDFS.label)})
            if isinstance(fmt, URIRef) and media.is_file_type_iri(str(fmt)):
                code = media.file_type_code(str(fmt))
                fallback = media.label_of(code) if code else str(fmt).rpartition("/")[2]
                label = labels[0] if len(labels) == 1 else fallback
            elif isinstance(fmt, URIRef) and media.is_iana_iri(str(fmt)):
                label = media.media_type(str(fmt))
            else:
                label = labels[0] if labels else None
        if label is None and mimetype is not None:
            code = media.file_type_code(mimetype)
            label = media.label_of(code) if code else None
        for key, value in (("format", label), ("mimetype", mimetype)):
            if value:
                resource[key] = value
            else:
                resource.pop(key, None)

    def _share_code(self, concept: Node | None) -> str | None:
        if concept is None:
            return None
        notation = self.g.value(concept, SKOS.notation)
        return vocab.share_type_code(str(concept), str(notation) if notation else None)

    def _parse_data_item(self, node: Node) -> tuple[int, dict[str, Any]]:
        g = self.g
        item: dict[str, Any] = {}
        name = _text(g.value(node, DCT.title))
        if name is not None:
            item["name"] = name
        data_type = _text(g.value(node, GOVSHARE.dataType))
        if data_type is not None:
            item["data_type"] = data_type
        length = g.value(node, GOVSHARE.length)
        if length is not None:
            with contextlib.suppress(TypeError, ValueError):
                item["length"] = int(length)
        description = _text(g.value(node, DCT.description))
        if description is not None:
            item["description"] = description
        base_item = g.value(node, GOVSHARE.baseItem)
        if base_item is not None:
            item["base_item"] = "true" if base_item.toPython() is True else "false"
        share_type = self._share_code(g.value(node, GOVSHARE.shareType))
        if share_type is not None:
            item["share_type"] = share_type
        position = g.value(node, GOVSHARE.position)
        try:
            order = int(position) if position is not None else 1 << 30
        except (TypeError, ValueError):
            order = 1 << 30
        return order, item

    @staticmethod
    def _parse_resources(data: dict[str, Any], page: str | None) -> None:
        """A distribution whose only link is the request page has no link to data."""
        for resource in data.get("resources") or []:
            if page and resource.get("url") == page:
                resource["url"] = ""
                resource.pop("access_url", None)
                resource.pop("download_url", None)


def _distributions(entry: Mapping[str, Any]) -> dict[str, Node]:
    """Each resource's distribution node, by resource id, as the DCAT-AP profile names it."""
    return {
        str(r["id"]): CleanedURIRef(resource_uri(dict(r)))
        for r in entry.get("resources") or []
        if r.get("id")
    }


def _contact(data: Mapping[str, Any], extras: Mapping[str, Any]) -> dict[str, Any]:
    """``maintainer`` and ``maintainer_email`` from the DCAT contact point."""
    name = extras.get("contact_name")
    email = extras.get("contact_email")
    contacts = data.get("contact")
    if isinstance(contacts, list) and contacts and isinstance(contacts[0], dict):
        name = name or contacts[0].get("name")
        email = email or contacts[0].get("email")
    email = str(email or "")
    if email.startswith("mailto:"):
        email = email[len("mailto:") :]
    return {"maintainer": _text(name), "maintainer_email": _text(email)}

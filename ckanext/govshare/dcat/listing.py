"""The ``govshare_list`` ckanext-dcat profile: catalogue pages that name their entries and say
nothing else of them (issue 20, item 4; docs/federation.md, "What a re-harvest reads").

An upper platform's incremental DCAT job learns of deletions upstream from the catalogue's
count; when the count differs, it needs the guid of every entry the lower platform holds. Read
from the full pages, that is rdflib's parse of every entry's metadata: 1,000 pages of about
1.45 MB of Turtle for 100,000 entries, 9–16 minutes of the upper's CPU (docs/benchmarks.md).
Asked for with ``profiles=govshare_list``, the same endpoint (the same search, paging, filters
and the reader's visibility: only the profile differs) writes each entry as its URI typed
``dcat:Dataset``, the guid the harvester derives from a full page (``_page_guids``), in about
1 % of the bytes. A lower platform without this profile answers 409 (ckanext-dcat: unknown
profile), and the harvester reads the full pages as before.

Nothing here is for import: ``parse_dataset`` leaves the dict as it is, and the harvester never
gathers from a listing.
"""

from __future__ import annotations

from typing import Any

from ckanext.dcat.profiles import DCAT, RDF, RDFProfile
from rdflib.term import Node

#: The profile's name, as ``setup.py`` registers it (``ckan.rdf.profiles``) and as an upper
#: platform asks for it (``?profiles=govshare_list``).
PROFILE = "govshare_list"


class GovshareListProfile(RDFProfile):
    """Each entry of a catalogue page as its URI typed ``dcat:Dataset``, and nothing else."""

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        self.g.add((dataset_ref, RDF.type, DCAT.Dataset))

    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None, catalog_ref: Node) -> None:
        """The catalogue node itself is the serializer's; this profile adds nothing to it."""

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> dict[str, Any]:
        return dataset_dict

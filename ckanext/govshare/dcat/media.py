"""Formats and media types as DCAT-AP 3 wants them (issue 20, item 1).

DCAT-AP 3 (§ Distribution) takes ``dct:format`` as a ``dct:MediaTypeOrExtent`` and recommends
the EU file-type authority table; ``dcat:mediaType`` is a ``dct:MediaType`` from IANA's
media-type register. Both are IRIs in the SHACL shapes (``sh:nodeKind sh:BlankNodeOrIRI``), so
the literal ``"text/csv"`` CKAN stores for an upload fails validation.

Plain Python over strings: what a resource's ``format`` and ``mimetype`` become, and back.
An odd value never makes the export invalid: a format outside the EU table keeps its label on
a blank ``dct:MediaTypeOrExtent`` (still valid, and read back), a media type IANA does not
register (``x-`` subtypes, unknown top-level types, garbage) is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FILE_TYPE_BASE = "http://publications.europa.eu/resource/authority/file-type/"
IANA_BASE = "http://www.iana.org/assignments/media-types/"

# Codes of the EU file-type authority table (op.europa.eu, "File type") that a catalogue may
# meet, with the label CKAN's own format list (ckan/config/resource_formats.json) uses for
# each, so a round trip gives back the label CKAN's form would have stored.
FILE_TYPES: dict[str, str] = {
    "7Z": "7Z",
    "ARC": "ARC",
    "ATOM": "Atom Feed",
    "BIN": "BIN",
    "BMP": "BMP",
    "CSS": "CSS",
    "CSV": "CSV",
    "DBF": "dBase",
    "DCR": "DCR",
    "DMP": "DMP",
    "DOC": "DOC",
    "DOCX": "DOCX",
    "E00": "E00",
    "ECW": "ECW",
    "EPS": "EPS",
    "EPUB": "EPUB",
    "GDB": "GDB",
    "GEOJSON": "GeoJSON",
    "GIF": "GIF",
    "GML": "GML",
    "GMZ": "GMZ",
    "GPKG": "GPKG",
    "GZIP": "GZ",
    "HDF": "HDF",
    "HTML": "HTML",
    "JPEG": "JPEG",
    "JPEG2000": "JPEG2000",
    "JSON": "JSON",
    "JSON_LD": "JSON-LD",
    "KML": "KML",
    "KMZ": "KMZ",
    "LAS": "LAS",
    "LAZ": "LAZ",
    "MAP_PRVW": "ArcGIS Map Preview",
    "MAP_SRVC": "ArcGIS Map Service",
    "MDB": "MDB",
    "MOBI": "MOBI",
    "MOP": "MOP",
    "MXD": "MXD",
    "N3": "N3",
    "NETCDF": "NetCDF",
    "OCTET": "OCTET",
    "ODB": "ODB",
    "ODC": "ODC",
    "ODF": "ODF",
    "ODG": "ODG",
    "ODP": "ODP",
    "ODS": "ODS",
    "ODT": "ODT",
    "OWL": "OWL",
    "PDF": "PDF",
    "PDFA1A": "PDF/A-1a",
    "PDFA1B": "PDF/A-1b",
    "PNG": "PNG",
    "PPS": "PPS",
    "PPSX": "PPSX",
    "PPT": "PPT",
    "PPTX": "PPTX",
    "PS": "PS",
    "PSD": "PSD",
    "RAR": "RAR",
    "RDF": "RDF",
    "RDFA": "RDFa",
    "RDF_N_QUADS": "N-Quads",
    "RDF_N_TRIPLES": "N-Triples",
    "RDF_TRIG": "TriG",
    "RDF_TURTLE": "Turtle",
    "RDF_XML": "RDF/XML",
    "REST": "Esri REST",
    "RSS": "RSS",
    "RTF": "RTF",
    "SCHEMA_XML": "XSD",
    "SDMX": "SDMX",
    "SHP": "SHP",
    "SKOS_XML": "SKOS",
    "SPARQLQ": "SPARQL",
    "SPARQLQRES": "SPARQL results",
    "SVG": "SVG",
    "TAB": "TAB",
    "TAR": "TAR",
    "TAR_GZ": "TAR GZ",
    "TAR_XZ": "TAR XZ",
    "TIFF": "TIFF",
    "TSV": "TSV",
    "TXT": "TXT",
    "WCS_SRVC": "WCS",
    "WFS_SRVC": "WFS",
    "WMS_SRVC": "WMS",
    "WMTS_SRVC": "WMTS",
    "XHTML": "XHTML",
    "XLS": "XLS",
    "XLSX": "XLSX",
    "XML": "XML",
    "XSLT": "XSLT",
    "XYZ": "XYZ",
    "ZIP": "ZIP",
}

# Other spellings of a format (upper case, anything but letters and digits as "_") → its code.
_FORMAT_ALIASES: dict[str, str] = {
    "ATOM_FEED": "ATOM",
    "DBASE": "DBF",
    "GZ": "GZIP",
    "TGZ": "TAR_GZ",
    "HTM": "HTML",
    "JPG": "JPEG",
    "JP2": "JPEG2000",
    "JSONLD": "JSON_LD",
    "NC": "NETCDF",
    "TIF": "TIFF",
    "TEXT": "TXT",
    "SHAPEFILE": "SHP",
    "ESRI_SHAPE": "SHP",
    "ESRI_SHAPEFILE": "SHP",
    "TURTLE": "RDF_TURTLE",
    "TTL": "RDF_TURTLE",
    "NT": "RDF_N_TRIPLES",
    "N_TRIPLES": "RDF_N_TRIPLES",
    "NQ": "RDF_N_QUADS",
    "N_QUADS": "RDF_N_QUADS",
    "TRIG": "RDF_TRIG",
    "RDF_XML": "RDF_XML",
    "XSD": "SCHEMA_XML",
    "SKOS": "SKOS_XML",
    "SPARQL": "SPARQLQ",
    "SPARQL_RESULTS": "SPARQLQRES",
    "ESRI_REST": "REST",
    "ARCGIS_MAP_PREVIEW": "MAP_PRVW",
    "ARCGIS_MAP_SERVICE": "MAP_SRVC",
    "WMS": "WMS_SRVC",
    "WFS": "WFS_SRVC",
    "WCS": "WCS_SRVC",
    "WMTS": "WMTS_SRVC",
    "OCTET_STREAM": "OCTET",
    "TAR_GZIP": "TAR_GZ",
    "PDF_A_1A": "PDFA1A",
    "PDF_A_1B": "PDFA1B",
    "EXCEL": "XLSX",
}

# IANA media types (registered) → the EU file type they are, for a resource whose format is
# empty or is itself a media type ("text/csv" typed into the form's format field).
_MEDIA_FILE_TYPES: dict[str, str] = {
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
    "text/plain": "TXT",
    "text/html": "HTML",
    "text/turtle": "RDF_TURTLE",
    "text/n3": "N3",
    "text/css": "CSS",
    "application/json": "JSON",
    "application/ld+json": "JSON_LD",
    "application/geo+json": "GEOJSON",
    "application/xml": "XML",
    "text/xml": "XML",
    "application/rdf+xml": "RDF_XML",
    "application/n-triples": "RDF_N_TRIPLES",
    "application/n-quads": "RDF_N_QUADS",
    "application/trig": "RDF_TRIG",
    "application/pdf": "PDF",
    "application/zip": "ZIP",
    "application/gzip": "GZIP",
    "application/vnd.rar": "RAR",
    "application/vnd.ms-excel": "XLS",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/msword": "DOC",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.ms-powerpoint": "PPT",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PPTX",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.oasis.opendocument.presentation": "ODP",
    "application/vnd.google-earth.kml+xml": "KML",
    "application/vnd.google-earth.kmz": "KMZ",
    "application/atom+xml": "ATOM",
    "application/rss+xml": "RSS",
    "application/rtf": "RTF",
    "application/owl+xml": "OWL",
    "application/xslt+xml": "XSLT",
    "application/octet-stream": "OCTET",
    "application/geopackage+sqlite3": "GPKG",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/tiff": "TIFF",
    "image/svg+xml": "SVG",
    "image/bmp": "BMP",
}

# Top-level types IANA registers (RFC 6838 § 4.2; "example" is for documentation only).
TOP_LEVEL_TYPES = frozenset(
    {
        "application",
        "audio",
        "font",
        "haptics",
        "image",
        "message",
        "model",
        "multipart",
        "text",
        "video",
    }
)
# RFC 6838 § 4.2: a restricted name, at most 127 characters.
_RESTRICTED_NAME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")

# Unregistered spellings (``x-`` subtypes, RFC 6838 § 3.4) common in the wild, and CKAN's own
# list, → the registered type they mean.
_MEDIA_ALIASES: dict[str, str] = {
    "application/csv": "text/csv",
    "text/x-csv": "text/csv",
    "text/comma-separated-values": "text/csv",
    "application/x-csv": "text/csv",
    "application/x-json": "application/json",
    "text/json": "application/json",
    "application/x-zip-compressed": "application/zip",
    "application/x-zip": "application/zip",
    "application/x-gzip": "application/gzip",
    "application/x-pdf": "application/pdf",
    "application/rar": "application/vnd.rar",
    "application/x-rar-compressed": "application/vnd.rar",
    "application/vnd.geo+json": "application/geo+json",
    "application/vnd.google-earth.kmz+xml": "application/vnd.google-earth.kmz",
    "image/x-ms-bmp": "image/bmp",
    "image/pjpeg": "image/jpeg",
    "application/x-n3": "text/n3",
    "application/x-turtle": "text/turtle",
    "application/x-rdf+xml": "application/rdf+xml",
}


@dataclass(frozen=True)
class Format:
    """What a resource's format is written as: an EU file type (``code``), or, outside the
    table, its ``label`` on a blank node; ``None`` for neither."""

    code: str | None
    label: str

    @property
    def iri(self) -> str | None:
        return FILE_TYPE_BASE + self.code if self.code else None


# A format label longer than this is no format (it is kept out of the export).
MAX_LABEL = 100


def _key(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text.strip()).strip("_").upper()


def _http(iri: str) -> str:
    text = iri.strip()
    return "http://" + text[len("https://") :] if text.startswith("https://") else text


def file_type_code(label: str | None) -> str | None:
    """The EU file-type code of a format label (``CSV``, ``xlsx``, ``GeoJSON``, an EU IRI,
    a media type), or ``None`` when the table has none."""
    text = (label or "").strip()
    if not text:
        return None
    if is_file_type_iri(text):
        code = _http(text)[len(FILE_TYPE_BASE) :]
        return code if code in FILE_TYPES else None
    media = media_type(text) if "/" in text else None
    if media is not None:
        return _MEDIA_FILE_TYPES.get(media)
    key = _key(text)
    if key in FILE_TYPES:
        return key
    return _FORMAT_ALIASES.get(key)


def resource_format(fmt: str | None, mimetype: str | None = None) -> Format | None:
    """How a resource's format is exported: its EU file type, else the media type's, else
    its own label kept on a blank node; ``None`` for a resource with neither."""
    label = (fmt or "").strip()
    code = file_type_code(label) if label else None
    if code is None and (not label or "/" in label):
        media = media_type(mimetype)
        code = _MEDIA_FILE_TYPES.get(media) if media else None
    if label.lower().startswith(("http://", "https://")):
        # An IRI as the format (harvested): an EU file type or an IANA media type is known by
        # its code; any other IRI says nothing DCAT-AP can use.
        return Format(code, FILE_TYPES[code]) if code else None
    if code is not None:
        return Format(code, label or FILE_TYPES[code])
    if not label or media_type(label) is not None or len(label) > MAX_LABEL:
        return None  # no format, or a media type (written as dcat:mediaType only)
    return Format(None, label)


def resource_media_type(fmt: str | None, mimetype: str | None) -> str | None:
    """The registered media type a resource is exported with: its ``mimetype`` (CKAN detects
    one for an upload), else a media type typed as its format; ``None`` for anything else."""
    media = media_type(mimetype)
    if media is None and "/" in (fmt or ""):
        media = media_type(fmt)
    return media


def label_of(code: str) -> str:
    """The format label CKAN's own list gives a file-type code (the code itself otherwise)."""
    return FILE_TYPES.get(code, code)


def is_file_type_iri(iri: str) -> bool:
    return _http(iri).startswith(FILE_TYPE_BASE)


def media_type(value: str | None) -> str | None:
    """A registered IANA media type (``type/subtype``) of ``value`` — a media type, with or
    without parameters, or an IANA IRI — or ``None`` when IANA registers none."""
    text = (value or "").strip()
    if not text:
        return None
    if is_iana_iri(text):
        text = _http(text)[len(IANA_BASE) :]
    text = text.split(";", 1)[0].strip().lower()
    text = _MEDIA_ALIASES.get(text, text)
    top, _, sub = text.partition("/")
    if top not in TOP_LEVEL_TYPES or not _RESTRICTED_NAME.match(sub.lower()):
        return None
    if sub.startswith(("x-", "x.")):
        return None  # unregistered (RFC 6838 § 3.4): IANA has no page for it
    return text


def media_type_iri(value: str | None) -> str | None:
    """The IANA IRI of a media type (``http://www.iana.org/assignments/media-types/text/csv``),
    or ``None``."""
    media = media_type(value)
    return IANA_BASE + media if media else None


def is_iana_iri(iri: str) -> bool:
    return _http(iri).startswith(IANA_BASE)

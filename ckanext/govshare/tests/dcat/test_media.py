"""Formats and media types as DCAT-AP 3 takes them, without a database (issue 20, item 1)."""

from __future__ import annotations

import pytest

from ckanext.govshare.dcat import media

pytestmark = pytest.mark.unit

EU = media.FILE_TYPE_BASE
IANA = media.IANA_BASE


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("CSV", "CSV"),
        ("csv", "CSV"),
        (" xlsx ", "XLSX"),
        ("GeoJSON", "GEOJSON"),
        ("JSON-LD", "JSON_LD"),
        ("RDF/XML", "RDF_XML"),
        ("Turtle", "RDF_TURTLE"),
        ("PDF/A-1a", "PDFA1A"),
        ("jpg", "JPEG"),
        ("Shapefile", "SHP"),
        ("dBase", "DBF"),
        ("WMS", "WMS_SRVC"),
        ("text/csv", "CSV"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
        (f"{EU}CSV", "CSV"),
        ("https://publications.europa.eu/resource/authority/file-type/ZIP", "ZIP"),
        (f"{IANA}application/json", "JSON"),
    ],
)
def test_format_labels_become_eu_file_types(label: str, code: str) -> None:
    assert media.file_type_code(label) == code


@pytest.mark.parametrize("label", ["", "   ", None, "某种格式", "foo/bar", f"{EU}NOT_A_CODE"])
def test_a_format_outside_the_table_has_no_file_type(label: str | None) -> None:
    assert media.file_type_code(label) is None


def test_every_file_type_label_reads_back_as_its_code() -> None:
    assert len(media.FILE_TYPES) > 50  # the EU file-type table, not an empty mapping
    for code, label in media.FILE_TYPES.items():
        assert media.file_type_code(label) == code, (code, label)
        assert media.label_of(code) == label


@pytest.mark.parametrize(
    ("fmt", "mimetype", "expected"),
    [
        ("CSV", "text/csv", media.Format("CSV", "CSV")),  # an upload: CKAN's detected type
        ("csv", None, media.Format("CSV", "csv")),  # the label as typed is kept
        ("", "text/csv", media.Format("CSV", "CSV")),  # a DataStore table without a format
        (None, "application/pdf", media.Format("PDF", "PDF")),
        ("text/csv", None, media.Format("CSV", "text/csv")),
        ("统计报表", None, media.Format(None, "统计报表")),  # kept as a label on a blank node
        ("", None, None),  # no format at all
        ("", "application/x-unknown", None),
        ("x" * (media.MAX_LABEL + 1), None, None),
        ("http://example.org/formats/mine", None, None),  # an IRI DCAT-AP cannot use
        (f"{EU}XLSX", None, media.Format("XLSX", "XLSX")),
    ],
)
def test_resource_format(
    fmt: str | None, mimetype: str | None, expected: media.Format | None
) -> None:
    assert media.resource_format(fmt, mimetype) == expected


def test_format_iri() -> None:
    assert media.Format("CSV", "csv").iri == f"{EU}CSV"
    assert media.Format(None, "统计报表").iri is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text/csv", "text/csv"),
        ("TEXT/CSV; charset=utf-8", "text/csv"),
        (f"{IANA}text/csv", "text/csv"),
        ("https://www.iana.org/assignments/media-types/application/json", "application/json"),
        ("application/vnd.ms-excel", "application/vnd.ms-excel"),
        ("application/geo+json", "application/geo+json"),
        ("application/x-zip-compressed", "application/zip"),  # common unregistered spellings
        ("text/x-csv", "text/csv"),
        ("image/x-ms-bmp", "image/bmp"),
        ("application/x-unknown", None),  # x- subtypes are unregistered (RFC 6838 § 3.4)
        ("chemical/x-mopac-input", None),  # no such top-level type
        ("example/foo", None),
        ("text", None),
        ("text/", None),
        ("text/csv<script>", None),
        ("CSV", None),
        ("", None),
        (None, None),
    ],
)
def test_media_types_are_registered_iana_types_or_nothing(
    value: str | None, expected: str | None
) -> None:
    assert media.media_type(value) == expected
    assert media.media_type_iri(value) == (IANA + expected if expected else None)


@pytest.mark.parametrize(
    ("fmt", "mimetype", "expected"),
    [
        ("CSV", "text/csv", "text/csv"),
        ("application/json", None, "application/json"),  # a media type typed as the format
        ("CSV", None, None),  # a format alone says no media type: none is invented
        ("CSV", "application/x-foo", None),
    ],
)
def test_resource_media_type(fmt: str, mimetype: str | None, expected: str | None) -> None:
    assert media.resource_media_type(fmt, mimetype) == expected

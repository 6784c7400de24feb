"""The embedded backend types every field as the production Solr schema does."""

from __future__ import annotations

import xml.dom.minidom
from pathlib import Path

import pytest

from ckanext.govshare.search.fields import Kind, is_stored, kind_of

pytestmark = pytest.mark.unit

SCHEMA = Path(__file__).resolve().parents[4] / "docker" / "solr" / "schema.xml"
KINDS = {
    "string": Kind.STRING,
    "text": Kind.TEXT,
    "text_general": Kind.TEXT,
    "text_ngram": Kind.NGRAM,
    "date": Kind.DATE,
    "pdate": Kind.DATE,
    "int": Kind.INT,
}


def _fields(tag: str) -> list[tuple[str, str, bool]]:
    doc = xml.dom.minidom.parse(str(SCHEMA))
    return [
        (e.getAttribute("name"), e.getAttribute("type"), e.getAttribute("stored") != "false")
        for e in doc.getElementsByTagName(tag)
    ]


def test_explicit_fields_have_the_same_kind_and_storage():
    checked = 0
    for name, solr_type, stored in _fields("field"):
        if solr_type not in KINDS or name == "_version_":
            continue
        assert kind_of(name) == KINDS[solr_type], name
        assert is_stored(name) == stored, name
        checked += 1
    assert checked > 40


def test_dynamic_fields_have_the_same_kind():
    fields = _fields("dynamicField")
    assert fields
    for pattern, solr_type, _stored in fields:
        example = pattern.replace("*", "anything")
        assert kind_of(example) == KINDS[solr_type], pattern

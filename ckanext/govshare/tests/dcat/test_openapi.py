"""The service interface's OpenAPI description (issue 20, item 2), without a database."""

from __future__ import annotations

import json

import pytest

from ckanext.govshare.dcat import openapi
from ckanext.govshare.interface import rules

pytestmark = pytest.mark.unit

SITE = "https://province.example.gov.cn"


def test_the_document_describes_both_calls_with_the_interface_bounds() -> None:
    doc = openapi.document(SITE, max_limit=1000)
    assert doc["openapi"].startswith("3.0")
    assert doc["servers"] == [{"url": SITE}]
    assert set(doc["paths"]) == {"/govshare/query/{resource_id}", "/govshare/verify/{resource_id}"}
    query = doc["paths"]["/govshare/query/{resource_id}"]["get"]
    params = {p["name"]: p for p in query["parameters"]}
    assert set(params) == {
        "resource_id",
        "fields",
        "filters",
        "q",
        "sort",
        "limit",
        "offset",
        "cursor",
    }
    assert params["limit"]["schema"]["maximum"] == 1000
    assert params["limit"]["schema"]["default"] == rules.DEFAULT_LIMIT
    assert params["q"]["schema"]["maxLength"] == rules.MAX_Q
    assert str(rules.MAX_FIELDS) in params["fields"]["description"]
    verify = doc["paths"]["/govshare/verify/{resource_id}"]["post"]
    body = verify["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert body["match_on"]["maxProperties"] == rules.MAX_MATCH_ON
    assert body["check"]["maxProperties"] == rules.MAX_CHECK
    # Only a bearer token, never a key in the address.
    assert doc["security"] == [{"grantToken": []}]
    assert doc["components"]["securitySchemes"]["grantToken"] == {
        **doc["components"]["securitySchemes"]["grantToken"],
        "type": "http",
        "scheme": "bearer",
    }
    for operation in (query, verify):
        assert {"200", "401", "403", "404", "409", "429"} <= set(operation["responses"])


def test_every_reference_resolves() -> None:
    doc = openapi.document(SITE, max_limit=500)
    text = json.dumps(doc)
    refs = set()
    for part in text.split('"$ref": "')[1:]:
        refs.add(part.split('"', 1)[0])
    assert refs
    for ref in refs:
        node = doc
        for key in ref.removeprefix("#/").split("/"):
            node = node[key]
        assert isinstance(node, dict), ref


def test_every_description_is_in_both_languages() -> None:
    doc = openapi.document(SITE, max_limit=500)
    found = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("description", "summary", "title") and isinstance(value, str):
                    found.append(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    assert found
    for text in found:
        en, _, zh = text.partition(" | ")
        assert en and zh, text

"""Turns the document CKAN builds for Solr into one row of the embedded index.

CKAN's ``PackageSearchIndex.index_package`` builds the document (validated dataset dict,
flattened resources, extras, facet values from ``before_dataset_index``, permission labels);
this module only decides how each of its fields is stored for matching, faceting and sorting.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from . import analysis
from .fields import (
    TEXT_SOURCE_PREFIXES,
    TEXT_SOURCES_A,
    TEXT_SOURCES_B,
    TEXT_SOURCES_D,
    Kind,
    kind_of,
)


@dataclass
class IndexRow:
    index_id: str
    package_id: str
    site_id: str
    doc: str  # JSON of the document as Solr stores it
    terms: str  # JSON: field -> exact values; "t:<field>" -> analysed terms of text fields
    tsv: str  # tsvector literal: every term with its positions and weight
    title_string: str | None
    name: str | None
    metadata_created: dt.datetime | None
    metadata_modified: dt.datetime | None


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [v for v in value if v is not None]
    return [value]


def exact_value(value: Any) -> str:
    """A value as Solr indexes it in a string field (booleans lower-case, as Solr's)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def parse_solr_date(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if not value:
        return None
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


_MAX_POSITION = 16383  # PostgreSQL's limit on tsvector positions


def tsvector_literal(weighted: list[tuple[str, list[Any]]]) -> str:
    """A tsvector in PostgreSQL's text form, built here so no SQL parser re-splits the terms.

    Positions let ``ts_rank`` weigh a match in a title (A) above one in a tag (B) or the
    abstract (D), as dismax weighs ``title^4 tags^2 text``.
    """
    positions: dict[str, list[str]] = {}
    pos = 0
    for weight, values in weighted:
        for value in values:
            for term in analysis.index_terms([value]):
                pos = min(pos + 1, _MAX_POSITION)
                entries = positions.setdefault(term, [])
                if len(entries) < 256:  # PostgreSQL keeps at most 256 positions per lexeme
                    entries.append(f"{pos}{weight}")
    parts = []
    for term, entries in positions.items():
        quoted = term.replace("\\", "\\\\").replace("'", "''")
        parts.append(f"'{quoted}':{','.join(entries)}")
    return " ".join(parts)


def _is_text_source(field: str) -> bool:
    return field in TEXT_SOURCES_D or field.startswith(TEXT_SOURCE_PREFIXES)


def build_row(doc: dict[str, Any]) -> IndexRow:
    terms: dict[str, list[str]] = {}
    weight_a: list[Any] = []
    weight_b: list[Any] = []
    weight_d: list[Any] = []
    for field, value in doc.items():
        values = _values(value)
        if not values:
            continue
        kind = kind_of(field)
        if field == "text":
            pass  # matched through the weighted full-text vector below
        elif kind in (Kind.TEXT, Kind.NGRAM):
            terms["t:" + field] = analysis.index_terms(values)
        else:
            terms[field] = [exact_value(v) for v in values]
        if field in TEXT_SOURCES_A:
            weight_a.extend(values)
        elif field in TEXT_SOURCES_B:
            weight_b.extend(values)
        elif _is_text_source(field):
            weight_d.extend(values)

    title = doc.get("title_string") or doc.get("title")
    return IndexRow(
        index_id=str(doc["index_id"]),
        package_id=str(doc["id"]),
        site_id=str(doc.get("site_id") or ""),
        doc=json.dumps(doc, ensure_ascii=False, default=str),
        terms=json.dumps(terms, ensure_ascii=False),
        tsv=tsvector_literal([("A", weight_a), ("B", weight_b), ("D", weight_d)]),
        title_string=str(title) if title else None,
        name=str(doc["name"]) if doc.get("name") else None,
        metadata_created=parse_solr_date(doc.get("metadata_created")),
        metadata_modified=parse_solr_date(doc.get("metadata_modified")),
    )

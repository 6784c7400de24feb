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
    NOT_INDEXED,
    TEXT_SOURCE_PREFIXES,
    TEXT_SOURCES_A,
    TEXT_SOURCES_B,
    TEXT_SOURCES_D,
    Kind,
    is_coded_facet,
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
    tsv_rank: str  # the name/title (A) and tags/groups (B) terms only: small, for ranking
    facet_pairs: list[tuple[str, str]]  # (field, value) of every facetable string value
    state: str | None
    capacity: str | None
    dataset_type: str | None
    entity_type: str | None
    permission_labels: list[str]
    # Sort keys: never empty, so an index serves every sort direction.
    title_string: str
    name: str
    metadata_created: dt.datetime
    metadata_modified: dt.datetime

    def params(self, facet_ids: list[int]) -> dict[str, Any]:
        values = {k: v for k, v in self.__dict__.items() if k != "facet_pairs"}
        return {**values, "facet_ids": facet_ids}


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


def to_millis(value: dt.datetime) -> dt.datetime:
    """A date in UTC at Solr's precision: Solr keeps milliseconds."""
    value = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    value = value.astimezone(dt.timezone.utc)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def solr_date_text(value: dt.datetime) -> str:
    """A date as Solr returns it: UTC with ``Z``, milliseconds only when there are any
    (``2014-06-10T08:24:12.782Z``, ``2014-03-22T00:00:00Z``)."""
    value = to_millis(value)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond // 1000:03d}"
    return text + "Z"


def date_term(value: dt.datetime) -> str:
    """A date as the index compares it: fixed width, so text order is time order."""
    value = to_millis(value)
    return value.strftime("%Y-%m-%dT%H:%M:%S") + f".{value.microsecond // 1000:03d}Z"


def _stored_date(value: Any) -> Any:
    parsed = parse_solr_date(value)
    return solr_date_text(parsed) if parsed is not None else value


def stored_document(doc: dict[str, Any]) -> dict[str, Any]:
    """The document as Solr stores it: date fields in Solr's form (see ``solr_date_text``)."""
    out = dict(doc)
    for field, value in doc.items():
        if value is None or kind_of(field) != Kind.DATE:
            continue
        if isinstance(value, (list, tuple)):
            out[field] = [_stored_date(v) for v in value]
        else:
            out[field] = _stored_date(value)
    return out


def _exact_terms(kind: Kind, values: list[Any]) -> list[str]:
    if kind == Kind.DATE:
        dates = [parse_solr_date(v) for v in values]
        return list(dict.fromkeys(date_term(d) for d in dates if d is not None))
    return list(dict.fromkeys(exact_value(v) for v in values))


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MAX_POSITION = 16383  # PostgreSQL's limit on tsvector positions


def tsvector_literal(weighted: list[tuple[str, list[Any]]], *, unigrams: bool = True) -> str:
    """A tsvector in PostgreSQL's text form, built here so no SQL parser re-splits the terms.

    Positions let ``ts_rank`` weigh a match in a title (A) above one in a tag (B) or the
    abstract (D), as dismax weighs ``title^4 tags^2 text``, and let a phrase (``<->``) match
    only words next to each other in one value: one position is left free between values, as
    Solr's ``positionIncrementGap`` keeps a phrase from spanning two values of a field.
    """
    positions: dict[str, list[str]] = {}
    pos = 1
    for weight, values in weighted:
        for value in values:
            terms, width = analysis.positioned_terms(str(value), unigrams=unigrams)
            for term, offset in terms:
                at = min(pos + offset, _MAX_POSITION)
                entries = positions.setdefault(term, [])
                if len(entries) < 256:  # PostgreSQL keeps at most 256 positions per lexeme
                    entries.append(f"{at}{weight}")
            if width:
                pos += width + 1
    parts = []
    for term, entries in positions.items():
        quoted = term.replace("\\", "\\\\").replace("'", "''")
        parts.append(f"'{quoted}':{','.join(dict.fromkeys(entries))}")
    return " ".join(parts)


def _is_text_source(field: str) -> bool:
    return field in TEXT_SOURCES_D or field.startswith(TEXT_SOURCE_PREFIXES)


def _scalar(doc: dict[str, Any], field: str) -> str | None:
    values = _values(doc.get(field))
    return exact_value(values[0]) if values else None


def build_row(doc: dict[str, Any]) -> IndexRow:
    terms: dict[str, list[str]] = {}
    facet_pairs: list[tuple[str, str]] = []
    weight_a: list[Any] = []
    weight_b: list[Any] = []
    weight_d: list[Any] = []
    for field, value in doc.items():
        values = _values(value)
        if not values:
            continue
        kind = kind_of(field)
        if field == "text" or field in NOT_INDEXED:
            pass  # text: matched through the weighted full-text vector below
        elif kind in (Kind.TEXT, Kind.NGRAM):
            terms["t:" + field] = analysis.index_terms(values)
        else:
            exact = _exact_terms(kind, values)
            terms[field] = exact
            if is_coded_facet(field):
                facet_pairs.extend((field, v) for v in exact)
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
        doc=json.dumps(stored_document(doc), ensure_ascii=False, default=str),
        terms=json.dumps(terms, ensure_ascii=False),
        tsv=tsvector_literal([("A", weight_a), ("B", weight_b), ("D", weight_d)]),
        tsv_rank=tsvector_literal([("A", weight_a), ("B", weight_b)], unigrams=False),
        facet_pairs=facet_pairs,
        state=_scalar(doc, "state"),
        capacity=_scalar(doc, "capacity"),
        dataset_type=_scalar(doc, "dataset_type"),
        entity_type=_scalar(doc, "entity_type"),
        permission_labels=[exact_value(v) for v in _values(doc.get("permission_labels"))],
        title_string=str(title or doc.get("name") or ""),
        name=str(doc.get("name") or ""),
        metadata_created=to_millis(parse_solr_date(doc.get("metadata_created")) or _EPOCH),
        metadata_modified=to_millis(parse_solr_date(doc.get("metadata_modified")) or _EPOCH),
    )

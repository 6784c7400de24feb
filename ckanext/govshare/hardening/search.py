"""The bounds of ``package_search`` parameters, checked before any search backend runs
(issue 14, item 4): the embedded PostgreSQL backend and Solr then answer a bad search alike.

Plain rules: no Flask, CKAN or SQLAlchemy. ``problems`` returns each bad parameter with what
to do, in English and Chinese (``core.messages.message``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..core.messages import message
from . import limits

# Characters of ``q``, of ``fq`` or of one ``fq_list`` filter.
MAX_QUERY = 10_000
# UTF-8 bytes of one term (a run without white space): PostgreSQL's text search refuses words
# over 2,047 bytes, Lucene terms over 32,766.
MAX_TERM_BYTES = 2_000
# Results skipped: deeper than any catalogue the platform is built for (docs/benchmarks.md).
MAX_START = 1_000_000
# Filters in ``fq_list``; fields in ``fl`` or ``facet.field``; characters of one field name.
MAX_FILTERS = 100
MAX_FIELDS = 100
MAX_FIELD = 100

QUERY_KEYS = ("q", "fq")
TEXT_KEYS = (*QUERY_KEYS, "sort", "qf", "facet", "defType", "mm", "df", "q.op", "bf", "boost")
TEXT_KEYS += ("tie", "wt")
LIST_KEYS = ("fq_list", "facet.field", "fl")
BOOLEAN_KEYS = ("include_private", "include_drafts", "include_deleted", "use_default_schema")
INTEGER_KEYS = {
    "rows": (0, limits.MAX_COUNT),
    "start": (0, MAX_START),
    "facet.limit": (-1, limits.MAX_COUNT),
    "facet.mincount": (0, limits.MAX_COUNT),
}

NOT_TRUE_FALSE = limits.NOT_YES_NO
NOT_A_FIELD_LIST = message(
    "Must be a list of field names (or a JSON list of them)", "须为字段名列表（或其 JSON 列表）"
)
EMPTY_SORT_CLAUSE = message(
    "Each sort clause names a field, and clauses are separated by commas "
    "(such as: title_string asc, metadata_modified desc)",
    "每个排序子句须写明字段，子句之间以逗号分隔（如：title_string asc, metadata_modified desc）",
)
TERM_TOO_LONG = message(
    f"A search term (a word with no space) is at most {MAX_TERM_BYTES} bytes long",
    f"单个检索词（不含空格的连续字符）不得超过{MAX_TERM_BYTES}字节",
)


def problems(data: Mapping[str, Any]) -> dict[str, str]:
    """Each parameter of ``data`` that no backend should be sent, with what is wrong with it."""
    found = dict(limits.input_problems(data))
    for key, value in data.items():
        if key in found:
            continue
        problem = _problem(key, value)
        if problem:
            found[key] = problem
    return found


def as_sent(data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` without the numbers and yes/no values sent empty, which ``problems`` takes for
    absent.

    CKAN does not: an empty ``start`` or ``facet.mincount`` (``?start=`` in a query string)
    passes ``ignore_missing``, becomes ``None`` in ``int_validator`` and fails the comparison of
    ``natural_number_validator``; an empty ``include_private`` fails ``asbool``. Both were 500s.
    Left out, each gets the default an absent one gets."""
    return {k: v for k, v in data.items() if not (v == "" and (k in _EMPTY_IS_ABSENT))}


# The parameters CKAN cannot take empty (``as_sent``).
_EMPTY_IS_ABSENT = frozenset({*INTEGER_KEYS, *BOOLEAN_KEYS})


def _problem(key: str, value: Any) -> str | None:
    if value is None or value == "":
        return None  # absent, as CKAN's own callers send what they were not given
    if key in INTEGER_KEYS:
        low, high = INTEGER_KEYS[key]
        return (
            None
            if limits.whole_number(value, low, high) is not None
            else limits.not_in_range(low, high)
        )
    if key in BOOLEAN_KEYS:
        return _boolean_problem(value)
    if key in TEXT_KEYS:
        return _text_problem(key, value)
    if key in LIST_KEYS:
        return _list_problem(key, value)
    return None


def _boolean_problem(value: Any) -> str | None:
    return None if limits.yes_no(value) is not None else NOT_TRUE_FALSE


def _text_problem(key: str, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return limits.NOT_TEXT
    text = str(value)
    if key in QUERY_KEYS:
        return _query_problem(text)
    if len(text) > MAX_QUERY:
        return limits.too_long(MAX_QUERY)
    if key == "sort":
        return sort_problem(text)
    return None


def sort_problem(text: str) -> str | None:
    """A sort with an empty clause (``title_string desc,``): CKAN's dataset page takes each
    clause's first word for the field and fails on an empty one with a 500, and Solr refuses
    it; refused alike on the page and the API."""
    return EMPTY_SORT_CLAUSE if any(not c.split() for c in text.split(",")) else None


def _query_problem(text: str) -> str | None:
    if len(text) > MAX_QUERY:
        return limits.too_long(MAX_QUERY)
    if any(len(term.encode("utf-8")) > MAX_TERM_BYTES for term in text.split()):
        return TERM_TOO_LONG
    return None


def _list_problem(key: str, value: Any) -> str | None:
    if key == "facet.field" and isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return NOT_A_FIELD_LIST
    if key == "fl" and isinstance(value, str):
        value = value.replace(",", " ").split()
    if key == "fq_list" and isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return NOT_A_FIELD_LIST if key != "fq_list" else limits.NOT_TEXT
    if len(value) > (MAX_FILTERS if key == "fq_list" else MAX_FIELDS):
        return limits.too_many(MAX_FILTERS if key == "fq_list" else MAX_FIELDS)
    for item in value:
        problem = (
            _query_problem(item) if key == "fq_list" else limits.reference_problem(item, MAX_FIELD)
        )
        if problem:
            return problem
    return None

"""Which searches the kept facet counts answer: those that filter on visibility only.

``govshare_search_facet_count`` keeps, per facet code, the number of index rows with each
combination of the columns CKAN filters every search by (``site_id``, ``state``, ``capacity``,
``dataset_type``, ``entity_type``) and of the rows' permission labels. A search whose ``q`` is
``*:*`` and whose filter queries only require values of those columns — the catalogue page
with no query, CKAN's ``+site_id:… +state:active +capacity:public +permission_labels:(…)`` —
selects whole groups of rows, so its counts are sums of kept counts. Anything else (a text
query, a facet filter, a range, a negation, an ``OR`` between fields) returns ``None`` and is
counted by a scan of the matching rows. The reading here is the compiler's: for these string
columns, ``field:value`` is equality and ``field:(a OR b)`` is either value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from luqum import tree
from luqum.exceptions import ParseError
from luqum.parser import parser as lucene_parser

#: Index columns kept in the counts table, by their Solr field name.
COLUMNS = {
    "site_id": "site_id",
    "state": "state",
    "capacity": "capacity",
    "dataset_type": "dataset_type",
    "entity_type": "entity_type",
}
LABELS = "permission_labels"
_MATCH_ALL = ("", "*:*")
#: Filters longer than this are not read here (the scan reads them, bounded as before).
MAX_FILTER = 20000


@dataclass(frozen=True)
class Condition:
    """Rows whose ``column`` (or, for labels, one of whose labels) is one of ``values``; with
    ``negated``, the rows for which that is false (as the compiler's ``NOT``: a null column
    matches neither)."""

    column: str
    values: tuple[str, ...]
    negated: bool = False


@dataclass
class Scope:
    """A conjunction of conditions on the kept columns: all rows of some groups."""

    conditions: list[Condition] = field(default_factory=list)


class _NotKept(Exception):
    """The query needs more than the kept columns."""


def _value(node: tree.Item) -> str:
    if isinstance(node, tree.Word):
        if "*" in node.value or "?" in node.value:
            raise _NotKept  # wildcards: not an equality
        return re.sub(r"\\(.)", r"\1", node.value)
    if isinstance(node, tree.Phrase):
        return re.sub(r"\\(.)", r"\1", node.value[1:-1])
    raise _NotKept


def _values(node: tree.Item) -> tuple[str, ...]:
    """``v``, ``"v"``, ``(v)`` or ``(a OR b OR …)``."""
    if isinstance(node, (tree.Group, tree.FieldGroup)):
        return _values(node.expr)
    if isinstance(node, tree.OrOperation):
        return tuple(v for child in node.children for v in _values(child))
    return (_value(node),)


def _clause(node: tree.Item) -> Condition | None:
    """One required clause: ``field:value(s)`` or its negation; ``None`` for ``*:*``."""
    negated = isinstance(node, (tree.Prohibit, tree.Not))
    if isinstance(node, (tree.Plus, tree.Prohibit, tree.Not)):
        node = node.a
    if isinstance(node, tree.Group) and not isinstance(node.expr, tree.SearchField):
        raise _NotKept
    if isinstance(node, tree.Group):
        node = node.expr
    if not isinstance(node, tree.SearchField):
        raise _NotKept
    name = node.name.replace("\\", "")
    if name == "*" and isinstance(node.expr, tree.Word) and node.expr.value == "*":
        if negated:
            raise _NotKept
        return None
    if name not in COLUMNS and name != LABELS:
        raise _NotKept
    return Condition(COLUMNS.get(name, LABELS), _values(node.expr), negated)


def _filter(text: str, *, default_and: bool) -> list[Condition]:
    text = text.strip()
    if text in _MATCH_ALL:
        return []
    if len(text) > MAX_FILTER:
        raise _NotKept
    try:
        node = lucene_parser.parse(text)
    except (ParseError, Exception) as e:  # luqum raises several error types
        raise _NotKept from e
    if isinstance(node, tree.AndOperation):
        clauses = node.children
    elif isinstance(node, tree.UnknownOperation):
        # Clauses side by side: each required if marked ``+`` (or excluded if marked ``-``)
        # or if the default operator is AND (CKAN sends ``q.op=AND``); otherwise at least
        # one would do: not a scope.
        marked = (tree.Plus, tree.Prohibit, tree.Not)
        if not default_and and not all(isinstance(c, marked) for c in node.children):
            raise _NotKept
        clauses = node.children
    else:
        clauses = [node]
    return [c for c in (_clause(child) for child in clauses) if c is not None]


def scope_of(q: str | None, filters: list[str], params: dict[str, object]) -> Scope | None:
    """The scope of a search with match-all ``q`` and visibility-only filters, else ``None``."""
    if (q or "").strip() not in _MATCH_ALL:
        return None
    default_and = str(params.get("q.op", "OR")).upper() == "AND"
    try:
        conditions = [c for text in filters for c in _filter(text, default_and=default_and)]
    except _NotKept:
        return None
    return Scope(conditions)

"""Compiles Solr queries, as CKAN sends them, into SQL conditions on the embedded index.

CKAN builds Solr parameters in ``PackageSearchQuery.run``; this module gives them the meaning
Solr gives them: the Lucene syntax for ``fq`` and fielded ``q`` (``q.op=AND``), the dismax
parser for free text with its minimum-match rule ``2<-1 5<80%``, and ranges with Solr's date
math. Parsing is luqum's; the result is a SQL condition string with bound parameters.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from luqum import tree
from luqum.exceptions import ParseError
from luqum.parser import parser as lucene_parser

from ..core import clock
from . import analysis, facet_codes
from .document import date_term, parse_solr_date, to_millis
from .fields import (
    ARRAY_COLUMNS,
    COLUMNS,
    TEXT_SOURCE_PREFIXES,
    TEXT_SOURCES_A,
    TEXT_SOURCES_B,
    TEXT_SOURCES_D,
    Kind,
    is_coded_facet,
    kind_of,
)

TRUE = "TRUE"
FALSE = "FALSE"


class QuerySyntaxError(ValueError):
    """The query cannot be understood (Solr answers such queries with a 400 error)."""


@dataclass
class SqlQuery:
    """Collects bound parameters while conditions are compiled."""

    params: dict[str, Any] = field(default_factory=dict)
    rank_terms: list[str] = field(default_factory=list)

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"


def tsquery_literal(terms: list[str], op: str = "&") -> str:
    quoted = ["'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in terms]
    return f" {op} ".join(quoted)


def _and(parts: list[str | None]) -> str | None:
    kept = [p for p in parts if p is not None and p != TRUE]
    if any(p == FALSE for p in kept):
        return FALSE
    if not kept:
        return None if all(p is None for p in parts) else TRUE
    return kept[0] if len(kept) == 1 else "(" + " AND ".join(kept) + ")"


def _or(parts: list[str | None]) -> str | None:
    kept = [p for p in parts if p is not None and p != FALSE]
    if any(p == TRUE for p in kept):
        return TRUE
    if not kept:
        return None if all(p is None for p in parts) else FALSE
    return kept[0] if len(kept) == 1 else "(" + " OR ".join(kept) + ")"


def _not(part: str | None) -> str | None:
    if part is None:
        return None
    if part == TRUE:
        return FALSE
    if part == FALSE:
        return TRUE
    return f"(NOT {part})"


# ---------------------------------------------------------------------------------------------
# single-field conditions


def _quote(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _unquote(quoted: str) -> str:
    return quoted.replace("''", "'").replace("\\\\", "\\")


def phrase_tsquery(text: str, weight: str = "") -> str | None:
    """A phrase as a tsquery: its terms in order, each at its distance from the one before
    (``<->``, ``<2>`` after a CJK run, as ``analysis.positioned_terms`` lays out documents), so
    "Government Expenditure" matches neither "Government Extra Expenditure" nor the words
    reversed, and 人口数据 only the contiguous text."""
    terms = analysis.phrase_terms(text)
    if not terms:
        return None
    out = _quote(terms[0][0]) + weight
    for (term, pos), (_, before) in zip(terms[1:], terms, strict=False):
        distance = max(pos - before, 1)
        op = "<->" if distance == 1 else f"<{distance}>"
        out = f"({out} {op} {_quote(term)}{weight})"
    return out


# The weight class of the full-text vector each text field is indexed under (document.py).
def _weight(field_name: str) -> str | None:
    if field_name in TEXT_SOURCES_A:
        return "A"
    if field_name in TEXT_SOURCES_B:
        return "B"
    if field_name in TEXT_SOURCES_D or field_name.startswith(TEXT_SOURCE_PREFIXES):
        return "D"
    return None


def _text_match(q: SqlQuery, field_name: str, text: str, *, phrase: bool = False) -> str | None:
    terms = analysis.query_terms(text)
    if not terms:
        return None  # an analysed-away term is dropped, as Lucene drops it
    adjacent = phrase_tsquery(text) if phrase and len(terms) > 1 else None
    if field_name == "text":
        q.rank_terms.extend(terms)
        expr = adjacent or tsquery_literal(terms)
        return f"(i.tsv @@ CAST({q.bind(expr)} AS tsquery))"
    containment = json.dumps({"t:" + field_name: terms}, ensure_ascii=False)
    cond = f"(i.terms @> CAST({q.bind(containment)} AS jsonb))"
    weight = _weight(field_name)
    if adjacent and weight:
        # The words are in the field, and next to each other in its part of the vector.
        weighted = phrase_tsquery(text, ":" + weight)
        cond = f"({cond} AND i.tsv @@ CAST({q.bind(weighted)} AS tsquery))"
    return cond


def _exact_match(q: SqlQuery, field_name: str, value: str) -> str:
    if field_name in COLUMNS:
        return f"(i.{COLUMNS[field_name]} = {q.bind(value)})"
    if field_name in ARRAY_COLUMNS:
        return f"(i.{ARRAY_COLUMNS[field_name]} @> ARRAY[CAST({q.bind(value)} AS text)])"
    if is_coded_facet(field_name):
        # Exact, from the integer facet codes in the row (an unknown value matches nothing).
        code = (
            f"(SELECT (CAST(v.field_id AS bigint) << {facet_codes.FIELD_SHIFT}) | v.id "
            f"FROM {facet_codes.VALUE_TABLE} v JOIN {facet_codes.FIELD_TABLE} f "
            f"ON f.id = v.field_id WHERE f.name = {q.bind(field_name)} "
            f"AND v.value = {q.bind(value)})"
        )
        return f"(i.facet_ids @> ARRAY[{code}])"
    containment = json.dumps({field_name: [value]}, ensure_ascii=False)
    return f"(i.terms @> CAST({q.bind(containment)} AS jsonb))"


def _ngram_match(q: SqlQuery, field_name: str, text: str) -> str | None:
    source = field_name[: -len("_ngram")]
    words = [w.lower() for w in text.split() if w]
    # NGramTokenizer(2, 10): a query word shorter or longer than that matches nothing.
    if not words or any(len(w) < 2 or len(w) > 10 for w in words):
        return FALSE
    conds = []
    for w in words:
        pattern = "%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conds.append(f"(lower(i.doc->>{q.bind(source)}) LIKE {q.bind(pattern)})")
    return _and(conds)


def _wildcard_regex(value: str) -> str:
    out = []
    for ch in value:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return "^" + "".join(out) + "$"


def _wildcard_match(q: SqlQuery, field_name: str, value: str) -> str:
    kind = kind_of(field_name)
    if value == "*":
        if field_name == "text":
            return TRUE
        key = "t:" + field_name if kind in (Kind.TEXT, Kind.NGRAM) else field_name
        return f"(i.terms ? {q.bind(key)})"
    if kind in (Kind.TEXT, Kind.NGRAM):
        key = "t:" + field_name
        value = value.lower()
    else:
        key = field_name
    if field_name == "text":
        prefix = value.rstrip("*")
        if "*" not in prefix and "?" not in prefix and value.endswith("*") and prefix:
            terms = analysis.query_terms(prefix)
            if terms:
                lit = tsquery_literal(terms[:-1] + []) if len(terms) > 1 else ""
                last = "'" + terms[-1].replace("'", "''") + "':*"
                expr = f"{lit} & {last}" if lit else last
                return f"(i.tsv @@ CAST({q.bind(expr)} AS tsquery))"
        raise QuerySyntaxError("wildcards on the text field are supported only as a suffix")
    return (
        f"EXISTS (SELECT 1 FROM jsonb_array_elements_text(i.terms->{q.bind(key)}) AS w(v) "
        f"WHERE w.v ~ {q.bind(_wildcard_regex(value))})"
    )


def term_condition(q: SqlQuery, field_name: str, value: str, *, phrase: bool = False) -> str | None:
    """``field:value`` as Solr matches it for the field's type."""
    if field_name == "*" and value == "*":
        return TRUE
    if not phrase and ("*" in value or "?" in value):
        return _wildcard_match(q, field_name, value)
    kind = kind_of(field_name)
    if kind == Kind.TEXT:
        return _text_match(q, field_name, value, phrase=phrase)
    if kind == Kind.NGRAM:
        return _ngram_match(q, field_name, value)
    if kind == Kind.DATE:
        parsed = solr_date(value)
        return _range_condition(q, field_name, parsed, parsed, True, True)
    return _exact_match(q, field_name, value)


# ---------------------------------------------------------------------------------------------
# ranges and Solr date math

_DATE_MATH = re.compile(r"([+-]\d+|/)([A-Z]+?)S?(?=[+\-/]|$)")
_UNITS = {"YEAR", "MONTH", "DAY", "DATE", "HOUR", "MINUTE", "SECOND", "MILLI", "MILLISECOND"}


def _round(value: dt.datetime, unit: str) -> dt.datetime:
    if unit == "YEAR":
        return value.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "MONTH":
        return value.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit in ("DAY", "DATE"):
        return value.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "HOUR":
        return value.replace(minute=0, second=0, microsecond=0)
    if unit == "MINUTE":
        return value.replace(second=0, microsecond=0)
    if unit == "SECOND":
        return value.replace(microsecond=0)
    return value


def _shift(value: dt.datetime, amount: int, unit: str) -> dt.datetime:
    if unit == "YEAR":
        return value.replace(year=value.year + amount)
    if unit == "MONTH":
        month = value.month - 1 + amount
        return value.replace(year=value.year + month // 12, month=month % 12 + 1)
    seconds = {"DAY": 86400, "DATE": 86400, "HOUR": 3600, "MINUTE": 60, "SECOND": 1}
    if unit in seconds:
        return value + dt.timedelta(seconds=amount * seconds[unit])
    return value + dt.timedelta(milliseconds=amount)


def solr_date(value: str, now: dt.datetime | None = None) -> dt.datetime:
    """Parses an ISO date or Solr date math (``NOW-1DAY/DAY``, ``2024-01-01T00:00:00Z+1MONTH``)."""
    text = value.strip().strip('"')
    now = now or clock.now()
    if text.startswith("NOW"):
        base, rest = now, text[3:]
    else:
        m = re.match(r"^(\d{4}-\d{2}-\d{2}(?:T[\d:.]+)?Z?)(.*)$", text)
        if not m:
            raise QuerySyntaxError(f"Invalid date: {value}")
        base = parse_solr_date(m.group(1))
        rest = m.group(2)
        if base is None:
            raise QuerySyntaxError(f"Invalid date: {value}")
    pos = 0
    for m in _DATE_MATH.finditer(rest):
        if m.start() != pos or m.group(2) not in _UNITS:
            raise QuerySyntaxError(f"Invalid date math: {value}")
        op, unit = m.group(1), m.group(2)
        base = _round(base, unit) if op == "/" else _shift(base, int(op), unit)
        pos = m.end()
    if pos != len(rest):
        raise QuerySyntaxError(f"Invalid date math: {value}")
    return to_millis(base)  # Solr's precision


_DATE_COLUMNS = {"metadata_created", "metadata_modified"}


def _range_condition(
    q: SqlQuery, field_name: str, low: Any, high: Any, include_low: bool, include_high: bool
) -> str:
    kind = kind_of(field_name)
    conds = []
    if field_name in _DATE_COLUMNS:
        col = f"i.{field_name}"
        if low is not None:
            conds.append(f"{col} {'>=' if include_low else '>'} {q.bind(low)}")
        if high is not None:
            conds.append(f"{col} {'<=' if include_high else '<'} {q.bind(high)}")
        return _and(conds) or f"({col} IS NOT NULL)"
    # Any other field: compare every value of the field (scalar or list) in the document.
    if kind == Kind.DATE:
        low = date_term(low) if low else None
        high = date_term(high) if high else None
        cast = "text"
    elif kind == Kind.INT:
        cast = "numeric"
    else:
        cast = "text"
    value_sql = "w.v" if cast == "text" else "CAST(w.v AS numeric)"
    if low is not None:
        conds.append(f"{value_sql} {'>=' if include_low else '>'} CAST({q.bind(low)} AS {cast})")
    if high is not None:
        conds.append(f"{value_sql} {'<=' if include_high else '<'} CAST({q.bind(high)} AS {cast})")
    where = " AND ".join(conds) or "TRUE"
    return (
        f"EXISTS (SELECT 1 FROM jsonb_array_elements_text(i.terms->{q.bind(field_name)}) AS w(v) "
        f"WHERE {where})"
    )


def _range_bound(field_name: str, word: tree.Item) -> Any:
    text = str(word).strip().strip('"')
    if text == "*":
        return None
    kind = kind_of(field_name)
    if kind == Kind.DATE:
        return solr_date(text)
    if kind == Kind.INT:
        try:
            return float(text)
        except ValueError as e:
            raise QuerySyntaxError(f"Invalid number: {text}") from e
    return text


# ---------------------------------------------------------------------------------------------
# the Lucene parser (fq, fielded q)


class _LuceneCompiler:
    def __init__(self, q: SqlQuery, default_field: str, default_and: bool) -> None:
        self.q = q
        self.default_field = default_field
        self.default_and = default_and

    def compile(self, node: tree.Item, fld: str | None = None) -> str | None:
        fld = fld or self.default_field
        if isinstance(node, tree.SearchField):
            name = node.name.replace("\\", "")
            return self.compile(node.expr, name)
        if isinstance(node, (tree.FieldGroup, tree.Group)):
            return self.compile(node.expr, fld)
        if isinstance(node, tree.Word):
            return term_condition(self.q, fld, _unescape(node.value))
        if isinstance(node, tree.Phrase):
            return term_condition(self.q, fld, _unescape(node.value[1:-1]), phrase=True)
        if isinstance(node, tree.Range):
            low = _range_bound(fld, node.low)
            high = _range_bound(fld, node.high)
            return _range_condition(self.q, fld, low, high, node.include_low, node.include_high)
        if isinstance(node, (tree.Boost, tree.Fuzzy)):
            return self.compile(node.term if isinstance(node, tree.Fuzzy) else node.expr, fld)
        if isinstance(node, tree.Proximity):
            if isinstance(node.term, tree.Phrase):
                # A sloppy phrase ("a b"~2): its words anywhere in the field, a superset of
                # Solr's answer (positions within the slop are not checked).
                return term_condition(self.q, fld, _unescape(node.term.value[1:-1]))
            return self.compile(node.term, fld)
        if isinstance(
            node,
            (
                tree.Plus,
                tree.Not,
                tree.Prohibit,
                tree.AndOperation,
                tree.OrOperation,
                tree.UnknownOperation,
            ),
        ):
            return self._boolean(node, fld)
        if isinstance(node, tree.Regex):
            raise QuerySyntaxError("regular expression queries are not supported")
        raise QuerySyntaxError(f"unsupported query element: {node!r}")

    def _boolean(self, node: tree.Item, fld: str) -> str | None:
        """A clause list with Lucene's classic QueryParser semantics (as Solr's ``lucene``).

        Lucene does not give AND precedence over OR: it reads clauses left to right and a
        conjunction changes the occurrence of the clauses beside it. With any MUST clause,
        SHOULD clauses only add to the score; with none, at least one SHOULD must match.
        So ``+a b OR c`` matches every document with ``a``, as it does in Solr.
        """
        musts: list[str | None] = []
        shoulds: list[str | None] = []
        nots: list[str | None] = []
        occurs: list[str] = []
        conds: list[str | None] = []
        for conj, clause in _flatten(node):
            modifier = None
            if isinstance(clause, tree.Plus):
                modifier, clause = "+", clause.a
            elif isinstance(clause, (tree.Prohibit, tree.Not)):
                modifier, clause = "-", clause.a
            if modifier and isinstance(clause, _MODIFIERS):
                # Lucene's grammar takes one modifier per clause: ``--included`` does not parse.
                raise QuerySyntaxError(f"Cannot parse {str(node)!r}: two modifiers in a row")
            if occurs and conj == "AND" and occurs[-1] != "MUST_NOT":
                occurs[-1] = "MUST"
            if occurs and conj == "OR" and self.default_and and occurs[-1] != "MUST_NOT":
                occurs[-1] = "SHOULD"
            if modifier == "-":
                occur = "MUST_NOT"
            elif modifier == "+":
                occur = "MUST"
            elif self.default_and:
                occur = "SHOULD" if conj == "OR" else "MUST"
            else:
                occur = "MUST" if conj == "AND" else "SHOULD"
            occurs.append(occur)
            conds.append(self.compile(clause, fld))
        for occur, cond in zip(occurs, conds, strict=True):
            {"MUST": musts, "SHOULD": shoulds, "MUST_NOT": nots}[occur].append(cond)
        parts: list[str | None] = list(musts)
        if shoulds and not any(m is not None for m in musts):
            parts.append(_or(shoulds))
        parts.extend(_not(n) for n in nots)
        if all(p is None for p in parts):
            return None
        if not musts and not shoulds:
            parts.insert(0, TRUE)  # a purely negative list matches all but the excluded
        return _and(parts)


_MODIFIERS = (tree.Plus, tree.Prohibit, tree.Not)


def _flatten(node: tree.Item) -> list[tuple[str | None, tree.Item]]:
    """The clauses of a boolean list in reading order, each with the conjunction before it."""
    if isinstance(node, (tree.AndOperation, tree.OrOperation, tree.UnknownOperation)):
        op = (
            "AND"
            if isinstance(node, tree.AndOperation)
            else "OR"
            if isinstance(node, tree.OrOperation)
            else None
        )
        out: list[tuple[str | None, tree.Item]] = []
        for i, child in enumerate(node.children):
            sub = _flatten(child)
            if i > 0:
                sub[0] = (op, sub[0][1])
            out.extend(sub)
        return out
    return [(None, node)]


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def compile_lucene(
    q: SqlQuery, text: str, *, default_field: str = "text", default_and: bool = True
) -> str | None:
    local = _LOCAL_PARAMS.match(text)
    if local:
        return _compile_local(q, local.group(1), local.group(2), default_field, default_and)
    text = text.strip()
    if not text or text == "*:*":
        return TRUE
    try:
        node = lucene_parser.parse(text)
    except (ParseError, Exception) as e:  # luqum raises several error types
        raise QuerySyntaxError(f"Cannot parse query {text!r}: {e}") from e
    return _LuceneCompiler(q, default_field, default_and).compile(node)


# ---------------------------------------------------------------------------------------------
# dismax (free-text q without a colon)


def minimum_match(optional_clauses: int) -> int:
    """CKAN's ``mm = 2<-1 5<80%``: all of 1-2 clauses, all but one of 3-5, 80% above."""
    n = optional_clauses
    if n <= 2:
        return n
    if n <= 5:
        return n - 1
    return math.floor(n * 0.8)


_DISMAX_TOKEN = re.compile(r'([+-]*)"([^"]*)"|(\S+)')


def _dismax_clauses(text: str) -> list[tuple[str, str]]:
    """``(modifier, tsquery)`` of each clause of a dismax query, as Solr's dismax reads it:
    unbalanced quotes are dropped, a quoted phrase is one clause, ``+``/``-`` mark required
    and prohibited clauses, and a doubled modifier (``--included``) is a syntax error."""
    if text.count('"') % 2:
        text = text.replace('"', " ")
    clauses: list[tuple[str, str]] = []
    for m in _DISMAX_TOKEN.finditer(text):
        phrase, word = m.group(2), m.group(3) or ""
        if phrase is None:
            if word in ("AND", "OR", "&&", "||"):
                continue
            modifiers = word[: len(word) - len(word.lstrip("+-"))]
            word = word[len(modifiers) :]
            if not word:
                continue  # a lone operator: Solr's dismax strips it
        else:
            modifiers = m.group(1)
        if len(modifiers) > 1:
            raise QuerySyntaxError(f'Cannot parse {m.group(0)!r}: Encountered "{modifiers[1]}"')
        if phrase is not None:
            expr = phrase_tsquery(phrase)
        else:
            terms = analysis.query_terms(word)
            expr = tsquery_literal(terms) if terms else None
        if expr:
            clauses.append((modifiers, expr))
    return clauses


def compile_dismax(q: SqlQuery, text: str) -> str | None:
    local = _LOCAL_PARAMS.match(text)
    if local:
        return _compile_local(q, local.group(1), local.group(2), "text", True)
    clauses = _dismax_clauses(text)
    required = [e for mod, e in clauses if mod == "+"]
    optional = [e for mod, e in clauses if mod == ""]
    prohibited = [e for mod, e in clauses if mod == "-"]
    for expr in required + optional:
        q.rank_terms.extend(_unquote(t) for t in re.findall(r"'((?:[^']|'')*)'", expr))
    conds: list[str] = []
    for expr in required:
        conds.append(f"(i.tsv @@ CAST({q.bind(expr)} AS tsquery))")
    if optional:
        need = minimum_match(len(optional))
        if need == len(optional):
            merged = " & ".join(f"({e})" for e in optional)
            conds.append(f"(i.tsv @@ CAST({q.bind(merged)} AS tsquery))")
        elif need > 0:
            any_of = " | ".join(f"({e})" for e in optional)
            hits = " + ".join(f"(i.tsv @@ CAST({q.bind(e)} AS tsquery))::int" for e in optional)
            conds.append(f"(i.tsv @@ CAST({q.bind(any_of)} AS tsquery) AND ({hits}) >= {need})")
    for expr in prohibited:
        conds.append(f"(NOT i.tsv @@ CAST({q.bind(expr)} AS tsquery))")
    if not conds:
        return TRUE if not text.split() else FALSE
    return _and(list(conds))


# ---------------------------------------------------------------------------------------------
# Solr local params ({!bool must=x}, {!lucene q.op=AND}...), which CKAN lets through for the
# parsers named in ``ckan.search.solr_allowed_query_parsers``

_LOCAL_PARAMS = re.compile(r"^\s*\{!(.*?)\}(.*)$", re.S)
_LOCAL_PARAM = re.compile(r"""([\w.]+)=(?:'([^']*)'|"([^"]*)"|(\S+))|(\S+)""")


def _parse_local_params(header: str) -> tuple[str, dict[str, list[str]]]:
    """The parser's name and the parameters of a ``{!...}`` prefix, as Solr reads them:
    ``{!bool must=a}``, ``{!type=bool must=a}`` and ``{!must=a type=bool}`` are the same."""
    parser = ""
    params: dict[str, list[str]] = {}
    pos = 0
    for m in _LOCAL_PARAM.finditer(header):
        if header[pos : m.start()].strip():
            raise QuerySyntaxError(f"Cannot parse local params {{!{header}}}")
        pos = m.end()
        key, bare = m.group(1), m.group(5)
        if bare is not None:
            if parser or params:
                raise QuerySyntaxError(f"Cannot parse local params {{!{header}}}")
            parser = bare
            continue
        value = next(v for v in m.group(2, 3, 4) if v is not None)
        if value.startswith("$"):
            raise QuerySyntaxError("parameter references in local params are not supported")
        if key == "type":
            parser = value
        else:
            params.setdefault(key, []).append(value)
    if header[pos:].strip():
        raise QuerySyntaxError(f"Cannot parse local params {{!{header}}}")
    return parser or "lucene", params


def _one(params: dict[str, list[str]], key: str, default: str) -> str:
    return params.get(key, [default])[-1]


def _compile_local(
    q: SqlQuery, header: str, body: str, default_field: str, default_and: bool
) -> str | None:
    parser, params = _parse_local_params(header)
    body = _one(params, "v", body)
    df = _one(params, "df", default_field)
    op_and = _one(params, "q.op", "AND" if default_and else "OR").upper() == "AND"
    if parser == "lucene":
        return compile_lucene(q, body, default_field=df, default_and=op_and)
    if parser in ("dismax", "edismax"):
        return compile_query(q, body, def_type=parser, default_field=df, default_and=op_and)
    if parser == "bool":
        # Solr's BoolQParser: each clause is a query of the default parser.
        def sub(value: str) -> str | None:
            return compile_query(q, value, default_field=df, default_and=op_and)

        musts = [sub(v) for v in params.get("must", []) + params.get("filter", [])]
        shoulds = [sub(v) for v in params.get("should", [])]
        nots = [_not(sub(v)) for v in params.get("must_not", [])]
        parts: list[str | None] = list(musts)
        if shoulds and not musts:
            parts.append(_or(shoulds))
        if not musts and not shoulds:
            parts.insert(0, TRUE if nots else FALSE)
        return _and([*parts, *nots]) or FALSE
    if parser in ("field", "term", "prefix"):
        if "f" not in params:
            raise QuerySyntaxError(f"the {parser} parser needs f=<field>")
        name = _one(params, "f", "")
        if parser == "prefix":
            return _wildcard_match(q, name, body + "*")
        return term_condition(q, name, body, phrase=True)
    raise QuerySyntaxError(f"query parser {parser!r} is not supported by the embedded backend")


def compile_query(
    q: SqlQuery,
    text: str,
    *,
    def_type: str = "lucene",
    default_field: str = "text",
    default_and: bool = False,
) -> str | None:
    """A ``q`` or ``fq`` as Solr parses it: local params first, then ``defType``."""
    local = _LOCAL_PARAMS.match(text)
    if local:
        return _compile_local(q, local.group(1), local.group(2), default_field, default_and)
    if def_type in ("dismax", "edismax") and (def_type == "dismax" or ":" not in text):
        return compile_dismax(q, text)
    return compile_lucene(q, text, default_field=default_field, default_and=default_and)

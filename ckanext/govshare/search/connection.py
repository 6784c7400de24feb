"""A PostgreSQL search index that answers CKAN the way a pysolr connection does.

CKAN reaches Solr only through ``ckan.lib.search.common.make_connection``: dataset search,
indexing, ``search-index`` commands, group counts, ``tag_show``, autocomplete, bulk updates and
ckanext-harvest all call ``search``, ``add``, ``delete`` and ``commit`` on what it returns.
Answering those four calls keeps all of CKAN's own query and document building, so the
results have CKAN's shape and extensions' ``before_dataset_index``/``before_dataset_search``
hooks work unchanged. Writes go through ``model.Session``, so an index row is written in the
same transaction as the dataset change that causes it.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pysolr
import sqlalchemy as sa
from ckan import model
from ckan.common import config

from . import compiler, facet_codes, facet_counts, facet_postings, result_cache
from .compiler import SqlQuery, tsquery_literal
from .document import build_row
from .facet_counts_scope import Scope, scope_of
from .fields import Kind, is_coded_facet, is_stored, kind_of

log = logging.getLogger(__name__)

TABLE = "govshare_search_index"

# A row keeps its number (``ord``, the facet bitmaps' member) when re-indexed, and takes one
# only when new: a plain upsert would draw a number from the sequence on every write, and a
# 32-bit sequence would run out after two billion re-indexings.
_UPSERT = sa.text(
    f"""
    INSERT INTO {TABLE} (index_id, package_id, site_id, doc, terms, tsv, tsv_rank, facet_ids,
                         state, capacity, dataset_type, entity_type, permission_labels,
                         title_string, name, metadata_created, metadata_modified, indexed_at,
                         ord)
    VALUES (:index_id, :package_id, :site_id, CAST(:doc AS jsonb), CAST(:terms AS jsonb),
            CAST(:tsv AS tsvector), CAST(:tsv_rank AS tsvector), CAST(:facet_ids AS bigint[]),
            :state, :capacity, :dataset_type, :entity_type, CAST(:permission_labels AS text[]),
            :title_string, :name, :metadata_created, :metadata_modified, now(),
            COALESCE((SELECT o.ord FROM {TABLE} o WHERE o.index_id = :index_id),
                     nextval(pg_get_serial_sequence('{TABLE}', 'ord'))))
    ON CONFLICT (index_id) DO UPDATE SET
        package_id = EXCLUDED.package_id, site_id = EXCLUDED.site_id, doc = EXCLUDED.doc,
        terms = EXCLUDED.terms, tsv = EXCLUDED.tsv,
        tsv_rank = EXCLUDED.tsv_rank, facet_ids = EXCLUDED.facet_ids,
        state = EXCLUDED.state, capacity = EXCLUDED.capacity,
        dataset_type = EXCLUDED.dataset_type, entity_type = EXCLUDED.entity_type,
        permission_labels = EXCLUDED.permission_labels, title_string = EXCLUDED.title_string,
        name = EXCLUDED.name, metadata_created = EXCLUDED.metadata_created,
        metadata_modified = EXCLUDED.metadata_modified, indexed_at = now()
    """
)

# Never-null columns with a btree index on (column, index_id): both directions use the index.
_SORT_COLUMNS = {
    "metadata_modified": "i.metadata_modified",
    "metadata_created": "i.metadata_created",
    "name": 'i.name COLLATE "C"',
    "title_string": 'i.title_string COLLATE "C"',
    "index_id": "i.index_id",
    # The document's id (``search/document.py``); a harvester lists every id in this order.
    "id": 'i.package_id COLLATE "C"',
}


#: Pages from this many page lengths deep find their ids first (see ``_page``): from there the
#: skipped rows' reads cost more than a second lookup of the page's rows by id.
IDS_FIRST_FROM = 4
_INDEXED_ORDER = {f"{column} {d}" for column in _SORT_COLUMNS.values() for d in ("ASC", "DESC")}


def _on_columns(order_by: str) -> bool:
    """Whether an ``ORDER BY`` of ``_order`` sorts on index columns only (no score, no
    document field): then the page's ids can be found without reading its rows."""
    return all(clause in _INDEXED_ORDER for clause in order_by.split(", "))


Page = list[tuple[dict[str, Any], float]]


@dataclass(frozen=True)
class PageWanted:
    """The page a search asks for, for a pass that finds it with the facets."""

    rank_sql: str
    order: list[tuple[str, str]]
    rows: int
    start: int


class Results:
    """The part of ``pysolr.Results`` that CKAN reads."""

    def __init__(
        self, docs: list[dict[str, Any]], hits: int, facets: dict[str, Any] | None = None
    ) -> None:
        self.docs = docs
        self.hits = hits
        self.facets = facets or {}
        self.highlighting: dict[str, Any] = {}
        self.stats: dict[str, Any] = {}
        self.raw_response = {"response": {"numFound": hits, "docs": docs}}

    def __len__(self) -> int:
        return len(self.docs)

    def __iter__(self):
        return iter(self.docs)


def _doc_sql(fl: list[str] | None) -> str:
    """What a page reads of each match: its whole stored document, or, when the search asks
    only for ``id`` (the CKAN harvester's listing of every id a lower platform shows: ``fl=id``,
    1,000 a request), the indexed column that holds it. A document is about 5 kB, kept out of
    line (TOAST): reading it was about 80 of the 90 ms of such a page's SQL at 100,000 entries."""
    if fl is not None and set(fl) - {"score"} == {"id"}:
        return "jsonb_build_object('id', i.package_id)"
    return "i.doc"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _int(value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as e:
        raise pysolr.SolrError(f"Invalid integer parameter: {value!r}") from e


class PostgresSearchConnection:
    """Stands in for ``pysolr.Solr``; see the module docstring."""

    url = "postgresql://govshare_search_index"

    def __init__(self, session: Any = None) -> None:
        self.session = session or model.Session

    # -- writing --------------------------------------------------------------------------

    def add(self, docs: list[dict[str, Any]], commit: bool = False, **_kw: Any) -> None:
        """Upserts the documents; a failure is a ``SolrError``, which CKAN turns into a
        ``SearchIndexError`` that aborts the commit (other errors it would only log)."""
        try:
            rows = [build_row(doc) for doc in docs]
            if not rows:
                return
            codes = facet_codes.encode(
                self.session, {pair for row in rows for pair in row.facet_pairs}
            )
            params = [row.params([codes[pair] for pair in row.facet_pairs]) for row in rows]
            self.session.execute(_UPSERT, params)
            result_cache.mark_dirty(self.session)
        except Exception as e:
            raise pysolr.SolrError(f"Indexing failed: {e}") from e

    def delete(
        self, id: Any = None, q: str | None = None, commit: bool = False, **_kw: Any
    ) -> None:
        result_cache.mark_dirty(self.session)
        if id is not None:
            ids = _as_list(id)
            self.session.execute(
                sa.text(f"DELETE FROM {TABLE} WHERE index_id = ANY(:ids)"), {"ids": ids}
            )
        if q is not None:
            query = SqlQuery()
            where = self._compile_where(query, q, [], {})
            self.session.execute(sa.text(f"DELETE FROM {TABLE} i WHERE {where}"), query.params)

    def commit(self, **_kw: Any) -> None:
        """An explicit commit (``search-index clear``, ``search.commit()``) commits the session.

        Writes made while CKAN indexes a dataset are committed with the dataset's own
        transaction; nothing calls this from inside one.
        """
        self.session.commit()

    def optimize(self, **_kw: Any) -> None:
        self.session.execute(sa.text(f"ANALYZE {TABLE}"))

    # -- searching ------------------------------------------------------------------------

    def _compile_where(self, query: SqlQuery, q: str, fq: list[str], params: dict[str, Any]) -> str:
        def_type = params.get("defType", "lucene")
        default_and = str(params.get("q.op", "OR")).upper() == "AND"
        df = params.get("df") or "text"
        parts: list[str | None] = []
        if def_type in ("dismax", "edismax") and (def_type == "dismax" or ":" not in q):
            parts.append(compiler.compile_dismax(query, q))
        else:
            parts.append(
                compiler.compile_lucene(query, q, default_field=df, default_and=default_and)
            )
        for item in fq:
            if not item or not str(item).strip():
                continue
            parts.append(
                compiler.compile_lucene(query, str(item), default_field=df, default_and=default_and)
            )
        return compiler._and(parts) or compiler.TRUE

    def _order(self, sort: str | None, query: SqlQuery, rank_sql: str) -> list[tuple[str, str]]:
        """The ``ORDER BY`` clauses of a Solr ``sort``, as (expression, direction) pairs."""
        clauses: list[tuple[str, str]] = []
        last_direction = "ASC"
        for part in (sort or "score desc").split(","):
            part = part.strip()
            if not part:
                continue
            bits = part.split()
            if len(bits) != 2 or bits[1].lower() not in ("asc", "desc"):
                raise pysolr.SolrError(
                    f"Can't determine a Sort Order (asc or desc) in sort spec '{part}'"
                )
            name, direction = bits[0], bits[1].upper()
            last_direction = direction
            if name == "score":
                if rank_sql == "1.0":
                    continue  # no text to rank by: every score is equal
                expr = rank_sql
            elif name in _SORT_COLUMNS:
                clauses.append((_SORT_COLUMNS[name], direction))
                continue
            elif kind_of(name) == Kind.INT:
                expr = f"CAST(i.doc->>{query.bind(name)} AS numeric)"
            elif kind_of(name) == Kind.TEXT:
                raise pysolr.SolrError(f"can not sort on multivalued/text field: {name}")
            else:
                expr = f'(i.doc->>{query.bind(name)}) COLLATE "C"'
            clauses.append((expr, f"{direction} NULLS LAST"))
        # Ties in a stable order (Solr uses its internal document order).
        clauses.append(("i.index_id", last_direction))
        return clauses

    def search(self, q: str = "*:*", search_handler: str | None = None, **params: Any) -> Results:
        q = q if q not in (None, "") else "*:*"
        cache_key = None
        if not result_cache.is_dirty(self.session):
            cache_key = result_cache.key({"q": q, **params})
            cached = result_cache.get(cache_key)
            if cached is not None:
                return Results(cached["docs"], cached["hits"], cached["facets"])
        results = self._search(q, **params)
        result_cache.put(
            cache_key, {"docs": results.docs, "hits": results.hits, "facets": results.facets}
        )
        return results

    def _search(self, q: str, **params: Any) -> Results:
        fq = [str(f) for f in _as_list(params.get("fq"))] + [
            str(f) for f in _as_list(params.get("fq_list"))
        ]
        rows = _int(params.get("rows"), 10)
        start = _int(params.get("start"), 0)
        if rows < 0 or start < 0:
            raise pysolr.SolrError("rows and start must not be negative")

        query = SqlQuery()
        # Index scans cost little more than sequential reads on SSDs: without this, PostgreSQL
        # reads every row's full-text vector rather than ask the GIN index for 15% of them.
        self.session.execute(sa.text("SET LOCAL random_page_cost = 1.1"))
        try:
            where = self._compile_where(query, q, fq, params)
        except compiler.QuerySyntaxError as e:
            raise pysolr.SolrError(f"org.apache.solr.search.SyntaxError: {e}") from e

        rank_sql = "1.0"
        if query.rank_terms:
            rank_q = query.bind(tsquery_literal(list(dict.fromkeys(query.rank_terms)), "|"))
            # Ranked on the small name/title/tags vector: title^4 tags^2, as dismax weighs them;
            # matches only in the abstract rank equal, newest first.
            rank_sql = f"ts_rank(i.tsv_rank, CAST({rank_q} AS tsquery))"
        order = self._order(params.get("sort"), query, rank_sql)
        order_by = ", ".join(f"{expr} {way}" for expr, way in order)

        fl = self._field_list(params.get("fl"))
        facet_fields = [f for f in _as_list(params.get("facet.field")) if f]
        want_facets = str(params.get("facet", "false")).lower() == "true" and bool(facet_fields)
        facets: dict[str, Any] = {"facet_fields": {f: [] for f in facet_fields}}
        scope = self._kept_scope(q, fq, params)
        # Ranked first: the page is the top of every match, so the pass that finds the page
        # also counts the hits; otherwise the page is read in index order, stopping early,
        # and counted apart. (Facets are counted apart: that scan runs in parallel.)
        ranked = rows > 0 and rank_sql != "1.0" and self._score_first(params.get("sort"))
        page: list[tuple[dict[str, Any], float]] | None = None
        if want_facets:
            hits, facets["facet_fields"], page = self._facets(
                where,
                query,
                facet_fields,
                limit=_int(params.get("facet.limit"), 100),
                mincount=_int(params.get("facet.mincount"), 0),
                scope=scope,
                wanted=PageWanted(rank_sql, order, rows, start) if rows > 0 else None,
            )
        elif scope is not None:
            hits = facet_counts.hits(self.session, scope)
        elif ranked:
            hits, page = self._ranked_page(
                where, query, rank_sql, order_by, rows, start, _doc_sql(fl)
            )
        else:
            hits = self._count(where, query)
        if page is None and rows > 0 and hits > start:
            page = self._page(where, query, rank_sql, order_by, rows, start, _doc_sql(fl))
        docs = [self._project(doc, score, fl) for doc, score in page or []]
        return Results(docs, int(hits or 0), facets)

    def _page(
        self,
        where: str,
        query: SqlQuery,
        rank_sql: str,
        order_by: str,
        rows: int,
        start: int,
        doc_sql: str = "i.doc",
    ) -> list[tuple[dict[str, Any], float]]:
        """The page's documents and scores.

        Sorted on index columns only (a DCAT catalogue page: ``metadata_modified desc``), the
        rows to skip are found first, by their ids alone, then only the page's documents are
        read: each sort index carries the columns CKAN filters every search by (migration
        ``7e3c9b1d2f48``), so a page deep in the catalogue walks one index without reading
        the rows it skips (at 100,000 entries, page 990 in 32 ms rather than 147 ms). The
        order is the same total order (the sort columns, then ``index_id``) in both passes.
        """
        params = dict(query.params, _rows=rows, _start=start)
        # Near the top, reading the rows directly costs less than the ids' second lookup.
        if start >= IDS_FIRST_FROM * rows and _on_columns(order_by):
            sql = (
                f"SELECT {doc_sql} AS doc, {rank_sql} AS score FROM ("
                f"SELECT i.index_id FROM {TABLE} i WHERE {where} "
                f"ORDER BY {order_by} LIMIT :_rows OFFSET :_start) AS p "
                f"JOIN {TABLE} i ON i.index_id = p.index_id ORDER BY {order_by}"
            )
        else:
            sql = (
                f"SELECT {doc_sql} AS doc, {rank_sql} AS score FROM {TABLE} i WHERE {where} "
                f"ORDER BY {order_by} LIMIT :_rows OFFSET :_start"
            )
        return [(row.doc, row.score) for row in self.session.execute(sa.text(sql), params)]

    def _count(self, where: str, query: SqlQuery) -> int:
        sql = sa.text(f"SELECT count(*) FROM {TABLE} i WHERE {where}")
        return int(self.session.execute(sql, query.params).scalar() or 0)

    @staticmethod
    def _score_first(sort: str | None) -> bool:
        first = (sort or "score desc").split(",")[0].split()
        return bool(first) and first[0] == "score"

    def _ranked_page(
        self,
        where: str,
        query: SqlQuery,
        rank_sql: str,
        order_by: str,
        rows: int,
        start: int,
        doc_sql: str = "i.doc",
    ) -> tuple[int, list[tuple[dict[str, Any], float]]]:
        """The page of a ranked search and its number of hits, from one pass over the matches
        (ranking reads every match anyway; a separate count read them all again)."""
        result = self.session.execute(
            sa.text(
                f"SELECT {doc_sql} AS doc, {rank_sql} AS score, count(*) OVER () AS _hits "
                f"FROM {TABLE} i WHERE {where} "
                f"ORDER BY {order_by} LIMIT :_rows OFFSET :_start"
            ),
            dict(query.params, _rows=rows, _start=start),
        ).fetchall()
        if result:
            return int(result[0]._hits), [(row.doc, row.score) for row in result]
        return (self._count(where, query) if start else 0), []

    def _kept_scope(self, q: str, fq: list[str], params: dict[str, Any]) -> Scope | None:
        """The visibility groups the search selects, if the kept counts can answer it."""
        if params.get("defType") == "dismax":
            return None  # ``*:*`` is free text to dismax
        scope = scope_of(q, fq, params)
        if scope is None or not facet_counts.available(self.session):
            return None
        return scope

    @staticmethod
    def _field_list(fl: Any) -> list[str] | None:
        if not fl:
            return None
        names = [n for part in _as_list(fl) for n in str(part).replace(",", " ").split() if n]
        return None if "*" in names and names == ["*"] else names

    @staticmethod
    def _project(doc: dict[str, Any], score: float, fl: list[str] | None) -> dict[str, Any]:
        if fl is None:
            return {k: v for k, v in doc.items() if is_stored(k)}
        out: dict[str, Any] = {}
        wildcard = "*" in fl
        for k, v in doc.items():
            if (wildcard or k in fl) and is_stored(k):
                out[k] = v
        if "score" in fl:
            out["score"] = float(score)
        return out

    def _match_codes(
        self, where: str, query: SqlQuery, field_ids: list[int], wanted: PageWanted | None
    ) -> tuple[int, dict[int, int], Page | None]:
        """Hits, code counts and the ``wanted`` page, from one pass over the matches.

        The pass keeps each match's row number, rank and sort keys (a ``MATERIALIZED`` CTE):
        the numbers go back as one ``bytea`` and each requested code's count is an
        intersection with the kept bitmaps (``facet_postings``); the page is the top of the
        kept rows, so ranking does not read the matches a second time. The scan answers (and
        the page is left to ``_page``) when the fields have no codes, the index is not yet
        migrated, or this transaction has written: its matches may hold rows the bitmaps,
        built from committed changes, do not.
        """
        if not field_ids or not facet_postings.available(self.session):
            return (*self._scan_codes(where, query, field_ids), None)
        params = dict(query.params, _rows=wanted.rows if wanted else 0)
        params["_start"] = wanted.start if wanted else 0
        order = wanted.order if wanted else [("i.index_id", "ASC")]
        rank_sql = wanted.rank_sql if wanted else "1.0"
        # Each sort key is kept with the match (the score, when it sorts, once).
        names = ["_score" if expr == rank_sql else f"_k{n}" for n, (expr, _) in enumerate(order)]
        pairs = list(zip(names, order, strict=True))
        kept = [(name, expr) for name, (expr, _) in pairs if name != "_score"]
        sort = ", ".join(f"{name} {way}" for name, (_, way) in pairs)
        match_cols = ", ".join(
            ["i.index_id", "i.ord", f"{rank_sql} AS _score", *(f"{e} AS {k}" for k, e in kept)]
        )
        stats_cols = ", ".join(["NULL AS _score", *(f"NULL AS {k}" for k, _ in kept)])
        page_cols = ", ".join(["x._score", *(f"x.{k}" for k, _ in kept)])
        result = self.session.execute(
            sa.text(
                f"WITH m AS MATERIALIZED (SELECT {match_cols} FROM {TABLE} i WHERE {where}), "
                f"x AS (SELECT * FROM m ORDER BY {sort} LIMIT :_rows OFFSET :_start) "
                f"SELECT 0 AS _kind, NULL AS doc, {stats_cols}, "
                f"(SELECT count(*) FROM m) AS _hits, "
                f"(SELECT string_agg(int4send(m.ord), '') FROM m) AS _ords, "
                f"txid_current_if_assigned() IS NOT NULL AS _own "
                f"UNION ALL SELECT 1, i.doc, {page_cols}, NULL, NULL, NULL "
                f"FROM x JOIN {TABLE} i ON i.index_id = x.index_id "
                f"ORDER BY _kind, {sort}"
            ),
            params,
        ).fetchall()
        stats, rows = result[0], result[1:]
        if stats._own:
            return (*self._scan_codes(where, query, field_ids), None)
        page = [(row.doc, row._score) for row in rows] if wanted else None
        if not stats._hits:
            return 0, {}, page
        matches = facet_postings.bitmap(stats._ords)
        engine = self.session.get_bind()
        counts = facet_postings.POSTINGS.counts(engine, matches, field_ids)
        return int(stats._hits), counts, page

    def _scan_codes(
        self, where: str, query: SqlQuery, field_ids: list[int]
    ) -> tuple[int, dict[int, int]]:
        """Hits and code counts by a pass over the matching rows' ``facet_ids``.

        Every code is counted and the requested fields' kept here: testing each unpacked
        value in SQL cost more than counting the few hundred codes nobody asked for.
        """
        wanted = set(field_ids)
        result = self.session.execute(
            sa.text(
                f"SELECT f.v, count(*) FROM ("
                f"SELECT unnest(i.facet_ids || CAST(:_hits AS bigint)) AS v "
                f"FROM {TABLE} i WHERE {where}) AS f GROUP BY f.v"
            ),
            dict(query.params, _hits=facet_codes.HITS_CODE),
        ).fetchall()
        hits = 0
        by_code: dict[int, int] = {}
        for code, n in result:
            if code == facet_codes.HITS_CODE:
                hits = int(n)
            elif facet_codes.field_of(code) in wanted:
                by_code[int(code)] = int(n)
        return hits, by_code

    def _facets(
        self,
        where: str,
        query: SqlQuery,
        fields: list[str],
        *,
        limit: int,
        mincount: int,
        scope: Scope | None = None,
        wanted: PageWanted | None = None,
    ) -> tuple[int, dict[str, list[Any]], Page | None]:
        """The number of hits, and value counts per field ordered as Solr orders them.

        String fields are counted from the integer facet codes (see ``facet_codes``): read
        from the counts kept per visibility group when the search selects whole groups
        (``scope``, see ``facet_counts``), else from the matches (``_match_codes``), which
        also finds the ``wanted`` page when it can. Text fields (facets on their analysed
        terms) and per-dataset fields are counted from ``terms``.
        """
        page: Page | None = None
        coded = [f for f in fields if is_coded_facet(f)]
        counts: dict[str, list[tuple[str, int]]] = defaultdict(list)
        fids = list(facet_codes.field_ids(self.session, coded, create=False).values())
        if scope is not None:
            hits, by_code = facet_counts.counts(self.session, scope, fids)
        else:
            hits, by_code, page = self._match_codes(where, query, fids, wanted)
        for code, (field, value) in facet_codes.decode(self.session, list(by_code)).items():
            counts[field].append((value, by_code[code]))
        for f in fields:
            if f in coded or not hits:
                continue
            key = "t:" + f if kind_of(f) in (Kind.TEXT, Kind.NGRAM) else f
            rows = self.session.execute(
                sa.text(
                    f"SELECT w.v, count(*) FROM {TABLE} i "
                    f"CROSS JOIN LATERAL jsonb_array_elements_text(i.terms->:_key) AS w(v) "
                    f"WHERE {where} GROUP BY w.v"
                ),
                dict(query.params, _key=key),
            )
            counts[f] = [(value, int(n)) for value, n in rows]
        out: dict[str, list[Any]] = {}
        for f in fields:
            values = [vn for vn in counts.get(f, []) if vn[1] >= max(mincount, 1)]
            if limit < 0:
                values.sort(key=lambda vn: vn[0])  # Solr: facet.sort=index without a limit
            else:
                values.sort(key=lambda vn: (-vn[1], vn[0]))
                values = values[:limit]
            out[f] = [x for value, n in values for x in (value, n)]
        return hits, out, page

    def ping(self) -> str:
        self.session.execute(sa.text(f"SELECT 1 FROM {TABLE} LIMIT 1"))
        return json.dumps({"status": "OK"})

    def __repr__(self) -> str:
        return f"<PostgresSearchConnection site_id={config.get('ckan.site_id')!r}>"

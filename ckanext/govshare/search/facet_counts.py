"""Facet counts of whole groups of visible entries, read from the counts kept with the index.

The catalogue page with no query counts the facets of every entry the reader may see; by a
scan that is one pass over every row's facet codes (about 950,000 values at 100,000 entries).
The index keeps those counts instead (migration ``4d2a6b8f0c53``): triggers on
``govshare_search_index`` add, in the writing transaction, the change of the count of every
facet code (and of the code ``HITS_CODE``: rows) per visibility group — the row's ``site_id``,
``state``, ``capacity``, ``dataset_type``, ``entity_type`` and its permission labels. So the
counts are the scan's, exactly, for whoever wrote the rows and however (CKAN's indexing, a
bulk ``DELETE``, a test's database reset), and they are read here per reader: a group counts
only if the search's conditions select it, the labels condition as CKAN's
``+permission_labels:(…)``, so no count reveals an entry its reader may not see.

Writers only insert rows (a change of +1 or -1 per code), so concurrent writers never wait for
each other; every few thousand rows the table is merged into one row per key (see the
migration). A database without the table (not yet migrated) is answered by the scan.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from . import facet_codes
from .facet_counts_scope import LABELS, Scope

TABLE = "govshare_search_facet_count"


class _Available:
    """Whether the counts table exists (remembered once seen: tables are not dropped at run
    time; a test database dropped and migrated again gets it back with the migration)."""

    seen = False


def available(session: Any) -> bool:
    if _Available.seen:
        return True
    found = session.execute(sa.text(f"SELECT to_regclass('{TABLE}') IS NOT NULL")).scalar()
    _Available.seen = bool(found)
    return _Available.seen


def _where(scope: Scope, params: dict[str, Any]) -> str:
    conds = []
    for i, cond in enumerate(scope.conditions):
        name = f"_scope{i}"
        params[name] = list(cond.values)
        if cond.column == LABELS:
            cond_sql = f"(c.labels && CAST(:{name} AS text[]))"
        else:
            cond_sql = f"(c.{cond.column} = ANY(CAST(:{name} AS text[])))"
        conds.append(f"(NOT {cond_sql})" if cond.negated else cond_sql)
    return " AND ".join(conds) or "TRUE"


def counts(session: Any, scope: Scope, field_ids: list[int]) -> tuple[int, dict[int, int]]:
    """The number of rows in the scope, and the count of every code of ``field_ids``'s fields.

    Codes whose count is zero are left out, as the scan never sees them.
    """
    params: dict[str, Any] = {
        "_fids": field_ids or [-1],
        "_shift": facet_codes.FIELD_SHIFT,
        "_hits": facet_codes.HITS_CODE,
    }
    where = _where(scope, params)
    # A plain index scan, never a sequential or bitmap one: the table's merges leave dead rows
    # until a vacuum, which an index scan skips (and marks in the index the first time it
    # meets them), where the others read every one of them.
    seqscan, bitmapscan = session.execute(
        sa.text("SELECT current_setting('enable_seqscan'), current_setting('enable_bitmapscan')")
    ).one()
    session.execute(sa.text("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off"))
    rows = session.execute(
        sa.text(
            f"SELECT c.code, sum(c.n) AS n FROM {TABLE} c WHERE {where} "
            f"AND (c.code = :_hits OR (c.code >> :_shift) = ANY(:_fids)) "
            f"GROUP BY c.code HAVING sum(c.n) <> 0"
        ),
        params,
    ).fetchall()
    session.execute(
        sa.text(
            "SELECT set_config('enable_seqscan', :s, true), "
            "set_config('enable_bitmapscan', :b, true)"
        ),
        {"s": seqscan, "b": bitmapscan},
    )
    hits = 0
    by_code: dict[int, int] = {}
    for code, n in rows:
        if code == facet_codes.HITS_CODE:
            hits = int(n)
        else:
            by_code[int(code)] = int(n)
    return hits, by_code


def hits(session: Any, scope: Scope) -> int:
    """The number of rows in the scope (the kept count of ``HITS_CODE``)."""
    found, _ = counts(session, scope, [])
    return found


def compact(session: Any) -> None:
    """Merge the kept changes into one row per key now (the triggers do it every few thousand
    changes; a benchmark or a maintenance job may want it at a moment of its choosing)."""
    session.execute(sa.text(f"SELECT {TABLE}_compact()"))

"""Facet values as integers, so counting them over 100,000 entries is a pass over int arrays.

Each (field, value) pair gets a number from a dictionary table; an index row keeps the numbers
of its facetable values in ``facet_ids``. A number carries its field in its high bits
(``field_id << 40 | value_id``), so a count can keep just the requested fields without a join.
Dictionary rows are added in the caller's transaction and never removed (values seen once stay
known; they cost a few bytes).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

FIELD_TABLE = "govshare_search_facet_field"
VALUE_TABLE = "govshare_search_facet_value"
FIELD_SHIFT = 40
HITS_CODE = 0  # counted for every matching row: the number of hits comes with the facets


def pack(field_id: int, value_id: int) -> int:
    return (field_id << FIELD_SHIFT) | value_id


def field_of(code: int) -> int:
    return code >> FIELD_SHIFT


def field_ids(session: Any, names: list[str], *, create: bool) -> dict[str, int]:
    names = sorted(set(names))
    if not names:
        return {}
    if create:
        session.execute(
            sa.text(
                f"INSERT INTO {FIELD_TABLE} (name) SELECT unnest(CAST(:names AS text[])) "
                f"ON CONFLICT (name) DO NOTHING"
            ),
            {"names": names},
        )
    rows = session.execute(
        sa.text(f"SELECT name, id FROM {FIELD_TABLE} WHERE name = ANY(:names)"),
        {"names": names},
    )
    return {name: fid for name, fid in rows}


def encode(session: Any, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Numbers for the pairs, adding the ones not seen before."""
    if not pairs:
        return {}
    fids = field_ids(session, [f for f, _ in pairs], create=True)
    ordered = sorted(pairs)
    params = {"fids": [fids[f] for f, _ in ordered], "values": [v for _, v in ordered]}
    session.execute(
        sa.text(
            f"INSERT INTO {VALUE_TABLE} (field_id, value) "
            f"SELECT * FROM unnest(CAST(:fids AS int[]), CAST(:values AS text[])) "
            f"ON CONFLICT (field_id, value) DO NOTHING"
        ),
        params,
    )
    rows = session.execute(
        sa.text(
            f"SELECT v.field_id, v.value, v.id FROM {VALUE_TABLE} v "
            f"JOIN unnest(CAST(:fids AS int[]), CAST(:values AS text[])) AS p(fid, value) "
            f"ON v.field_id = p.fid AND v.value = p.value"
        ),
        params,
    )
    names = {fid: name for name, fid in fids.items()}
    return {(names[fid], value): pack(fid, vid) for fid, value, vid in rows}


def decode(session: Any, codes: list[int]) -> dict[int, tuple[str, str]]:
    if not codes:
        return {}
    rows = session.execute(
        sa.text(
            f"SELECT v.field_id, v.id, f.name, v.value FROM {VALUE_TABLE} v "
            f"JOIN {FIELD_TABLE} f ON f.id = v.field_id "
            f"WHERE v.id = ANY(:ids)"
        ),
        {"ids": [code & ((1 << FIELD_SHIFT) - 1) for code in codes]},
    )
    return {pack(fid, vid): (name, value) for fid, vid, name, value in rows}

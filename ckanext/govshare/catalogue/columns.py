"""Data items ↔ DataStore columns (issue 16, item 1): which column holds which data item.

Each data item of an entry (catalogue.md, 信息项) maps to one column of its tabular resources
in CKAN's DataStore: ``data_items[].column``, by default the item's own name. A column that
matches no data item is not described by the catalogue, so it is never delivered outside the
providing department (art. 9: what is shared is what the catalogue lists). Plain Python: the
rules are unit-tested alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes of UTF-8.
MAX_COLUMN_BYTES = 63

# Why a column name cannot name a DataStore column (the DataStore's own rules).
TOO_LONG = "too_long"
RESERVED = "reserved"
QUOTE = "quote"
BLANK = "blank"


def item_column(item: Mapping[str, Any]) -> str:
    """The DataStore column of a data item: its ``column``, else its name."""
    column = str(item.get("column") or "").strip()
    return column or str(item.get("name") or "").strip()


def column_problem(name: str) -> str | None:
    """Why ``name`` cannot be a DataStore column, or None."""
    if not name.strip():
        return BLANK
    if name.startswith("_"):
        return RESERVED
    if '"' in name or "%" in name:
        return QUOTE
    if len(name.encode("utf-8")) > MAX_COLUMN_BYTES:
        return TOO_LONG
    return None


def columns_of(entry: Mapping[str, Any], item_names: Iterable[str] | None = None) -> dict[str, str]:
    """``{data item name: column}`` of the entry's items (only ``item_names`` when given),
    in the entry's order."""
    wanted = None if item_names is None else set(item_names)
    out: dict[str, str] = {}
    for item in entry.get("data_items") or []:
        name = str(item.get("name") or "").strip()
        if name and (wanted is None or name in wanted):
            out[name] = item_column(item)
    return out


@dataclass(frozen=True)
class Match:
    """How an entry's data items meet a resource's DataStore columns."""

    #: ``(data item, column)`` of every item whose column the resource has, in column order.
    pairs: tuple[tuple[str, str], ...]
    #: Columns that match no data item: delivered to no one outside the provider.
    unmatched_columns: tuple[str, ...]
    #: Data items whose column the resource lacks.
    unmatched_items: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "pairs": [{"data_item": item, "column": column} for item, column in self.pairs],
            "unmatched_columns": list(self.unmatched_columns),
            "unmatched_items": list(self.unmatched_items),
        }


def match(entry: Mapping[str, Any], columns: Sequence[str]) -> Match:
    """Pair the entry's data items with the resource's DataStore ``columns``."""
    by_column = {column: item for item, column in columns_of(entry).items()}
    present = set(columns)
    return Match(
        pairs=tuple((by_column[c], c) for c in columns if c in by_column),
        unmatched_columns=tuple(c for c in columns if c not in by_column),
        unmatched_items=tuple(i for i, c in columns_of(entry).items() if c not in present),
    )

"""Spreadsheet cells that cannot run (issue 14, item 6: OWASP "CSV injection").

A spreadsheet program runs a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (also
after leading spaces), or with a tab or a carriage return, as a formula: a failed-login user
name ``=HYPERLINK(…)`` in the audit CSV, or a rejection reason starting with ``=`` in a report,
became a live link or a command when an officer opened the file. Every CSV and XLSX the
platform writes goes through this module:

- CSV (:func:`csv_value`, :func:`csv_row`): such text gets a leading ``'``, which spreadsheet
  programs read as "text" (OWASP's advice); :func:`csv_unquote` takes it off again where the
  platform reads back a file it wrote (the calendar).
- XLSX (:func:`xlsx_append`, :func:`xlsx_cell`): such text is stored as a string cell (openpyxl
  would otherwise store text starting with ``=`` as a formula) with the ``quotePrefix`` style,
  which is how Excel itself keeps ``'=…`` typed by a user: shown as written, never evaluated,
  still text after an edit; the value is kept exactly, so a catalogue spreadsheet reads back
  as it was written.

Numbers stay numbers: only text is touched, and text that is just a number (``-12.5``,
``+86``, ``1e-3``) is left as it is, since a spreadsheet reads it as that number and runs
nothing. Plain Python, no CKAN: unit-tested alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell

__all__ = [
    "csv_row",
    "csv_unquote",
    "csv_value",
    "formula_like",
    "xlsx_append",
    "xlsx_cell",
]

# Characters that make a spreadsheet read a cell as a formula (OWASP).
TRIGGERS = frozenset("=+-@\t\r")
# After leading whitespace, these still start a formula.
_AFTER_SPACE = frozenset("=+-@")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)*|\.\d+)(?:[eE][+-]?\d+)?%?")
QUOTE = "'"


def formula_like(value: Any) -> bool:
    """``value`` is text a spreadsheet program would run as a formula."""
    if not isinstance(value, str) or not value:
        return False
    if value[0] in TRIGGERS:
        return not _NUMBER.fullmatch(value.strip())
    stripped = value.strip()
    return bool(stripped) and stripped[0] in _AFTER_SPACE and not _NUMBER.fullmatch(stripped)


def _quoted(value: Any) -> bool:
    """Formula-like, or a quote before something :func:`csv_value` quotes (so that quoting
    and :func:`csv_unquote` give back exactly what was written)."""
    while isinstance(value, str) and value.startswith(QUOTE):
        value = value[1:]
    return formula_like(value)


def csv_value(value: Any) -> Any:
    """A CSV field that no spreadsheet runs: formula-like text gets a leading ``'``; other
    values (numbers, dates, ``None``, plain text) are returned as they are."""
    return QUOTE + value if _quoted(value) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A row for ``csv.writer.writerow``, every field through :func:`csv_value`."""
    return [csv_value(v) for v in values]


def csv_unquote(value: str) -> str:
    """The text :func:`csv_value` was given: reading back a file the platform wrote."""
    if value.startswith(QUOTE) and _quoted(value[1:]):
        return value[1:]
    return value


def xlsx_cell(cell: Any) -> Any:
    """Make an openpyxl cell holding formula-like text a string cell that is never run."""
    if formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def xlsx_append(sheet: Any, values: Iterable[Any]) -> None:
    """``sheet.append(values)``, formula-like text as string cells (:func:`xlsx_cell`)."""
    # row and column are placeholders: append() sets them.
    cells = [xlsx_cell(Cell(sheet, 1, 1, value=v)) if formula_like(v) else v for v in values]
    sheet.append(cells)

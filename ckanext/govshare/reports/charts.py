"""The report's four charts as reportlab drawings: drawn into the PDF, and rendered to SVG for
the report pages (one chart definition for both; no JavaScript, prints as shown).

Text uses WenQuanYi Micro Hei (文泉驿微米黑, Debian's ``fonts-wqy-microhei``, installed by
``scripts/setup.sh system``), registered as a reportlab ``TTFont``: the PDF embeds the subset of
its glyphs it uses (``FontFile2``), so the Chinese renders in any viewer, also one with no
Chinese font of its own. In the SVG the browser uses the family if it has it, else a system
font.

Every chart draws exactly what the report's table beside it counts (tested): the numbers are
written on the bars and in the legend, and a chart with nothing to count says so.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "WenQuanYiMicroHei"
#: Where Debian installs the CJK TrueType fonts this can embed (the first found is used):
#: ``fonts-wqy-microhei`` (setup's ``system`` step installs it), ``fonts-wqy-zenhei``.
FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
NO_FONT = (
    "No CJK TrueType font to embed in report PDFs: install Debian's fonts-wqy-microhei "
    "(scripts/setup.sh system); looked for {}"
)
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


def font_file() -> str:
    """The CJK TrueType font file to embed: the first of :data:`FONT_FILES` present."""
    for path in FONT_FILES:
        if os.path.exists(path):
            return path
    raise FontMissing(NO_FONT.format(", ".join(FONT_FILES)))


class FontMissing(RuntimeError):
    """No CJK TrueType font is installed: a PDF without one shows blank text in some viewers."""


def register_font() -> str:
    """Register the embedded CJK font once (idempotent) and return its name.

    ``subfontIndex`` 0 of the ``.ttc`` is the proportional face (1 is the monospaced one).
    reportlab embeds the glyphs a document uses as a TrueType subset (``FontFile2``).
    """
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, font_file(), subfontIndex=0))
    return FONT


def _values_on_bars(chart: Any) -> None:
    """Write each bar's count at its end, none on an empty bar: the chart reads as its table."""
    chart.barLabelFormat = lambda value: f"{value:g}" if value else ""
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6


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
    drawing = Drawing(WIDTH, HEIGHT, initialFontName=FONT)
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
    received: Sequence[int],
    made: Sequence[int],
    names: tuple[str, str],
    title: str,
    empty: str,
) -> Drawing:
    """Requests received and made, month by month (two series)."""
    drawing = _drawing(title)
    if not any([*received, *made]):
        return _empty(drawing, empty)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 40, 300, 140
    chart.data = [list(received), list(made)]
    chart.categoryAxis.categoryNames = [str(m) for m in range(1, 13)]
    chart.categoryAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontName = FONT
    _scale(chart.valueAxis, max([*received, *made, 1]))
    chart.bars[0].fillColor, chart.bars[1].fillColor = PALETTE[3], PALETTE[1]
    _values_on_bars(chart)
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
    _values_on_bars(chart)
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
    made: Mapping[str, Mapping[str, int]],
    of_our_data: Mapping[str, Mapping[str, int]],
    label: Label,
    names: tuple[str, str],
    title: str,
    empty: str,
) -> Drawing:
    """Downloads per purpose of use (art. 14: every use has its stated purpose): those the
    department made and those of its data, the two download columns of the report's table."""
    drawing = _drawing(title)
    purposes = list(dict.fromkeys([*made, *of_our_data]))
    series = [
        [int((made.get(p) or {}).get("count", 0)) for p in purposes],
        [int((of_our_data.get(p) or {}).get("count", 0)) for p in purposes],
    ]
    if not any([*series[0], *series[1]]):
        return _empty(drawing, empty)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 150, 20, 210, 160
    # A horizontal chart draws its first category at the bottom: reversed, the purposes read
    # top to bottom in the table's order.
    chart.data = [list(reversed(values)) for values in series]
    chart.categoryAxis.categoryNames = [label(p) for p in reversed(purposes)]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = FONT
    _scale(chart.valueAxis, max([*series[0], *series[1], 1]))
    chart.bars[0].fillColor, chart.bars[1].fillColor = PALETTE[0], PALETTE[1]
    _values_on_bars(chart)
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 150, HEIGHT - 24
    legend.fontName = FONT
    legend.fontSize = 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.dx = legend.dy = 7
    legend.deltax = 120
    legend.colorNamePairs = [(PALETTE[0], names[0]), (PALETTE[1], names[1])]
    drawing.add(legend)
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
            text("no_data"),
        ),
        answer_times(
            received["answer_workdays"],
            (report.get("deadline_days") or {}).get("conditional"),
            text("answer_times"),
            text("deadline"),
            text("no_data"),
        ),
        downloads_by_purpose(
            report["downloads"]["made"]["by_purpose"],
            report["downloads"]["of_our_data"]["by_purpose"],
            label,
            (text("downloads_made"), text("downloads_of_our_data")),
            text("downloads_by_purpose"),
            text("no_data"),
        ),
    ]


def to_svg(drawing: Drawing) -> str:
    """The drawing as an inline ``<svg>`` element (no XML declaration or doctype)."""
    svg = renderSVG.drawToString(drawing)
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg

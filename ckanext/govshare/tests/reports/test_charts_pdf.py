"""Issue 19, item 9: every chart of the yearly report draws what its table counts, and the PDF
embeds its CJK font so it renders (and its text extracts) in any viewer.

The charts are read off the reportlab drawings the page renders (``charts.all_charts`` on the
report the page shows, in the page's language); the tables off the page's HTML, the table each
figure names (``aria-describedby``). Series are matched by name: a chart's legend entry is the
header of its table's column.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckan.tests import helpers
from pypdf import PdfReader
from reportlab.graphics.charts.barcharts import BarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie

from ckanext.govshare.reports import charts, labels
from ckanext.govshare.tests.reports.conftest import Scenario

pytestmark = pytest.mark.usefixtures("pinned")


@pytest.fixture
def headers(scenario: Scenario):
    """An API token header of one of the scenario's users."""

    def make(who: str) -> dict[str, str]:
        token = helpers.call_action(
            "api_token_create",
            context={"user": scenario.users["sysadmin"]["name"], "ignore_auth": True},
            user=scenario.users[who]["name"],
            name="charts",
        )["token"]
        return {"Authorization": token}

    return make


Series = dict[str, dict[str, float]]


def _drawn(drawing: Any) -> Series:
    """What a chart draws: {series name: {category: value}}, categories with a value only.

    A pie's categories are its legend's names (``label (count)``); a bar chart's series are
    named by its legend (one unnamed series when it has none)."""
    items = list(drawing.contents)
    legend = next((i for i in items if isinstance(i, Legend)), None)
    names = [name for _, name in legend.colorNamePairs] if legend is not None else [""]
    pie = next((i for i in items if isinstance(i, Pie)), None)
    if pie is not None:
        categories = [re.sub(r" \(\d+\)$", "", n) for n in names]
        return {"": {c: v for c, v in zip(categories, pie.data, strict=True) if v}}
    chart = next((i for i in items if isinstance(i, BarChart)), None)
    if chart is None:
        return {}  # "no data": nothing drawn
    categories = [str(c) for c in chart.categoryAxis.categoryNames]
    assert len(names) == len(chart.data)
    return {
        name: {c: v for c, v in zip(categories, values, strict=True) if v}
        for name, values in zip(names, chart.data, strict=True)
    }


def _number(text: str) -> float | None:
    try:
        return float(text.strip())
    except ValueError:
        return None


def _tabled(table: Any) -> Series:
    """A table's numbers: {column header: {row header: value}}, non-zero values only; a table
    without a header row has one unnamed column. The total row is not a category."""
    head = table.find("thead")
    headers = [th.get_text(strip=True) for th in head.find_all("th")][1:] if head else [""]
    found: Series = {h: {} for h in headers}
    for tr in table.find("tbody").find_all("tr") if table.find("tbody") else table.find_all("tr"):
        th = tr.find("th")
        if th is None or th.get_text(strip=True) == labels.en("total"):
            continue
        cells = tr.find_all("td")
        for header, td in zip(headers, cells, strict=True):
            value = _number(td.get_text())
            if value:
                found[header][th.get_text(strip=True)] = value
    return found


def _page_charts(app: Any, path: str, headers: dict[str, str], report: dict[str, Any]):
    page = app.get(f"/en{path}", headers=headers)
    assert page.status_code == 200
    soup = BeautifulSoup(page.body, "html.parser")
    figures = soup.select("figure.govshare-report-chart")
    drawings = charts.all_charts(report, labels.en, labels.en)
    assert len(figures) == len(drawings) == 4
    for figure, drawing in zip(figures, drawings, strict=True):
        table = soup.find("table", id=figure["aria-describedby"])
        assert table is not None, figure["aria-describedby"]
        yield figure["aria-describedby"], drawing, table


@pytest.mark.parametrize(
    ("who", "key", "path"),
    [
        ("p_officer", "P", "/govshare/reports/rep-provider/2026"),
        ("p_officer", "R", "/govshare/reports/rep-requester/2026"),
        ("authority", "platform", "/govshare/reports/2026"),
    ],
)
def test_every_chart_draws_what_its_table_counts(
    app: Any, scenario: Scenario, headers, who: str, key: str, path: str
):
    if key == "R":
        who = "authority"  # P's officer may not read R's report
    report = scenario.reports[key]
    compared = 0
    for name, drawing, table in _page_charts(app, path, headers(who), report):
        drawn, tabled = _drawn(drawing), _tabled(table)
        if name == "govshare-report-entries":
            # The pie is the share types of the entries table (its other rows are not drawn).
            share_types = {labels.en(k) for k in report["entries"]["by_share_type"]}
            tabled = {"": {c: v for c, v in tabled[""].items() if c in share_types}}
        elif list(drawn) == [""]:
            # One series, no legend: the table's one column of numbers.
            [column] = tabled.values()
            tabled = {"": column}
        elif drawn:
            # Each drawn series is the column of the table its legend names.
            assert set(drawn) <= set(tabled), (name, set(drawn), set(tabled))
            tabled = {series: tabled[series] for series in drawn}
        if not drawn:
            # A chart that draws nothing ("No data") stands for a table with nothing to count.
            assert not any(tabled.values()), name
            continue
        assert drawn == tabled, name
        compared += 1
    assert compared >= 3


def test_downloads_chart_counts_the_departments_data_downloaded_by_others(scenario: Scenario):
    """The bug of issue 19: the chart drew only the department's own downloads, so a provider
    whose data was downloaded saw an empty chart beside a table counting them."""
    drawing = charts.all_charts(scenario.reports["P"], labels.en, labels.en)[3]
    drawn = _drawn(drawing)
    assert drawn[labels.en("downloads_of_our_data")] == {
        labels.en("data_verification"): 2,
        labels.en("administrative_basis"): 1,
        labels.en("work_reference"): 1,
    }
    assert sum(drawn[labels.en("downloads_made")].values()) == 1
    # A department with no download either way: "No data", not an empty frame of axes.
    nothing = {p: {"count": 0, "bytes": 0} for p in ("administrative_basis", "other")}
    empty = charts.downloads_by_purpose(nothing, nothing, labels.en, ("a", "b"), "t", "No data")
    assert _drawn(empty) == {}
    assert "No data" in charts.to_svg(empty)


def _fonts(reader: PdfReader) -> list[dict[str, Any]]:
    """Every font the pages use (descendant fonts of Type0 fonts included)."""
    found: dict[Any, Any] = {}
    for page in reader.pages:
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else {}
        fonts = resources.get("/Font")
        for ref in (fonts.get_object() if fonts is not None else {}).values():
            font = ref.get_object()
            found[id(font)] = font
            for child in font.get("/DescendantFonts") or []:
                found[id(child.get_object())] = child.get_object()
        # Charts are drawn in form XObjects of their own.
        xobjects = resources.get("/XObject")
        for ref in (xobjects.get_object() if xobjects is not None else {}).values():
            inner = (ref.get_object().get("/Resources") or {}).get("/Font")
            for font_ref in (inner.get_object() if inner is not None else {}).values():
                found[id(font_ref.get_object())] = font_ref.get_object()
    return list(found.values())


def _embedded(font: dict[str, Any]) -> bool:
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


@pytest.mark.parametrize(
    "path", ["/govshare/reports/2026.pdf", "/govshare/reports/rep-provider/2026.pdf"]
)
def test_pdf_embeds_its_cjk_font_and_its_chinese_extracts(
    app: Any, scenario: Scenario, headers, path: str
):
    response = app.get(path, headers=headers("authority"))
    assert response.status_code == 200
    data = response.get_data()
    reader = PdfReader(io.BytesIO(data))
    fonts = _fonts(reader)
    assert fonts
    # Every font with glyphs of its own is embedded (TrueType: FontFile2); no CID font that a
    # viewer must supply (STSong-Light and the like), no font left to the viewer at all.
    simple_or_cid = [f for f in fonts if f.get("/Subtype") != "/Type0"]
    assert simple_or_cid
    assert all(_embedded(f) for f in simple_or_cid), [f.get("/BaseFont") for f in fonts]
    assert b"/FontFile2" in data
    assert b"STSong" not in data and b"/UniGB-UCS2-H" not in data
    text = "\n".join(page.extract_text() for page in reader.pages)
    # The Chinese headings: the title, the charts' titles and the sections.
    for heading in (
        "政务信息资源共享年度报告",
        "按共享类型分的信息资源",
        "各月共享申请",
        "按用途分的下载",
        "指标",
        "合规问题",
    ):
        assert heading in text, heading
    if "rep-provider" in path:
        assert "市场监管局" in text
    else:
        assert "平台总体报告" in text


def test_a_missing_font_is_named_not_a_blank_pdf(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(charts, "FONT_FILES", ("/nonexistent/font.ttc",))
    with pytest.raises(charts.FontMissing, match="fonts-wqy-microhei"):
        charts.font_file()

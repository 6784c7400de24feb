"""The yearly report's interface calls (issue 16, item 7): by department, purpose and outcome,
in the report, its page, its spreadsheet and its PDF."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from ckan import model
from openpyxl import load_workbook

from ckanext.govshare.core import clock
from ckanext.govshare.interface import calls as call_log
from ckanext.govshare.reports import export
from ckanext.govshare.reports.metrics import api_calls_summary
from ckanext.govshare.tests.interface.conftest import IWorld


def _calls(iw: IWorld) -> None:
    """This year: the requesting department's 3 answered calls (10 rows each) and 2 refused
    ones for work reference, 1 answered verification; an outsider's refused call with no
    grant; last year: 1 answered call (not counted)."""
    requester = iw.world.requester_org["id"]
    now = clock.now()
    last_year = dt.datetime(clock.today().year - 1, 6, 1, tzinfo=dt.timezone.utc)
    common = {"resource_id": iw.resource_id, "package_id": iw.entry["id"]}
    made = [
        ("work_reference", "query", "answered", 10, now),
        ("work_reference", "query", "answered", 10, now),
        ("work_reference", "query", "answered", 10, now),
        ("work_reference", "query", "refused", None, now),
        ("work_reference", "query", "refused", None, now),
        ("data_verification", "verify", "answered", 1, now),
        ("work_reference", "query", "answered", 10, last_year),
    ]
    for purpose, method, outcome, rows, time in made:
        call_log.record(
            **common,
            method=method,
            outcome=outcome,
            status_code=200 if outcome == "answered" else 403,
            organization_id=requester,
            purpose=purpose,
            rows=rows,
            time=time,
        )
    call_log.record(
        **common,
        method="query",
        outcome="refused",
        status_code=403,
        organization_id=iw.world.other_org["id"],
        reason="no_grant",
    )
    model.Session.commit()


def test_the_summary_counts_groups() -> None:
    summary = api_calls_summary(
        [
            {
                "purpose": "work_reference",
                "method": "query",
                "outcome": "answered",
                "count": 3,
                "rows": 30,
            },
            {"purpose": None, "method": "query", "outcome": "refused", "count": 2, "rows": 0},
        ]
    )
    assert (summary["total"], summary["answered"], summary["refused"], summary["rows"]) == (
        5,
        3,
        2,
        30,
    )
    assert summary["by_purpose"]["work_reference"] == {"answered": 3, "refused": 0}
    assert summary["by_purpose"]["unknown"] == {"answered": 0, "refused": 2}
    assert summary["by_method"] == {"query": 5}


def test_calls_by_department_purpose_and_outcome(iw: IWorld) -> None:
    _calls(iw)
    year = clock.today().year
    held = iw.call(
        "sysadmin", "govshare_report_show", organization=iw.world.requester_org["name"], year=year
    )
    made = held["api_calls"]["made"]
    assert (made["total"], made["answered"], made["refused"], made["rows"]) == (6, 4, 2, 31)
    assert made["by_purpose"]["work_reference"] == {"answered": 3, "refused": 2}
    assert made["by_purpose"]["data_verification"] == {"answered": 1, "refused": 0}
    assert made["by_method"] == {"query": 5, "verify": 1}
    assert held["api_calls"]["of_our_data"]["total"] == 0
    provided = iw.call(
        "sysadmin", "govshare_report_show", organization=iw.world.provider["name"], year=year
    )
    ours = provided["api_calls"]["of_our_data"]
    assert (ours["total"], ours["answered"], ours["refused"]) == (7, 4, 3)
    assert ours["by_purpose"]["unknown"] == {"answered": 0, "refused": 1}
    platform = iw.call("sysadmin", "govshare_report_show", year=year)
    rows = {d["id"]: d for d in platform["departments"]}
    requester = rows[iw.world.requester_org["id"]]
    assert (requester["api_calls_made"], requester["api_calls_refused"]) == (6, 2)
    assert rows[iw.world.provider["id"]]["api_calls_of_our_data"] == 7
    assert rows[iw.world.other_org["id"]]["api_calls_refused"] == 1
    assert platform["api_calls"]["made"]["total"] == 7


def test_the_files_and_the_page_carry_the_calls(iw: IWorld, app: Any, api_key: Any) -> None:
    _calls(iw)
    year = clock.today().year
    report = iw.call(
        "sysadmin", "govshare_report_show", organization=iw.world.requester_org["name"], year=year
    )
    book = load_workbook(io.BytesIO(export.xlsx(report)))
    cells = [[c.value for c in row] for row in book["概要 Summary"].iter_rows()]
    named = "本部门接口调用 Interface calls by the department"
    assert [r[2] for r in cells if r[1] == named] == [6]
    assert [r[2] for r in cells if r[1] == f"{named}: 被拒绝 Refused"] == [2]
    assert export.pdf(report)[:5] == b"%PDF-"
    page = app.get(
        f"/govshare/reports/{iw.world.requester_org['name']}/{year}",
        headers=api_key("sysadmin"),
    )
    assert page.status_code == 200
    assert "govshare-report-api-calls" in page.body

"""The yearly report's batch exchange runs (issue 17, item 3; 2025 Regulations art. 22): runs,
successful runs and rows delivered per department as holder and as provider, in the report,
its page and its spreadsheet; the runs of a deleted subscription still count."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from ckanext.govshare.core import clock
from ckanext.govshare.reports import export
from ckanext.govshare.reports.metrics import exchange_runs_summary
from ckanext.govshare.tests.exchange.sub_world import SubWorld, add_run, build


@pytest.fixture
def sw(module_world: Any) -> SubWorld:
    return module_world(build)


def _runs(sw: SubWorld) -> None:
    """This year: 2 successful runs (10 and 7 rows) and 1 failed run, one of them of a
    subscription deleted since; a queued run (not counted); last year: 1 run (not counted)."""
    kept = sw.subscribe()
    gone = sw.subscribe(table="gone")
    add_run(kept)
    add_run(kept, outcome="failed", rows=None, sha256=None)
    add_run(gone, rows=7)
    sw.call("requester_officer", "govshare_subscription_delete", id=gone["id"])
    add_run(kept, outcome="queued", started_at=None, finished_at=None, rows=None)
    last_year = dt.datetime(clock.today().year - 1, 6, 1, tzinfo=dt.timezone.utc)
    add_run(kept, queued_at=last_year, started_at=last_year, finished_at=last_year, rows=99)


def test_the_summary_counts_groups() -> None:
    summary = exchange_runs_summary(
        [
            {"outcome": "success", "count": 3, "rows": 30},
            {"outcome": "failed", "count": 2, "rows": 0},
            {"outcome": "success", "rows": 5},
        ]
    )
    assert summary == {"runs": 6, "succeeded": 4, "failed": 2, "rows": 35}
    assert exchange_runs_summary([]) == {"runs": 0, "succeeded": 0, "failed": 0, "rows": 0}


def test_runs_by_department_as_holder_and_provider(sw: SubWorld, app: Any) -> None:
    _runs(sw)
    year = clock.today().year
    holder = sw.call(
        "sysadmin", "govshare_report_show", organization=sw.world.requester_org["name"], year=year
    )
    assert holder["exchange_runs"]["received"] == {
        "runs": 3,
        "succeeded": 2,
        "failed": 1,
        "rows": 17,
    }
    assert holder["exchange_runs"]["given"]["runs"] == 0
    provider = sw.call(
        "sysadmin", "govshare_report_show", organization=sw.world.provider["name"], year=year
    )
    assert provider["exchange_runs"]["given"]["rows"] == 17
    assert provider["exchange_runs"]["received"]["runs"] == 0
    platform = sw.call("sysadmin", "govshare_report_show", year=year)
    rows = {d["id"]: d for d in platform["departments"]}
    assert rows[sw.world.requester_org["id"]]["exchange_runs_received"] == 3
    assert rows[sw.world.provider["id"]]["exchange_runs_given"] == 3
    assert platform["exchange_runs"]["received"]["succeeded"] == 2
    # The spreadsheet and the page carry them.
    book = load_workbook(io.BytesIO(export.xlsx(holder)))
    cells = [[c.value for c in row] for row in book["概要 Summary"].iter_rows()]
    named = "交换至本部门 Exchange runs to the department"
    assert [r[2] for r in cells if r[1] == named] == [3]
    assert [r[2] for r in cells if r[1] == f"{named}: 提供数据行数 Rows delivered"] == [17]
    sysadmin = sw.world.users["sysadmin"]["name"]
    token = sw.call("sysadmin", "api_token_create", user=sysadmin, name="report")
    page = app.get(
        f"/en/govshare/reports/{sw.world.requester_org['name']}/{year}",
        headers={"Authorization": token["token"]},
    )
    assert page.status_code == 200
    assert "govshare-report-exchange-runs" in page.body and "Batch exchange runs" in page.body

"""The report's rules on plain rows: no plugin, no database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ckanext.govshare.reports import charts, export, findings, labels, metrics, reminders
from ckanext.govshare.workdays.calendar import WorkCalendar

pytestmark = pytest.mark.unit

BEIJING = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()


def at(y: int, m: int, d: int, hh: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hh, tzinfo=BEIJING)


def local(moment: dt.datetime) -> dt.date:
    return moment.astimezone(BEIJING).date()


def test_timeliness():
    due = dt.date(2026, 3, 9)
    today = dt.date(2026, 3, 20)
    assert metrics.timeliness(dt.date(2026, 3, 9), due, today) == "on_time"  # on the day
    assert metrics.timeliness(dt.date(2026, 3, 10), due, today) == "late"
    assert metrics.timeliness(None, due, today) == "overdue"
    assert metrics.timeliness(None, due, dt.date(2026, 3, 9)) == "pending"
    assert metrics.timeliness(dt.date(2026, 5, 1), None, today) == "on_time"  # no deadline


def test_answer_time_skips_the_holiday_and_the_time_with_the_requester():
    request = {
        "status": "approved",
        "submitted_at": at(2026, 9, 28),
        "decided_at": at(2026, 10, 20),
    }
    events = [
        {"id": 1, "time": at(2026, 9, 28), "from_state": None, "to_state": "submitted"},
        # Returned on 30 Sep: 29, 30 Sep = 2 working days ran.
        {"id": 2, "time": at(2026, 9, 30), "from_state": "submitted", "to_state": "returned"},
        # Back on Friday 9 Oct, decided Tuesday 13 Oct: 10 (Sat, worked), 12, 13 Oct = 3.
        {"id": 3, "time": at(2026, 10, 9), "from_state": "returned", "to_state": "submitted"},
        {"id": 4, "time": at(2026, 10, 13), "from_state": "submitted", "to_state": "submitted"},
        {"id": 5, "time": at(2026, 10, 13), "from_state": "submitted", "to_state": "approved"},
    ]
    assert metrics.answer_workdays(request, events, CAL, local) == 5
    # Without a history: first submission to decision (29, 30 Sep, 8, 9, 10, 12…20 Oct = 12).
    assert metrics.answer_workdays(request, [], CAL, local) == 12
    assert metrics.answer_workdays({**request, "status": "submitted"}, events, CAL, local) is None


def test_request_states():
    today = dt.date(2026, 11, 25)
    base = {"submitted_at": at(2026, 6, 1), "due_date": dt.date(2026, 6, 15)}
    submit = {"id": 1, "time": at(2026, 6, 1), "from_state": None, "to_state": "submitted"}
    expire_open = {
        "id": 2,
        "time": at(2026, 7, 1),
        "from_state": "submitted",
        "to_state": "expired",
    }
    expire_back = {"id": 2, "time": at(2026, 7, 1), "from_state": "returned", "to_state": "expired"}
    state = metrics.request_state
    assert state({**base, "status": "submitted"}, [submit], local, today) == "overdue"
    assert state({**base, "status": "expired"}, [submit, expire_open], local, today) == "overdue"
    assert state({**base, "status": "expired"}, [submit, expire_back], local, today) == "closed"
    assert state({**base, "status": "withdrawn"}, [submit], local, today) == "closed"
    # Decided at 23:30 UTC on 15 June = 07:30 on 16 June in Beijing: late.
    late = {
        **base,
        "status": "rejected",
        "decided_at": dt.datetime(2026, 6, 15, 23, 30, tzinfo=dt.UTC),
    }
    assert state(late, [submit], local, today) == "late"


def test_entries_summary_counts_blank_basis_as_missing():
    summary = metrics.entries_summary(
        [
            {"share_type": "not_shared", "resource_category": "departmental", "legal_basis": "法"},
            {"share_type": "not_shared", "resource_category": "departmental", "legal_basis": " "},
            {"share_type": "unconditional", "resource_category": "basic"},
        ]
    )
    assert summary["not_shared_with_basis"] == 1
    assert summary["not_shared_with_basis_share"] == 0.5
    assert summary["by_share_type_and_category"]["not_shared"] == {"departmental": 2}
    assert metrics.entries_summary([])["not_shared_with_basis_share"] is None


@pytest.mark.parametrize(
    ("cycle", "age_days", "stale"),
    [
        ("daily", 1, False),
        ("daily", 2, True),
        ("realtime", 2, True),  # held to the daily rule
        ("weekly", 7, False),
        ("weekly", 8, True),
        ("monthly", 31, False),
        ("monthly", 32, True),
        ("annual", 366, False),
        ("annual", 367, True),
        ("irregular", 5000, False),  # no cycle to hold it to
        (None, 5000, False),
    ],
)
def test_stale_rule(cycle: str | None, age_days: int, stale: bool):
    on = dt.date(2026, 11, 25)
    assert findings.is_stale(cycle, on - dt.timedelta(days=age_days), on) is stale


def test_refused_attempts_threshold_and_department():
    since, until = at(2026, 1, 1, 0), at(2027, 1, 1, 0)

    def event(seq: int, actor: str, action: str = "ckan_resource_download", dept: str = "O"):
        return {
            "seq": seq,
            "actor_id": actor,
            "actor_name": actor,
            "actor_department": dept,
            "action": action,
            "outcome": "refused",
        }

    events = [
        event(1, "u1"),
        event(2, "u1", dept="X"),
        event(3, "u1"),
        event(4, "u1", "user_login_failed"),
        event(5, "u2"),
        event(6, "u2"),
    ]
    [found] = findings.refused_attempts(events, 3, since, until)
    assert found["object_id"] == "u1"
    assert found["organization_id"] == "O"  # the department most of the attempts were for
    assert [e["id"] for e in found["evidence"]] == [1, 2, 3]
    assert findings.refused_attempts(events, 2, since, until)[1]["object_id"] == "u2"


def test_report_due_dates():
    assert reminders.due_by(2026) == dt.date(2027, 2, 28)
    assert reminders.due_by(2027) == dt.date(2028, 2, 29)  # a leap year
    assert reminders.reporting_year(dt.date(2027, 1, 1)) == 2026
    assert reminders.reporting_year(dt.date(2027, 2, 28)) == 2026
    assert reminders.reporting_year(dt.date(2027, 3, 1)) is None
    assert reminders.reporting_year(dt.date(2026, 12, 31)) is None


def test_labels_in_both_languages():
    assert labels.both("not_shared") == "不予共享 Not shared"
    assert labels.for_language("zh_Hans_CN")("stale_data") == "数据未按更新周期更新"
    assert labels.for_language("en")("work_reference") == "Work reference"
    for kind in findings.KINDS:
        assert kind in labels.TEXT


def test_charts_render_to_svg_with_the_deadline_marked():
    drawing = charts.answer_times([2, 4, 12], 10, "Answer times", "deadline", "No data")
    svg = charts.to_svg(drawing)
    assert svg.startswith("<svg") and "deadline" in svg
    empty = charts.to_svg(charts.answer_times([], 10, "Answer times", "deadline", "No data"))
    assert "No data" in empty
    assert export.filename({"organization": None, "year": 2026}, "pdf") == (
        "govshare-report-platform-2026.pdf"
    )


def test_downloads_summary_of_single_and_grouped_rows():
    rows = [
        {"purpose": "work_reference", "bytes": 100, "route": "token"},
        {"purpose": "work_reference", "bytes": None, "route": "bulk"},
        {"purpose": "other", "bytes": 900, "route": "token", "count": 3},
    ]
    summary = metrics.downloads_summary(rows)
    assert (summary["total"], summary["bytes"]) == (5, 1000)
    assert summary["by_purpose"]["work_reference"] == {"count": 2, "bytes": 100}
    assert summary["by_purpose"]["other"] == {"count": 3, "bytes": 900}
    assert summary["by_route"] == {"bulk": 1, "token": 4}

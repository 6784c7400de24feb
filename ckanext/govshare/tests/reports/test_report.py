"""The yearly report of the seeded 2026 (conftest.py), recomputed by hand; auth, files, CLI.

Calendar facts used below (2026, State Council notice): New Year 1–3 Jan off, Sunday 4 Jan
worked; Spring Festival 15–23 Feb off, Saturdays 14 and 28 Feb worked; Labour Day 1–5 May
off, Saturday 9 May worked; National Day (with Mid-Autumn) 1–7 Oct off, Saturday 10 Oct
worked. An answer's time counts the working days after the day the clock started, up to and
including the day it stopped.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers
from openpyxl import load_workbook
from pypdf import PdfReader

from ckanext.govshare.audit.model import event_table
from ckanext.govshare.notices.model import notice_table
from ckanext.govshare.reminders.scheduler import REPORT_DUE, Reminder
from ckanext.govshare.tests.reports.conftest import Scenario

pytestmark = pytest.mark.usefixtures("pinned")


# --- the numbers ---------------------------------------------------------------------------


def test_entries_by_share_type_and_category(scenario: Scenario):
    entries = scenario.reports["P"]["entries"]
    # P catalogued e1..e5 (the draft is not catalogued): e1, e5 unconditional; e2 conditional;
    # e3, e4 not shared. All departmental but e5 (thematic).
    assert entries["total"] == 5
    assert entries["by_share_type"] == {"unconditional": 2, "conditional": 1, "not_shared": 2}
    assert entries["by_category"] == {"basic": 0, "thematic": 1, "departmental": 4}
    # e3 cites its law, e4's basis was blanked: 1 of 2.
    assert (entries["not_shared"], entries["not_shared_with_basis"]) == (2, 1)
    assert entries["not_shared_with_basis_share"] == 0.5
    assert scenario.reports["R"]["entries"]["total"] == 1


def test_requests_received_answered_in_time_and_median(scenario: Scenario):
    received = scenario.reports["P"]["requests_received"]
    # 2026 requests to P: Q1, Q2, Q3, Q4, Q5, Q6, Q8, Q11 (Q7 was sent at 23:30 on 31 December
    # 2025 in Beijing; Q8 at 00:30 on 1 January, still 2025 in UTC). Q9 is a negotiation.
    assert received["total"] == 8
    assert received["by_status"] == {
        "approved": 3,  # Q1, Q3, Q8
        "expired": 1,  # Q11
        "rejected": 1,  # Q2
        "submitted": 2,  # Q4, Q5
        "withdrawn": 1,  # Q6
    }
    assert received["answered"] == 4  # Q1, Q2, Q3, Q8
    assert received["answered_on_time"] == 3  # Q1 (15 Oct ≤ 16 Oct), Q3, Q8
    assert received["answered_late"] == 1  # Q2: 4 Mar > 2 Mar
    assert received["never_answered"] == 2  # Q4 (due 15 Jun), Q11 (expired while submitted)
    assert received["awaiting_answer"] == 1  # Q5, due 4 Dec
    assert received["on_time_share"] == 0.5  # 3 of the 6 owed by now (4 answered + 2 never)
    # Answer times in working days:
    #   Q1 28 Sep → 15 Oct: 29, 30 Sep, 8, 9, 10 (Sat, worked), 12, 13, 14, 15 Oct = 9
    #   Q2 10 Feb → 4 Mar: 11, 12, 13, 14 (Sat, worked), 24, 25, 26, 27, 28 (Sat, worked) Feb,
    #      2, 3, 4 Mar = 12
    #   Q3 28 Apr → 30 Apr returned: 29, 30 = 2; 11 May resubmitted → 13 May: 12, 13 = 2; = 4
    #   Q8 1 Jan → 9 Jan: 4 (Sun, worked), 5, 6, 7, 8, 9 = 6
    assert received["answer_workdays"] == [4, 6, 9, 12]
    assert received["median_answer_workdays"] == 7.5
    # Jan Q8, Feb Q2, Mar Q6, Apr Q3, Jun Q4, Jul Q11, Sep Q1, Nov Q5.
    assert received["by_month"] == [1, 1, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0]
    assert received["negotiations"] == 1
    [rejection] = received["rejections"]
    assert rejection["id"] == scenario.ids["Q2"]
    assert rejection["reason"] == "涉及个人隐私，不予提供"
    made = scenario.reports["R"]["requests_made"]
    assert made["total"] == 8  # R made all of P's 2026 requests
    assert made["by_month"] == [1, 1, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0]
    assert scenario.reports["P"]["requests_made"]["total"] == 1  # Q10
    # R answered Q10 in two working days (3 Aug → 4, 5 Aug), on time.
    r_received = scenario.reports["R"]["requests_received"]
    assert (r_received["answered_on_time"], r_received["answer_workdays"]) == (1, [2])


def test_grants_and_downloads_by_purpose(scenario: Scenario):
    grants = scenario.reports["P"]["grants"]
    # P gave G1 (administrative basis), G2 (data verification), G3 (work reference); G5 is
    # of 2025. P received G4 (business collaboration).
    assert grants["given"] == 3
    assert {k: v for k, v in grants["given_by_purpose"].items() if v} == {
        "administrative_basis": 1,
        "data_verification": 1,
        "work_reference": 1,
    }
    assert grants["received"] == 1
    assert grants["received_by_purpose"]["business_collaboration"] == 1
    downloads = scenario.reports["P"]["downloads"]
    # Of P's data in 2026: R 1,000 + 500 bytes (verification), R unknown size (administrative),
    # O 200 bytes (work reference); R's 999 bytes at 23:59 on 31 Dec 2025 are last year's.
    theirs = downloads["of_our_data"]
    assert (theirs["total"], theirs["bytes"]) == (4, 1700)
    assert theirs["by_purpose"]["data_verification"] == {"count": 2, "bytes": 1500}
    assert theirs["by_purpose"]["administrative_basis"] == {"count": 1, "bytes": 0}
    assert theirs["by_purpose"]["work_reference"] == {"count": 1, "bytes": 200}
    assert (downloads["made"]["total"], downloads["made"]["bytes"]) == (1, 300)
    assert scenario.reports["R"]["downloads"]["made"]["total"] == 3


def test_feedback_and_obligations(scenario: Scenario):
    feedback = scenario.reports["P"]["feedback"]
    # F1 resolved 6 Mar ≤ 9 Mar; F2 resolved 10 Apr > 9 Apr; F3 open past 8 Jun; F4 due 1 Dec.
    assert feedback["received"] == 4
    assert feedback["by_kind"] == {"doubt": 2, "error": 2}
    assert (feedback["resolved_on_time"], feedback["resolved_late"]) == (1, 1)
    assert (feedback["open_overdue"], feedback["open_pending"]) == (1, 1)
    assert feedback["on_time_share"] == round(1 / 3, 4)  # 1 of F1, F2, F3
    assert feedback["by_resolution"] == {"confirmed_correct": 1, "corrected": 1}
    assert feedback["made"] == 1  # F6, on R's entry
    obligations = scenario.reports["P"]["obligations"]
    # O1 discharged 26 Feb ≤ 27 Feb; O2 30 Sep > 22 Sep; O3 open past 23 Nov; O4 took effect
    # in 2025.
    assert obligations["total"] == 3
    assert obligations["discharged_on_time"] == 1
    assert obligations["discharged_late"] == 1
    assert obligations["open_overdue"] == 1
    assert obligations["on_time_share"] == round(1 / 3, 4)


def test_findings_with_their_evidence(scenario: Scenario):
    ids = scenario.ids
    found = scenario.reports["P"]["findings"]
    objects = {(f["kind"], f["object_id"]) for f in found}
    assert objects == {
        ("catalogue_overdue", ids["O2"]),
        ("catalogue_overdue", ids["O3"]),
        ("answer_late", ids["Q2"]),
        ("answer_missing", ids["Q4"]),
        ("answer_missing", ids["Q11"]),
        ("feedback_overdue", ids["F2"]),
        ("feedback_overdue", ids["F3"]),
        # e2 (monthly) last changed 5 Jan; e3 is irregular; the others are fresh.
        ("stale_data", scenario.entries["e2"]["id"]),
    }
    late = next(f for f in found if f["kind"] == "answer_late")
    assert {
        "type": "access_request",
        "id": ids["Q2"],
        "link": f"/govshare/requests/{ids['Q2']}",
    } in late["evidence"]
    slow = next(f for f in found if f["object_id"] == ids["F2"])
    assert slow["evidence"][0] == {
        "type": "feedback",
        "id": ids["F2"],
        "link": f"/govshare/feedback/{ids['F2']}",
    }
    stale = next(f for f in found if f["kind"] == "stale_data")
    assert stale["detail"]["latest_data"] == "2026-01-05"
    assert stale["detail"]["allowed_days"] == 31
    assert [f["kind"] for f in scenario.reports["R"]["findings"]] == ["stale_data"]  # r1, daily
    [refused] = scenario.reports["O"]["findings"]
    # Three refusals in 2026 reach the threshold of 3; the failed login and the 2025 one do
    # not count. r_member's two stay under it.
    assert refused["kind"] == "refused_attempts"
    assert refused["object_id"] == scenario.users["o_member"]["id"]
    assert refused["detail"]["attempts"] == 3
    assert len(refused["evidence"]) == 3
    assert all(e["type"] == "audit_event" for e in refused["evidence"])


def test_platform_report(scenario: Scenario):
    platform = scenario.reports["platform"]
    assert platform["entries"]["total"] == 6  # P's 5 and R's r1
    assert platform["requests_received"]["total"] == 9  # P's 8 and Q10
    assert platform["requests_received"]["median_answer_workdays"] == 6.0  # 2, 4, 6, 9, 12
    assert len(platform["findings"]) == 10  # P 8, R 1, O 1
    assert platform["findings_by_kind"]["answer_missing"] == 2
    rows = {row["name"]: row for row in platform["departments"]}
    # The authority and the joint conference neither provide nor ask: not listed.
    assert sorted(rows) == ["rep-other", "rep-provider", "rep-requester"]
    assert rows["rep-provider"]["requests_received"] == 8
    assert rows["rep-provider"]["answered_on_time"] == 3
    assert rows["rep-provider"]["findings"] == 8
    assert rows["rep-other"]["downloads_made"] == 1
    result = scenario.call(
        "sysadmin",
        "govshare_findings_list",
        organization="rep-provider",
        year=2026,
        kind="catalogue_overdue",
    )
    assert result["count"] == 2
    assert {f["object_id"] for f in result["results"]} == {
        scenario.ids["O2"],
        scenario.ids["O3"],
    }


# --- who may read ---------------------------------------------------------------------------


# Who may read a department's report (workflows.md roles), and the platform-wide one.
DEPARTMENT_READERS = {
    "p_officer": True,  # the department's data officers (admin, editor)
    "p_editor": True,
    "p_member": False,  # a member without an officer's capacity
    "r_officer": False,  # another department's officer
    "authority": True,
    "conference": False,
    "sysadmin": True,
    "outsider": False,
    None: False,  # anonymous
}
PLATFORM_READERS = {"authority": True, "sysadmin": True, "p_officer": False, "conference": False}


def test_who_may_read_which_report(scenario: Scenario):
    for who, allowed in DEPARTMENT_READERS.items():
        for action in ("govshare_report_show", "govshare_findings_list"):
            data = {"organization": "rep-provider", "year": 2026}
            if allowed:
                assert scenario.call(who, action, **data), (who, action)
            else:
                with pytest.raises(tk.NotAuthorized):
                    scenario.call(who, action, **data)
    for who, allowed in PLATFORM_READERS.items():
        if allowed:
            assert scenario.call(who, "govshare_findings_list", year=2026)["count"] == 10
        else:
            with pytest.raises(tk.NotAuthorized):
                scenario.call(who, "govshare_report_show", year=2026)
    # The last refusal is in the audit trail, against the department asked about.
    with pytest.raises(tk.NotAuthorized):
        scenario.call("r_officer", "govshare_report_show", organization="rep-provider", year=2026)
    last = model.Session.execute(
        sa.select(event_table).order_by(event_table.c.seq.desc()).limit(1)
    ).first()
    assert (last.action, last.outcome) == ("govshare_report_show", "refused")
    assert last.object_department == scenario.orgs["P"]["id"]


BAD_INPUT = [
    ({"organization": "rep-provider", "year": "last"}, "year"),
    ({"organization": "rep-provider", "year": 2015}, "year"),
    ({"organization": "rep-provider", "year": 2027}, "year"),  # after "today" (pinned)
    ({"organization": "no-such-department", "year": 2026}, "organization"),
    ({"organization": "rep-provider"}, "year"),
    ({"organization": "rep-provider", "year": 2026, "kind": "gossip"}, "kind"),
]


def test_bad_input_is_a_bilingual_field_error(scenario: Scenario):
    assert BAD_INPUT
    for data, field in BAD_INPUT:
        with pytest.raises(tk.ValidationError) as error:
            scenario.call("sysadmin", "govshare_findings_list", **data)
        [message] = error.value.error_dict[field]
        assert " | " in message, (data, message)  # "English | 中文"


def test_report_list(scenario: Scenario):
    mine = scenario.call("p_officer", "govshare_report_list")
    assert not mine["platform"]
    assert [d["name"] for d in mine["departments"]] == ["rep-provider"]
    everything = scenario.call("authority", "govshare_report_list")
    assert everything["platform"] and len(everything["departments"]) == 5
    assert everything["years"][0] == 2026


# --- pages and files ------------------------------------------------------------------------


@pytest.fixture
def headers(scenario: Scenario):
    def make(who: str) -> dict[str, str]:
        token = helpers.call_action(
            "api_token_create",
            context={"user": scenario.users["sysadmin"]["name"], "ignore_auth": True},
            user=scenario.users[who]["name"],
            name="reports",
        )["token"]
        return {"Authorization": token}

    return make


def test_report_page_has_charts_and_numbers(app: Any, scenario: Scenario, headers):
    page = app.get("/govshare/reports/rep-provider/2026", headers=headers("p_officer"))
    assert page.status_code == 200
    body = page.body
    assert body.count("<svg") == 4
    assert "/govshare/reports/rep-provider/2026.xlsx" in body
    assert f"/govshare/requests/{scenario.ids['Q2']}" in body  # evidence link
    assert "7.5" in body  # the median
    zh = app.get("/zh_Hans_CN/govshare/reports/rep-provider/2026", headers=headers("p_officer"))
    assert "答复时间中位数" in zh.body and "年度" in zh.body
    assert 'href="/govshare/reports"' in page.body  # the header's link
    platform = app.get("/govshare/reports/2026", headers=headers("authority"))
    assert platform.status_code == 200
    assert "govshare-report-findings-by-department" in platform.body  # counts, not the list
    assert "/govshare/reports/rep-provider/2026#findings" in platform.body
    index = app.get("/govshare/reports", headers=headers("authority"))
    assert "/govshare/reports/2026" in index.body
    assert "/govshare/reports/rep-provider/2026" in index.body
    assert (
        app.get("/govshare/reports/rep-provider/2026", headers=headers("p_member")).status_code
        == 403
    )
    assert app.get("/govshare/reports/2026", headers=headers("p_officer")).status_code == 403
    assert (
        app.get("/govshare/reports/no-such/2026", headers=headers("authority")).status_code == 404
    )
    anonymous = app.get("/govshare/reports/rep-provider/2026", follow_redirects=False)
    assert anonymous.status_code == 302 and "/user/login" in anonymous.headers["Location"]


def _cells(book: Any) -> list[list[Any]]:
    return [list(row) for sheet in book for row in sheet.iter_rows(values_only=True)]


def test_xlsx_and_pdf_carry_the_numbers(app: Any, scenario: Scenario, headers):
    sheet = app.get("/govshare/reports/rep-provider/2026.xlsx", headers=headers("p_officer"))
    assert sheet.status_code == 200
    assert "rep-provider-2026.xlsx" in sheet.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(sheet.get_data()))
    rows = _cells(book)
    assert [
        r[2] for r in rows if r[1] == "答复时间中位数（工作日） Median answer time (working days)"
    ] == [7.5]
    assert [r[2] for r in rows if r[1] == "按时答复 Answered within the deadline"] == [3]
    assert any(r[0] == scenario.ids["Q2"] and r[2] == "涉及个人隐私，不予提供" for r in rows)
    assert sum(1 for r in rows if r[0] == "目录未按时更新 Catalogue not updated on time") == 2
    pdf = app.get("/govshare/reports/2026.pdf", headers=headers("authority"))
    assert pdf.status_code == 200 and pdf.get_data()[:5] == b"%PDF-"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_data())).pages)
    assert "平台总体报告" in text and "市场监管局" in text
    assert "答复时间中位数（工作日） Median answer time (working days)\n6.0" in text


# --- the command and the reminder -------------------------------------------------------


def test_cli_writes_every_report(cli: Any, scenario: Scenario, tmp_path: Any, ckan_config: Any):
    from ckanext.govshare.cli import govshare

    # The refusals the tests above recorded today would make findings of their own.
    ckan_config["ckanext.govshare.findings.refused_attempts"] = 100

    result = cli.invoke(govshare, ["report", "--year", "2026", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    names = sorted(os.listdir(tmp_path / "out"))
    assert names == sorted(
        f"govshare-report-{who}-2026.{suffix}"
        for who in ("rep-other", "rep-provider", "rep-requester", "platform")
        for suffix in ("xlsx", "pdf")
    )
    book = load_workbook(tmp_path / "out" / "govshare-report-rep-provider-2026.xlsx")
    assert [r[2] for r in _cells(book) if r[1] == "按时答复 Answered within the deadline"] == [3]
    bad = cli.invoke(govshare, ["report", "--year", "1999", "--out", str(tmp_path)])
    assert bad.exit_code != 0


def _report_notices(user_id: str) -> list[Any]:
    return model.Session.execute(
        sa.select(notice_table.c.key).where(
            notice_table.c.user_id == user_id, notice_table.c.kind == "report_due"
        )
    ).all()


def test_report_reminder_in_january_and_february_once(scenario: Scenario):
    officer = scenario.users["p_officer"]["id"]
    Reminder(dt.date(2026, 12, 31)).step(REPORT_DUE)  # not yet the season
    assert _report_notices(officer) == []
    Reminder(dt.date(2027, 1, 4)).step(REPORT_DUE)
    Reminder(dt.date(2027, 2, 28)).step(REPORT_DUE)  # again: idempotent
    keys = [row.key for row in _report_notices(officer)]
    assert keys == [f"report_due:{scenario.orgs['P']['id']}:2026"]
    # Officers of departments only: not plain members, not the authority.
    assert _report_notices(scenario.users["p_member"]["id"]) == []
    assert _report_notices(scenario.users["authority"]["id"]) == []
    Reminder(dt.date(2027, 3, 1)).step(REPORT_DUE)
    assert len(_report_notices(scenario.users["r_officer"]["id"])) == 1

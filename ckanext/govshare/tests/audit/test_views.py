"""The audit page: who may open it, filters, paging, CSV export, the header link."""

from __future__ import annotations

import csv
import io

import pytest
from ckan import model
from ckan.tests import factories

from ckanext.govshare.audit import record

pytestmark = pytest.mark.usefixtures("audit_db")

URL = "/en/govshare/audit/"


@pytest.fixture
def admin_headers():
    user = factories.SysadminWithToken()
    return {"Authorization": user["token"]}


def test_the_page_lists_and_filters_events(app, admin_headers):
    record("first_action", object_id="obj-1", actor_name="甲")
    record("second_action", object_id="obj-2", actor_name="乙")
    model.Session.commit()
    page = app.get(URL, headers=admin_headers).body
    assert "Audit trail" in page and "first_action" in page and "second_action" in page
    filtered = app.get(URL, query_string={"object_id": "obj-2"}, headers=admin_headers).body
    assert "second_action" in filtered and "first_action" not in filtered


def test_bad_filters_are_shown_not_a_crash(app, admin_headers):
    page = app.get(URL, query_string={"since": "yesterday"}, headers=admin_headers)
    assert page.status_code == 200
    assert "ISO 8601" in page.body


def test_paging(app, admin_headers):
    for i in range(55):
        record("paged", object_id=f"p{i}")
    model.Session.commit()
    query = {"action": "paged", "page": 2}
    second = app.get(URL, query_string=query, headers=admin_headers).body
    assert second.count('title="paged">') == 5
    assert "(55)" in second


def test_csv_export_has_every_matching_event(app, admin_headers):
    record("exported", object_id="x", detail={"名称": "值"})
    record("other", object_id="y")
    model.Session.commit()
    response = app.get(
        URL, query_string={"format": "csv", "action": "exported"}, headers=admin_headers
    )
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.body.lstrip("\ufeff"))))
    assert [r["action"] for r in rows] == ["exported"]
    assert rows[0]["detail"] == '{"名称": "值"}'
    assert len(rows[0]["hash"]) == 64


def test_ordinary_users_and_anonymous_are_refused(app):
    user = factories.UserWithToken()
    assert app.get(URL, headers={"Authorization": user["token"]}).status_code == 403
    assert app.get(URL).status_code == 403


def test_the_header_links_the_page_for_those_who_may_see_it(app, admin_headers):
    assert "/govshare/audit" in app.get("/en/dataset/", headers=admin_headers).body
    user = factories.UserWithToken()
    assert (
        "/govshare/audit"
        not in app.get("/en/dataset/", headers={"Authorization": user["token"]}).body
    )

"""The catalogue in the web UI: the entry page's sharing panel, list badges, the form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from ckan.tests import factories

from ckanext.govshare.catalogue import rules
from ckanext.govshare.tests import factories as gs_factories


def test_entry_page_shows_the_sharing_panel(clean_db: Any, app: Any):
    entry = gs_factories.CatalogueEntry(
        share_type="conditional",
        share_conditions="仅限公安机关",
        share_methods=["api"],
        data_items=[{"name": "公民身份号码", "data_type": "string", "length": "18"}],
    )
    page = app.get(f"/dataset/{entry['name']}").body
    panel = page[page.index("govshare-sharing") :]
    for text in (
        "有条件共享",
        "仅限公安机关",
        "接口/系统对接",
        "每月",
        entry["resource_code"],
        entry["provider_code"],
        "公民身份号码",
        "字符",
    ):
        assert text in panel
    english = app.get(f"/en/dataset/{entry['name']}").body
    assert "Conditional sharing" in english and "API / system interconnection" in english


def test_lists_show_the_share_type(clean_db: Any, app: Any):
    gs_factories.CatalogueEntry(share_type="conditional", share_conditions="c")
    page = app.get("/dataset/").body
    assert 'govshare-share-conditional">有条件共享</span>' in page


@pytest.fixture
def officer(clean_db: Any) -> dict[str, Any]:
    user = factories.User()
    dept = gs_factories.Department(users=[{"name": user["name"], "capacity": "admin"}])
    token = factories.APIToken(user=user["name"])["token"]
    return {"user": user, "dept": dept, "headers": {"Authorization": token}}


def _csrf(body: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', body)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def test_the_form_refuses_a_not_shared_entry_without_legal_basis(officer: dict[str, Any], app: Any):
    form = app.get("/dataset/new", headers=officer["headers"]).body
    data = {
        "_csrf_token": _csrf(form),
        "title": "不动产登记",
        "name": "real-estate",
        "notes": "摘要",
        "owner_org": officer["dept"]["id"],
        "resource_category": "departmental",
        "format_type": "database",
        "share_type": "not_shared",
        "legal_basis": "",
        "share_methods": "online_query",
        "open_to_public": "not_open",
        "update_cycle": "realtime",
        "release_date": "2026-01-15",
        "data_items-0-name": "不动产单元号",
        "data_items-0-data_type": "string",
        "save": "continue",
    }
    page = app.post("/dataset/new", data=data, headers=officer["headers"])
    assert rules.NEEDS_LEGAL_BASIS.split(" | ")[1] in page.body  # the field error, in Chinese
    assert 'value="不动产登记"' in page.body  # the form keeps what was typed
    data["legal_basis"] = "《不动产登记暂行条例》第二十八条"
    done = app.post("/dataset/new", data=data, headers=officer["headers"], follow_redirects=False)
    assert done.status_code == 302


def test_a_new_entry_is_catalogued_unless_kept_as_a_draft(officer: dict[str, Any], app: Any):
    form = app.get("/dataset/new", headers=officer["headers"]).body
    select = form[form.index('id="field-private"') :]
    select = select[: select.index("</select>")]
    assert re.search(r'<option value="False"\s+selected="selected">已编目', select)
    assert '<option value="True" >草稿' in select or '<option value="True">草稿' in select
    draft = gs_factories.CatalogueEntry(owner_org=officer["dept"]["id"], private=True)
    edit = app.get(f"/dataset/edit/{draft['name']}", headers=officer["headers"]).body
    assert re.search(r'<option value="True"\s+selected="selected">草稿', edit)

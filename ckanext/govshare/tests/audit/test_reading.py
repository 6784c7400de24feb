"""The audit trail as people read it (issue 19 item 5): local time, event labels in the
reader's language, full names and department titles with links, a summary instead of JSON;
the CSV the same, its hashed columns kept so that the chain is still verifiable."""

from __future__ import annotations

import csv
import datetime as dt
import html as html_lib
import io
import json
import re
import zoneinfo
from typing import Any

import pytest
from ckan import model
from ckan.tests import factories, helpers

from ckanext.govshare import cells
from ckanext.govshare.access import workflow
from ckanext.govshare.audit import GENESIS, changes, present, record, verify
from ckanext.govshare.audit.present import action_label
from ckanext.govshare.audit.trail import CSV_COLUMNS
from ckanext.govshare.logic import action
from ckanext.govshare.tests import factories as gs

pytestmark = pytest.mark.usefixtures("audit_db")

URL = "/govshare/audit/"
ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def scene() -> dict[str, Any]:
    """A department, a person with a full name acting for it, an entry, and three events: a
    request's step, a grant's revocation with a reason, and a change to the entry."""
    admin = factories.SysadminWithToken()
    officer = factories.User(fullname="张三")
    dept = gs.Department(title="公安部")
    holder = gs.Department(title="税务局")
    entry = gs.CatalogueEntry(owner_org=dept["id"], title="人口基础信息")
    common = {
        "actor_id": officer["id"],
        "actor_name": officer["name"],
        "actor_department": dept["id"],
        "object_department": dept["id"],
    }
    record(
        "govshare_request_approve",
        object_type="package",
        object_id=entry["id"],
        detail={"from": "submitted", "to": "approved", "role": "provider", "reason": "符合规定"},
        **common,
    )
    record(
        "govshare_grant_revoke",
        object_type="package",
        object_id=entry["id"],
        detail={"holder": holder["id"], "reason": '超范围使用"数据"'},
        **common,
    )
    record(
        "package_update",
        object_type="package",
        object_id=entry["id"],
        detail={"name": entry["name"], "change": "update", "fields": ["notes", "title"]},
        **common,
    )
    model.Session.commit()
    return {
        "headers": {"Authorization": admin["token"]},
        "admin": admin,
        "officer": officer,
        "dept": dept,
        "holder": holder,
        "entry": entry,
    }


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr class="govshare-audit-row[^"]*" data-seq="\d+">(.*?)</tr>', page, re.S)


def _text(html: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def _cell(row: str, css: str) -> str:
    found = re.search(rf'<td class="{css}"[^>]*>(.*?)</td>', row, re.S)
    assert found, css
    return found.group(1)


def _mine(scene: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The scene's three events (the factories' own changes are in the trail too)."""
    return {"actor": scene["officer"]["name"], **extra}


def test_the_page_reads_in_english(app, scene):
    events = helpers.call_action(
        "govshare_audit_list", {"user": scene["admin"]["name"]}, **_mine(scene)
    )
    page = app.get("/en" + URL, query_string=_mine(scene), headers=scene["headers"]).body
    rows = _rows(page)
    assert len(rows) == 3
    newest, revoked, approved = rows
    # Local time (Asia/Shanghai), the zone named in the column's head.
    assert "(UTC+08:00)" in page
    for row, event in zip(rows, events["results"], strict=True):
        utc = dt.datetime.fromisoformat(event["created"].replace("Z", "+00:00"))
        local = utc.astimezone(ZONE).strftime("%Y-%m-%d %H:%M:%S")
        assert local in _text(_cell(row, "govshare-audit-time"))
    # Labels, not codes; names and titles, linked, not ids.
    assert _text(_cell(approved, "govshare-audit-action")) == "Approved a request"
    assert _text(_cell(revoked, "govshare-audit-action")) == "Revoked a grant"
    assert _text(_cell(newest, "govshare-audit-action")) == "Updated entry"
    actor = _cell(approved, "govshare-audit-actor")
    assert "张三" in actor and "公安部" in actor
    assert f"/user/{scene['officer']['name']}" in actor
    assert f"/organization/{scene['dept']['id']}" in actor
    assert scene["officer"]["id"] not in _text(actor)
    obj = _cell(approved, "govshare-audit-object")
    assert "人口基础信息" in obj and f"/dataset/{scene['entry']['id']}" in obj
    # A summary a person reads, never escaped JSON.
    summary = _cell(approved, "govshare-audit-summary").split("<details")[0]
    assert _text(summary) == "Submitted → Approved; Reason: 符合规定"
    revoked_summary = _text(_cell(revoked, "govshare-audit-summary").split("<details")[0])
    assert revoked_summary == 'Reason: 超范围使用"数据"; Holder: 税务局'
    changed = _text(_cell(newest, "govshare-audit-summary").split("<details")[0])
    assert changed == f"{scene['entry']['name']} updated; Fields changed: notes, title"
    for row in rows:
        before_toggle = _cell(row, "govshare-audit-summary").split("<details")[0]
        assert "{" not in _text(before_toggle) and '\\"' not in _text(before_toggle)
    assert "\\u" not in page  # no \u-escaped text anywhere
    # The raw record stays behind a toggle, readable (Chinese as is).
    assert "<details" in revoked and "超范围使用" in revoked.split("<details")[1]


def test_the_page_reads_in_chinese(app, scene):
    page = app.get("/zh_Hans_CN" + URL, query_string=_mine(scene), headers=scene["headers"]).body
    newest, revoked, approved = _rows(page)
    assert _text(_cell(approved, "govshare-audit-action")) == "同意共享申请"
    assert _text(_cell(revoked, "govshare-audit-action")) == "撤销授权"
    assert _text(_cell(newest, "govshare-audit-action")) == "更新信息资源"
    summary = _text(_cell(approved, "govshare-audit-summary").split("<details")[0])
    assert summary == "已提交 → 已同意；理由：符合规定"
    revoked_summary = _text(_cell(revoked, "govshare-audit-summary").split("<details")[0])
    assert revoked_summary == '理由：超范围使用"数据"；持有部门：税务局'


def test_the_csv_reads_like_the_page_and_keeps_the_hashed_columns(app, scene):
    exported = app.get(
        "/zh_Hans_CN" + URL, query_string=_mine(scene, format="csv"), headers=scene["headers"]
    )
    table = list(csv.reader(io.StringIO(exported.body.lstrip("\ufeff"))))
    head, rows = table[0], table[1:]
    reading = ["本地时间", "用户", "所代表部门", "事件", "对象", "对象所属部门", "结果", "摘要"]
    assert head == [*reading, *CSV_COLUMNS]
    by_name = [dict(zip(head, row, strict=True)) for row in rows]
    newest, revoked, approved = by_name
    assert approved["用户"] == "张三" and approved["所代表部门"] == "公安部"
    assert approved["事件"] == "同意共享申请" and approved["结果"] == "成功"
    assert approved["对象"] == "信息资源：人口基础信息"
    assert approved["摘要"] == "已提交 → 已同意；理由：符合规定"
    utc = dt.datetime.fromisoformat(approved["time"].replace("Z", "+00:00"))
    assert approved["本地时间"] == utc.astimezone(ZONE).strftime("%Y-%m-%d %H:%M:%S UTC+08:00")
    assert revoked["摘要"] == '理由：超范围使用"数据"；持有部门：税务局'
    # The hashed columns are the record as hashed: the whole trail verifies on them alone.
    whole = app.get("/en" + URL, query_string={"format": "csv"}, headers=scene["headers"])
    every = list(csv.DictReader(io.StringIO(whole.body.lstrip("\ufeff"))))
    chain = [_hashed(row) for row in reversed(every)]
    assert len(chain) > 3
    checked = verify(chain, GENESIS)
    assert checked.ok and checked.count == len(chain)
    # English, when the page is.
    english = app.get(
        "/en" + URL, query_string=_mine(scene, format="csv"), headers=scene["headers"]
    )
    first = next(csv.reader(io.StringIO(english.body.lstrip("\ufeff"))))
    assert first[:4] == ["Local time", "User", "Acting for", "Event"]
    assert "Approved a request" in english.body and newest["事件"] == "更新信息资源"


def _hashed(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row's hashed columns as the chain hashed them."""
    event: dict[str, Any] = {}
    for name in CSV_COLUMNS:
        value = cells.csv_unquote(row[name])
        event[name] = value if value != "" else None
    event["seq"] = int(event["seq"])
    event["detail"] = json.loads(event["detail"])
    return event


def test_the_api_answers_the_reading_keys_in_both_languages(scene):
    found = helpers.call_action(
        "govshare_audit_list", {"user": scene["admin"]["name"]}, **_mine(scene)
    )
    approved = found["results"][-1]
    assert approved["action_label"] == {"en": "Approved a request", "zh_Hans_CN": "同意共享申请"}
    assert approved["actor_display_name"] == {"en": "张三", "zh_Hans_CN": "张三"}
    assert approved["actor_org_title"] == "公安部"
    assert approved["object_title"] == "人口基础信息"
    assert approved["summary"]["en"] == "Submitted → Approved; Reason: 符合规定"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", approved["created_local"])
    # The hashed fields are answered as before.
    assert approved["action"] == "govshare_request_approve" and len(approved["hash"]) == 64


def _labelled(code: str) -> bool:
    en, zh = action_label(code)
    return en != code and zh != code and bool(en) and bool(zh)


def test_every_action_the_trail_records_has_a_label():
    """CKAN's state changes (framed), every step of a request, every govshare action (a
    refusal records its name) and the platform's own events read as words, not codes."""
    codes = [
        *changes.core_state_changes(),
        *(f"govshare_request_{step.value}" for step in workflow.Action),
        *(name for name in action.__all__ if name.startswith("govshare_")),
        *present.ACTIONS,
    ]
    assert [code for code in codes if not _labelled(code)] == []
    # Unknown codes are shown as they are, never blank.
    assert action_label("something_new") == ("something_new", "something_new")


def test_times_without_a_zone_filter_in_local_time(scene):
    """The page shows local time, so a filter typed as the page shows it is local too."""
    found = helpers.call_action(
        "govshare_audit_list", {"user": scene["admin"]["name"]}, **_mine(scene)
    )["results"]
    first = min(found, key=lambda e: e["seq"])
    local = dt.datetime.strptime(first["created_local"], "%Y-%m-%d %H:%M:%S")
    since = local.isoformat()
    # From the first event's local second on: all three; from the next second: not it.
    listed = helpers.call_action(
        "govshare_audit_list", {"user": scene["admin"]["name"]}, **_mine(scene, since=since)
    )
    assert listed["count"] == 3
    later = (local + dt.timedelta(seconds=1)).isoformat()
    after = helpers.call_action(
        "govshare_audit_list", {"user": scene["admin"]["name"]}, **_mine(scene, until=later)
    )
    assert first["seq"] in [e["seq"] for e in after["results"]]
    before = helpers.call_action(
        "govshare_audit_list",
        {"user": scene["admin"]["name"]},
        **_mine(scene, until=(local - dt.timedelta(hours=1)).isoformat()),
    )
    assert before["count"] == 0

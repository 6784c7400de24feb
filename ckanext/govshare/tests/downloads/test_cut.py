"""Downloads cut to the grant (issue 16, item 3): a resource in the DataStore is delivered as a
CSV or XLSX of exactly the granted columns and rows, by ``/govshare/download/<id>``, the
entry page's button and the bulk ZIP; a narrowed grant on a resource outside the DataStore is
refused (never delivered whole); the provider's members and sysadmins still get the original;
CKAN's own download route never hands a whole file to a holder outside the provider.

The world: a conditional entry with four data items (two mapped to other column names) and two
uploaded resources, one loaded into the DataStore with a fifth column that matches no data
item (``内部备注``), one not; the requesting department's grant narrowed by the provider's
officer to two of the four items; another department's grant on every item; a third
department with no grant; open-data entries for CKAN's own route.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import openpyxl
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories

from ckanext.govshare.access.model import grant_table
from ckanext.govshare.core import clock
from ckanext.govshare.datalinks import downloads as dl_reasons
from ckanext.govshare.downloads.model import download_table
from ckanext.govshare.interface.model import call_table
from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import World, build_world
from ckanext.govshare.tests.datastore_tables import load_table

from .conftest import _upload, events

ITEMS = [
    {"name": "统一社会信用代码", "data_type": "string", "column": "credit_code"},
    {"name": "企业名称", "data_type": "string"},
    {"name": "注册资本", "data_type": "decimal"},
    {"name": "所属区", "data_type": "string", "column": "district"},
]
GRANTED = ["企业名称", "注册资本"]  # the narrowed grant's data items (and columns)
MATCHED = ["credit_code", "企业名称", "注册资本", "district"]  # every item's column, table order
HIDDEN = "内部备注"  # the column that matches no data item
SECRET = "秘密线索"
FIELDS = [
    {"id": "credit_code", "type": "text"},
    {"id": "企业名称", "type": "text"},
    {"id": "注册资本", "type": "numeric"},
    {"id": "district", "type": "text"},
    {"id": HIDDEN, "type": "text"},
]
DISTRICTS = ["浦东新区", "黄浦区", "徐汇区"]
ROWS = 12
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _records(n: int = ROWS) -> list[dict[str, Any]]:
    return [
        {
            "credit_code": f"91310000{i:010d}",
            "企业名称": f"上海第{i}贸易有限公司",
            "注册资本": 100 + i,
            "district": DISTRICTS[i % 3],
            HIDDEN: SECRET if i == 7 else "无",
        }
        for i in range(n)
    ]


def _csv_bytes(records: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(records[0]))
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue().encode("utf-8")


ORIGINAL = _csv_bytes(_records())  # the uploaded file of the resource in the DataStore
PLAIN = "说明：本资源未导入数据表。\n".encode() * 50  # a resource outside the DataStore


@dataclass
class CutWorld:
    world: World
    entry: dict[str, Any]  # conditional, four data items
    tabular: dict[str, Any]  # uploaded, in the DataStore (five columns)
    plain: dict[str, Any]  # uploaded, not in the DataStore
    narrowed: dict[str, Any]  # the requesting department's grant: two of four items
    full: dict[str, Any]  # the other department's grant: every item
    open_hidden: dict[str, Any]  # open data in the DataStore, with a column of no item
    open_matched: dict[str, Any]  # open data in the DataStore, every column an item's
    open_partly: dict[str, Any]  # open data with an item narrower than its entry

    def token(self, who: str, grant: dict[str, Any]) -> dict[str, str]:
        made = self.world.call(who, "govshare_token_create", grant_id=grant["id"])
        return {"Authorization": f"Bearer {made['token']}"}


def _approved(
    world: World,
    who: str,
    org: dict[str, Any],
    entry: dict[str, Any],
    purpose: str = "administrative_basis",
    **how: Any,
) -> dict[str, Any]:
    """A request of ``who``'s department for the whole entry, approved by the provider's
    officer as ``how`` says (``data_items``: narrowed to those)."""
    today = clock.today()
    request = gs.AccessRequest(
        user=world.users[who],
        package_id=entry["id"],
        requesting_org=org["name"],
        purpose=purpose,
        period_start=today.isoformat(),
        period_end=(today + dt.timedelta(days=180)).isoformat(),
    )
    decided = world.call(
        "provider_officer", "govshare_request_decide", id=request["id"], decision="approve", **how
    )
    return decided["grant"]


def _open_entry(admin: Any, provider: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return gs.SharingEntry(
        context=admin(), owner_org=provider, share_type="unconditional", data_items=items,
        resources=[],
    )


def build() -> CutWorld:
    world = build_world()

    def admin() -> dict[str, Any]:
        """A fresh context each call: CKAN's actions leave the entry they saved in theirs,
        and a later ``resource_create`` with it would replace that entry's resources."""
        return {"user": world.users["sysadmin"]["name"], "ignore_auth": True}

    provider = world.provider["id"]
    third_org = gs.Department(title="卫生健康委")
    third = factories.User(name=gs.unique_name("third"), email="third@example.org")
    gs.Membership(by=world.users["sysadmin"], organization=third_org, user=third, role="member")
    world.users["third"] = third
    entry = gs.SharingEntry(
        context=admin(), owner_org=provider, share_type="conditional", data_items=ITEMS,
        resources=[],
    )
    tabular = _upload(ORIGINAL, "企业登记.csv", admin(), package_id=entry["id"], name="企业登记")
    load_table(tabular["id"], FIELDS, _records())
    plain = _upload(PLAIN, "说明.txt", admin(), package_id=entry["id"], name="说明.txt")
    narrowed = _approved(world, "requester", world.requester_org, entry, data_items=GRANTED)
    full = _approved(world, "other", world.other_org, entry)

    hidden_entry = _open_entry(admin, provider, ITEMS)
    open_hidden = _upload(ORIGINAL, "公开.csv", admin(), package_id=hidden_entry["id"], name="公开")
    load_table(open_hidden["id"], FIELDS, _records())
    matched_entry = _open_entry(admin, provider, ITEMS)
    matched = [{k: v for k, v in r.items() if k != HIDDEN} for r in _records()]
    open_matched = _upload(
        _csv_bytes(matched), "公开2.csv", admin(), package_id=matched_entry["id"], name="公开2"
    )
    load_table(open_matched["id"], FIELDS[:4], matched)
    partly_items = [dict(i) for i in ITEMS]
    partly_items[2]["share_type"] = "conditional"
    partly_entry = _open_entry(admin, provider, partly_items)
    open_partly = _upload(
        PLAIN, "部分.txt", admin(), package_id=partly_entry["id"], name="部分.txt"
    )
    return CutWorld(
        world, entry, tabular, plain, narrowed, full, open_hidden, open_matched, open_partly
    )


@pytest.fixture
def cw(module_world: Any, storage: str, ckan_config: Any, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(ckan_config, "ckan.storage_path", storage)
    return module_world(build)


@pytest.fixture
def world(cw: CutWorld) -> World:
    """This module's world (``as_user`` of the conftest signs its users in)."""
    return cw.world


# ---------------------------------------------------------------------------- helpers


def _url(res: dict[str, Any], query: str = "") -> str:
    return f"/govshare/download/{res['id']}" + (f"?{query}" if query else "")


def _rows_of_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark (Excel)"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _rows_of_xlsx(body: bytes) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def _table(table: sa.Table, **where: Any) -> list[dict[str, Any]]:
    query = sa.select(table)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    with model.meta.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def _used(grant: dict[str, Any]) -> int:
    (row,) = _table(grant_table, id=grant["id"])
    return row["downloads_used"]


def _ckan_route(res: dict[str, Any]) -> str:
    return urlsplit(res["url"]).path


# ---------------------------------------------------------------------------- the cut file


def test_a_grant_narrowed_to_two_items_gets_a_csv_of_those_two_columns(
    app: Any, cw: CutWorld
) -> None:
    headers = cw.token("requester", cw.narrowed)
    assert sorted(cw.narrowed["data_items"]) == sorted(GRANTED)
    response = app.get(
        _url(cw.tabular),
        headers={**headers, "Range": "bytes=0-9"},  # no ranges of a cut file: all of it
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert response.status_code == 200, response.get_data()[:500]
    rows = _rows_of_csv(response.get_data())
    assert rows[0] == GRANTED
    assert rows[1:] == [[f"上海第{i}贸易有限公司", str(100 + i)] for i in range(ROWS)]
    body = response.get_data().decode("utf-8-sig")
    assert HIDDEN not in body and SECRET not in body and "91310000" not in body
    h = response.headers
    assert h["Content-Type"] == "text/csv; charset=utf-8"
    assert "Content-Length" not in h and "Content-Range" not in h
    assert h["Accept-Ranges"] == "none"
    assert "filename*=UTF-8''" in h["Content-Disposition"]
    assert unquote(h["Content-Disposition"].split("''")[1]) == "企业登记.csv"
    assert h["X-Govshare-Grant"] == cw.narrowed["id"]
    assert h["X-Govshare-Scope"].startswith("cut; columns=2; rows=all; names*=UTF-8''")
    (row,) = _table(download_table, resource_id=cw.tabular["id"])
    assert row["bytes"] is None and row["route"] == "token"
    assert row["grant_id"] == cw.narrowed["id"] and row["client_address"] == "10.9.8.7"
    (event,) = events(action="govshare_download", outcome="success", object_id=cw.tabular["id"])
    assert event["detail"]["cut"] is True and event["detail"]["format"] == "csv"
    assert event["detail"]["columns"] == GRANTED and event["detail"]["row_filter"] is None
    (call,) = _table(call_table, resource_id=cw.tabular["id"])
    assert call["method"] == "download" and call["outcome"] == "answered"
    assert call["status_code"] == 200 and call["fields"] == GRANTED
    assert call["grant_id"] == cw.narrowed["id"] and call["token_id"] == row["token_id"]
    assert call["organization_id"] == cw.world.requester_org["id"]
    assert call["client_address"] == "10.9.8.7" and call["milliseconds"] >= 0
    assert _used(cw.narrowed) == 1


def test_the_holders_officer_gets_an_xlsx_of_the_two_columns_with_one_click(
    app: Any, cw: CutWorld, as_user: Any
) -> None:
    response = app.post(
        f"/govshare/download/{cw.tabular['id']}/start?format=xlsx",
        headers=as_user("requester_officer"),
        follow_redirects=False,
    )
    assert response.status_code == 200, response.get_data()[:300]
    assert response.headers["Content-Type"] == XLSX
    assert unquote(response.headers["Content-Disposition"].split("''")[1]) == "企业登记.xlsx"
    rows = _rows_of_xlsx(response.get_data())
    assert rows[0] == GRANTED
    assert len(rows) == ROWS + 1
    assert rows[1] == ["上海第0贸易有限公司", 100]
    assert all(len(r) == 2 for r in rows)
    (row,) = _table(download_table, resource_id=cw.tabular["id"])
    assert row["route"] == "open" and row["bytes"] is None
    assert row["user_id"] == cw.world.users["requester_officer"]["id"]


def test_a_row_filter_cuts_the_rows(app: Any, cw: CutWorld) -> None:
    model.Session.execute(
        sa.update(grant_table)
        .where(grant_table.c.id == cw.narrowed["id"])
        .values(row_filter={"column": "district", "values": ["浦东新区"]})
    )
    model.Session.commit()
    response = app.get(_url(cw.tabular), headers=cw.token("requester", cw.narrowed))
    assert response.status_code == 200
    rows = _rows_of_csv(response.get_data())
    assert rows[0] == GRANTED  # the filter's column is not granted: not delivered
    assert [r[0] for r in rows[1:]] == [f"上海第{i}贸易有限公司" for i in range(0, ROWS, 3)]
    assert "rows=filtered" in response.headers["X-Govshare-Scope"]
    (event,) = events(action="govshare_download", outcome="success", object_id=cw.tabular["id"])
    assert event["detail"]["row_filter"] == {"column": "district", "values": ["浦东新区"]}


def test_a_column_matching_no_data_item_is_never_delivered_to_a_holder(
    app: Any, cw: CutWorld
) -> None:
    """A grant on every data item still gets only the items' columns: ``内部备注`` matches
    none, so it stays with the provider (issue 16, item 1)."""
    for query in ("", "format=xlsx"):
        response = app.get(_url(cw.tabular, query), headers=cw.token("other", cw.full))
        assert response.status_code == 200
        body = response.get_data()
        rows = _rows_of_xlsx(body) if query else _rows_of_csv(body)
        assert rows[0] == MATCHED
        assert len(rows) == ROWS + 1
        assert all(SECRET not in [str(v) for v in r] for r in rows)
    assert _used(cw.full) == 2


def test_head_reads_nothing_and_counts_nothing(app: Any, cw: CutWorld) -> None:
    response = app.test_client().head(
        _url(cw.tabular), headers=cw.token("requester", cw.narrowed)
    )
    assert response.status_code == 200 and response.get_data() == b""
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert _table(download_table) == [] and _used(cw.narrowed) == 0


def test_an_unknown_format_is_a_400_in_both_languages(app: Any, cw: CutWorld) -> None:
    headers = cw.token("requester", cw.narrowed)
    response = app.get(_url(cw.tabular, "format=pdf"), headers=headers)
    assert response.status_code == 400
    body = response.get_json()
    assert body["reason"] == "bad_request"
    assert "csv" in body["message_en"] and "格式无效" in body["message_zh"]
    assert "xlsx" in body["errors"]["format"][0] and "须为" in body["errors"]["format"][0]
    bulk = app.post(
        "/govshare/bulk", json={"package_ids": [cw.entry["id"]], "format": "ods"}, headers=headers
    )
    assert bulk.status_code == 400 and "format" in bulk.get_json()["errors"]
    assert _table(download_table) == [] and _used(cw.narrowed) == 0
    upper = app.get(_url(cw.tabular, "format=XLSX"), headers=headers)
    assert upper.status_code == 200 and upper.headers["Content-Type"] == XLSX


# ---------------------------------------------------------------------------- whole or refused


def test_a_narrowed_grant_on_a_resource_outside_the_datastore_is_refused(
    app: Any, cw: CutWorld, as_user: Any
) -> None:
    response = app.get(_url(cw.plain), headers=cw.token("requester", cw.narrowed))
    assert response.status_code == 403
    body = response.get_json()
    assert body["reason"] == "not_cuttable"
    assert "never delivered whole" in body["message_en"] and "不能整体提供" in body["message_zh"]
    assert PLAIN[:20] not in response.get_data()
    (event,) = events(action="govshare_download", outcome="refused", object_id=cw.plain["id"])
    assert event["detail"]["reason"] == "not_cuttable"
    assert event["detail"]["grant_id"] == cw.narrowed["id"]
    (call,) = _table(call_table, resource_id=cw.plain["id"])
    assert call["outcome"] == "refused" and call["reason"] == "not_cuttable"
    assert call["status_code"] == 403 and call["method"] == "download"
    button = app.post(
        f"/govshare/download/{cw.plain['id']}/start",
        headers=as_user("requester"),
        follow_redirects=False,
    )
    assert button.status_code == 302 and "/dataset/" in button.headers["Location"]
    assert _table(download_table) == [] and _used(cw.narrowed) == 0


def test_a_full_grant_on_a_resource_outside_the_datastore_gets_the_original(
    app: Any, cw: CutWorld
) -> None:
    response = app.get(_url(cw.plain, "format=xlsx"), headers=cw.token("other", cw.full))
    assert response.status_code == 200
    assert response.get_data() == PLAIN  # the format is for cut files: the original as it is
    assert response.headers["Content-Length"] == str(len(PLAIN))
    assert "X-Govshare-Scope" not in response.headers
    (row,) = _table(download_table, resource_id=cw.plain["id"])
    assert row["bytes"] == len(PLAIN)
    (call,) = _table(call_table, resource_id=cw.plain["id"])
    assert call["outcome"] == "answered" and call["fields"] is None


def test_a_revoked_grant_delivers_nothing_on_the_next_call(
    app: Any, cw: CutWorld, as_user: Any
) -> None:
    headers = cw.token("requester", cw.narrowed)
    assert app.get(_url(cw.tabular), headers=headers).status_code == 200
    cw.world.call(
        "provider_officer", "govshare_grant_revoke", id=cw.narrowed["id"], reason="违规使用"
    )
    again = app.get(_url(cw.tabular), headers=headers)
    assert again.status_code == 403 and again.get_json()["reason"] == "grant_ended"
    assert "企业名称".encode() not in again.get_data()
    button = app.post(
        f"/govshare/download/{cw.tabular['id']}/start",
        headers=as_user("requester"),
        follow_redirects=False,
    )
    assert button.status_code == 302
    bulk = app.post("/govshare/bulk", json={"package_ids": [cw.entry["id"]]}, headers=headers)
    archive = zipfile.ZipFile(io.BytesIO(bulk.get_data()))
    assert archive.namelist() == ["MANIFEST.json"]
    assert len(_table(download_table)) == 1


def test_a_department_with_a_narrowed_and_a_full_grant_gets_what_the_full_one_allows(
    app: Any, cw: CutWorld, as_user: Any
) -> None:
    """The button and the session's bulk ZIP pick, of the department's live grants, one with
    something of the resource: the file outside the DataStore goes whole under the full grant
    rather than being refused under the narrowed one."""
    full = _approved(
        cw.world, "requester_officer", cw.world.requester_org, cw.entry, "work_reference"
    )
    assert sorted(full["data_items"]) == sorted(i["name"] for i in ITEMS)
    staff = as_user("requester")
    button = app.post(
        f"/govshare/download/{cw.plain['id']}/start", headers=staff, follow_redirects=False
    )
    assert button.status_code == 200 and button.get_data() == PLAIN
    assert button.headers["X-Govshare-Grant"] == full["id"]
    response = app.post("/govshare/bulk", json={"package_ids": [cw.entry["id"]]}, headers=staff)
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    manifest = json.loads(archive.read("MANIFEST.json"))
    assert manifest["refused"] == []
    files = {f["resource_id"]: f for f in manifest["files"]}
    assert files[cw.plain["id"]]["grant_id"] == full["id"] and not files[cw.plain["id"]]["cut"]
    assert archive.read(files[cw.plain["id"]]["path"]) == PLAIN
    assert files[cw.tabular["id"]]["cut"] is True


@pytest.mark.parametrize("who", ["third", "authority", "provider_staff", "sysadmin"])
def test_no_grant_no_cut_for_the_button(app: Any, cw: CutWorld, as_user: Any, who: str) -> None:
    """Other departments, the authority, the provider's members and sysadmins have no grant:
    the platform's download has nothing for them (the provider's members and sysadmins take
    the original through CKAN's route, below)."""
    response = app.post(
        f"/govshare/download/{cw.tabular['id']}/start",
        headers=as_user(who),
        follow_redirects=False,
    )
    assert response.status_code == 302 and "/dataset/" in response.headers["Location"]
    assert _table(download_table) == []
    (event,) = events(action="govshare_download", outcome="refused", object_id=cw.tabular["id"])
    assert event["detail"]["reason"] == "no_grant"


def test_anonymous_and_other_departments_get_no_token_and_no_file(
    app: Any, cw: CutWorld
) -> None:
    assert app.get(_url(cw.tabular)).status_code == 401
    assert app.post("/govshare/bulk", json={"package_ids": [cw.entry["id"]]}).status_code == 401
    for who in ("third", "authority", "provider_officer"):
        with pytest.raises(Exception) as refused:
            cw.world.call(who, "govshare_token_create", grant_id=cw.narrowed["id"])
        assert type(refused.value).__name__ in ("NotAuthorized", "ObjectNotFound")
    assert _table(download_table) == []


# ---------------------------------------------------------------------------- the bulk ZIP


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_bulk_zip_holds_cut_files_and_the_manifest_says_what_they_hold(
    app: Any, cw: CutWorld, fmt: str
) -> None:
    headers = cw.token("requester", cw.narrowed)
    body: dict[str, Any] = {"package_ids": [cw.entry["id"]]}
    if fmt == "xlsx":
        body["format"] = "xlsx"
    response = app.post("/govshare/bulk", json=body, headers=headers)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    code = cw.entry["resource_code"]
    name = f"{code}/企业登记.{fmt}"
    assert archive.namelist() == [name, "MANIFEST.json"]
    data = archive.read(name)
    rows = _rows_of_csv(data) if fmt == "csv" else _rows_of_xlsx(data)
    assert rows[0] == GRANTED and len(rows) == ROWS + 1
    assert SECRET.encode() not in data and b"91310000" not in data
    manifest = json.loads(archive.read("MANIFEST.json"))
    (record,) = manifest["files"]
    assert record["path"] == name and record["cut"] is True and record["format"] == fmt
    assert record["columns"] == GRANTED and record["rows"] == ROWS
    assert record["sha256"] == hashlib.sha256(data).hexdigest()
    assert record["size"] == len(data) and record["complete"] is True
    (refused,) = manifest["refused"]
    assert refused["resource_id"] == cw.plain["id"] and refused["reason"] == "not_cuttable"
    assert "不能整体提供" in refused["message_zh"]
    (row,) = _table(download_table, resource_id=cw.tabular["id"])
    assert row["route"] == "bulk" and row["bytes"] is None
    calls = {c["resource_id"]: c for c in _table(call_table)}
    assert calls[cw.tabular["id"]]["outcome"] == "answered"
    assert calls[cw.tabular["id"]]["fields"] == GRANTED
    assert calls[cw.plain["id"]]["outcome"] == "refused"
    assert calls[cw.plain["id"]]["reason"] == "not_cuttable"


def test_the_bulk_form_takes_the_format_too(app: Any, cw: CutWorld, as_user: Any) -> None:
    response = app.post(
        "/govshare/bulk",
        data={"resource_ids": [cw.tabular["id"]], "format": "xlsx"},
        headers=as_user("requester_officer"),
    )
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    (name, _) = archive.namelist()
    assert name.endswith("/企业登记.xlsx")
    assert _rows_of_xlsx(archive.read(name))[0] == GRANTED


def test_the_bulk_zip_of_a_full_grant_with_a_row_filter(app: Any, cw: CutWorld) -> None:
    model.Session.execute(
        sa.update(grant_table)
        .where(grant_table.c.id == cw.full["id"])
        .values(row_filter={"column": "district", "values": ["黄浦区", "徐汇区"]})
    )
    model.Session.commit()
    response = app.post(
        "/govshare/bulk",
        json={"resource_ids": [cw.tabular["id"], cw.plain["id"]]},
        headers=cw.token("other", cw.full),
    )
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    manifest = json.loads(archive.read("MANIFEST.json"))
    files = {f["resource_id"]: f for f in manifest["files"]}
    assert files[cw.tabular["id"]]["columns"] == MATCHED
    assert files[cw.tabular["id"]]["rows"] == ROWS - ROWS // 3
    rows = _rows_of_csv(archive.read(files[cw.tabular["id"]]["path"]))
    assert {r[3] for r in rows[1:]} == {"黄浦区", "徐汇区"}
    # a row filter narrows the grant: the file outside the DataStore cannot be cut
    assert [r["reason"] for r in manifest["refused"]] == ["not_cuttable"]


# ---------------------------------------------------------------------------- CKAN's own route


@pytest.mark.parametrize("who", ["provider_staff", "provider_officer", "sysadmin"])
def test_the_providers_members_and_sysadmins_get_the_original(
    app: Any, cw: CutWorld, as_user: Any, who: str
) -> None:
    for res, original in ((cw.tabular, ORIGINAL), (cw.open_hidden, ORIGINAL), (cw.plain, PLAIN)):
        response = app.get(_ckan_route(res), headers=as_user(who))
        assert response.status_code == 200
        assert response.get_data() == original
    assert SECRET.encode() in ORIGINAL


@pytest.mark.parametrize(
    "who", [None, "requester", "requester_officer", "other", "third", "authority"]
)
def test_ckans_route_never_gives_a_holder_the_whole_file(
    app: Any, cw: CutWorld, as_user: Any, who: str | None
) -> None:
    """Holders (narrowed: requester, its officer; every item: other), other departments, the
    authority and anonymous visitors: no whole file of the restricted entry, nor of open data
    whose table has a column of no data item or whose items are not all open."""
    headers = as_user(who) if who else {}
    cases = {
        cw.tabular["id"]: (cw.tabular, "platform_only"),
        cw.plain["id"]: (cw.plain, "platform_only"),
        cw.open_hidden["id"]: (cw.open_hidden, "unmatched_columns"),
        cw.open_partly["id"]: (cw.open_partly, "partly_shared"),
    }
    for rid, (res, reason) in cases.items():
        response = app.get(_ckan_route(res), headers=headers, status=None)
        assert response.status_code == 403, rid
        assert SECRET.encode() not in response.get_data()
        en, zh = dl_reasons.REASONS[reason]
        page = response.get_data(as_text=True)
        assert en in page or zh in page  # the page says why, in its language
        event = events(action="ckan_resource_download", object_id=rid)[-1]
        assert event["outcome"] == "refused" and event["detail"]["reason"] == reason
    fine = app.get(_ckan_route(cw.open_matched), headers=headers)
    assert fine.status_code == 200 and HIDDEN.encode() not in fine.get_data()
    event = events(action="ckan_resource_download", object_id=cw.open_matched["id"])[-1]
    assert event["outcome"] == "success" and "reason" not in event["detail"]


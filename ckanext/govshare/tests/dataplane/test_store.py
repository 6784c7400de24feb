"""Reading the DataStore cut to a scope (``dataplane/store.py``, issue 16, items 2, 4, 5):
only the columns asked for, only the rows the row filter and the filters select, a search
that looks at the granted columns only, paging by cursor, and verification without values."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories as ckan_factories

from ckanext.govshare.access.scope import RowFilter
from ckanext.govshare.dataplane import store
from ckanext.govshare.tests import factories

FIELDS = [
    {"id": "credit_code", "type": "text"},
    {"id": "企业名称", "type": "text"},
    {"id": "注册资本", "type": "numeric"},
    {"id": "district", "type": "text"},
    {"id": "内部备注", "type": "text"},
]
DISTRICTS = ["浦东新区", "黄浦区", "徐汇区"]


def _records(n: int) -> list[dict[str, Any]]:
    return [
        {
            "credit_code": f"91310000{i:010d}",
            "企业名称": f"上海第{i}贸易有限公司",
            "注册资本": 100 + i,
            "district": DISTRICTS[i % 3],
            "内部备注": "秘密线索" if i == 7 else "无",
        }
        for i in range(n)
    ]


@pytest.fixture
def table(module_world: Any) -> str:
    def build() -> str:
        sysadmin = ckan_factories.Sysadmin()
        entry = factories.SharingEntry()
        rid = entry["resources"][0]["id"]
        tk.get_action("datastore_create")(
            {"user": sysadmin["name"], "ignore_auth": True},
            {"resource_id": rid, "force": True, "fields": FIELDS, "records": _records(30)},
        )
        return rid

    return module_world(build)


@pytest.mark.usefixtures("with_plugins")
class TestStore:
    def test_columns_leave_ckans_own_out(self, table: str) -> None:
        assert store.table_columns(table) == [f["id"] for f in FIELDS]
        assert store.table_columns("no-such-resource") is None

    def test_select_only_the_columns_and_rows_asked_for(self, table: str) -> None:
        rows = RowFilter("district", ("浦东新区",))
        page = store.select(table, ["企业名称", "注册资本"], rows, limit=5)
        assert [f["id"] for f in page.fields] == ["企业名称", "注册资本"]
        assert page.total == 10
        assert len(page.records) == 5
        assert all(set(r) == {"企业名称", "注册资本"} for r in page.records)
        assert page.records[0] == {"企业名称": "上海第0贸易有限公司", "注册资本": 100}
        assert page.next is not None

    def test_cursor_pages_through_every_row_once(self, table: str) -> None:
        seen: list[str] = []
        cursor = None
        while True:
            page = store.select(table, ["credit_code"], None, limit=7, cursor=cursor)
            seen += [r["credit_code"] for r in page.records]
            cursor = page.next
            if cursor is None:
                break
        assert len(seen) == 30 and len(set(seen)) == 30

    def test_filters_and_sort(self, table: str) -> None:
        page = store.select(
            table,
            ["注册资本"],
            None,
            filters={"district": ["黄浦区", "徐汇区"], "注册资本": ["101", 102, "104"]},
            sort=[("注册资本", True)],
        )
        assert [r["注册资本"] for r in page.records] == [104, 102, 101]
        assert page.total == 3

    def test_q_searches_only_the_columns_searched(self, table: str) -> None:
        hidden = store.select(table, ["企业名称"], None, q="秘密", searched=["企业名称"])
        assert hidden.total == 0 and hidden.records == []
        shown = store.select(table, ["企业名称"], None, q="第7贸", searched=["企业名称"])
        assert shown.total == 1
        literal = store.select(table, ["企业名称"], None, q="%", searched=["企业名称"])
        assert literal.total == 0  # % is a character, not a wildcard

    def test_bad_values_and_cursors(self, table: str) -> None:
        with pytest.raises(store.BadValue):
            store.select(table, ["注册资本"], None, filters={"注册资本": ["lots"]})
        with pytest.raises(store.BadValue):
            store.select(table, ["注册资本"], None, cursor="not-a-cursor!")

    def test_stream_holds_every_scoped_row(self, table: str) -> None:
        batches = list(
            store.stream(table, ["credit_code", "district"], RowFilter("district", ("黄浦区",)))
        )
        rows = [r for b in batches for r in b]
        assert len(rows) == 10
        assert {r[1] for r in rows} == {"黄浦区"}
        assert store.row_count(table, RowFilter("district", ("黄浦区",))) == 10

    def test_verify_answers_without_values(self, table: str) -> None:
        key = {"credit_code": "913100000000000003"}
        ok = store.verify(table, None, key, {"企业名称": "上海第3贸易有限公司", "注册资本": "103"})
        assert ok == store.Verification(found=True, match=True, mismatched=[])
        bad = store.verify(table, None, key, {"企业名称": "别的公司", "注册资本": 103})
        assert bad == store.Verification(found=True, match=False, mismatched=["企业名称"])
        missing = store.verify(table, None, {"credit_code": "x"}, {"注册资本": 1})
        assert missing == store.Verification(found=False, match=False, mismatched=[])
        outside = store.verify(table, RowFilter("district", ("浦东新区",)), key, {"注册资本": 103})
        assert outside.found  # row 3 lies in 浦东新区 (3 % 3 == 0)
        beyond = store.verify(table, RowFilter("district", ("黄浦区",)), key, {"注册资本": 103})
        assert not beyond.found  # outside the row filter, as if it did not exist

    def test_copy_csv_holds_the_same_rows_as_the_stream(
        self, table: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import csv
        import io

        monkeypatch.setattr(store, "COPY_BATCH", 4)  # several batches over 10 rows
        rows = RowFilter("district", ("黄浦区",))
        pieces = list(store.copy_csv(table, ["credit_code", "注册资本"], rows))
        assert len(pieces) == 3 and [n for _, n in pieces] == [4, 4, 2]
        copied = list(csv.reader(io.StringIO(b"".join(p for p, _ in pieces).decode())))
        streamed = [r for b in store.stream(table, ["credit_code", "注册资本"], rows) for r in b]
        assert copied == [[code, str(capital)] for code, capital in streamed]

    def test_a_prefix_row_filter_reads_the_rows_whose_text_starts_with_it(
        self, table: str
    ) -> None:
        """A return grant's region (issue 17; 2025 Regulations art. 24) on every path."""
        ten = RowFilter("credit_code", prefix="91310000000000001")  # rows 10..19
        codes = [f"91310000{i:010d}" for i in range(10, 20)]
        page = store.select(table, ["credit_code"], ten, limit=100)
        assert [r["credit_code"] for r in page.records] == codes and page.total == 10
        assert [r[0] for b in store.stream(table, ["credit_code"], ten) for r in b] == codes
        assert store.row_count(table, ten) == 10
        copied = b"".join(p for p, _ in store.copy_csv(table, ["credit_code"], ten))
        assert copied.decode().split() == codes
        assert store.verify(table, ten, {"credit_code": codes[0]}, {}).found
        assert not store.verify(table, ten, {"credit_code": "913100000000000009"}, {}).found
        # A number read as its text: 110 .. 129.
        assert store.row_count(table, RowFilter("注册资本", prefix="11")) == 10
        assert store.row_count(table, RowFilter("注册资本", prefix="1")) == 30
        # LIKE's wildcards in a prefix are plain characters, never patterns.
        for wild in ("9131000000000000_", "913%", "%", "_", "\\"):
            assert store.row_count(table, RowFilter("credit_code", prefix=wild)) == 0, wild
        assert RowFilter("credit_code", prefix="9131").as_dict() == {
            "column": "credit_code",
            "prefix": "9131",
        }


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_scope_entry_reads_what_package_show_shows() -> None:
    from ckanext.govshare.dataplane import service

    entry = factories.SharingEntry(
        data_items=[
            {"name": "统一社会信用代码", "data_type": "string", "column": "TYSHXYDM"},
            {"name": "企业名称", "data_type": "string"},
        ],
        resources=[{"url": "http://example.org/a.csv"}, {"url": "http://example.org/b.csv"}],
    )
    shown = service.entry(entry["id"])
    light = service.scope_entry(entry["id"])
    assert light["id"] == shown["id"]
    assert [(i["name"], i.get("column")) for i in light["data_items"]] == [
        (i["name"], i.get("column")) for i in shown["data_items"]
    ]
    assert [r["id"] for r in light["resources"]] == [r["id"] for r in shown["resources"]]
    assert len(light["resources"]) == 2

"""The DataStore and xloader, set up by the two commands (issue 16, item 1).

``load_table`` (``tests/datastore_tables.py``) puts rows straight into a resource's table, as
the other tests of the data plane need; the end-to-end test below loads an uploaded CSV the
way ``make run`` does: a real site (``scripts/setup.sh serve``: web server, then the jobs
worker), xloader's job fetching the file over HTTP with the site's xloader token and reporting
to ``xloader_hook``, and ``datastore_search`` as a sysadmin answering the file's rows.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories, helpers

from ckanext.govshare.tests import factories as gs_factories
from ckanext.govshare.tests.datastore_tables import drop_table, load_table, table_rows
from ckanext.govshare.tests.federation.sites import Federation, Site, free_port

FIELDS = [
    {"id": "统一社会信用代码", "type": "text"},
    {"id": "企业名称", "type": "text"},
    {"id": "注册资本", "type": "numeric"},
]
RECORDS = [
    {"统一社会信用代码": "91110000MA01ABCD1X", "企业名称": "北京甲公司", "注册资本": 500},
    {"统一社会信用代码": "91110000MA01EFGH2Y", "企业名称": "北京乙公司", "注册资本": 1200.5},
]


@pytest.fixture
def resource(clean_db: None) -> dict[str, Any]:
    entry = gs_factories.SharingEntry()
    return entry["resources"][0]


def test_load_table_puts_the_rows_in_the_datastore(resource: dict[str, Any]) -> None:
    result = load_table(resource["id"], fields=FIELDS, records=RECORDS)

    assert [f["id"] for f in result["fields"]] == [f["id"] for f in FIELDS]
    rows = table_rows(resource["id"], sort="_id")
    assert [(r["统一社会信用代码"], r["企业名称"], float(r["注册资本"])) for r in rows] == [
        ("91110000MA01ABCD1X", "北京甲公司", 500.0),
        ("91110000MA01EFGH2Y", "北京乙公司", 1200.5),
    ]
    # CKAN marks the resource as in the DataStore, as after a load by xloader.
    shown = helpers.call_action("resource_show", id=resource["id"])
    assert shown["datastore_active"] is True


def test_load_table_replaces_a_table_unless_told_to_append(resource: dict[str, Any]) -> None:
    load_table(resource["id"], fields=FIELDS, records=RECORDS)
    load_table(resource["id"], fields=FIELDS, records=RECORDS[:1])
    assert len(table_rows(resource["id"])) == 1

    load_table(resource["id"], fields=FIELDS, records=RECORDS[1:], replace=False)
    assert len(table_rows(resource["id"])) == 2


def test_load_table_without_fields_makes_text_columns(resource: dict[str, Any]) -> None:
    result = load_table(resource["id"], records=[{"姓名": "张三", "年龄": "30"}])

    assert [(f["id"], f["type"]) for f in result["fields"] if f["id"] != "_id"] == [
        ("姓名", "text"),
        ("年龄", "text"),
    ]
    with pytest.raises(ValueError):
        load_table(resource["id"], records=[])


def test_drop_table(resource: dict[str, Any]) -> None:
    load_table(resource["id"], fields=FIELDS, records=RECORDS)

    assert drop_table(resource["id"]) is True
    assert drop_table(resource["id"]) is False
    with pytest.raises(tk.ObjectNotFound):
        table_rows(resource["id"])


def test_the_read_only_role_reads_but_cannot_write(resource: dict[str, Any]) -> None:
    """``ckan.datastore.read_url``'s role (set up by scripts/setup.sh) selects, never writes:
    CKAN's ``datastore_search_sql`` and the search run on it."""
    import sqlalchemy as sa

    load_table(resource["id"], fields=FIELDS, records=RECORDS)
    engine = sa.create_engine(tk.config["ckan.datastore.read_url"], poolclass=sa.pool.NullPool)
    main_db = sa.engine.make_url(tk.config["sqlalchemy.url"]).database
    try:
        with engine.connect() as conn:
            count = conn.execute(sa.text(f'select count(*) from "{resource["id"]}"')).scalar()
            assert count == 2
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.execute(sa.text(f'delete from "{resource["id"]}"'))
        with pytest.raises(sa.exc.OperationalError, match="permission denied"):
            ro_main = sa.engine.make_url(tk.config["ckan.datastore.read_url"]).set(database=main_db)
            sa.create_engine(ro_main, poolclass=sa.pool.NullPool).connect()
    finally:
        engine.dispose()


def test_a_sysadmin_is_needed_to_write_a_table(resource: dict[str, Any]) -> None:
    """What load_table bypasses: a user outside the providing department may not write."""
    outsider = factories.User()
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action(
            "datastore_create",
            context={"user": outsider["name"], "ignore_auth": False},
            resource_id=resource["id"],
            force=True,
            fields=FIELDS,
            records=RECORDS,
        )


# -- end to end: an uploaded CSV loaded by xloader through the jobs worker ---------------------

ROOT = Path(__file__).resolve().parents[4]
SETUP = ROOT / "scripts" / "setup.sh"
CSV_ROWS = [
    ("统一社会信用代码", "企业名称", "登记机关", "注册资本"),
    ("91110000MA01ABCD1X", "北京甲科技有限公司", "北京市市场监督管理局", "500"),
    ("91310000MA1FL2XY3K", "上海乙贸易有限公司", "上海市市场监督管理局", "1200.5"),
    ("914403007084567891", "深圳丙制造有限公司", "深圳市市场监督管理局", "80"),
]


@dataclass
class Served:
    """A site served by ``scripts/setup.sh serve`` (web server, then the jobs worker)."""

    site: Site
    env: dict[str, str]
    federation: Federation
    db: str
    var: Path
    pids: list[int] = field(default_factory=list)

    def stop(self) -> None:
        subprocess.run(["bash", str(SETUP), "stop"], env=self.env, capture_output=True)
        for pid in self.pids:
            for _ in range(300):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)


@pytest.fixture(scope="module")
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The platform as ``make run`` serves it, on a database of its own (a copy of the
    federation tests' migrated template, with its sysadmin and token), the DataStore of the
    test config, and xloader given that sysadmin's token."""
    ini = Path(request.config.getoption("ckan_ini")).resolve()
    root = tmp_path_factory.mktemp("xloader")
    var = root / "var"
    federation = Federation(ini, root)
    meta = federation.template()
    db = f"{federation.base_db}_xloader"
    federation._drop(db)
    federation._admin(
        f'create database "{db}" owner "{federation.owner}" template "{federation.base_db}_fedtpl"'
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    site = federation._site_config(
        "xloader",
        db,
        federation.lower_plugins,
        port=port,
        extra={
            "ckan.storage_path": str(var / "storage"),
            "ckanext.xloader.api_token": meta["token"],
            "ckanext.xloader.site_url": url,
            "ckanext.xloader.jobs_db.uri": federation._db_url(db),
        },
    )
    site.token = meta["token"]
    env = {
        **os.environ,
        "VAR": str(var),
        "PORT": str(port),
        "CKAN_INI": str(site.ini),
        "VENV": str(Path(sys.executable).parent.parent),
    }
    served = Served(site=site, env=env, federation=federation, db=db, var=var)
    try:
        started = subprocess.run(
            ["bash", str(SETUP), "serve"], env=env, capture_output=True, text=True, timeout=300
        )
        served.pids = [
            int((var / f"{name}.pid").read_text())
            for name in ("web", "worker")
            if (var / f"{name}.pid").exists()
        ]
        assert started.returncode == 0, started.stdout + started.stderr
        yield served
    finally:
        served.stop()
        federation._drop(db)
        federation.admin.dispose()


def _logs(served: Served) -> str:
    return "\n".join(
        f"--- {name}\n" + (served.var / name).read_text(errors="replace")[-4000:]
        for name in ("ckan.log", "worker.log")
        if (served.var / name).exists()
    )


def test_an_uploaded_csv_is_loaded_into_the_datastore_by_the_worker(served: Served) -> None:
    site = served.site
    org = site.action(
        "organization_create",
        name="xl-provider",
        title="市场监管局",
        provider_code=gs_factories.provider_code(),
        department_level="provincial",
    )
    entry = site.action(
        "package_create",
        name="xl-enterprises",
        title="企业登记信息",
        notes="摘要",
        owner_org=org["id"],
        **{
            **gs_factories.entry_fields(),
            "open_to_public": "not_open",
            "data_items": [{"name": name, "data_type": "string"} for name in CSV_ROWS[0]],
        },
    )
    body = "\n".join(",".join(row) for row in CSV_ROWS).encode("utf-8") + b"\n"
    uploaded = site.session.post(
        f"{site.url}/api/3/action/resource_create",
        data={"package_id": entry["id"], "name": "企业登记信息", "format": "CSV"},
        files={"upload": ("enterprises.csv", body, "text/csv")},
        headers={"Authorization": site.token},
        timeout=60,
    ).json()
    assert uploaded["success"], uploaded
    resource_id = uploaded["result"]["id"]

    # The job runs on the worker that `serve` started: wait for xloader to report it done.
    status: dict[str, Any] = {}
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        status = site.action("xloader_status", resource_id=resource_id)
        if status.get("status") in ("complete", "error"):
            break
        time.sleep(0.5)
    assert status.get("status") == "complete", (status, _logs(served))

    found = site.action("datastore_search", resource_id=resource_id, sort="_id")
    columns = [f["id"] for f in found["fields"] if f["id"] != "_id"]
    assert columns == list(CSV_ROWS[0])
    assert found["total"] == len(CSV_ROWS) - 1
    assert [tuple(str(r[c]) for c in columns) for r in found["records"]] == [
        tuple(row) for row in CSV_ROWS[1:]
    ]
    shown = site.action("resource_show", id=resource_id)
    assert shown["datastore_active"] is True


# -- the demo's tables (demo/tables.py): what `make run` uploads for xloader to load ------------


@pytest.mark.unit
def test_every_hand_written_entry_has_a_table_of_its_data_items() -> None:
    from ckanext.govshare.demo import catalogue, tables

    entries = {name: columns for _, name, _, _, _, columns in catalogue.ENTRIES}
    assert set(entries) == set(tables.CURATED)
    for name, columns in entries.items():
        header, rows = tables.table(name, columns, seed=20161)
        mapped = tables.COLUMN_OF.get(name, {})
        expected = [mapped.get(c, c) for c in columns] + tables.EXTRA_COLUMNS.get(name, [])
        assert header == expected, name
        assert len(rows) >= 30, name
        assert {len(row) for row in rows} == {len(header)}, name


@pytest.mark.unit
def test_the_demo_shows_a_mapped_entry_and_an_extra_column() -> None:
    from ckanext.govshare.demo import tables

    items = tables.data_items("food-production-licences", ["许可证编号", "发证日期"])
    assert items == [
        {"name": "许可证编号", "data_type": "string", "column": "XKZBH"},
        {"name": "发证日期", "data_type": "date", "column": "FZRQ"},
    ]
    header, _ = tables.table("legal-entity-registration", [], seed=20161)
    assert header[-1] == "登记机关"
    assert "登记机关" not in [i["name"] for i in tables.data_items("legal-entity-registration", [])]


@pytest.mark.unit
def test_demo_codes_are_valid_and_the_data_the_same_on_every_run() -> None:
    from ckanext.govshare.catalogue import credit_code
    from ckanext.govshare.demo import tables

    _, entities = tables.table("legal-entity-registration", [], seed=20161)
    assert [credit_code.problem(row[0]) for row in entities] == [None] * len(entities)
    assert len({row[0] for row in entities}) == len(entities)
    _, people = tables.table("population-basic-info", [], seed=20161)
    assert people
    for id_number, _, sex, _, birth, _ in people:
        assert tables.id_check(id_number[:17]) == id_number[17]
        assert id_number[6:14] == birth.replace("-", "")
        assert (int(id_number[16]) % 2 == 1) == (sex == "男")
    assert tables.id_check("11010519491231002") == "X"  # GB 11643's own example
    assert tables.org_check("D2143569") == "X"  # GB 11714's example code D2143569-X
    assert tables.table("population-basic-info", [], seed=20161) == (
        tables.table("population-basic-info", [], seed=20161)
    )
    assert tables.table("population-basic-info", [], seed=1) != (
        tables.table("population-basic-info", [], seed=20161)
    )


@pytest.mark.unit
def test_one_demo_entry_is_a_spreadsheet() -> None:
    import io

    from openpyxl import load_workbook

    from ckanext.govshare.demo import tables

    name, data, fmt, _ = tables.resource_file("population-sample-survey", [], seed=20161)
    assert (name, fmt) == ("population-sample-survey.xlsx", "XLSX")
    sheet = load_workbook(io.BytesIO(data)).active
    header, rows = tables.table("population-sample-survey", [], seed=20161)
    assert [c.value for c in next(sheet.iter_rows())] == header
    assert sheet.max_row == len(rows) + 1
    name, data, fmt, _ = tables.resource_file("entry-0001", ["姓名", "出生日期"], seed=20161)
    assert (name, fmt) == ("entry-0001.csv", "CSV")
    assert data.decode("utf-8").splitlines()[0] == "姓名,出生日期"

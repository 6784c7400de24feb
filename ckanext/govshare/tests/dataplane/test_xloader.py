"""The DataStore and xloader, set up by the two commands (issue 16, item 1).

``load_table`` (``tests/datastore_tables.py``) puts rows straight into a resource's table, as
the other tests of the data plane need; the end-to-end test below loads an uploaded CSV the
way ``make run`` does: a real site (``scripts/setup.sh serve``: web server, then the jobs
worker), xloader's job fetching the file over HTTP with the site's xloader token and reporting
to ``xloader_hook``, and ``datastore_search`` as a sysadmin answering the file's rows.
"""

from __future__ import annotations

from typing import Any

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories, helpers

from ckanext.govshare.tests import factories as gs_factories
from ckanext.govshare.tests.datastore_tables import drop_table, load_table, table_rows

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

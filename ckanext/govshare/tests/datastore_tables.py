"""Rows in the DataStore for a test, without xloader or a worker (issue 16, item 1).

``load_table`` is what a test that needs a resource "in the DataStore" calls: it puts the
given fields and records into the resource's DataStore table with CKAN's own
``datastore_create``, as a sysadmin (the site user) with ``force=True`` (so also for a resource
whose ``url_type`` would make CKAN refuse), and CKAN marks the resource ``datastore_active``
as a load by xloader would::

    from ckanext.govshare.tests.datastore_tables import load_table

    load_table(
        resource["id"],
        fields=[{"id": "统一社会信用代码", "type": "text"}, {"id": "注册资本", "type": "numeric"}],
        records=[{"统一社会信用代码": "91110000...", "注册资本": 500}],
    )

Field types are the DataStore's (``text``, ``numeric``, ``int``, ``float``, ``date``,
``timestamp``, ``bool``, ``json``…); ``fields`` may be left out when the records show them
(every column then ``text``, as xloader loads a CSV without type guessing).

The DataStore is a database of its own (``<test db>_datastore``, ``ckan.datastore.write_url``),
so neither CKAN's ``clean_db`` nor a module world's snapshot (``tests/db.py``) puts its tables
back: a table a module world loads stays as loaded as long as no test writes to it, and a test
that changes rows (``datastore_upsert``, ``datastore_delete``) should load a table of its own
(resource ids are new in every world, so tables of earlier tests never collide). The
``clean_datastore`` fixture (import it into a conftest, or call ``clear_datastore()``) drops
every table (a function fixture), for tests that count tables.

Needs the ``datastore`` plugin in the test config: ``scripts/setup.sh database config
datastore`` with the config's ``CKAN_INI``/``DB_NAME``/``REDIS_DB`` (``make test-setup`` does).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pytest
import sqlalchemy as sa
from ckan.plugins import toolkit as tk
from ckan.tests import helpers


def _sysadmin_context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def load_table(
    resource_id: str,
    fields: list[dict[str, Any]] | None = None,
    records: Iterable[Mapping[str, Any]] = (),
    *,
    primary_key: str | list[str] | None = None,
    indexes: str | list[str] | None = None,
    replace: bool = True,
) -> dict[str, Any]:
    """Load ``records`` into the DataStore table of ``resource_id``; answers
    ``datastore_create``'s result (``fields`` with ``_id`` first, ``records`` as given).

    ``fields``: ``[{"id": column, "type": datastore type}, ...]`` in column order; when left
    out, the columns of the first record, all ``text``. ``replace`` (default) drops a table the
    resource already has first, so the table holds exactly ``records``; ``replace=False``
    appends to it (the fields must then be the table's). ``primary_key``/``indexes`` as
    ``datastore_create`` takes them.
    """
    rows = [dict(r) for r in records]
    if fields is None:
        if not rows:
            raise ValueError("load_table: give the fields, or at least one record")
        fields = [{"id": name, "type": "text"} for name in rows[0]]
    if replace:
        drop_table(resource_id)
    data: dict[str, Any] = {
        "resource_id": resource_id,
        "force": True,
        "fields": fields,
        "records": rows,
    }
    if primary_key is not None:
        data["primary_key"] = primary_key
    if indexes is not None:
        data["indexes"] = indexes
    return helpers.call_action("datastore_create", context=_sysadmin_context(), **data)


def drop_table(resource_id: str) -> bool:
    """Drop the resource's DataStore table if it has one (``datastore_delete``, force);
    answers whether there was one."""
    try:
        helpers.call_action(
            "datastore_delete",
            context=_sysadmin_context(),
            resource_id=resource_id,
            force=True,
        )
    except tk.ObjectNotFound:
        return False
    return True


def table_rows(resource_id: str, **search: Any) -> list[dict[str, Any]]:
    """The rows of the resource's table as a sysadmin sees them (``datastore_search``; pass
    ``limit``, ``filters``, ``fields``, ``sort`` … as that action takes them)."""
    search.setdefault("limit", 32000)
    result = helpers.call_action(
        "datastore_search", context=_sysadmin_context(), resource_id=resource_id, **search
    )
    return result["records"]


def write_engine() -> sa.engine.Engine:
    """An engine on the DataStore database as its write role (``ckan.datastore.write_url``)."""
    url = tk.config.get("ckan.datastore.write_url")
    if not url:
        raise RuntimeError("no ckan.datastore.write_url: run scripts/setup.sh config datastore")
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def clear_datastore() -> int:
    """Drop every table of the DataStore database (as CKAN's own DataStore tests do);
    answers how many. Resources that pointed at them keep ``datastore_active`` until saved."""
    engine = write_engine()
    try:
        with engine.begin() as conn:
            names = [
                row[0]
                for row in conn.execute(
                    sa.text("select tablename from pg_tables where schemaname = 'public'")
                )
            ]
            for name in names:
                conn.execute(sa.text(f'drop table if exists "{name}" cascade'))
        return len(names)
    finally:
        engine.dispose()


@pytest.fixture
def clean_datastore(with_plugins: None) -> None:
    """An empty DataStore database for the test (import into a conftest to use)."""
    clear_datastore()

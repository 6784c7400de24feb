"""A new entry is indexed once per commit (``search/index_once.py``); the index stays right."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.model.domain_object import DomainObjectOperation
from ckan.model.modification import DomainObjectModificationExtension
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.govshare.search import index_once
from ckanext.govshare.search.connection import TABLE, PostgresSearchConnection
from ckanext.govshare.tests import factories as gs


@pytest.fixture
def indexed(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every document written to the index, by package id (CKAN 2.11 writes through
    notifications, 2.12 from its actions: both reach the connection's ``add``)."""
    writes: Counter[str] = Counter()
    add = PostgresSearchConnection.add

    def counting(self: Any, docs: list[dict[str, Any]], *args: Any, **kwargs: Any) -> Any:
        writes.update(doc["id"] for doc in docs)
        return add(self, docs, *args, **kwargs)

    monkeypatch.setattr(PostgresSearchConnection, "add", counting)
    return writes


def _rows(package_id: str) -> int:
    return model.Session.execute(
        sa.text(f"SELECT count(*) FROM {TABLE} WHERE package_id = :id"), {"id": package_id}
    ).scalar_one()


def _entry(org: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return call_action(
        "package_create",
        {"ignore_auth": True, "user": factories.Sysadmin()["name"]},
        **{
            **gs.entry_fields(),
            "name": gs.unique_name("once"),
            "title": "人口登记",
            "notes": "摘要",
            "owner_org": org["id"],
            "resources": [{"url": "http://example.com/a.csv", "name": "a", "format": "CSV"}],
            **fields,
        },
    )


def test_the_wrapper_is_in_place() -> None:
    assert index_once.installed()


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_a_new_entry_is_indexed_once_and_found(indexed: Counter[str]) -> None:
    org = gs.Department()
    entry = _entry(org)
    assert indexed == Counter({entry["id"]: 1})
    found = call_action("package_search", {"ignore_auth": True}, q="登记", rows=10)
    assert [d["id"] for d in found["results"]] == [entry["id"]]
    assert found["results"][0]["organization"]["name"] == org["name"]
    assert found["results"][0]["num_resources"] == 1


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_an_edit_is_indexed_once_and_its_change_found(indexed: Counter[str]) -> None:
    org = gs.Department()
    entry = _entry(org)
    indexed.clear()
    call_action(
        "package_patch",
        {"ignore_auth": True, "user": factories.Sysadmin()["name"]},
        id=entry["id"],
        title="法人信息",
        resources=[
            {"url": "http://example.com/a.csv", "name": "a", "format": "CSV"},
            {"url": "http://example.com/b.xlsx", "name": "b", "format": "XLSX"},
        ],
    )
    assert indexed == Counter({entry["id"]: 1})
    found = call_action("package_search", {"ignore_auth": True}, q="法人", rows=10)
    assert [(d["id"], d["num_resources"]) for d in found["results"]] == [(entry["id"], 2)]
    assert call_action("package_search", {"ignore_auth": True}, q="登记")["count"] == 0


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_a_deletion_still_reaches_the_index() -> None:
    entry = _entry(gs.Department())
    admin = {"ignore_auth": True, "user": factories.Sysadmin()["name"]}
    assert call_action("package_search", {"ignore_auth": True}, q="登记")["count"] == 1
    assert _rows(entry["id"]) == 1
    call_action("package_delete", dict(admin), id=entry["id"])
    assert call_action("package_search", {"ignore_auth": True}, q="登记")["count"] == 0
    assert _rows(entry["id"]) == 0


def test_each_package_is_told_once_per_round_deletions_as_they_come() -> None:
    """The round itself, on stand-in packages: new before changed, one call each."""
    told: list[tuple[str, str]] = []
    notify = index_once._once(lambda entity, op: told.append((entity.id, op)))
    a, b = model.Package(id="a"), model.Package(id="b")
    resource = model.Resource()
    resource.id = "r"
    notify(a, DomainObjectOperation.new)
    notify(resource, DomainObjectOperation.new)
    notify(b, DomainObjectOperation.deleted)
    notify(b, DomainObjectOperation.deleted)
    notify(a, DomainObjectOperation.changed)
    notify(resource, DomainObjectOperation.changed)
    assert told == [
        ("a", DomainObjectOperation.new),
        ("r", DomainObjectOperation.new),
        ("b", DomainObjectOperation.deleted),
        ("b", DomainObjectOperation.deleted),
        ("r", DomainObjectOperation.changed),
    ]
    assert DomainObjectModificationExtension.notify_observers.__wrapped__  # type: ignore[attr-defined]

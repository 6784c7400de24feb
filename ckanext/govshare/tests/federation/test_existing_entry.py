"""The DCAT harvester on the upper platform's database: the entry it harvested before, found
through its harvest records, the names of the entries it creates, and the entries it need not
import again."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.dcat.harvesters.rdf import DCATRDFHarvester
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectExtra, HarvestSource

from ckanext.govshare.harvest import naming, unchanged
from ckanext.govshare.harvest.plugin import GovshareDCATRDFHarvester
from ckanext.govshare.tests import factories as gs_factories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

GUID = "http://lower.example/dataset/0b6c"


def _harvested(
    package_id: str | None, guid: str = GUID, current: bool = False, source_type: str = "dcat_rdf"
) -> HarvestObject:
    source = HarvestSource(url=f"http://lower.example/{model.types.make_uuid()}", type=source_type)
    source.save()
    job = HarvestJob(source=source)
    job.save()
    harvest_object = HarvestObject(
        guid=guid, job=job, source=source, package_id=package_id, current=current
    )
    harvest_object.save()
    return harvest_object


def test_the_entry_harvested_before_under_the_guid() -> None:
    entry = gs_factories.CatalogueEntry()
    gs_factories.CatalogueEntry()  # harvested under another guid
    ckan_copy = gs_factories.CatalogueEntry()  # the same guid, by the CKAN harvester (no extra)
    _harvested(ckan_copy["id"], current=True, source_type="govshare_ckan")
    _harvested(entry["id"])
    _harvested(entry["id"], current=True)  # the same entry, harvested again
    _harvested(None)  # the record being imported now: no entry yet
    harvester = GovshareDCATRDFHarvester()

    assert harvester._read_datasets_from_db(GUID) == [(entry["id"],)]
    found: Any = harvester._get_existing_dataset(GUID)
    assert found["id"] == entry["id"] and found["name"] == entry["name"]
    assert harvester._read_datasets_from_db(GUID + "-other") == []


def test_a_deleted_entry_is_not_found_again() -> None:
    entry = gs_factories.CatalogueEntry()
    _harvested(entry["id"], current=True)
    call_action("package_delete", {"user": factories.Sysadmin()["name"]}, id=entry["id"])

    harvester = GovshareDCATRDFHarvester()
    assert harvester._read_datasets_from_db(GUID) == []
    assert harvester._get_existing_dataset(GUID) is None


def test_the_lookup_starts_from_the_guid_index() -> None:
    """No scan of every entry's extras: the harvest records are read on harvest_object's guid
    index (sequential scans off, so the plan does not depend on the table sizes)."""
    ran: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if "harvest_object" in statement:
            ran.append((statement, parameters))

    sa.event.listen(model.meta.engine, "before_cursor_execute", capture)
    try:
        GovshareDCATRDFHarvester()._read_datasets_from_db(GUID)
    finally:
        sa.event.remove(model.meta.engine, "before_cursor_execute", capture)

    ((statement, parameters),) = ran
    assert "package_extra" not in statement
    # The package table comes after, by primary key: no plan can start from it.
    assert "FROM package " not in statement and "JOIN package " not in statement
    with model.meta.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        plan = " ".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
    assert "guid_idx" in plan


def test_the_gather_names_entries_as_the_source_does() -> None:
    class Parser:
        def datasets(self) -> Any:
            yield {"title": "安徽气象年度报告", "url": "http://lower.example/dataset/entry-7"}
            yield {"title": "安徽气象年度报告", "name": "kept"}

    harvester = GovshareDCATRDFHarvester()
    parser, errors = harvester.after_parsing(Parser(), None)
    assert [d["name"] for d in parser.datasets()] == ["entry-7", "kept"] and errors == []
    assert harvester.after_parsing(None, None) == (None, [])


def test_a_new_entry_keeps_its_source_name_unless_an_entry_has_it() -> None:
    harvester = GovshareDCATRDFHarvester()
    free = {"name": "entry-7", "title": "安徽气象年度报告"}
    harvester.before_create(_harvested(None), free, {})
    assert free["name"] == "entry-7"

    gs_factories.CatalogueEntry(name="entry-8")
    clash = {"name": "entry-8", "title": "安徽气象年度报告"}
    harvester.before_create(_harvested(None, guid=GUID), clash, {})
    assert clash["name"] == naming.unique_name("entry-8", GUID, {"entry-8"}.__contains__)
    assert clash["name"] != "entry-8" and clash["source_platform_url"].startswith(
        "http://lower.example/"
    )


def test_an_entry_that_would_come_out_the_same_is_not_imported_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry = gs_factories.CatalogueEntry()
    url = "http://lower.example/catalog.ttl"
    source = HarvestSource(url=url, type="govshare_dcat_rdf", title="Lower")
    source.save()
    content = '{"title": "安徽气象年度报告", "name": "entry-7"}'
    first_job = HarvestJob(source=source)
    first_job.save()
    next_job = HarvestJob(source=source)
    next_job.save()
    recorded = unchanged.fingerprint(content, "Lower", url)
    HarvestObject(
        guid=GUID,
        job=first_job,
        source=source,
        package_id=entry["id"],
        current=True,
        state="COMPLETE",
        content=content,
        extras=[HarvestObjectExtra(key=unchanged.EXTRA, value=recorded)],
    ).save()

    def again(text: str) -> HarvestObject:
        harvest_object = HarvestObject(guid=GUID, job=next_job, source=source, content=text)
        harvest_object.save()
        return harvest_object

    imported: list[HarvestObject] = []
    monkeypatch.setattr(
        DCATRDFHarvester, "import_stage", lambda self, obj: imported.append(obj) or True
    )
    harvester = GovshareDCATRDFHarvester()

    assert harvester.import_stage(again(content)) == "unchanged"
    assert imported == []

    changed = again(content.replace("entry-7", "entry-8"))
    assert harvester.import_stage(changed) is True and imported == [changed]
    assert [e.value for e in changed.extras if e.key == unchanged.EXTRA] == [
        unchanged.fingerprint(changed.content, "Lower", url)
    ]

    source.title = "Lower platform"  # the origin stamped on the entry changes
    source.save()
    assert harvester.import_stage(again(content)) is True
    source.title = "Lower"
    source.config = '{"force_all": true}'
    source.save()
    assert harvester.import_stage(again(content)) is True
    source.config = ""
    source.save()
    assert harvester.import_stage(again(content)) == "unchanged"

    call_action("package_delete", {"user": factories.Sysadmin()["name"]}, id=entry["id"])
    assert harvester.import_stage(again(content)) is True  # its copy is gone: import it
    assert len(imported) == 4

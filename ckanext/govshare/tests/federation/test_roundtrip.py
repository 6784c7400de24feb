"""Round trip into an upper CKAN (issue 7, items 4 and 5; federation.md).

The lower site (the platform) holds entries of every share type; the upper site harvests it
twice: with ckanext-dcat's RDF harvester through the ``govshare`` profile, and with the CKAN
harvester (``govshare_ckan``). Both read the lower as a department account that may see the
catalogue but download nothing restricted. Every catalogue field must arrive intact, facets
work, no link to restricted data reaches the upper site (not even in its harvest objects),
and a harvested entry sends departments back to the lower platform to apply. Changes upstream
(share type changed, entry deleted, entry made private) are mirrored on the next run.

One module-scoped scenario: the sites start once, each harvester runs twice.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
from typing import Any

import pytest

from ckanext.govshare.tests.factories import provider_code

from .sites import Federation, Site

SECRET_HOST = "restricted-data.example"
OPEN_URL = "http://open-data.example/population.csv"
SOURCE_TITLE = "Lower platform 下级平台"
DEPARTMENT = "Provincial Public Security Department 省公安厅"

CATALOGUE_FIELDS = (
    "title",
    "notes",
    "resource_code",
    "provider_code",
    "resource_category",
    "basic_category",
    "theme",
    "format_type",
    "share_type",
    "share_conditions",
    "legal_basis",
    "share_methods",
    "usage_requirements",
    "region_item",
    "coverage_region",
    "key_item",
    "watermark_item",
    "open_to_public",
    "open_conditions",
    "update_cycle",
    "release_date",
    "related_resource_codes",
    "project_code",
    "data_items",
)
ITEM_FIELDS = ("name", "data_type", "length", "description", "base_item", "share_type")
SOURCES = {"dcat": "via-dcat", "ckan": "via-ckan"}


def _entry(name: str, **fields: Any) -> dict[str, Any]:
    base = {
        "name": name,
        "title": f"{name} 信息资源",
        "notes": f"Abstract of {name}。摘要。",
        "owner_org": "provider",
        "private": False,
        "resource_category": "departmental",
        "format_type": "spreadsheet",
        "share_type": "unconditional",
        "share_methods": ["file_download", "api"],
        "open_to_public": "not_open",
        "update_cycle": "monthly",
        "release_date": "2026-03-01",
        "maintainer": "张三",
        "maintainer_email": "zhangsan@example.org",
        "data_items": [
            {
                "name": "统一社会信用代码",
                "data_type": "string",
                "length": "18",
                "description": "代码",
            },
            {"name": "登记日期", "data_type": "date"},
        ],
        "resources": [
            {"name": f"{name}.csv", "format": "CSV", "url": f"http://{SECRET_HOST}/{name}.csv"},
        ],
    }
    base.update(fields)
    return base


def _seed(lower: Site) -> dict[str, Any]:
    """Departments, the upper platform's account and five entries, through the lower's API."""
    lower.action(
        "organization_create",
        name="provider",
        title=DEPARTMENT,
        provider_code=provider_code(),
        department_level="provincial",
    )
    lower.action(
        "organization_create",
        name="upper-liaison",
        title="上级平台联络",
        provider_code=provider_code(),
        department_level="national",
    )
    lower.action(
        "user_create",
        name="upper-harvester",
        email="harvester@example.org",
        password="Harvest-2026-password",
    )
    lower.action(
        "organization_member_create", id="upper-liaison", username="upper-harvester", role="member"
    )
    token = lower.action("api_token_create", user="upper-harvester", name="harvest")["token"]

    entries = {}
    entries["open"] = lower.action(
        "package_create",
        **_entry(
            "open-entry",
            resource_category="basic",
            basic_category="population",
            open_to_public="open",
            project_code="XM-2026-001",
            usage_requirements="仅作为行政依据使用",
            data_items=[
                {
                    "name": "公民身份号码",
                    "data_type": "string",
                    "length": "18",
                    "base_item": "true",
                },
                {"name": "婚姻状况", "data_type": "string", "share_type": "conditional"},
            ],
            resources=[{"name": "population.csv", "format": "CSV", "url": OPEN_URL}],
        ),
    )
    entries["conditional"] = lower.action(
        "package_create",
        **_entry(
            "conditional-entry",
            resource_category="thematic",
            theme="health",
            share_type="conditional",
            share_conditions="仅限卫生健康部门用于疫情防控",
            open_to_public="conditional_open",
            open_conditions="经申请后开放",
            update_cycle="daily",
            related_resource_codes=[entries["open"]["resource_code"]],
            # Issue 17: what data return and batch exchange read travels too.
            data_items=[
                {"name": "统一社会信用代码", "data_type": "string", "length": "18"},
                {"name": "登记日期", "data_type": "date"},
                {"name": "所在地区划代码", "data_type": "string", "length": "6"},
            ],
            region_item="所在地区划代码",
            coverage_region="330000",
            key_item="统一社会信用代码",
            watermark_item="登记日期",
        ),
    )
    entries["not_shared"] = lower.action(
        "package_create",
        **_entry(
            "closed-entry",
            title="涉密档案目录",  # no letter a URL name keeps: named as on the source
            share_type="not_shared",
            legal_basis="《中华人民共和国保守国家秘密法》第九条",
            share_methods=["offline_media"],
            update_cycle="irregular",
        ),
    )
    entries["gone"] = lower.action("package_create", **_entry("gone-entry"))
    entries["hidden"] = lower.action(
        "package_create",
        **_entry(
            "hidden-entry",
            share_type="conditional",
            share_conditions="仅限本系统",
        ),
    )
    return {"token": token, "entries": entries}


def _harvest(upper: Site, *sources: str, workers: int = 1) -> subprocess.CompletedProcess[str]:
    """Run the harvest jobs synchronously, one after the other (both sources harvest the same
    catalogue into one site: names must not race), in one process (``run_harvest``), each
    job's records imported by ``workers`` processes (``harvest/workers.py``)."""
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "ckanext.govshare.tests.federation.run_harvest",
            str(upper.ini),
            *sources,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "GOVSHARE_HARVEST_WORKERS": str(workers)},
    )
    assert run.returncode == 0, f"harvest {sources}: {run.stdout[-2000:]}{run.stderr[-2000:]}"
    return run


def _harvest_errors(upper: Site, source: str) -> list[Any]:
    return upper.sql(
        "select e.message from harvest_object_error e join harvest_object o "
        "on o.id = e.harvest_object_id join package p on p.id = o.harvest_source_id "
        "where p.name = :name union all select e.message from harvest_gather_error e "
        "join harvest_job j on j.id = e.harvest_job_id join package p on p.id = j.source_id "
        "where p.name = :name",
        name=source,
    )


@pytest.fixture(scope="module")
def world(federation: Federation) -> dict[str, Any]:
    lower = federation.wait(federation.sites["lower"])
    seeded = _seed(lower)  # while the upper site may still be starting
    upper = federation.wait(federation.sites["upper"])
    for key, org in SOURCES.items():
        upper.action(
            "organization_create", name=org, title=f"Harvested {key}", department_level="national"
        )
    upper.action(
        "harvest_source_create",
        name="lower-dcat",
        title=SOURCE_TITLE,
        url=f"{lower.url}/catalog.ttl",
        source_type="govshare_dcat_rdf",
        owner_org=SOURCES["dcat"],
        config=f'{{"rdf_format": "turtle", "api_key": "{seeded["token"]}"}}',
    )
    upper.action(
        "harvest_source_create",
        name="lower-ckan",
        title=SOURCE_TITLE,
        url=lower.url,
        source_type="govshare_ckan",
        owner_org=SOURCES["ckan"],
        config=f'{{"api_key": "{seeded["token"]}"}}',
    )
    # The first harvest imports with two processes: every test below reads what they wrote.
    _harvest(upper, "lower-dcat", "lower-ckan", workers=2)
    return {"lower": lower, "upper": upper, **seeded}


def _harvested(upper: Site, via: str) -> dict[str, dict[str, Any]]:
    """The upper site's live entries of one harvest source, by resource code."""
    found = upper.action(
        "package_search", fq=f"organization:{SOURCES[via]}", rows=100, include_private=True
    )
    return {p["resource_code"]: p for p in found["results"]}


def _norm(value: Any) -> Any:
    if value in (None, "", [], "false"):
        return None
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(value.get(k)) for k in ITEM_FIELDS}
    return str(value)


def _catalogue(entry: dict[str, Any]) -> dict[str, Any]:
    return {field: _norm(entry.get(field)) for field in CATALOGUE_FIELDS}


@pytest.mark.parametrize("via", ["dcat", "ckan"])
def test_every_catalogue_field_arrives_intact(world: dict[str, Any], via: str) -> None:
    lower, upper = world["lower"], world["upper"]
    harvested = _harvested(upper, via)
    assert not _harvest_errors(upper, f"lower-{via}")
    assert len(harvested) == len(world["entries"])
    for entry in world["entries"].values():
        source = lower.action("package_show", id=entry["id"])
        copy = harvested[source["resource_code"]]
        assert _catalogue(copy) == _catalogue(source)
        assert copy["source_department"] == DEPARTMENT
        assert copy["source_platform"] == SOURCE_TITLE
        assert copy["source_platform_url"] == lower.url
        assert [r["name"] for r in copy["resources"]] == [r["name"] for r in source["resources"]]
        if via == "dcat":  # harvested first: the source's names are free on the upper
            assert copy["name"] == source["name"]


@pytest.mark.parametrize("via", ["dcat", "ckan"])
def test_share_type_facets_on_the_upper_platform(world: dict[str, Any], via: str) -> None:
    upper = world["upper"]
    found = upper.action(
        "package_search",
        fq=f"organization:{SOURCES[via]}",
        **{"facet.field": ["share_type", "open_to_public"]},
        rows=0,
    )
    facets = found["facets"]
    assert facets["share_type"] == {"unconditional": 2, "conditional": 2, "not_shared": 1}
    assert facets["open_to_public"] == {"open": 1, "conditional_open": 1, "not_open": 3}
    narrowed = upper.action(
        "package_search", fq=f"organization:{SOURCES[via]} share_type:not_shared"
    )
    assert [p["name"] for p in narrowed["results"]][0].startswith("closed-entry")


def test_no_link_to_restricted_data_reaches_the_upper_platform(world: dict[str, Any]) -> None:
    upper = world["upper"]
    for via in SOURCES:
        harvested = _harvested(upper, via)
        assert harvested, via
        for entry in harvested.values():
            urls = [r["url"] for r in entry["resources"]]
            if entry["open_to_public"] == "open":
                assert urls == [OPEN_URL], via  # open data: its link travels
            else:
                assert urls == [""] or all(SECRET_HOST not in u for u in urls), via
    # Not in the stored rows either: entries, extras (a table of their own before CKAN 2.12),
    # resources, the harvested documents, the search index.
    for table in (
        "package",
        "package_extra",
        "resource",
        "harvest_object",
        "harvest_object_extra",
        "govshare_search_index",
    ):
        if not upper.sql("select to_regclass(:t) is not null", t=table)[0][0]:
            continue
        rows = upper.sql(
            f"select count(*) from {table} t where t::text like :p", p=f"%{SECRET_HOST}%"
        )
        assert rows[0][0] == 0, table


@pytest.mark.parametrize("via", ["dcat", "ckan"])
def test_every_harvested_entry_has_its_audit_event_and_activity(
    world: dict[str, Any], via: str
) -> None:
    """A harvest's import keeps per entry what a create through the API leaves (issue 20,
    item 4): the audit event of its creation and the activity with the whole entry, in the
    harvest source's department — however the import saves work (``harvest/reuse.py``)."""
    upper = world["upper"]
    harvested = _harvested(upper, via)
    assert len(harvested) == len(world["entries"])
    for entry in harvested.values():
        events = upper.sql(
            "select count(*) from govshare_audit_event where object_type = 'package' "
            "and object_id = :id and detail::jsonb ->> 'change' = 'create'",
            id=entry["id"],
        )
        assert events[0][0] == 1, entry["name"]
        activities = upper.sql(
            "select data::jsonb -> 'package' ->> 'id', data::jsonb -> 'package' ->> 'owner_org' "
            "from activity where object_id = :id and activity_type = 'new package'",
            id=entry["id"],
        )
        assert activities == [(entry["id"], entry["owner_org"])], entry["name"]
    organization = upper.action("organization_show", id=SOURCES[via])
    assert {e["owner_org"] for e in harvested.values()} == {organization["id"]}


def test_records_that_fail_with_workers_are_imported_once_more_and_keep_one_error(
    world: dict[str, Any],
) -> None:
    """A job imported by two workers retries, alone, every record that ended in error
    (``harvest/workers.py``): a record refused for its data is refused again, and keeps one
    error, not one per attempt; the job's statuses count it once."""
    lower, upper = world["lower"], world["upper"]
    new = [lower.action("package_create", **_entry(f"refused-{n}")) for n in ("a", "b")]
    upper.action(
        "organization_create", name="via-refused", title="Refused", department_level="national"
    )
    upper.action(
        "harvest_source_create",
        name="lower-refused",
        title=SOURCE_TITLE,
        url=lower.url,
        source_type="govshare_ckan",
        owner_org="via-refused",
        # A tag CKAN's validation refuses, added to every record: each new one fails (those
        # harvested before by lower-ckan have the same ids and are not modified).
        config=json.dumps({"api_key": world["token"], "default_tags": [{"name": "bad?tag"}]}),
    )
    try:
        run = _harvest(upper, "lower-refused", workers=2)
        (line,) = [json.loads(x) for x in run.stdout.splitlines() if x.startswith("{")]
        assert "2 records ended in error: importing them once more" in run.stderr
        assert line["statuses"] == {"errored": 2, "not modified": len(world["entries"])}
        errors = upper.sql(
            "select o.guid, count(e.id), min(e.message) from harvest_object o "
            "join harvest_job j on j.id = o.harvest_job_id join package p on p.id = j.source_id "
            "join harvest_object_error e on e.harvest_object_id = o.id "
            "where p.name = 'lower-refused' group by o.guid"
        )
        assert sorted(guid for guid, _count, _message in errors) == sorted(e["id"] for e in new)
        for _guid, count, message in errors:
            assert count == 1
            assert "bad?tag" in message
        found = upper.action("package_search", fq="organization:via-refused", rows=0)
        assert found["count"] == 0
    finally:
        for entry in new:  # the later tests' upstream catalogue is the world's
            lower.action("package_delete", id=entry["id"])


@pytest.mark.parametrize("via", ["dcat", "ckan"])
def test_harvested_entry_sends_departments_to_the_source(world: dict[str, Any], via: str) -> None:
    lower, upper = world["lower"], world["upper"]
    copy = next(
        e
        for e in _harvested(upper, via).values()
        if e["share_type"] == "conditional" and e["name"].startswith("conditional-entry")
    )
    source = world["entries"]["conditional"]
    apply_url = copy["source_apply_url"]
    assert apply_url.startswith(f"{lower.url}/govshare/requests/new?package_id=")
    assert apply_url.rsplit("=", 1)[1] in (source["id"], source["name"])

    page = upper.get(f"/en/dataset/{copy['name']}", token=upper.token)
    assert page.ok
    text = html.unescape(page.text)
    assert f"Provided by {DEPARTMENT} via {SOURCE_TITLE}" in text
    assert f'href="{apply_url}"' in text
    assert "/govshare/requests/new" not in text.replace(apply_url, "")  # no local form
    page_zh = html.unescape(upper.get(f"/dataset/{copy['name']}", token=upper.token).text)
    assert f"由{DEPARTMENT}经{SOURCE_TITLE}提供" in page_zh

    # The link works on the lower platform for a department user.
    form = lower.get(apply_url.removeprefix(lower.url), token=world["token"])
    assert form.status_code == 200, form.text[:500]


def test_local_rules_still_bind_local_entries(world: dict[str, Any]) -> None:
    """The harvested-entry exceptions are for the platform's harvesters, not for users."""
    upper = world["upper"]
    upper.action(
        "organization_create", name="local-dept", title="本级部门", provider_code=provider_code()
    )
    upper.action(
        "user_create", name="local-officer", email="o@example.org", password="Local-officer-2026"
    )
    upper.action(
        "organization_member_create", id="local-dept", username="local-officer", role="admin"
    )
    officer = upper.action("api_token_create", user="local-officer", name="t")["token"]
    posing = {
        "source_platform": "假平台",
        "source_platform_url": "http://elsewhere.example",
        "source_apply_url": "http://elsewhere.example/apply",
    }
    with pytest.raises(RuntimeError, match="resource_code"):
        upper.action(
            "package_create",
            officer,
            **_entry(
                "posing-entry",
                owner_org="local-dept",
                resources=[],
                resource_code="101000/X",
                **posing,
            ),
        )
    created = upper.action(
        "package_create",
        officer,
        **_entry(
            "local-entry",
            owner_org="local-dept",
            resources=[],
            **posing,
        ),
    )
    assert created["resource_code"].endswith("000001")  # assigned here
    assert not any(created.get(key) for key in posing)  # origins are the platform's to set
    harvested = next(
        e for e in _harvested(upper, "ckan").values() if e.get("related_resource_codes")
    )
    upper.action(
        "organization_member_create", id=SOURCES["ckan"], username="local-officer", role="editor"
    )
    patched = upper.action(
        "package_patch",
        officer,
        id=harvested["id"],
        source_apply_url="http://elsewhere.example/apply",
    )
    assert patched["source_apply_url"] == harvested["source_apply_url"]
    assert patched["provider_code"] == harvested["provider_code"]  # not the local department's
    assert patched["related_resource_codes"] == harvested["related_resource_codes"]


def test_changes_upstream_are_mirrored_on_the_next_run(world: dict[str, Any]) -> None:
    lower, upper, entries = world["lower"], world["upper"], world["entries"]
    lower.action(
        "package_patch",
        id=entries["open"]["id"],
        share_type="conditional",
        share_conditions="仅限公安机关",
        open_to_public="not_open",
    )
    lower.action("package_delete", id=entries["gone"]["id"])
    lower.action("package_patch", id=entries["hidden"]["id"], private=True)

    _harvest(upper, "lower-dcat", "lower-ckan")

    # What did not change upstream is not written again (the conditional and not-shared entries).
    skipped = upper.sql(
        "select count(*) from harvest_object o join harvest_job j on j.id = o.harvest_job_id "
        "join package p on p.id = j.source_id where p.name = 'lower-dcat' "
        "and o.report_status = 'not modified' "
        "and j.created = (select max(created) from harvest_job where source_id = p.id)"
    )[0][0]
    assert skipped == 2
    for via in SOURCES:
        harvested = _harvested(upper, via)
        assert not _harvest_errors(upper, f"lower-{via}")
        codes = {e["resource_code"] for e in harvested.values()}
        assert entries["gone"]["resource_code"] not in codes, via
        assert entries["hidden"]["resource_code"] not in codes, via
        changed = harvested[entries["open"]["resource_code"]]
        assert changed["share_type"] == "conditional", via
        assert changed["share_conditions"] == "仅限公安机关", via
        assert [r["url"] for r in changed["resources"]] == [""], via  # no longer open data
        assert "/govshare/requests/new" in changed["source_apply_url"], via
        found = upper.action(
            "package_search",
            fq=f"organization:{SOURCES[via]}",
            **{"facet.field": ["share_type"]},
            rows=0,
        )
        assert found["facets"]["share_type"] == {"conditional": 2, "not_shared": 1}, via

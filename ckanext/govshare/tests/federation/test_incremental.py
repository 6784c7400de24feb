"""A DCAT re-harvest reads only what changed upstream and still mirrors deletions
(harvest/incremental.py; issue 20, item 4).

Two loopback sites; the upper harvests the lower's ``/catalog.ttl`` with ``govshare_dcat_rdf``
and no clock margin, so each job after the first asks only for what changed since the last.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from ckanext.govshare.tests.factories import provider_code

from .sites import Federation, Site
from .test_roundtrip import _entry, _harvest, _harvest_errors

SOURCE = "lower-incremental"


def _last_job(upper: Site) -> dict[str, Any]:
    """The source's last job: the guids it gathered (by report status) and its deletions."""
    rows = upper.sql(
        "select o.guid, o.report_status, coalesce((select e.value from harvest_object_extra e "
        "where e.harvest_object_id = o.id and e.key = 'status'), '') from harvest_object o "
        "join harvest_job j on j.id = o.harvest_job_id join package p on p.id = j.source_id "
        "where p.name = :name and j.created = "
        "(select max(created) from harvest_job where source_id = p.id)",
        name=SOURCE,
    )
    return {
        "gathered": sorted((guid.rsplit("/", 1)[-1], status) for guid, status, s in rows if not s),
        "deleted": sorted(guid.rsplit("/", 1)[-1] for guid, _, s in rows if s == "delete"),
    }


def _live(upper: Site) -> set[str]:
    found = upper.action("package_search", fq="organization:via-incremental", rows=100)
    return {p["title"] for p in found["results"]}


@pytest.fixture(scope="module")
def sites(federation: Federation) -> dict[str, Any]:
    lower = federation.wait(federation.sites["lower"])
    lower.action(
        "organization_create",
        name="provider",
        title="省公安厅",
        provider_code=provider_code(),
        department_level="provincial",
    )
    ids = {
        name: lower.action("package_create", **_entry(name, open_to_public="open"))["id"]
        for name in ("first", "second", "third")
    }
    upper = federation.wait(federation.sites["upper"])
    upper.action(
        "organization_create", name="via-incremental", title="DCAT", department_level="national"
    )
    upper.action(
        "harvest_source_create",
        name=SOURCE,
        title="Lower platform",
        url=f"{lower.url}/catalog.ttl",
        source_type="govshare_dcat_rdf",
        owner_org="via-incremental",
        config='{"rdf_format": "turtle", "modified_since_margin_minutes": 0, '
        '"full_walk_days": 36500}',
    )
    _harvest(upper, SOURCE)
    return {"lower": lower, "upper": upper, "ids": ids}


def test_the_first_job_reads_the_whole_catalogue(sites: dict[str, Any]) -> None:
    upper = sites["upper"]
    assert _last_job(upper)["gathered"] == [
        (sites["ids"][name], "added") for name in sorted(sites["ids"], key=sites["ids"].get)
    ]
    assert _live(upper) == {"first 信息资源", "second 信息资源", "third 信息资源"}


def test_a_re_harvest_reads_only_what_changed(sites: dict[str, Any]) -> None:
    lower, upper, ids = sites["lower"], sites["upper"], sites["ids"]
    lower.action("package_patch", id=ids["second"], title="second, renamed 已更名")

    _harvest(upper, SOURCE)

    # One entry read, none deleted: the catalogue's count equals the entries known.
    assert _last_job(upper) == {"gathered": [(ids["second"], "updated")], "deleted": []}
    assert _live(upper) == {"first 信息资源", "second, renamed 已更名", "third 信息资源"}
    assert not _harvest_errors(upper, SOURCE)


def test_a_deletion_upstream_is_mirrored_without_a_change_to_read(sites: dict[str, Any]) -> None:
    lower, upper, ids = sites["lower"], sites["upper"], sites["ids"]
    lower.action("package_delete", id=ids["third"])
    assert lower.log is not None
    logged = lower.log.stat().st_size

    # As a platform's cron runs it.
    said = upper.cli("govshare", "harvest", "run", SOURCE)

    # What the job asked the lower platform for: what changed (nothing), the catalogue's count
    # (its first page), then every entry's guid from the listing (dcat/listing.py), not from
    # the full pages.
    with lower.log.open("rb") as log:
        log.seek(logged)
        asked = re.findall(r'"GET (/catalog\.ttl\S*) HTTP', log.read().decode(errors="replace"))
    assert [urlsplit(u).query.split("=")[0] for u in asked] == ["modified_since", "", "profiles"]
    assert asked[-1] == "/catalog.ttl?profiles=govshare_list", asked

    assert said.strip().endswith("1 records gathered; 1 deleted"), said

    assert _last_job(upper) == {"gathered": [], "deleted": [ids["third"]]}
    assert _live(upper) == {"first 信息资源", "second, renamed 已更名"}
    assert not _harvest_errors(upper, SOURCE)

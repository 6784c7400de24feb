"""The art. 39(5) finding: an upper-level entry with a region item and no return to lower
levels (issue 17, item 4), as a pure rule and in the yearly report's findings."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.govshare.core import clock
from ckanext.govshare.reports import findings

from .conftest import RegionWorld

DEPARTMENTS = [
    {"id": "p", "name": "zj", "department_level": "provincial", "region_code": "330000"},
    {"id": "h", "name": "hz", "department_level": "municipal", "region_code": "330100"},
    {"id": "n", "name": "nj", "department_level": "municipal", "region_code": "320100"},
    {"id": "c", "name": "sc", "department_level": "county", "region_code": "330102"},
]
ON = dt.date(2026, 12, 7)


@pytest.mark.unit
def test_the_rule() -> None:
    entries = [
        {"id": "e1", "name": "e1", "owner_org": "p", "region_item": "区划"},
        {"id": "e2", "name": "e2", "owner_org": "p", "region_item": "区划"},  # returned
        {"id": "e3", "name": "e3", "owner_org": "p", "region_item": ""},  # no region item
        {"id": "e4", "name": "e4", "owner_org": "c", "region_item": "区划"},  # county
    ]
    (found,) = findings.no_return(entries, DEPARTMENTS, {"e2"}, ON)
    assert found["kind"] == "no_return" and found["organization_id"] == "p"
    assert found["object_id"] == "e1" and found["detail"]["coverage"] == "330000"
    assert [d["name"] for d in found["detail"]["lower_departments"]] == ["hz", "sc"]
    assert [e["type"] for e in found["evidence"]] == ["package", "organization", "organization"]
    assert found["evidence"][1]["link"] == "/organization/hz"
    narrowed = {**entries[0], "coverage_region": "330102"}
    (only,) = findings.no_return([narrowed], DEPARTMENTS, set(), ON)
    assert [d["name"] for d in only["detail"]["lower_departments"]] == ["sc"]


@pytest.mark.usefixtures("with_plugins")
def test_the_authority_sees_the_finding(rw: RegionWorld) -> None:
    answer = rw.call(
        "authority", "govshare_findings_list", year=clock.today().year, kind="no_return"
    )
    ids = {f["object_id"] for f in answer["results"]}
    assert rw.kept["id"] in ids  # region item, return off
    assert rw.returned["id"] not in ids and rw.plain["id"] not in ids
    (kept,) = [f for f in answer["results"] if f["object_id"] == rw.kept["id"]]
    lower = {d["name"] for d in kept["detail"]["lower_departments"]}
    assert lower == {rw.hangzhou["name"], rw.shangcheng["name"], rw.ningbo["name"]}
    assert answer["by_kind"]["no_return"] == len(ids)

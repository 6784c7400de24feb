"""The demo catalogue: loaded through the action API, repeatable and idempotent."""

from __future__ import annotations

from typing import Any

import ckan.cli.cli
from ckan.tests.helpers import call_action

from ckanext.govshare import demo


def test_demo_loads_once_and_stays_the_same(cli: Any, clean_db: Any):
    first = cli.invoke(ckan.cli.cli.ckan, ["govshare", "demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    entries = call_action("package_search", rows=1000)
    assert entries["count"] == len(demo.ENTRIES)
    again = cli.invoke(ckan.cli.cli.ckan, ["govshare", "demo"])
    assert again.exit_code == 0, again.output
    assert "(0 created)" in again.output
    assert call_action("package_search")["count"] == len(demo.ENTRIES)
    skipped = cli.invoke(ckan.cli.cli.ckan, ["govshare", "demo", "--if-empty"])
    assert "not loaded" in skipped.output


def test_demo_entries_are_searchable_with_their_data(clean_db: Any):
    demo.load()
    found = call_action("package_search", q="人口", rows=100)
    assert "population-basic-info" in {d["name"] for d in found["results"]}
    dataset = call_action("package_show", id="population-basic-info")
    resource = dataset["resources"][0]
    assert resource["url_type"] == "upload" and resource["format"] == "CSV"
    orgs = call_action("organization_list")
    assert {"sharing-authority", "joint-conference"} <= set(orgs)

"""Data return (数据回流, 2025 Regulations art. 24; issue 17, item 4): the provider turns it on
and every lower department in the entry's coverage holds a standing grant to the rows of its
own region — by file download and the service interface — without extra conditions; a
department joining gets its grant, one moving region moves with it, turning off revokes."""

from __future__ import annotations

import csv
import io
from typing import Any

import ckan.plugins.toolkit as tk
import pytest

from ckanext.govshare.regional import service
from ckanext.govshare.tests import factories as gs

from .conftest import EXPECTED, RegionWorld, patch_org

pytestmark = pytest.mark.usefixtures("with_plugins")


def _grants(rw: RegionWorld, package_id: str | None = None) -> dict[str, dict[str, Any]]:
    """The entry's active return grants by holder's name."""
    found = service.return_grants(package_id or rw.returned["id"])
    return {(service.department(g["organization_id"]) or {})["name"]: g for g in found}


def test_turning_on_gives_each_lower_department_in_coverage_a_grant_to_its_rows(
    rw: RegionWorld,
) -> None:
    grants = _grants(rw)
    assert set(grants) == {rw.hangzhou["name"], rw.shangcheng["name"], rw.ningbo["name"]}
    prefixes = {name: g["row_filter"]["prefix"] for name, g in grants.items()}
    assert prefixes == {
        rw.hangzhou["name"]: "3301",
        rw.shangcheng["name"]: "330102",
        rw.ningbo["name"]: "3302",
    }
    for grant in grants.values():
        # No extra conditions (art. 24): no request, method, item narrowing, limit or quota.
        assert grant["source"] == "return" and grant["request_id"] is None
        assert grant["share_method"] is None and grant["data_items"] is None
        assert grant["max_downloads"] is None and grant["max_calls_per_day"] is None
        assert grant["row_filter"]["column"] == "region"
        assert grant["period_end"] == service.PERIOD_END
    shown = rw.call("provider_officer", "govshare_return_show", package_id=rw.returned["name"])
    assert shown["enabled"] and shown["coverage"] == "330000" and shown["problems"] == []
    assert {d["requesting_org"]: d["prefix"] for d in shown["departments"]} == prefixes
    assert all(d["grant"]["status"] == "active" for d in shown["departments"])
    assert shown["provider_org_id"] == rw.world.provider["id"] and shown["modified"]
    assert shown["provider_org"] == rw.world.provider["name"]
    assert not {"changed_at", "changed_by"} & set(shown)
    assert all("organization_id" not in d for d in shown["departments"])


def test_turning_on_again_changes_nothing(rw: RegionWorld) -> None:
    before = {name: g["id"] for name, g in _grants(rw).items()}
    rw.call(
        "provider_officer", "govshare_return_update", package_id=rw.returned["id"], enabled=True
    )
    assert {name: g["id"] for name, g in _grants(rw).items()} == before


def _csv_codes(body: bytes) -> list[str]:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header, data = rows[0], rows[1:]
    return sorted(row[header.index("credit_code")] for row in data)


@pytest.mark.parametrize(("who", "prefix"), [("requester", "3301"), ("shangcheng", "330102")])
def test_each_lower_department_downloads_only_its_rows(
    app: Any, rw: RegionWorld, who: str, prefix: str
) -> None:
    if who == "shangcheng":
        user = gs.factories.User()
        gs.Membership(by=rw.users["sysadmin"], organization=rw.shangcheng, user=user)
        grant = _grants(rw)[rw.shangcheng["name"]]
        context = {"user": user["name"], "ignore_auth": False}
    else:
        grant = _grants(rw)[rw.hangzhou["name"]]
        context = {"user": rw.users[who]["name"], "ignore_auth": False}
    token = tk.get_action("govshare_token_create")(context, {"grant_id": grant["id"]})["token"]
    response = app.get(
        f"/govshare/download/{rw.resource_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert _csv_codes(response.get_data()) == EXPECTED[prefix]


def test_the_interface_serves_a_return_grant_only_its_rows(rw: RegionWorld) -> None:
    page = rw.call(
        "requester", "govshare_data_query", resource_id=rw.resource_id, limit=100
    )
    codes = sorted(r["credit_code"] for r in page["records"])
    assert codes == EXPECTED["3301"] and page["total"] == len(EXPECTED["3301"])
    # A row of another region cannot be reached by filtering for it either.
    other = rw.call(
        "requester",
        "govshare_data_query",
        resource_id=rw.resource_id,
        filters={"region": "330200"},
    )
    assert other["records"] == [] and other["total"] == 0


def test_a_return_grants_token_is_an_interface_token(rw: RegionWorld) -> None:
    """The entry offers the interface, so a return grant (no share method of its own) gets an
    interface token: it lives until the grant's end and names its query addresses, and the
    grant answers its call usage."""
    grant = _grants(rw)[rw.hangzhou["name"]]
    context = {"user": rw.users["requester"]["name"], "ignore_auth": False}
    token = tk.get_action("govshare_token_create")(context, {"grant_id": grant["id"]})
    assert set(token["query_urls"]) == {rw.resource_id}
    assert "verify_urls" not in token  # verify is for the data_verification purpose only
    shown = tk.get_action("govshare_grant_show")(context, {"id": grant["id"]})
    assert "usage" in shown


def test_a_department_joining_gets_its_grant(rw: RegionWorld) -> None:
    wenzhou = gs.Department(title="温州市", department_level="municipal", region_code="330300")
    grant = _grants(rw)[wenzhou["name"]]
    assert grant["row_filter"] == {"column": "region", "prefix": "3303"}
    # Not one of another province, nor one without a region code, nor an upper level.
    gs.Department(name="suzhou", department_level="municipal", region_code="320500")
    gs.Department(name="ministry", department_level="national", region_code="000000")
    gs.Department(name="nocode-2", department_level="county")
    assert not {"suzhou", "ministry", "nocode-2"} & set(_grants(rw))


def test_a_department_moving_region_moves_its_grant(rw: RegionWorld) -> None:
    old = _grants(rw)[rw.ningbo["name"]]
    patch_org(rw.world, rw.ningbo, region_code="330300")
    moved = _grants(rw)[rw.ningbo["name"]]
    assert moved["id"] != old["id"] and moved["row_filter"]["prefix"] == "3303"
    revoked = rw.call("sysadmin", "govshare_grant_show", id=old["id"])
    assert revoked["status"] == "revoked"
    # Out of the coverage (another province), or up to the provider's level: no grant.
    patch_org(rw.world, rw.ningbo, region_code="320200")
    assert rw.ningbo["name"] not in _grants(rw)
    patch_org(rw.world, rw.hangzhou, department_level="provincial")
    assert rw.hangzhou["name"] not in _grants(rw)


def test_an_entry_changing_its_region_item_or_coverage_moves_the_grants(rw: RegionWorld) -> None:
    admin = {"user": rw.users["sysadmin"]["name"], "ignore_auth": True}
    tk.get_action("package_patch")(admin, {"id": rw.returned["id"], "coverage_region": "330100"})
    assert set(_grants(rw)) == {rw.hangzhou["name"], rw.shangcheng["name"]}
    tk.get_action("package_patch")(admin, {"id": rw.returned["id"], "region_item": ""})
    assert _grants(rw) == {}


def test_turning_off_revokes_every_return_grant(rw: RegionWorld, app: Any) -> None:
    ids = [g["id"] for g in _grants(rw).values()]
    shown = rw.call(
        "provider_officer", "govshare_return_update", package_id=rw.returned["id"], enabled=False
    )
    assert not shown["enabled"] and _grants(rw) == {}
    for grant_id in ids:
        grant = rw.call("sysadmin", "govshare_grant_show", id=grant_id)
        assert grant["status"] == "revoked" and "turned off" in grant["revoke_reason"]
    with pytest.raises(tk.NotAuthorized):
        rw.call("requester", "govshare_data_query", resource_id=rw.resource_id)


def test_return_needs_a_region_item_and_a_lower_level(rw: RegionWorld) -> None:
    with pytest.raises(tk.ValidationError) as error:
        rw.call(
            "provider_officer", "govshare_return_update", package_id=rw.plain["id"], enabled=True
        )
    assert "region_item" in error.value.error_dict["package_id"][0]
    county = gs.Department(department_level="county", region_code="330102")
    entry = gs.SharingEntry(
        context={"user": rw.users["sysadmin"]["name"], "ignore_auth": True},
        owner_org=county["id"],
        data_items=[{"name": "区划", "data_type": "string"}],
        region_item="区划",
    )
    with pytest.raises(tk.ValidationError) as error:
        rw.call("sysadmin", "govshare_return_update", package_id=entry["id"], enabled=True)
    assert "county" in error.value.error_dict["package_id"][0]
    # Turning it off is always possible.
    rw.call("provider_officer", "govshare_return_update", package_id=rw.plain["id"], enabled=False)


def test_entry_rules_for_the_region_item_and_the_coverage(rw: RegionWorld) -> None:
    admin = {"user": rw.users["sysadmin"]["name"], "ignore_auth": True}
    with pytest.raises(tk.ValidationError) as error:
        tk.get_action("package_patch")(admin, {"id": rw.plain["id"], "region_item": "地区"})
    assert "region_item" in error.value.error_dict
    with pytest.raises(tk.ValidationError) as error:
        tk.get_action("package_patch")(admin, {"id": rw.plain["id"], "coverage_region": "320100"})
    assert "coverage_region" in error.value.error_dict
    tk.get_action("package_patch")(admin, {"id": rw.plain["id"], "coverage_region": "330200"})


def test_the_authority_sees_coverage_per_entry_and_region_with_gaps(rw: RegionWorld) -> None:
    answer = rw.call("authority", "govshare_return_coverage", limit=1000)
    rows = {(r["package_id"], r["requesting_org"]): r for r in answer["results"]}
    assert answer["count"] == len(rows)
    returned, kept = rw.returned["id"], rw.kept["id"]
    lower = (rw.hangzhou, rw.shangcheng, rw.ningbo)
    for org in lower:
        assert rows[(returned, org["name"])]["status"] == "covered"
        assert rows[(kept, org["name"])]["status"] == "return_off"
    assert rows[(returned, rw.nocode["name"])]["status"] == "no_region"
    row = rows[(returned, rw.hangzhou["name"])]
    assert row["requesting_org_id"] == rw.hangzhou["id"]
    assert row["provider_org_id"] == rw.world.provider["id"]
    assert row["provider_org_title"] == rw.world.provider["title"]
    assert row["status_label"] == {"en": "Returned", "zh_Hans_CN": "已回流"}
    assert not {"organization", "organization_id", "provider"} & set(row)
    assert (returned, rw.nanjing["name"]) not in rows  # another province: not in coverage
    assert rw.plain["id"] not in {r["package_id"] for r in answer["results"]}  # no region item
    gaps = rw.call("authority", "govshare_return_coverage", gaps_only=True)["results"]
    assert gaps and all(r["gap"] for r in gaps)
    ningbo = rw.call("authority", "govshare_return_coverage", region="3302")["results"]
    assert {r["requesting_org"] for r in ningbo} == {rw.ningbo["name"]}
    mine = rw.call(
        "sysadmin", "govshare_return_coverage", provider_org=rw.world.provider["name"], limit=2
    )
    assert mine["count"] == answer["count"] and len(mine["results"]) == 2
    none = rw.call("sysadmin", "govshare_return_coverage", provider_org=rw.ningbo["name"])
    assert none["count"] == 0  # a lower department provides no entry with a region item
    with pytest.raises(tk.ValidationError):
        rw.call("authority", "govshare_return_coverage", region="33%")

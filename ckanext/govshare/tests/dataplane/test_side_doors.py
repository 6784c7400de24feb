"""CKAN's DataStore is no side door (issue 16, item 4, last sentence): ``datastore_search``,
``datastore_info``, ``datastore_search_sql``, the dump route and the DataStore previews answer
a restricted entry's resource only for the providing department's members and sysadmins; a
department holding a grant gets its cut through the platform, never the whole table here. An
open entry's table stays open to all."""

# ruff: noqa: F811 (the module world fixture gw is imported and used as a parameter)
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import helpers

from ckanext.govshare.logic.auth.datastore import NOT_FOR_EVERYONE, RESTRICTED
from ckanext.govshare.tests.dataplane.grant_world import (  # noqa: F401
    FIELDS,
    RECORDS,
    GrantWorld,
    gw,
)

PROVIDER = ["provider_officer", "provider_editor", "provider_staff", "sysadmin"]
# The grant holder's members, another department, the authority, no department, anonymous.
REFUSED = ["requester", "requester_officer", "other", "authority", "outsider", None]


def _headers(gw: GrantWorld, who: str | None) -> dict[str, str]:
    if who is None:
        return {}
    token = helpers.call_action(
        "api_token_create",
        context={"user": gw.users["sysadmin"]["name"], "ignore_auth": True},
        user=gw.users[who]["name"],
        name="side-door",
    )["token"]
    return {"Authorization": token}


@pytest.mark.parametrize("who", PROVIDER)
def test_provider_and_sysadmin_search_every_column(gw: GrantWorld, who: str) -> None:
    result = gw.call(who, "datastore_search", resource_id=gw.resource_id, limit=100)
    assert [f["id"] for f in result["fields"] if f["id"] != "_id"] == [f["id"] for f in FIELDS]
    assert len(result["records"]) == len(RECORDS)
    info = gw.call(who, "datastore_info", id=gw.resource_id)
    assert "内部备注" in {f["id"] for f in info["fields"]}


@pytest.mark.parametrize("who", REFUSED)
def test_others_and_grant_holders_are_refused(gw: GrantWorld, who: str | None) -> None:
    for action, data in (
        ("datastore_search", {"resource_id": gw.resource_id}),
        ("datastore_search", {"id": gw.resource_id, "fields": ["credit_code"]}),
        ("datastore_info", {"id": gw.resource_id}),
        ("datastore_info", {"resource_id": gw.resource_id}),
    ):
        with pytest.raises(tk.NotAuthorized) as refused:
            gw.call(who, action, **data)
        assert str(refused.value) == RESTRICTED, action


def test_the_grant_holder_really_holds_a_live_grant(gw: GrantWorld) -> None:
    """The refusal above is not for want of a grant: the holder's is live, on the resource."""
    grant = gw.call("requester", "govshare_grant_show", id=gw.grant["id"])
    assert grant["live"] and grant["share_method"] == "api"
    preview = gw.call("requester", "govshare_data_preview", resource_id=gw.resource_id)
    assert [f["id"] for f in preview["fields"]] == ["credit_code", "企业名称"]


@pytest.mark.parametrize("who", [*PROVIDER, *REFUSED])
def test_an_open_entrys_table_stays_open(gw: GrantWorld, who: str | None) -> None:
    result = gw.call(who, "datastore_search", resource_id=gw.open_resource_id)
    assert len(result["records"]) == 3
    assert gw.call(who, "datastore_info", id=gw.open_resource_id)["fields"]


@pytest.mark.parametrize("who", REFUSED)
def test_an_open_table_not_for_everyone_is_the_providers(gw: GrantWorld, who: str | None) -> None:
    """A column of no data item, or a data item shared more narrowly than the open entry: the
    whole table is not for everyone (as CKAN's download route refuses the whole file)."""
    for rid in (gw.open_extra_id, gw.open_partly_id):
        for action, data in (
            ("datastore_search", {"resource_id": rid}),
            ("datastore_info", {"id": rid}),
        ):
            with pytest.raises(tk.NotAuthorized) as refused:
                gw.call(who, action, **data)
            assert str(refused.value) == NOT_FOR_EVERYONE, (rid, action)
    for who_may in PROVIDER:
        found = gw.call(who_may, "datastore_search", resource_id=gw.open_extra_id)
        assert found["records"][0]["内部备注"] == "内部线索"
        assert (
            len(gw.call(who_may, "datastore_search", resource_id=gw.open_partly_id)["records"]) == 3
        )


@pytest.mark.parametrize("who", [None, "requester", "other"])
def test_an_unknown_or_alias_id_is_refused(gw: GrantWorld, who: str | None) -> None:
    with pytest.raises((tk.NotAuthorized, tk.ObjectNotFound)):
        gw.call(who, "datastore_search", resource_id="no-such-resource")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("provider_staff", 200),
        ("sysadmin", 200),
        ("requester", 404),
        ("requester_officer", 404),
        ("other", 404),
        ("authority", 404),
        (None, 404),
    ],
)
def test_the_dump_route(app: Any, gw: GrantWorld, who: str | None, status: int) -> None:
    response = app.get(
        f"/datastore/dump/{gw.resource_id}", headers=_headers(gw, who), status=status
    )
    body = response.get_data(as_text=True)
    if status == 200:
        assert "内部备注" in body and "内部线索" in body
    else:
        assert "内部线索" not in body and "9131000000000000" not in body
    open_dump = app.get(f"/datastore/dump/{gw.open_resource_id}", headers=_headers(gw, who))
    assert "上海第0贸易有限公司" in open_dump.get_data(as_text=True)


SQL = "ckan.datastore.sqlsearch.enabled"


@pytest.mark.ckan_config(SQL, "true")
class TestSearchSql:
    def sql(self, gw: GrantWorld, who: str | None, *tables: str) -> dict[str, Any]:
        joined = " UNION ALL ".join(f'SELECT "credit_code" FROM "{t}"' for t in tables)
        return gw.call(who, "datastore_search_sql", sql=joined)

    @pytest.mark.parametrize("who", ["provider_staff", "provider_officer", "sysadmin"])
    def test_the_provider_may(self, gw: GrantWorld, who: str) -> None:
        result = self.sql(gw, who, gw.resource_id, gw.open_resource_id)
        assert len(result["records"]) == len(RECORDS) + 3

    @pytest.mark.parametrize("who", ["requester", "requester_officer", "other", None])
    def test_a_restricted_table_anywhere_in_the_query_is_refused(
        self,
        gw: GrantWorld,
        who: str | None,
    ) -> None:
        for tables in ((gw.resource_id,), (gw.open_resource_id, gw.resource_id)):
            with pytest.raises(tk.NotAuthorized):
                self.sql(gw, who, *tables)
        assert len(self.sql(gw, who, gw.open_resource_id)["records"]) == 3
        with pytest.raises(tk.NotAuthorized):
            self.sql(gw, who, gw.open_resource_id, gw.open_extra_id)


DATATABLES = (
    "activity scheming_datasets scheming_organizations dcat harvest ckan_harvester datastore "
    "xloader datatables_view govshare govshare_search"
)


@pytest.mark.ckan_config("ckan.plugins", DATATABLES)
class TestDatatablesView:
    """CKAN's DataStore preview reads through ``datastore_search``: a grant holder's page of
    it is refused, the provider's shows the rows."""

    def view(self, gw: GrantWorld) -> str:
        return gw.call(
            "sysadmin",
            "resource_view_create",
            resource_id=gw.resource_id,
            view_type="datatables_view",
            title="预览",
        )["id"]

    @pytest.mark.parametrize(
        ("who", "status"), [("provider_staff", 200), ("requester", 403), ("other", 403)]
    )
    def test_ajax_rows(self, app: Any, gw: GrantWorld, who: str, status: int) -> None:
        form = {"draw": "1", "search[value]": "", "start": "0", "length": "10"}
        response = app.post(
            f"/datatables/ajax/{self.view(gw)}",
            data=form,
            headers=_headers(gw, who),
            status=status,
        )
        body = json.loads(response.get_data(as_text=True))
        if status == 200:
            assert body["recordsTotal"] == len(RECORDS)
            assert body["data"][0]["企业名称"] == "上海第0贸易有限公司"
        else:
            assert "data" not in body and body["error"]

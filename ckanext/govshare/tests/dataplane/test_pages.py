"""The pages of issue 16, item 9: the grant page (interface addresses, granted fields, curl
and ckanapi examples without a real token, the quota and its use, tokens created and rotated
with the secret shown once, a preview of the granted rows), the provider's entry page (load
status, data item ↔ column mapping) and the resource page's preview — and the actions under
them (``govshare_resource_mapping``, ``govshare_data_preview``), for every role."""

# ruff: noqa: F811 (the module world fixture gw is imported and used as a parameter)
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers

from ckanext.govshare.access.model import grant_table
from ckanext.govshare.audit.model import event_table as audit_table
from ckanext.govshare.core import clock
from ckanext.govshare.interface.model import quota_table
from ckanext.govshare.tests.dataplane.grant_world import (  # noqa: F401
    FIELDS,
    GRANTED_COLUMNS,
    RECORDS,
    GrantWorld,
    gw,
)

EN = "/en"
# Text of the table's columns outside the grant: never on a holder's page.
HIDDEN_VALUES = ("内部线索", "张1", "内部备注")


@pytest.fixture
def headers(gw: GrantWorld):
    tokens: dict[str, str] = {}

    def make(who: str | None) -> dict[str, str]:
        if who is None:
            return {}
        if who not in tokens:
            tokens[who] = helpers.call_action(
                "api_token_create",
                context={"user": gw.users["sysadmin"]["name"], "ignore_auth": True},
                user=gw.users[who]["name"],
                name="pages",
            )["token"]
        return {"Authorization": tokens[who]}

    return make


# ---------------------------------------------------------------------------- the actions


@pytest.mark.parametrize("who", ["provider_staff", "provider_officer", "sysadmin"])
def test_the_provider_sees_the_mapping(gw: GrantWorld, who: str) -> None:
    found = gw.call(who, "govshare_resource_mapping", resource_id=gw.resource_id)
    assert found["in_datastore"] is True
    assert found["columns"] == [f["id"] for f in FIELDS]
    assert found["pairs"][0] == {"data_item": "统一社会信用代码", "column": "credit_code"}
    assert len(found["pairs"]) == 4
    assert found["unmatched_columns"] == ["内部备注"] and found["unmatched_items"] == []
    assert "load_status" in found


@pytest.mark.parametrize(
    "who", ["requester", "requester_officer", "other", "authority", "outsider", None]
)
def test_others_do_not_see_the_mapping(gw: GrantWorld, who: str | None) -> None:
    with pytest.raises(tk.NotAuthorized):
        gw.call(who, "govshare_resource_mapping", resource_id=gw.resource_id)


def test_a_resource_outside_the_datastore_has_no_columns(gw: GrantWorld) -> None:
    rid = gw.world.conditional["resources"][0]["id"]
    found = gw.call("provider_staff", "govshare_resource_mapping", resource_id=rid)
    assert (found["in_datastore"], found["columns"], found["pairs"]) == (False, [], [])
    assert found["unmatched_items"] == ["统一社会信用代码", "法定代表人"]
    with pytest.raises(tk.ValidationError):
        gw.call("provider_staff", "govshare_data_preview", resource_id=rid)


@pytest.mark.parametrize("who", ["requester", "requester_officer"])
def test_a_holder_previews_only_the_granted_columns(gw: GrantWorld, who: str) -> None:
    found = gw.call(who, "govshare_data_preview", resource_id=gw.resource_id)
    assert [f["id"] for f in found["fields"]] == GRANTED_COLUMNS
    assert found["grant_id"] == gw.grant["id"] and found["total"] == len(RECORDS)
    assert len(found["records"]) == 20
    assert {tuple(r) for r in found["records"]} == {tuple(GRANTED_COLUMNS)}
    assert found["records"][3] == {k: RECORDS[3][k] for k in GRANTED_COLUMNS}
    named = gw.call(
        who, "govshare_data_preview", resource_id=gw.resource_id, grant_id=gw.grant["id"]
    )
    assert named["records"] == found["records"]


@pytest.mark.parametrize("who", ["provider_staff", "sysadmin"])
def test_the_provider_previews_everything_or_what_a_grant_gets(gw: GrantWorld, who: str) -> None:
    every = gw.call(who, "govshare_data_preview", resource_id=gw.resource_id)
    assert [f["id"] for f in every["fields"]] == [f["id"] for f in FIELDS]
    assert every["grant_id"] is None and every["records"][3]["内部备注"] == "内部线索"
    as_grant = gw.call(
        who, "govshare_data_preview", resource_id=gw.resource_id, grant_id=gw.grant["id"]
    )
    assert [f["id"] for f in as_grant["fields"]] == GRANTED_COLUMNS


@pytest.mark.parametrize("who", ["other", "authority", "outsider", None])
def test_others_preview_nothing(gw: GrantWorld, who: str | None) -> None:
    for data in ({}, {"grant_id": gw.grant["id"]}):
        with pytest.raises(tk.NotAuthorized):
            gw.call(who, "govshare_data_preview", resource_id=gw.resource_id, **data)


def test_a_row_filter_cuts_the_preview_and_a_revoked_grant_shows_nothing(gw: GrantWorld) -> None:
    model.Session.execute(
        sa.update(grant_table)
        .where(grant_table.c.id == gw.grant["id"])
        .values(row_filter={"column": "内部备注", "values": ["内部线索"]})
    )
    model.Session.commit()
    found = gw.call("requester", "govshare_data_preview", resource_id=gw.resource_id)
    assert found["total"] == 1 and found["records"] == [{k: RECORDS[3][k] for k in GRANTED_COLUMNS}]
    assert found["row_filter"] == {"column": "内部备注", "values": ["内部线索"]}
    gw.call("provider_officer", "govshare_grant_revoke", id=gw.grant["id"], reason="停止使用")
    with pytest.raises(tk.NotAuthorized):
        gw.call("requester", "govshare_data_preview", resource_id=gw.resource_id)


# ---------------------------------------------------------------------------- the grant page


def test_the_holders_grant_page(app: Any, gw: GrantWorld, headers: Any) -> None:
    today = clock.today()
    model.Session.execute(
        sa.insert(quota_table),
        [
            {"grant_id": gw.grant["id"], "day": today, "calls": 7},
            {
                "grant_id": gw.grant["id"],
                "day": today.replace(day=1) - dt.timedelta(days=1),
                "calls": 99,
            },
        ],
    )
    if today.day > 1:
        model.Session.execute(
            sa.insert(quota_table).values(
                grant_id=gw.grant["id"], day=today.replace(day=1), calls=5
            )
        )
    model.Session.commit()
    shown = gw.call("requester", "govshare_grant_show", id=gw.grant["id"])
    month = 7 + (5 if today.day > 1 else 0)
    assert shown["usage"] == {"max_calls_per_day": 50, "today": 7, "this_month": month}
    page = app.get(f"{EN}/govshare/grants/{gw.grant['id']}", headers=headers("requester")).body
    site = tk.config["ckan.site_url"].rstrip("/")
    assert f"{site}/govshare/query/{gw.resource_id}" in page
    assert "<code>credit_code</code>, <code>企业名称</code>" in page
    assert 'curl -G -H "Authorization: Bearer $TOKEN"' in page
    assert '--data-urlencode "fields=credit_code,企业名称"' in page
    assert f"ckanapi action govshare_data_query resource_id={gw.resource_id}" in page
    assert f"-r {site}" in page
    assert "At most 50 calls a day" in page and "Today: 7" in page
    assert f"This month: {month}" in page
    assert "gsd_" not in page  # never a real token in the page
    assert "Create a token" in page and "Preview of the granted data" in page
    assert "上海第3贸易有限公司" in page
    for hidden in HIDDEN_VALUES:
        assert hidden not in page, hidden


def test_a_token_made_on_the_grant_page_is_shown_once(
    app: Any, gw: GrantWorld, headers: Any
) -> None:
    url = f"{EN}/govshare/grants/{gw.grant['id']}"
    me = headers("requester")
    made = app.post(f"{url}/tokens", headers=me)
    assert made.status_code == 200 and "no-store" in made.headers["Cache-Control"]
    token = gw.call("requester", "govshare_token_list", grant_id=gw.grant["id"])["results"]
    assert len(token) == 1
    secret = made.body.split('class="govshare-secret user-select-all">')[1].split("<")[0]
    assert secret.startswith("gsd_") and len(secret) > 40
    again = app.get(url, headers=me).body
    assert secret not in again and token[0]["id"] in again
    rotated = app.post(f"{url}/tokens/{token[0]['id']}/rotate", headers=me)
    new_secret = rotated.body.split('class="govshare-secret user-select-all">')[1].split("<")[0]
    assert new_secret.startswith("gsd_") and new_secret != secret
    assert "The token it replaces has stopped working" in rotated.body
    statuses = {
        t["id"]: t["status"]
        for t in gw.call("requester", "govshare_token_list", grant_id=gw.grant["id"])["results"]
    }
    assert statuses[token[0]["id"]] == "revoked" and list(statuses.values()).count("active") == 1
    # Another user's token is not rotated from the page.
    assert (
        app.post(
            f"{url}/tokens/{token[0]['id']}/rotate", headers=headers("requester_officer")
        ).status_code
        == 403
    )


def test_the_token_the_page_made_calls_the_interface(
    app: Any, gw: GrantWorld, headers: Any
) -> None:
    made = app.post(f"{EN}/govshare/grants/{gw.grant['id']}/tokens", headers=headers("requester"))
    secret = made.body.split('class="govshare-secret user-select-all">')[1].split("<")[0]
    answer = app.get(
        f"/govshare/query/{gw.resource_id}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status_code == 200, answer.body
    body = answer.json
    assert [f["id"] for f in body["fields"]] == GRANTED_COLUMNS
    assert all(set(r) == set(GRANTED_COLUMNS) for r in body["records"]) and body["records"]


@pytest.mark.parametrize("who", ["provider_officer", "sysadmin"])
def test_the_provider_sees_what_the_grant_delivers_but_takes_no_token(
    app: Any,
    gw: GrantWorld,
    headers: Any,
    who: str,
) -> None:
    page = app.get(f"{EN}/govshare/grants/{gw.grant['id']}", headers=headers(who)).body
    assert "Preview of the granted data" in page and "上海第3贸易有限公司" in page
    assert "内部线索" not in page  # the grant's view, not the provider's
    assert "Create a token" not in page


def test_the_authority_sees_the_grant_without_data_and_no_refusal_is_recorded(
    app: Any,
    gw: GrantWorld,
    headers: Any,
) -> None:
    before = model.Session.execute(
        sa.select(sa.func.count())
        .select_from(audit_table)
        .where(audit_table.c.outcome == "refused")
    ).scalar()
    page = app.get(f"{EN}/govshare/grants/{gw.grant['id']}", headers=headers("authority")).body
    assert "At most 50 calls a day" in page
    assert "Preview of the granted data" not in page and "Create a token" not in page
    after = model.Session.execute(
        sa.select(sa.func.count())
        .select_from(audit_table)
        .where(audit_table.c.outcome == "refused")
    ).scalar()
    assert after == before


# ---------------------------------------------------------------------------- entry, resource


def test_the_providers_entry_page_shows_the_mapping(app: Any, gw: GrantWorld, headers: Any) -> None:
    url = f"{EN}/dataset/{gw.restricted['name']}"
    page = app.get(url, headers=headers("provider_staff")).body
    assert "Tables and data items" in page
    assert "<code>内部备注</code>" in page and "<code>credit_code</code>" in page
    for who in ("requester", "other", None):
        other = app.get(url, headers=headers(who))
        assert "Tables and data items" not in other.body and "内部备注" not in other.body, who


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("provider_staff", "every"),
        ("requester", "granted"),
        ("requester_officer", "granted"),
        ("other", None),
        ("authority", None),
    ],
)
def test_the_resource_page_preview(
    app: Any,
    gw: GrantWorld,
    headers: Any,
    who: str,
    shown: str | None,
) -> None:
    url = f"{EN}/dataset/{gw.restricted['name']}/resource/{gw.resource_id}"
    response = app.get(url, headers=headers(who))
    page = response.body
    if response.status_code != 200:
        assert shown is None and response.status_code in (403, 404)
        return
    assert ("Preview of the data you may have" in page) is (shown is not None)
    assert ("内部线索" in page) is (shown == "every")
    if shown == "granted":
        assert "上海第3贸易有限公司" in page and "张1" not in page


def test_a_token_is_revoked_from_the_grant_page_by_its_owner(
    app: Any, gw: GrantWorld, headers: Any
) -> None:
    token = gw.call("requester", "govshare_token_create", grant_id=gw.grant["id"])
    url = f"{EN}/govshare/grants/{gw.grant['id']}/tokens/{token['id']}/revoke"
    assert app.post(url, headers=headers("other")).status_code == 403
    done = app.post(url, headers=headers("requester"), follow_redirects=False)
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/govshare/grants/{gw.grant['id']}"
    )
    listed = gw.call("requester", "govshare_token_list", grant_id=gw.grant["id"])["results"]
    assert [t["status"] for t in listed] == ["revoked"]
    again = app.post(url, headers=headers("requester"))
    assert again.status_code == 200 and "already revoked" in again.body


def test_a_file_download_grant_has_no_interface_section_but_a_preview(
    app: Any, gw: GrantWorld, headers: Any
) -> None:
    from ckanext.govshare.tests.dataplane.grant_world import api_request

    request = api_request(gw.world, gw.restricted["id"], share_method="file_download")
    grant = gw.call(
        "provider_officer", "govshare_request_decide", id=request["id"], decision="approve"
    )["grant"]
    assert grant["max_calls_per_day"] is None
    assert "usage" not in gw.call("requester", "govshare_grant_show", id=grant["id"])
    page = app.get(f"{EN}/govshare/grants/{grant['id']}", headers=headers("requester")).body
    assert "Service interface" not in page and "/govshare/query/" not in page
    assert "Interface calls" not in page
    assert "Preview of the granted data" in page and "上海第3贸易有限公司" in page
    assert "内部线索" not in page

"""GET /govshare/query/<resource_id> and govshare_data_query (issue 16, item 4): only the
granted columns and rows, for every role of workflows.md; a column outside the grant is a 403
naming it; every input bounded; the scope read afresh on every call."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
import pytest

from ckanext.govshare.logic.auth.interface import route_context
from ckanext.govshare.tests.interface.conftest import (
    ALL_COLUMNS,
    GRANTED,
    HIDDEN,
    RECORDS,
    IWorld,
    calls,
    events,
    patch_grant,
)


def _get(app: Any, iw: IWorld, headers: dict[str, str], **params: Any) -> Any:
    return app.get(f"/govshare/query/{iw.resource_id}", query_string=params, headers=headers)


# ---------------------------------------------------------------------------- the route


def test_a_token_of_the_holder_gets_exactly_the_granted_columns(
    app: Any, iw: IWorld, bearer: Any
) -> None:
    response = _get(app, iw, bearer(iw.token()), limit=10)
    assert response.status_code == 200, response.body
    body = response.json
    assert [f["id"] for f in body["fields"]] == GRANTED
    assert body["total"] == len(RECORDS)
    assert len(body["records"]) == 10
    assert {tuple(r) for r in body["records"]} == {tuple(GRANTED)}
    assert body["records"][0] == {
        "credit_code": RECORDS[0]["credit_code"],
        "企业名称": RECORDS[0]["企业名称"],
    }
    assert body["next"] is not None
    assert response.headers["Cache-Control"] == "private, no-store"
    for hidden in HIDDEN:
        assert hidden not in response.body


def test_the_cursor_pages_through_every_granted_row_once(app: Any, iw: IWorld, bearer: Any) -> None:
    headers = bearer(iw.token())
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 7, "fields": "credit_code"}
        if cursor:
            params["cursor"] = cursor
        body = _get(app, iw, headers, **params).json
        seen += [r["credit_code"] for r in body["records"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(r["credit_code"] for r in RECORDS)


def test_fields_filters_sort_and_q_within_the_grant(app: Any, iw: IWorld, bearer: Any) -> None:
    headers = bearer(iw.token())
    wanted = [r["企业名称"] for r in RECORDS if "浦东" in r["企业名称"]]
    body = _get(
        app,
        iw,
        headers,
        fields="企业名称",
        q="浦东",
        sort="企业名称 desc",
        limit=100,
    ).json
    assert [f["id"] for f in body["fields"]] == ["企业名称"]
    assert [r["企业名称"] for r in body["records"]] == sorted(wanted, reverse=True)
    one = RECORDS[4]["credit_code"]
    body = _get(app, iw, headers, filters=json.dumps({"credit_code": [one, "nothing"]})).json
    assert body["total"] == 1
    assert body["records"] == [{"credit_code": one, "企业名称": RECORDS[4]["企业名称"]}]


@pytest.mark.parametrize(
    "params",
    [
        {"fields": "credit_code,注册资本"},
        {"filters": json.dumps({"注册资本": 103})},
        {"sort": "注册资本 desc"},
        {"fields": "no_such_column"},
    ],
)
def test_a_column_outside_the_grant_is_a_403_naming_it(
    app: Any, iw: IWorld, bearer: Any, params: dict[str, Any]
) -> None:
    response = _get(app, iw, bearer(iw.token()), **params)
    assert response.status_code == 403
    body = response.json
    assert body["reason"] == "column_not_granted"
    named = "no_such_column" if "no_such_column" in str(params) else "注册资本"
    assert named in body["message_en"] and named in body["message_zh"]
    assert "records" not in body
    row = calls(method="query")[-1]
    assert (row["outcome"], row["reason"], row["status_code"]) == (
        "refused",
        "column_not_granted",
        403,
    )


def test_q_never_matches_on_a_hidden_column(
    app: Any, iw: IWorld, bearer: Any, api_key: Any
) -> None:
    # "内部线索" is only in 内部备注, a column that matches no data item
    body = _get(app, iw, bearer(iw.token()), q="内部线索").json
    assert body["total"] == 0 and body["records"] == []
    body = _get(app, iw, bearer(iw.token()), q="张3").json  # 法定代表人: not granted
    assert body["total"] == 0
    provider = iw.call(
        "provider_staff", "govshare_data_query", resource_id=iw.resource_id, q="内部线索"
    )
    assert provider["total"] == 1


def test_the_grants_row_filter_holds(app: Any, iw: IWorld, bearer: Any) -> None:
    chosen = [RECORDS[1]["credit_code"], RECORDS[2]["credit_code"]]
    patch_grant(iw.grant["id"], row_filter={"column": "credit_code", "values": chosen})
    body = _get(app, iw, bearer(iw.token()), limit=100).json
    assert sorted(r["credit_code"] for r in body["records"]) == sorted(chosen)
    assert body["total"] == 2
    # the caller's filters narrow further, never widen
    other = RECORDS[5]["credit_code"]
    body = _get(app, iw, bearer(iw.token()), filters=json.dumps({"credit_code": other})).json
    assert body["total"] == 0


def test_a_revoked_grant_answers_nothing_from_the_next_call(
    app: Any, iw: IWorld, bearer: Any
) -> None:
    headers = bearer(iw.token())
    assert _get(app, iw, headers).status_code == 200
    iw.call("provider_officer", "govshare_grant_revoke", id=iw.grant["id"], reason="滥用")
    response = _get(app, iw, headers)
    assert response.status_code == 403
    assert response.json["reason"] == "grant_ended"
    assert "records" not in response.json


def test_a_narrower_grant_answers_less_from_the_next_call(
    app: Any, iw: IWorld, bearer: Any
) -> None:
    headers = bearer(iw.token())
    assert [f["id"] for f in _get(app, iw, headers).json["fields"]] == GRANTED
    patch_grant(iw.grant["id"], data_items=["企业名称"])
    assert [f["id"] for f in _get(app, iw, headers).json["fields"]] == ["企业名称"]


def test_a_token_of_a_grant_that_is_not_for_the_interface_is_refused(
    app: Any, iw: IWorld, bearer: Any
) -> None:
    response = _get(app, iw, bearer(iw.token(iw.file_grant)))
    assert response.status_code == 403
    assert response.json["reason"] == "not_interface"


def test_no_token_is_a_401_and_a_token_in_the_url_is_no_token(app: Any, iw: IWorld) -> None:
    response = _get(app, iw, {})
    assert response.status_code == 401
    assert response.json["reason"] == "missing_token"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    response = _get(app, iw, {}, token=iw.token())
    assert response.status_code == 401


def test_an_unknown_token_and_another_users_token(app: Any, iw: IWorld, bearer: Any) -> None:
    response = _get(app, iw, bearer("gsd_" + "x" * 43))
    assert (response.status_code, response.json["reason"]) == (403, "unknown")
    # a logged-in user with someone else's interface token (art. 14: not passed on); the
    # route calls the action with the session user beside the token
    context = route_context(iw.world.users["requester_officer"]["name"], "test", iw.token())
    with pytest.raises(tk.NotAuthorized) as error:
        tk.get_action("govshare_data_query")(context, {"resource_id": iw.resource_id})
    assert error.value.refusal["reason"] == "wrong_user"  # type: ignore[attr-defined]


def test_a_resource_the_token_does_not_cover(app: Any, iw: IWorld, bearer: Any) -> None:
    other = iw.world.unconditional["resources"][0]["id"]
    response = app.get(f"/govshare/query/{other}", headers=bearer(iw.token()))
    assert (response.status_code, response.json["reason"]) == (403, "wrong_resource")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"filters": "{not json"}, "filters"),
        ({"filters": json.dumps({"credit_code": [{"a": 1}]})}, "filters"),
        ({"filters": json.dumps({f"c{i}": 1 for i in range(21)})}, "filters"),
        ({"filters": json.dumps({"credit_code": list(range(101))})}, "filters"),
        ({"limit": "0"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "5", "cursor": "abc"}, "cursor"),
        ({"q": "x" * 201}, "q"),
        ({"sort": "credit_code sideways,企业名称 up,a,b,c,d,e,f,g,h,i"}, "sort"),
        ({"fields": ",".join(f"c{i}" for i in range(201))}, "fields"),
    ],
)
def test_bad_input_is_a_409_per_field_in_both_languages(
    app: Any, iw: IWorld, bearer: Any, params: dict[str, Any], field: str
) -> None:
    response = _get(app, iw, bearer(iw.token()), **params)
    assert response.status_code == 409, response.body
    body = response.json
    assert field in body["errors"]
    assert " | " in body["errors"][field][0]  # English | 中文
    assert body["message_en"] and body["message_zh"]
    row = calls(method="query")[-1]
    assert (row["outcome"], row["status_code"]) == ("refused", 409)


def test_a_limit_past_the_maximum_is_served_the_maximum(
    app: Any, iw: IWorld, bearer: Any, ckan_config: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ckan_config, "ckanext.govshare.query.max_limit", 5)
    body = _get(app, iw, bearer(iw.token()), limit=1000).json
    assert len(body["records"]) == 5


def test_a_value_the_column_cannot_hold_is_a_409_and_a_bad_cursor_too(
    app: Any, iw: IWorld, bearer: Any
) -> None:
    response = _get(app, iw, bearer(iw.token()), cursor="!!not-a-cursor")
    assert response.status_code == 409
    assert "cursor" in response.json["errors"]


# ---------------------------------------------------------------------------- the action


def test_the_holders_members_and_officers_query_through_the_action(iw: IWorld) -> None:
    for who in ("requester", "requester_officer"):
        page = iw.call(who, "govshare_data_query", resource_id=iw.resource_id, limit=3)
        assert [f["id"] for f in page["fields"]] == GRANTED
        assert len(page["records"]) == 3
    page = iw.call(
        "requester",
        "govshare_data_query",
        resource_id=iw.resource_id,
        grant_id=iw.grant["id"],
        fields=["企业名称"],
        filters={"credit_code": RECORDS[0]["credit_code"]},
    )
    assert page["records"] == [{"企业名称": RECORDS[0]["企业名称"]}]


@pytest.mark.parametrize("who", ["provider_staff", "provider_officer", "sysadmin"])
def test_the_providers_members_and_sysadmins_read_the_whole_table(iw: IWorld, who: str) -> None:
    page = iw.call(who, "govshare_data_query", resource_id=iw.resource_id, limit=1)
    assert [f["id"] for f in page["fields"]] == ALL_COLUMNS


@pytest.mark.parametrize("who", ["authority", "other", "outsider", "conference"])
def test_departments_without_a_grant_are_refused_and_recorded(iw: IWorld, who: str) -> None:
    with pytest.raises(tk.NotAuthorized) as error:
        iw.call(who, "govshare_data_query", resource_id=iw.resource_id)
    assert "No" in str(error.value) or "没有" in str(error.value)
    row = calls(method="query")[-1]
    assert (row["outcome"], row["reason"], row["status_code"]) == ("refused", "no_grant", 403)
    assert row["user_id"] == iw.world.users[who]["id"]
    event = events(action="govshare_data_query", outcome="refused")[-1]
    assert event["actor_id"] == iw.world.users[who]["id"]
    assert event["detail"]["reason"] == "no_grant"
    assert event["detail"]["call_id"] == row["id"]


def test_the_anonymous_are_refused_and_recorded(iw: IWorld) -> None:
    before = len(calls(method="query"))
    with pytest.raises(tk.NotAuthorized):
        iw.call(None, "govshare_data_query", resource_id=iw.resource_id)
    rows = calls(method="query")
    assert len(rows) == before + 1
    assert (rows[-1]["user_id"], rows[-1]["status_code"]) == (None, 403)


def test_a_grant_named_that_is_not_the_callers_is_refused(iw: IWorld) -> None:
    with pytest.raises(tk.NotAuthorized):
        iw.call("other", "govshare_data_query", resource_id=iw.resource_id, grant_id=iw.grant["id"])


def test_a_grant_named_that_is_not_for_the_interface_is_refused(iw: IWorld) -> None:
    with pytest.raises(tk.NotAuthorized) as error:
        iw.call(
            "requester",
            "govshare_data_query",
            resource_id=iw.resource_id,
            grant_id=iw.file_grant["id"],
        )
    assert "interface" in str(error.value)


def test_no_such_resource_is_a_404_for_a_logged_in_user(iw: IWorld) -> None:
    with pytest.raises(tk.ObjectNotFound):
        iw.call("requester", "govshare_data_query", resource_id="no-such-resource")


def test_answered_calls_are_logged_without_an_audit_event(iw: IWorld) -> None:
    before = len(events())
    iw.call("requester", "govshare_data_query", resource_id=iw.resource_id, limit=4)
    row = calls(method="query")[-1]
    assert row["outcome"] == "answered"
    assert row["rows"] == 4
    assert row["fields"] == GRANTED
    assert row["grant_id"] == iw.grant["id"]
    assert row["organization_id"] == iw.world.requester_org["id"]
    assert row["purpose"] == "work_reference"
    assert row["package_id"] == iw.entry["id"]
    assert row["status_code"] == 200
    assert row["milliseconds"] is not None and row["milliseconds"] >= 0
    assert len(events()) == before


def test_a_revoked_token_and_an_owner_who_left_the_department(
    app: Any, iw: IWorld, bearer: Any
) -> None:
    token = iw.call("requester", "govshare_token_create", grant_id=iw.grant["id"])
    iw.call("requester", "govshare_token_revoke", id=token["id"])
    response = _get(app, iw, bearer(token["token"]))
    assert (response.status_code, response.json["reason"]) == (403, "revoked")
    secret = iw.token()
    iw.call(
        "sysadmin",
        "organization_member_delete",
        id=iw.world.requester_org["id"],
        username=iw.world.users["requester"]["name"],
    )
    response = _get(app, iw, bearer(secret))
    assert (response.status_code, response.json["reason"]) == (403, "wrong_user")


def test_the_holders_officer_calls_with_a_token_of_their_own(
    app: Any, iw: IWorld, bearer: Any
) -> None:
    response = _get(app, iw, bearer(iw.token(who="requester_officer")), limit=1)
    assert response.status_code == 200
    assert [f["id"] for f in response.json["fields"]] == GRANTED

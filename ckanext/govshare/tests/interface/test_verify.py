"""POST /govshare/verify/<resource_id> and govshare_data_verify (查询核验, issue 16, item 5):
found / match / mismatched, never a value of the data; granted columns only; a grant for data
verification only."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
import pytest

from ckanext.govshare.tests.interface.conftest import RECORDS, IWorld, calls, patch_grant

ROW = RECORDS[6]


def _post(app: Any, iw: IWorld, headers: dict[str, str], body: Any) -> Any:
    return app.post(f"/govshare/verify/{iw.resource_id}", json=body, headers=headers)


def _values_in(text: str) -> list[str]:
    """Values of the table (other than those the caller sent) found in ``text``."""
    sent = {ROW["credit_code"], ROW["企业名称"], "某某公司"}
    return [
        str(value)
        for record in RECORDS
        for value in record.values()
        if str(value) not in sent and len(str(value)) > 3 and str(value) in text
    ]


def test_a_matching_row_is_found_and_matches(app: Any, iw: IWorld, bearer: Any) -> None:
    body = {"match_on": {"credit_code": ROW["credit_code"]}, "check": {"企业名称": ROW["企业名称"]}}
    response = _post(app, iw, bearer(iw.token(iw.verify_grant)), body)
    assert response.status_code == 200, response.body
    assert response.json == {"found": True, "match": True, "mismatched": []}


def test_a_wrong_value_names_the_column_never_the_value(app: Any, iw: IWorld, bearer: Any) -> None:
    body = {"match_on": {"credit_code": ROW["credit_code"]}, "check": {"企业名称": "某某公司"}}
    response = _post(app, iw, bearer(iw.token(iw.verify_grant)), body)
    assert response.json == {"found": True, "match": False, "mismatched": ["企业名称"]}
    assert ROW["企业名称"] not in response.body
    assert _values_in(response.body) == []


def test_no_row_is_not_found(app: Any, iw: IWorld, bearer: Any) -> None:
    body = {"match_on": {"credit_code": "nobody"}, "check": {"企业名称": ROW["企业名称"]}}
    response = _post(app, iw, bearer(iw.token(iw.verify_grant)), body)
    assert response.json == {"found": False, "match": False, "mismatched": []}
    row = calls(method="verify")[-1]
    assert (row["outcome"], row["rows"], row["fields"]) == (
        "answered",
        0,
        ["credit_code", "企业名称"],
    )


@pytest.mark.parametrize(
    "body",
    [
        {"match_on": {"法定代表人": "张6"}, "check": {"企业名称": "x"}},
        {"match_on": {"credit_code": "x"}, "check": {"内部备注": "无"}},
    ],
)
def test_a_column_outside_the_grant_is_a_403_naming_it(
    app: Any, iw: IWorld, bearer: Any, body: dict[str, Any]
) -> None:
    response = _post(app, iw, bearer(iw.token(iw.verify_grant)), body)
    assert response.status_code == 403
    named = next(
        c for c in (*body["match_on"], *body["check"]) if c not in ("credit_code", "企业名称")
    )
    assert response.json["reason"] == "column_not_granted"
    assert named in response.json["message_en"]
    assert "found" not in response.json


def test_a_grant_not_for_data_verification_may_not_verify(
    app: Any, iw: IWorld, bearer: Any
) -> None:
    body = {"match_on": {"credit_code": ROW["credit_code"]}, "check": {"企业名称": "x"}}
    response = _post(app, iw, bearer(iw.token(iw.grant)), body)
    assert (response.status_code, response.json["reason"]) == (403, "not_verification")
    response = _post(app, iw, bearer(iw.token(iw.file_grant)), body)
    assert (response.status_code, response.json["reason"]) == (403, "not_interface")


def test_the_row_filter_holds_for_verification(app: Any, iw: IWorld, bearer: Any) -> None:
    patch_grant(
        iw.verify_grant["id"],
        row_filter={"column": "credit_code", "values": [RECORDS[0]["credit_code"]]},
    )
    body = {"match_on": {"credit_code": ROW["credit_code"]}, "check": {"企业名称": ROW["企业名称"]}}
    response = _post(app, iw, bearer(iw.token(iw.verify_grant)), body)
    assert response.json == {"found": False, "match": False, "mismatched": []}


@pytest.mark.parametrize(
    "body",
    [
        None,
        "not an object",
        {"match_on": {}, "check": {"企业名称": "x"}},
        {"match_on": {"credit_code": "x"}},
        {"match_on": {"credit_code": ["a", "b"]}, "check": {"企业名称": "x"}},
        {"match_on": {"credit_code": "x" * 1001}, "check": {"企业名称": "x"}},
    ],
)
def test_bad_bodies_are_409s(app: Any, iw: IWorld, bearer: Any, body: Any) -> None:
    headers = {**bearer(iw.token(iw.verify_grant)), "Content-Type": "application/json"}
    response = app.post(
        f"/govshare/verify/{iw.resource_id}", data=json.dumps(body), headers=headers
    )
    assert response.status_code == 409, response.body
    assert response.json["errors"]
    assert all(" | " in texts[0] for texts in response.json["errors"].values())


def test_without_a_token_the_route_is_a_401_even_when_logged_in(
    app: Any, iw: IWorld, api_key: Any
) -> None:
    body = {"match_on": {"credit_code": "x"}, "check": {"企业名称": "x"}}
    assert _post(app, iw, {}, body).status_code == 401
    assert _post(app, iw, api_key("requester"), body).status_code == 401


def test_the_action_for_the_holder_the_provider_and_the_refused(iw: IWorld) -> None:
    data = {
        "resource_id": iw.resource_id,
        "match_on": {"credit_code": ROW["credit_code"]},
        "check": {"企业名称": ROW["企业名称"], "注册资本": ROW["注册资本"]},
    }
    # the holder's grant does not cover 注册资本
    with pytest.raises(tk.NotAuthorized) as error:
        iw.call("requester", "govshare_data_verify", **data)
    assert "注册资本" in str(error.value)
    # the provider verifies against the whole table
    answer = iw.call("provider_staff", "govshare_data_verify", **data)
    assert answer == {"found": True, "match": True, "mismatched": []}
    data["check"] = {"企业名称": ROW["企业名称"]}
    answer = iw.call("requester", "govshare_data_verify", **data)
    assert answer == {"found": True, "match": True, "mismatched": []}
    assert calls(method="verify")[-1]["grant_id"] == iw.verify_grant["id"]
    for who in ("other", "authority", None):
        with pytest.raises(tk.NotAuthorized):
            iw.call(who, "govshare_data_verify", **data)

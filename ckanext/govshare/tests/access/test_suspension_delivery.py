"""A suspended grant delivers nothing, by any method, and says why (2025 Regulations art. 27;
issue 18 item 6): file download (token and the entry page's button), bulk ZIP, the service
interface's query and verify, the preview, taking a token; each refusal carries reason code
``suspended`` with the suspension's reason and date to rectify by, and is audited (outcome
``refused``, ``detail.reason`` ``suspended``). Resumed, the same tokens work again;
terminated, they stop for good.

The world is the service interface's (``tests/interface/conftest.py``): a DataStore table and
three grants of the requesting department on it (``api``, ``online_query`` for verification,
``file_download``).
"""

# ruff: noqa: F811 (the module world fixtures are imported and used as parameters)
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan import model

from ckanext.govshare.core import clock
from ckanext.govshare.downloads import delivery
from ckanext.govshare.tests.interface.conftest import (  # noqa: F401
    IWorld,
    bearer,
    events,
    iw,
)

pytestmark = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")

REASON = "超范围使用：将数据用于未申请的招商用途"


def _rectify_by() -> dt.date:
    return clock.today() + dt.timedelta(days=30)


def _suspend(iw: IWorld, grant: dict[str, Any], who: str = "provider_officer") -> dict[str, Any]:
    return iw.call(
        who,
        "govshare_grant_suspend",
        id=grant["id"],
        reason=REASON,
        rectify_by=_rectify_by().isoformat(),
    )


def _says_why(en: str, zh: str) -> None:
    assert REASON in en and REASON in zh
    assert _rectify_by().isoformat() in en and _rectify_by().isoformat() in zh
    assert "suspended" in en and "暂停" in zh


def _refused_events(action: str, grant_id: str | None = None) -> list[dict[str, Any]]:
    found = [
        e
        for e in events(action=action, outcome="refused")
        if (e["detail"] or {}).get("reason") == "suspended"
    ]
    if grant_id is not None:
        found = [e for e in found if (e["detail"] or {}).get("grant_id") == grant_id]
    return found


def test_a_token_download_is_refused_with_the_reason(app: Any, iw: IWorld, bearer: Any) -> None:
    token = iw.token(iw.file_grant)
    url = f"/govshare/download/{iw.resource_id}"
    assert app.get(url, headers=bearer(token)).status_code == 200
    _suspend(iw, iw.file_grant)
    response = app.get(url, headers=bearer(token))
    assert response.status_code == 403
    body = response.json
    assert body["reason"] == "suspended"
    _says_why(body["message_en"], body["message_zh"])
    assert body["message"] in (body["message_en"], body["message_zh"])
    assert _refused_events("govshare_download", iw.file_grant["id"])
    # the token itself is not revoked: it is the grant that stands still
    mine = iw.call("requester", "govshare_token_list", grant_id=iw.file_grant["id"])
    assert [t["status"] for t in mine["results"]] == ["active"]


def test_the_entry_pages_button_is_refused_with_the_reason(iw: IWorld) -> None:
    for grant in (iw.grant, iw.verify_grant, iw.file_grant):
        _suspend(iw, grant)
    found = delivery.authorize(
        iw.resource_id,
        route="open",
        secret=None,
        session_user=model.User.get(iw.world.users["requester"]["name"]),
        address=None,
        range_header=None,
    )
    assert isinstance(found, delivery.Refusal)
    model.Session.commit()  # the route's action commits the refusal's audit event
    refusal = found.answer()
    assert refusal["reason"] == "suspended"
    _says_why(refusal["message_en"], refusal["message_zh"])
    assert _refused_events("govshare_download")


def test_the_bulk_zip_lists_the_file_as_refused_with_the_reason(
    app: Any, iw: IWorld, bearer: Any
) -> None:
    token = iw.token(iw.file_grant)
    _suspend(iw, iw.file_grant)
    response = app.post(
        "/govshare/bulk", json={"resource_ids": [iw.resource_id]}, headers=bearer(token)
    )
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert archive.namelist() == ["MANIFEST.json"]
    manifest = json.loads(archive.read("MANIFEST.json"))
    [refused] = manifest["refused"]
    assert refused["reason"] == "suspended"
    _says_why(refused["message"], refused["message_zh"])
    assert _refused_events("govshare_download", iw.file_grant["id"])


@pytest.mark.parametrize("method", ["query", "verify"])
def test_the_interface_refuses_with_the_reason(
    app: Any, iw: IWorld, bearer: Any, method: str
) -> None:
    grant = iw.grant if method == "query" else iw.verify_grant
    token = iw.token(grant)
    url = f"/govshare/{method}/{iw.resource_id}"

    def call() -> Any:
        if method == "query":
            return app.get(url, query_string={"limit": 1}, headers=bearer(token))
        body = {"match_on": {"credit_code": "913100000000000001"}, "check": {"企业名称": "x"}}
        return app.post(url, json=body, headers=bearer(token))

    assert call().status_code == 200
    _suspend(iw, grant, who="authority")
    response = call()
    assert response.status_code == 403
    assert response.json["reason"] == "suspended"
    _says_why(response.json["message_en"], response.json["message_zh"])
    assert _refused_events(f"govshare_data_{method}", grant["id"])


def test_the_interface_without_a_token_names_the_suspension(iw: IWorld) -> None:
    """The session user's departments hold no live interface grant: a suspended one says why
    instead of "no grant"."""
    _suspend(iw, iw.grant)
    _suspend(iw, iw.verify_grant)
    with pytest.raises(tk.NotAuthorized) as refused:
        iw.call("requester", "govshare_data_query", resource_id=iw.resource_id)
    assert refused.value.refusal["reason"] == "suspended"  # type: ignore[attr-defined]
    _says_why(*str(refused.value).split(" | "))


def test_the_preview_refuses_with_the_reason(iw: IWorld) -> None:
    for grant in (iw.grant, iw.verify_grant, iw.file_grant):
        _suspend(iw, grant)
    with pytest.raises(tk.ValidationError) as refused:
        iw.call("requester", "govshare_data_preview", resource_id=iw.resource_id)
    [text] = refused.value.error_dict["resource_id"]
    _says_why(*str(text).split(" | "))
    with pytest.raises(tk.ValidationError) as named:
        iw.call(
            "requester",
            "govshare_data_preview",
            resource_id=iw.resource_id,
            grant_id=iw.grant["id"],
        )
    assert REASON in str(named.value.error_dict["resource_id"][0])
    assert _refused_events("govshare_data_preview")


def test_no_token_is_taken_and_none_rotated_from_a_suspended_grant(iw: IWorld) -> None:
    held = iw.call("requester", "govshare_token_create", grant_id=iw.grant["id"])
    _suspend(iw, iw.grant)
    with pytest.raises(tk.ValidationError) as refused:
        iw.call("requester", "govshare_token_create", grant_id=iw.grant["id"])
    _says_why(*str(refused.value.error_dict["grant_id"][0]).split(" | "))
    with pytest.raises(tk.ValidationError) as rotated:
        iw.call("requester", "govshare_token_rotate", id=held["id"])
    assert REASON in str(rotated.value.error_dict["id"][0])


def test_resumed_the_same_token_works_again(app: Any, iw: IWorld, bearer: Any) -> None:
    token = iw.token()
    url = f"/govshare/query/{iw.resource_id}"
    _suspend(iw, iw.grant)
    assert app.get(url, headers=bearer(token)).status_code == 403
    resumed = iw.call(
        "provider_officer", "govshare_grant_resume", id=iw.grant["id"], reason="已整改"
    )
    assert resumed["status"] == "active" and resumed["live"] and resumed["resumed_at"]
    assert app.get(url, headers=bearer(token)).status_code == 200


def test_terminated_every_token_stops_for_good(app: Any, iw: IWorld, bearer: Any) -> None:
    token = iw.token()
    url = f"/govshare/query/{iw.resource_id}"
    assert app.get(url, headers=bearer(token)).status_code == 200
    ended = iw.call("authority", "govshare_grant_terminate", id=iw.grant["id"], reason="终止")
    assert ended["status"] == "terminated" and not ended["live"]
    response = app.get(url, headers=bearer(token))
    assert (response.status_code, response.json["reason"]) == (403, "grant_ended")
    with pytest.raises(tk.ValidationError):
        iw.call("authority", "govshare_grant_resume", id=iw.grant["id"], reason="恢复")

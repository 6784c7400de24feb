"""POST /govshare/bulk: a streamed ZIP with MANIFEST.json; refusals listed, never dropped."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.govshare.downloads.model import download_table

from .conftest import FILE, LINKED, Shared, events


def _zip(response: Any) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    assert response.status_code == 200, response.get_data()[:500]
    assert response.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert archive.testzip() is None
    return archive, json.loads(archive.read("MANIFEST.json"))


def _downloads() -> list[dict[str, Any]]:
    with model.meta.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(download_table))]


def test_bulk_with_a_token(app: Any, shared: Shared) -> None:
    token = shared.token()
    other_entry = shared.world.conditional["resources"][0]["id"]
    body = {
        "resource_ids": [shared.upload["id"], shared.link["id"], other_entry, "no-such-thing"],
        "package_ids": [shared.world.unconditional["id"], "no-such-entry"],
    }
    response = app.post(
        "/govshare/bulk", json=body, headers={"Authorization": f"Bearer {token['token']}"}
    )
    archive, manifest = _zip(response)
    code = shared.world.unconditional["resource_code"]
    names = archive.namelist()
    assert names == [f"{code}/人口数据.csv", f"{code}/linked.csv", "MANIFEST.json"]
    assert archive.read(names[0]) == FILE
    assert archive.read(names[1]) == LINKED
    files = {f["path"]: f for f in manifest["files"]}
    assert files[names[0]]["sha256"] == hashlib.sha256(FILE).hexdigest()
    assert files[names[0]]["size"] == len(FILE)
    assert files[names[1]]["sha256"] == hashlib.sha256(LINKED).hexdigest()
    for f in files.values():
        assert f["complete"] and f["grant_id"] == shared.grant["id"]
        assert f["purpose"] == "data_verification" and f["package_id"]
        assert "不得转交" in f["terms"]["zh"]
    refused = {
        (r.get("resource_id") or r.get("package_id")): r["reason"] for r in manifest["refused"]
    }
    assert refused == {
        other_entry: "wrong_resource",
        "no-such-thing": "not_found",
        "no-such-entry": "not_found",
        shared.outside["id"]: "host_not_allowed",
    }
    assert all(r["message"] and r["message_zh"] for r in manifest["refused"])
    assert manifest["failed"] == []
    rows = _downloads()
    assert sorted(r["resource_id"] for r in rows) == sorted(
        [shared.upload["id"], shared.link["id"]]
    )
    assert {r["route"] for r in rows} == {"bulk"}
    ok = [
        e
        for e in events(action="govshare_download", outcome="success")
        if e["detail"].get("token_id") == token["id"]
    ]
    assert sorted(e["object_id"] for e in ok) == sorted([shared.upload["id"], shared.link["id"]])
    no = [
        e
        for e in events(action="govshare_download", outcome="refused")
        if e["detail"].get("token_id") == token["id"]
    ]
    assert {e["detail"]["reason"] for e in no} >= {
        "wrong_resource",
        "not_found",
        "host_not_allowed",
    }


def test_bulk_counts_every_file_against_the_limits(app: Any, shared: Shared) -> None:
    token = shared.token(max_uses=1)
    body = {"resource_ids": [shared.upload["id"], shared.link["id"]]}
    response = app.post(
        "/govshare/bulk", json=body, headers={"Authorization": f"Bearer {token['token']}"}
    )
    archive, manifest = _zip(response)
    assert len(manifest["files"]) == 1
    assert [r["reason"] for r in manifest["refused"]] == ["exhausted"]
    assert response.headers["X-Govshare-Refused"] == "1"


def test_bulk_with_a_session_finds_the_departments_grants(
    app: Any, shared: Shared, as_user: Any
) -> None:
    body = {"package_ids": [shared.world.unconditional["id"], shared.world.conditional["id"]]}
    response = app.post("/govshare/bulk", json=body, headers=as_user("requester"))
    archive, manifest = _zip(response)
    assert len(manifest["files"]) == 2
    reasons = sorted(r["reason"] for r in manifest["refused"])
    assert reasons == ["host_not_allowed", "no_grant"]  # example.org; the conditional entry
    assert manifest["user"] == shared.world.users["requester"]["name"]


def test_bulk_refusals(app: Any, shared: Shared, as_user: Any) -> None:
    body = {"resource_ids": [shared.upload["id"]]}
    assert app.post("/govshare/bulk", json=body).status_code == 401
    token = shared.token()
    wrong = app.post(
        "/govshare/bulk",
        json=body,
        headers={"Authorization": f"Bearer {token['token']}", "X-Requested-With": "x"},
        environ_overrides={},
    )
    assert wrong.status_code == 200  # the owner alone is fine
    bad = app.post("/govshare/bulk", json={"resource_ids": "x"}, headers=as_user("requester"))
    assert bad.status_code == 400
    outsider = app.post("/govshare/bulk", json=body, headers=as_user("other"))
    _, manifest = _zip(outsider)
    assert manifest["files"] == [] and manifest["refused"][0]["reason"] == "no_grant"

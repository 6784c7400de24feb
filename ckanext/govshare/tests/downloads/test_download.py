"""GET /govshare/download/<resource_id>: files, links, ranges, headers, counting, refusals."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.access.model import grant_table
from ckanext.govshare.downloads import tokens
from ckanext.govshare.downloads.model import download_table, token_table

from .conftest import FILE, LINKED, Shared, events


def _url(res: dict[str, Any], **query: str) -> str:
    q = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/govshare/download/{res['id']}" + (f"?{q}" if q else "")


def _bearer(token: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['token']}"}


@pytest.fixture
def signed_in(as_user: Any, ckan_config: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Headers that sign a user in beside a bearer token: CKAN reads its API token from
    another header (``apitoken_header_name``), as a session cookie would sit beside it."""
    monkeypatch.setitem(ckan_config, "apitoken_header_name", "X-CKAN-API-Key")
    return lambda who: {"X-CKAN-API-Key": as_user(who)["Authorization"]}


def _downloads() -> list[dict[str, Any]]:
    with model.meta.engine.connect() as conn:
        rows = conn.execute(sa.select(download_table).order_by(download_table.c.id))
        return [dict(r._mapping) for r in rows]


def _refused(resource_id: str) -> list[dict[str, Any]]:
    return events(action="govshare_download", outcome="refused", object_id=resource_id)


def test_an_uploaded_file_with_its_terms(app: Any, shared: Shared) -> None:
    token = shared.token()
    response = app.get(
        _url(shared.upload), headers=_bearer(token), environ_base={"REMOTE_ADDR": "10.1.2.3"}
    )
    assert response.status_code == 200
    assert response.get_data() == FILE
    h = response.headers
    assert h["Content-Length"] == str(len(FILE))
    assert "attachment" in h["Content-Disposition"]
    assert "filename*=UTF-8''%E4%BA%BA%E5%8F%A3" in h["Content-Disposition"]
    assert h["X-Govshare-Grant"] == shared.grant["id"]
    assert h["X-Govshare-Purpose"].startswith("data_verification; detail*=UTF-8''")
    assert "核验纳税人登记信息" in unquote(h["X-Govshare-Purpose"])
    assert "no-onward-transfer" in h["X-Govshare-Terms"]
    assert "不得转交" in unquote(h["X-Govshare-Terms"])
    h["X-Govshare-Terms"].encode("ascii")  # headers stay ASCII
    (row,) = _downloads()
    assert row["bytes"] == len(FILE) and row["route"] == "token"
    assert row["user_id"] == shared.world.users["requester"]["id"]
    assert row["organization_id"] == shared.world.requester_org["id"]
    assert row["grant_id"] == shared.grant["id"] and row["purpose"] == "data_verification"
    assert row["client_address"] == "10.1.2.3"
    (event,) = events(action="govshare_download", outcome="success", object_id=shared.upload["id"])
    assert event["detail"]["bytes"] == len(FILE)
    assert event["detail"]["grant_id"] == shared.grant["id"]
    assert event["actor_department"] == shared.world.requester_org["id"]
    assert event["client_address"] == "10.1.2.3"
    used = shared.world.call("requester", "govshare_grant_show", id=shared.grant["id"])
    assert used["downloads_used"] == 1


def test_a_token_in_the_url_is_refused_and_not_used(app: Any, shared: Shared) -> None:
    """URLs end up in access logs and browser history: ``?token=`` is a 400 that says to use
    the Authorization header, even beside a good header, and the token stays unused
    (issue 14, item 2)."""
    token = shared.token()
    for headers in ({}, _bearer(token)):
        response = app.get(_url(shared.upload, token=token["token"]), headers=headers)
        assert response.status_code == 400
        assert response.json["reason"] == "token_in_url"
        assert "Authorization: Bearer" in response.json["message_en"]
        assert "Authorization: Bearer" in response.json["message_zh"]
        assert "日志" in response.json["message_zh"] and "log" in response.json["message_en"]
    head = app.get(_url(shared.upload, token=token["token"]), method="HEAD")
    assert head.status_code == 400
    assert _downloads() == []
    listed = shared.world.call("requester", "govshare_token_list")["results"]
    assert [t["uses"] for t in listed if t["id"] == token["id"]] == [0]
    assert app.get(_url(shared.upload), headers=_bearer(token)).status_code == 200


def test_ranges(app: Any, shared: Shared) -> None:
    token = shared.token()
    response = app.get(_url(shared.upload), headers={**_bearer(token), "Range": "bytes=100-199"})
    assert response.status_code == 206
    assert response.get_data() == FILE[100:200]
    assert response.headers["Content-Range"] == f"bytes 100-199/{len(FILE)}"
    assert response.headers["Content-Length"] == "100"
    tail = app.get(_url(shared.upload), headers={**_bearer(token), "Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.get_data() == FILE[-10:]
    assert [d["bytes"] for d in _downloads()] == [100, 10]
    bad = app.get(_url(shared.upload), headers={**_bearer(token), "Range": "bytes=99999-"})
    assert bad.status_code == 416
    assert len(_downloads()) == 2  # nothing sent, nothing counted


def test_a_link_resource_from_an_allowed_host(app: Any, shared: Shared) -> None:
    token = shared.token()
    response = app.get(_url(shared.link), headers=_bearer(token))
    assert response.status_code == 200
    assert response.get_data() == LINKED
    assert response.headers["Content-Length"] == str(len(LINKED))
    assert 'filename="linked.csv"' in response.headers["Content-Disposition"]
    part = app.get(_url(shared.link), headers={**_bearer(token), "Range": "bytes=0-6"})
    assert part.status_code == 206 and part.get_data() == LINKED[:7]
    assert [d["bytes"] for d in _downloads()] == [len(LINKED), 7]


def test_a_link_to_a_host_not_allowed_is_refused(app: Any, shared: Shared) -> None:
    token = shared.token()
    response = app.get(_url(shared.outside), headers=_bearer(token))
    assert response.status_code == 403
    assert response.json["reason"] == "host_not_allowed"
    assert _refused(shared.outside["id"])[-1]["detail"]["reason"] == "host_not_allowed"
    assert not _downloads()


def test_without_a_token(app: Any, shared: Shared, as_user: Any) -> None:
    response = app.get(_url(shared.upload))
    assert response.status_code == 401 and response.json["reason"] == "missing_token"
    # A CKAN API token is not a download token.
    assert app.get(_url(shared.upload), headers=as_user("requester")).status_code == 401


def _expire(token: dict[str, Any]) -> None:
    model.Session.execute(
        sa.update(token_table)
        .where(token_table.c.id == token["id"])
        .values(expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1))
    )
    model.Session.commit()


def _grant_limit(shared: Shared, limit: int) -> None:
    model.Session.execute(
        sa.update(grant_table)
        .where(grant_table.c.id == shared.grant["id"])
        .values(max_downloads=limit)
    )
    model.Session.commit()


@pytest.mark.parametrize(
    "reason",
    [
        "unknown",
        "revoked",
        "expired",
        "exhausted",
        "grant_exhausted",
        "wrong_resource",
        "wrong_user",
        "grant_ended",
    ],
)
def test_every_refusal_is_a_403_with_its_reason_and_audited(
    app: Any, shared: Shared, as_user: Any, reason: str, signed_in: Any
) -> None:
    res, headers = shared.upload, {}
    token = shared.token(max_uses=1)
    if reason == "unknown":
        token = {"token": tokens.generate()}
    elif reason == "revoked":
        shared.world.call("requester", "govshare_token_revoke", id=token["id"])
    elif reason == "expired":
        _expire(token)
    elif reason == "exhausted":
        assert app.get(_url(res), headers=_bearer(token)).status_code == 200
    elif reason == "grant_exhausted":
        token = shared.token()
        _grant_limit(shared, 1)
        assert app.get(_url(res), headers=_bearer(token)).status_code == 200
    elif reason == "wrong_resource":
        token = shared.token(resource_ids=[shared.link["id"]])
    elif reason == "wrong_user":
        headers = signed_in("requester_officer")  # logged in as someone else
    elif reason == "grant_ended":
        shared.world.call(
            "provider_officer", "govshare_grant_revoke", id=shared.grant["id"], reason="misuse"
        )
    response = app.get(_url(res), headers={**headers, **_bearer(token)})
    expected = "exhausted" if reason == "grant_exhausted" else reason
    assert response.status_code == 403, response.get_data()
    assert response.json["reason"] == expected
    assert response.json["message_en"] and response.json["message_zh"]
    refused = _refused(res["id"])[-1]
    assert refused["detail"]["reason"] == expected
    assert refused["detail"]["route"] == "token"
    if reason == "wrong_user":
        assert refused["actor_id"] == shared.world.users["requester_officer"]["id"]
        assert refused["detail"]["token_owner"] == shared.world.users["requester"]["id"]
    assert len(_downloads()) == (1 if reason in ("exhausted", "grant_exhausted") else 0)


def test_the_owners_own_session_is_fine(app: Any, shared: Shared, signed_in: Any) -> None:
    token = shared.token()
    response = app.get(_url(shared.upload), headers={**signed_in("requester"), **_bearer(token)})
    assert response.status_code == 200


def test_a_user_who_left_the_department_cannot_use_their_token(app: Any, shared: Shared) -> None:
    token = shared.token()
    from ckan.tests import helpers

    helpers.call_action(
        "organization_member_delete",
        context={"user": shared.world.users["sysadmin"]["name"], "ignore_auth": True},
        id=shared.world.requester_org["id"],
        username=shared.world.users["requester"]["name"],
    )
    response = app.get(_url(shared.upload), headers=_bearer(token))
    assert response.status_code == 403 and response.json["reason"] == "wrong_user"


def test_x_accel_hands_the_file_to_nginx(
    app: Any, shared: Shared, ckan_config: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ckan_config, "ckanext.govshare.download_accel", "x-accel")
    token = shared.token()
    response = app.get(_url(shared.upload), headers=_bearer(token))
    assert response.status_code == 200
    location = response.headers["X-Accel-Redirect"]
    assert location.startswith("/_govshare_accel/resources/")
    assert location.endswith(shared.upload["id"][6:])
    assert response.get_data() == b""
    assert response.headers["X-Govshare-Grant"] == shared.grant["id"]
    assert _downloads()[0]["bytes"] == len(FILE)


def test_one_click_on_the_entry_page(app: Any, shared: Shared, as_user: Any) -> None:
    """The button's POST answers with the file for the session user: no redirect, no token,
    nothing secret in a URL; counted against the grant and audited (route ``open``)."""
    staff = as_user("requester")
    response = app.post(
        f"/govshare/download/{shared.upload['id']}/start",
        headers=staff,
        follow_redirects=False,
        environ_base={"REMOTE_ADDR": "10.1.2.4"},
    )
    assert response.status_code == 200 and response.get_data() == FILE
    assert "Location" not in response.headers
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["X-Govshare-Grant"] == shared.grant["id"]
    assert "X-Govshare-Token" not in response.headers
    (row,) = _downloads()
    assert row["route"] == "open" and row["token_id"] is None
    assert row["user_id"] == shared.world.users["requester"]["id"]
    assert row["grant_id"] == shared.grant["id"] and row["bytes"] == len(FILE)
    assert row["client_address"] == "10.1.2.4"
    assert not model.Session.execute(sa.select(token_table)).all()
    (event,) = events(action="govshare_download", outcome="success", object_id=shared.upload["id"])
    assert event["detail"]["route"] == "open" and event["detail"]["grant_id"] == shared.grant["id"]
    used = shared.world.call("requester", "govshare_grant_show", id=shared.grant["id"])
    assert used["downloads_used"] == 1
    link = app.post(
        f"/govshare/download/{shared.link['id']}/start", headers=staff, follow_redirects=False
    )
    assert link.status_code == 200 and link.get_data() == LINKED


def test_one_click_over_the_grants_limit_is_refused(app: Any, shared: Shared, as_user: Any) -> None:
    model.Session.execute(
        sa.update(grant_table)
        .where(grant_table.c.id == shared.grant["id"])
        .values(max_downloads=1, downloads_used=1)
    )
    model.Session.commit()
    response = app.post(
        f"/govshare/download/{shared.upload['id']}/start",
        headers=as_user("requester"),
        follow_redirects=False,
    )
    assert response.status_code == 302 and "/dataset/" in response.headers["Location"]
    assert _downloads() == []
    assert _refused(shared.upload["id"])[-1]["detail"]["reason"] == "no_grant"


def test_one_click_losing_the_race_for_the_last_download(
    app: Any, shared: Shared, as_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another download took the grant's last one between the check and the count: the
    button's answer is the entry page with the reason, audited, nothing counted."""
    from ckanext.govshare.downloads import service

    monkeypatch.setattr(service, "count", lambda token, grant: tokens.EXHAUSTED)
    # (A flash survives the redirect only in a browser session: see the message as it is set.)
    flashed: list[tuple[str, str]] = []
    monkeypatch.setattr(
        "ckan.lib.helpers.flash", lambda message, category: flashed.append((message, category))
    )
    response = app.post(
        f"/en/govshare/download/{shared.upload['id']}/start",
        headers=as_user("requester"),
        follow_redirects=False,
    )
    assert response.status_code == 302 and "/dataset/" in response.headers["Location"]
    assert flashed == [
        ("The download limit of this token or of its grant is used up", "alert-danger")
    ]
    assert _downloads() == []
    (refused,) = _refused(shared.upload["id"])
    assert refused["detail"]["reason"] == "exhausted" and refused["detail"]["route"] == "open"
    assert refused["detail"]["grant_id"] == shared.grant["id"]


def test_one_click_without_a_grant(app: Any, shared: Shared, as_user: Any) -> None:
    response = app.post(
        f"/govshare/download/{shared.upload['id']}/start",
        headers=as_user("other"),
        follow_redirects=False,
    )
    assert response.status_code == 302
    assert "/dataset/" in response.headers["Location"]
    assert _refused(shared.upload["id"])[-1]["detail"]["reason"] == "no_grant"
    assert not model.Session.execute(sa.select(token_table)).all()


def test_the_button_snippet(app: Any, shared: Shared) -> None:
    from ckan.lib.base import render_snippet
    from flask_login import login_user

    def render(who: str) -> str:
        with app.flask_app.test_request_context():
            login_user(model.User.get(shared.world.users[who]["id"]))
            entry = shared.world.call(who, "package_show", id=shared.world.unconditional["id"])
            return render_snippet("govshare/downloads/button.html", pkg=entry, res=shared.upload)

    html = render("requester")
    assert f"/govshare/download/{shared.upload['id']}/start" in html
    assert 'type="hidden"' in html  # the CSRF token
    assert "<form" not in render("other")  # no grant, no button


@pytest.mark.unit
@pytest.mark.parametrize(
    ("headers", "kept"),
    [
        ({"Authorization": "Bearer gsd_" + "a" * 43}, False),
        ({"X-CKAN-API-Key": "gsd_" + "b" * 43}, False),
        ({"Authorization": "aaa.bbb.ccc"}, True),
        ({}, True),
    ],
)
def test_a_download_token_is_no_api_token_error(headers: dict[str, str], kept: bool) -> None:
    """CKAN reads every Authorization header as an API token and logs an ERROR when it is not
    one: a download token never is, so that line is dropped for it (one a download on the
    development server) — a malformed CKAN API token is still logged."""
    import flask

    from ckanext.govshare.downloads import lognoise

    record = logging.LogRecord(
        lognoise.LOGGER, logging.ERROR, __file__, 1, "Cannot decode JWT token: %s", ("x",), None
    )
    other = logging.LogRecord(lognoise.LOGGER, logging.ERROR, __file__, 1, "other", (), None)
    with flask.Flask(__name__).test_request_context("/govshare/download/r", headers=headers):
        assert lognoise.DownloadTokenIsNoApiToken().filter(record) is kept
        assert lognoise.DownloadTokenIsNoApiToken().filter(other) is True

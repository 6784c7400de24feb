"""The download routes only stream (issue 15, item 1): the checks, the counting and the
recording are actions, which serve the routes and nothing else; every refusal has one shape."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit as tk
from ckan.tests import helpers

from ckanext.govshare.downloads import tokens
from ckanext.govshare.downloads.model import download_table

from .conftest import LINKED, Shared, events

VIEWS = Path(__file__).resolve().parents[2] / "views"
INTERNAL = (
    "govshare_download_authorize",
    "govshare_download_count",
    "govshare_bulk_prepare",
    "govshare_ckan_download_authorize",
)
REFUSAL_KEYS = {"reason", "message", "message_en", "message_zh"}


def _bearer(token: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['token']}"}


def _downloads() -> list[dict[str, Any]]:
    with model.meta.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(download_table))]


# What every page's layout asks, whatever the route: the footer names the rule profile.
LAYOUT_ACTIONS = frozenset({"govshare_rule_profile_show"})


@pytest.fixture
def called(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The govshare actions the routes ask for (``tk.get_action``), in order (the layout's
    own left out)."""
    names: list[str] = []
    real = tk.get_action

    def get_action(name: str) -> Any:
        if name.startswith("govshare_") and name not in LAYOUT_ACTIONS:
            names.append(name)
        return real(name)

    monkeypatch.setattr(tk, "get_action", get_action)
    return names


# ---------------------------------------------------------------------------- the routes


def test_a_token_download_is_authorized_then_counted_by_actions(
    app: Any, shared: Shared, called: list[str]
) -> None:
    token = shared.token()
    called.clear()
    url = f"/govshare/download/{shared.upload['id']}"
    assert app.get(url, headers=_bearer(token)).status_code == 200
    assert called == ["govshare_download_authorize", "govshare_download_count"]
    called.clear()
    head = app.test_client().head(url, headers=_bearer(token))
    assert head.status_code == 200 and head.headers["X-Govshare-Grant"] == shared.grant["id"]
    assert called == ["govshare_download_authorize"]  # a HEAD is not a download: not counted
    assert len(_downloads()) == 1


def test_a_refused_token_is_never_counted(app: Any, shared: Shared, called: list[str]) -> None:
    response = app.get(
        f"/govshare/download/{shared.upload['id']}",
        headers={"Authorization": f"Bearer {tokens.generate()}"},
    )
    assert response.status_code == 403 and response.json["reason"] == "unknown"
    assert called == ["govshare_download_authorize"]


def test_the_button_and_the_bulk_zip_call_their_actions(
    app: Any, shared: Shared, as_user: Any, called: list[str]
) -> None:
    staff = as_user("requester")
    button = app.post(
        f"/govshare/download/{shared.upload['id']}/start", headers=staff, follow_redirects=False
    )
    assert button.status_code == 200
    assert called == ["govshare_download_authorize", "govshare_download_count"]
    called.clear()
    body = {"resource_ids": [shared.upload["id"]]}
    assert app.post("/govshare/bulk", json=body, headers=staff).status_code == 200
    assert called == ["govshare_bulk_prepare"]


def test_ckans_own_download_route_asks_the_action(
    app: Any, shared: Shared, as_user: Any, called: list[str]
) -> None:
    restricted = shared.world.conditional["resources"][0]
    url = f"/dataset/{restricted['package_id']}/resource/{restricted['id']}/download"
    response = app.get(url, headers=as_user("requester"), status=None, follow_redirects=False)
    assert response.status_code == 403  # not open data: not by CKAN's route
    # The route asks the action first; the refusal page's header then reads the user's
    # unread-notice count (issue 19, item 2), and nothing else is asked.
    assert called[0] == "govshare_ckan_download_authorize"
    assert set(called[1:]) <= {"govshare_notice_list"}
    (event,) = events(action="ckan_resource_download", object_id=restricted["id"])
    assert event["outcome"] == "refused"
    assert event["actor_id"] == shared.world.users["requester"]["id"]
    assert event["detail"]["route"].endswith("resource.download")


@pytest.mark.unit
@pytest.mark.parametrize("module", ["downloads.py", "datalinks.py"])
def test_the_download_views_import_no_domain_and_no_model(module: str) -> None:
    """Views call only actions and template helpers (issue 15, item 1): no service, no
    model, no ``Session.commit()`` in a download view."""
    tree = ast.parse((VIEWS / module).read_text(encoding="utf-8"))
    imported = [
        ("." * node.level) + (node.module or "")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    ]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert imported
    for name in imported:
        assert name.split(".")[0] in ("__future__", "typing", "flask", "werkzeug", "ckan", "")
        assert name in ("ckan.plugins.toolkit",) or not name.startswith("ckan"), name
        assert not name.startswith("..") or name.startswith("..logic"), name
    assert "Session" not in (VIEWS / module).read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- internal


@pytest.mark.parametrize("who", ["requester", "sysadmin"])
@pytest.mark.parametrize("action", INTERNAL)
def test_the_download_actions_are_not_part_of_the_action_api(
    app: Any, shared: Shared, as_user: Any, who: str, action: str
) -> None:
    token = shared.token()
    data = {
        "resource_id": shared.upload["id"],
        "resource_ids": [shared.upload["id"]],
        "token": token["token"],
        "delivery": {"res": shared.upload},
        "status": 200,
    }
    response = app.post(f"/api/3/action/{action}", json=data, headers=as_user(who), status=None)
    assert response.status_code == 403, response.get_data(as_text=True)
    message = response.json["error"]["message"]
    assert "download routes" in message and "下载路由" in message
    assert _downloads() == []
    listed = shared.world.call("requester", "govshare_token_list")["results"]
    assert [t["uses"] for t in listed if t["id"] == token["id"]] == [0]


def test_without_the_routes_mark_an_action_call_is_refused(shared: Shared) -> None:
    token = shared.token()
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action(
            "govshare_download_authorize",
            context={"user": shared.world.users["requester"]["name"], "ignore_auth": False},
            resource_id=shared.upload["id"],
            token=token["token"],
        )


# ---------------------------------------------------------------------------- refusals


def test_every_refusal_of_the_download_routes_has_one_shape(
    app: Any, shared: Shared, as_user: Any
) -> None:
    """``{"reason", "message", "message_en", "message_zh"}``, the bulk route's bad request
    included (it had no ``message_en``)."""
    rid = shared.upload["id"]
    token = shared.token()
    answers = {
        "token_in_url": app.get(f"/govshare/download/{rid}?token=x"),
        "missing_token": app.get(f"/govshare/download/{rid}"),
        "unknown": app.get(
            f"/govshare/download/{rid}", headers={"Authorization": f"Bearer {tokens.generate()}"}
        ),
        "bad_request": app.post(
            "/govshare/bulk", json={"resource_ids": "x"}, headers=_bearer(token)
        ),
    }
    statuses = {"token_in_url": 400, "missing_token": 401, "unknown": 403, "bad_request": 400}
    for reason, response in answers.items():
        assert response.status_code == statuses[reason], reason
        body = response.json
        assert set(body) >= REFUSAL_KEYS, (reason, body)
        assert body["reason"] == reason
        assert body["message"] in (body["message_en"], body["message_zh"])
        assert body["message_en"] != body["message_zh"]
        assert response.headers["Cache-Control"].startswith("private, no-store")
    bad = answers["bad_request"].json
    assert "resource_ids" in bad["message_en"] and "请发送" in bad["message_zh"]
    assert bad["errors"]["resource_ids"]
    empty = app.post("/govshare/bulk", json={}, headers=as_user("requester"))
    assert empty.status_code == 400 and set(empty.json) >= REFUSAL_KEYS
    assert app.get(f"/govshare/download/{rid}").headers["WWW-Authenticate"].startswith("Bearer")


def test_a_message_in_the_pages_language(app: Any, shared: Shared) -> None:
    rid = shared.upload["id"]
    assert app.get(f"/zh_Hans_CN/govshare/download/{rid}").json["message"].startswith("需要")
    assert app.get(f"/en/govshare/download/{rid}").json["message"].startswith("A download")


def test_a_link_whose_host_fails_is_a_502_audited_and_not_counted(app: Any, shared: Shared) -> None:
    missing = helpers.call_action(
        "resource_create",
        context={"user": shared.world.users["sysadmin"]["name"], "ignore_auth": True},
        package_id=shared.world.unconditional["id"],
        url=shared.link["url"].replace("/files/", "/missing/"),
        name="gone",
    )
    token = shared.token()
    response = app.get(f"/govshare/download/{missing['id']}", headers=_bearer(token))
    assert response.status_code == 502 and response.json["reason"] == "upstream_failed"
    (refused,) = events(action="govshare_download", outcome="refused", object_id=missing["id"])
    assert refused["detail"]["reason"] == "upstream_failed"
    assert refused["detail"]["token_id"] == token["id"]
    assert _downloads() == []
    ok = app.get(f"/govshare/download/{shared.link['id']}", headers=_bearer(token))
    assert ok.status_code == 200 and ok.get_data() == LINKED


def test_a_token_download_losing_the_race_is_refused_and_audited(
    app: Any, shared: Shared, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another download took the last use between the check and the count: 403, audited,
    nothing counted (the count is one conditional UPDATE; see test_concurrency.py)."""
    from ckanext.govshare.downloads import service

    token = shared.token()
    monkeypatch.setattr(service, "count", lambda token, grant: tokens.EXHAUSTED)
    response = app.get(f"/govshare/download/{shared.upload['id']}", headers=_bearer(token))
    assert response.status_code == 403 and response.json["reason"] == "exhausted"
    assert set(response.json) >= REFUSAL_KEYS
    (refused,) = events(
        action="govshare_download", outcome="refused", object_id=shared.upload["id"]
    )
    assert refused["detail"]["route"] == "token" and refused["detail"]["token_id"] == token["id"]
    assert _downloads() == []

"""Interface credentials (issue 16, item 8): a token from an api/online_query grant lives to
the grant's end by default and names its interface addresses; rotating gives a new secret
with the same grant, resources and expiry and stops the old one at once; only the holding
department's members take tokens, only a token's owner rotates it."""

# ruff: noqa: F811 (the module world fixture gw is imported and used as a parameter)
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.audit.model import event_table as audit_table
from ckanext.govshare.core import clock
from ckanext.govshare.downloads import service as download_service
from ckanext.govshare.tests.dataplane.grant_world import GrantWorld, gw  # noqa: F401

pytestmark = pytest.mark.usefixtures("with_request_context")


def _take(gw: GrantWorld, who: str = "requester", **data: Any) -> dict[str, Any]:
    return gw.call(who, "govshare_token_create", grant_id=gw.grant["id"], **data)


def _grant_end(gw: GrantWorld) -> dt.datetime:
    last = dt.date.fromisoformat(gw.grant["period_end"]) + dt.timedelta(days=1)
    return dt.datetime.combine(last, dt.time(), tzinfo=clock.timezone()).astimezone(dt.UTC)


@pytest.mark.parametrize("who", ["requester", "requester_officer"])
def test_an_interface_token_lives_to_the_grants_end(gw: GrantWorld, who: str) -> None:
    token = _take(gw, who)
    assert token["token"].startswith("gsd_")
    assert dt.datetime.fromisoformat(token["expires_at"]) == _grant_end(gw)
    site = tk.config["ckan.site_url"].rstrip("/")
    assert token["query_urls"] == {gw.resource_id: f"{site}/govshare/query/{gw.resource_id}"}
    assert "verify_urls" not in token  # the grant's purpose is not data verification
    shorter = _take(gw, who, expires_in=600)
    lives = dt.datetime.fromisoformat(shorter["expires_at"]) - clock.now()
    assert dt.timedelta(seconds=590) < lives <= dt.timedelta(seconds=600)


@pytest.mark.parametrize(
    "who", ["provider_officer", "provider_staff", "other", "authority", "outsider", None]
)
def test_only_the_holding_departments_members_take_tokens(
    gw: GrantWorld,
    who: str | None,
) -> None:
    with pytest.raises(tk.NotAuthorized):
        _take(gw, who)  # type: ignore[arg-type]


def test_rotating_replaces_the_secret_and_keeps_the_rest(gw: GrantWorld) -> None:
    old = _take(gw, resource_ids=[gw.resource_id], max_uses=5)
    new = gw.call("requester", "govshare_token_rotate", id=old["id"])
    assert new["id"] != old["id"] and new["replaces"] == old["id"]
    assert new["token"].startswith("gsd_") and new["token"] != old["token"]
    assert new["expires_at"] == old["expires_at"]
    assert (new["grant_id"], new["resource_ids"], new["max_uses"]) == (
        gw.grant["id"],
        [gw.resource_id],
        5,
    )
    assert new["query_urls"] == old["query_urls"] and new["status"] == "active"
    assert download_service.find(old["token"])["revoked_at"] is not None
    assert download_service.find(new["token"])["id"] == new["id"]
    mine = gw.call("requester", "govshare_token_list", grant_id=gw.grant["id"])["results"]
    assert {t["id"]: t["status"] for t in mine} == {new["id"]: "active", old["id"]: "revoked"}
    assert all("token" not in t and "token_hash" not in t for t in mine)
    events = model.Session.execute(
        sa.select(audit_table.c.action, audit_table.c.object_id, audit_table.c.detail).where(
            audit_table.c.action.in_(("govshare_token_rotate", "govshare_token_revoke"))
        )
    ).all()
    assert {(e.action, e.object_id) for e in events} == {
        ("govshare_token_rotate", new["id"]),
        ("govshare_token_revoke", old["id"]),
    }
    rotate = next(e for e in events if e.action == "govshare_token_rotate")
    assert rotate.detail["replaces"] == old["id"]
    assert new["token"] not in str(rotate.detail)


def test_a_revoked_token_is_not_rotated(gw: GrantWorld) -> None:
    old = _take(gw)
    gw.call("requester", "govshare_token_revoke", id=old["id"])
    with pytest.raises(tk.ValidationError) as refused:
        gw.call("requester", "govshare_token_rotate", id=old["id"])
    assert "轮换" in refused.value.error_dict["id"][0]


def test_a_token_of_a_revoked_grant_is_not_rotated(gw: GrantWorld) -> None:
    old = _take(gw)
    gw.call("provider_officer", "govshare_grant_revoke", id=gw.grant["id"], reason="停止")
    with pytest.raises(tk.ValidationError):
        gw.call("requester", "govshare_token_rotate", id=old["id"])


@pytest.mark.parametrize(
    "who",
    ["requester_officer", "provider_officer", "other", "authority", "sysadmin", "outsider", None],
)
def test_only_the_owner_rotates(gw: GrantWorld, who: str | None) -> None:
    old = _take(gw)
    with pytest.raises(tk.NotAuthorized):
        gw.call(who, "govshare_token_rotate", id=old["id"])
    assert download_service.find(old["token"])["revoked_at"] is None


def test_an_owner_who_left_the_department_cannot_rotate(gw: GrantWorld) -> None:
    old = _take(gw)
    tk.get_action("organization_member_delete")(
        {"user": gw.users["sysadmin"]["name"], "ignore_auth": True},
        {"id": gw.world.requester_org["id"], "username": gw.users["requester"]["name"]},
    )
    with pytest.raises(tk.NotAuthorized):
        gw.call("requester", "govshare_token_rotate", id=old["id"])


def test_rotating_an_unknown_token_is_not_found(gw: GrantWorld) -> None:
    with pytest.raises(tk.ObjectNotFound):
        gw.call("requester", "govshare_token_rotate", id="no-such-token")

"""govshare_token_create, _list and _revoke, per role."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit as tk

from ckanext.govshare.downloads import tokens
from ckanext.govshare.downloads.model import token_table

from .conftest import Shared, events


def test_a_member_of_the_holding_department_takes_a_token(shared: Shared) -> None:
    made = shared.token(max_uses=3, expires_in=600)
    assert made["token"].startswith("gsd_") and len(made["token"]) >= 47
    assert made["max_uses"] == 3 and made["uses"] == 0 and made["resource_ids"] is None
    assert made["purpose"] == "data_verification"
    assert made["organization_id"] == shared.world.requester_org["id"]
    assert made["download_urls"][shared.upload["id"]].endswith(
        f"/govshare/download/{shared.upload['id']}"
    )
    expires = dt.datetime.fromisoformat(made["expires_at"])
    assert 590 < (expires - dt.datetime.now(dt.timezone.utc)).total_seconds() <= 600
    row = model.Session.execute(sa.select(token_table)).one()
    assert row.token_hash == tokens.digest(made["token"])
    assert made["token"] not in str(tuple(row))
    (event,) = events(action="govshare_token_create", object_id=made["id"])
    assert made["token"] not in str(event["detail"])
    assert event["actor_department"] == shared.world.requester_org["id"]


def test_expiry_is_capped_at_the_grants_end(shared: Shared) -> None:
    made = shared.token(expires_in=10 * 365 * 86400)
    end = dt.date.fromisoformat(shared.grant["period_end"])
    expires = dt.datetime.fromisoformat(made["expires_at"]).astimezone(
        dt.timezone(dt.timedelta(hours=8))
    )
    assert expires.date() == end + dt.timedelta(days=1) and expires.hour == 0


def test_resources_must_lie_within_the_grant(shared: Shared) -> None:
    made = shared.token(resource_ids=[shared.upload["id"]])
    assert made["resource_ids"] == [shared.upload["id"]]
    assert list(made["download_urls"]) == [shared.upload["id"]]
    other = shared.world.conditional["resources"][0]["id"]
    with pytest.raises(tk.ValidationError) as error:
        shared.token(resource_ids=[other])
    assert "resource_ids" in error.value.error_dict


@pytest.mark.parametrize("who", ["other", "provider_officer", "authority", "sysadmin"])
def test_others_may_not_take_tokens(shared: Shared, who: str) -> None:
    with pytest.raises(tk.NotAuthorized):
        shared.token(who)
    refused = events(action="govshare_token_create", outcome="refused")
    assert refused and refused[-1]["object_id"] == shared.grant["id"]


def test_no_tokens_from_a_revoked_grant(shared: Shared) -> None:
    shared.world.call(
        "provider_officer", "govshare_grant_revoke", id=shared.grant["id"], reason="x"
    )
    with pytest.raises(tk.ValidationError):
        shared.token()


def test_input_is_checked(shared: Shared) -> None:
    with pytest.raises(tk.ValidationError):
        shared.token(max_uses=0)
    with pytest.raises(tk.ValidationError):
        shared.token(expires_in="soon")
    with pytest.raises(tk.ObjectNotFound):
        shared.world.call("requester", "govshare_token_create", grant_id="nope")


def test_list_shows_own_tokens_without_secrets(shared: Shared) -> None:
    mine = shared.token(max_uses=1)
    shared.token("requester_officer")
    listed = shared.world.call("requester", "govshare_token_list")
    assert listed["count"] == 1
    (row,) = listed["results"]
    assert row["id"] == mine["id"] and row["active"] and row["uses_left"] == 1
    assert "token" not in row and "token_hash" not in row
    assert shared.world.call("other", "govshare_token_list")["count"] == 0
    shared.world.call("requester", "govshare_token_revoke", id=mine["id"])
    assert shared.world.call("requester", "govshare_token_list", active=True)["count"] == 0


@pytest.mark.parametrize(
    "who", ["requester", "requester_officer", "provider_officer", "authority", "sysadmin"]
)
def test_who_may_revoke(shared: Shared, who: str) -> None:
    made = shared.token()
    revoked = shared.world.call(who, "govshare_token_revoke", id=made["id"])
    assert revoked["revoked_at"] and not revoked["active"]
    (event,) = events(action="govshare_token_revoke", object_id=made["id"])
    assert event["actor_id"] == shared.world.users[who]["id"]
    with pytest.raises(tk.ValidationError):
        shared.world.call(who, "govshare_token_revoke", id=made["id"])


@pytest.mark.parametrize("who", ["other", "provider_staff", "requester_officer_of_nothing"])
def test_who_may_not_revoke(shared: Shared, who: str) -> None:
    made = shared.token("requester_officer")
    who = "requester" if who == "requester_officer_of_nothing" else who
    with pytest.raises(tk.NotAuthorized):
        shared.world.call(who, "govshare_token_revoke", id=made["id"])
    assert events(action="govshare_token_revoke", outcome="refused", object_id=made["id"])

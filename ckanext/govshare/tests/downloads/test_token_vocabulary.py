"""Tokens in the one vocabulary (issue 15, item 3; docs/api.md, "Conventions"): ``status``,
``requesting_org_id``, ``created``/``modified``, the ``status`` filter, one list shape; the
old names (``active=true``, ``organization_id``, ``created_at``) for one more release."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit as tk

from ckanext.govshare.core import vocabulary
from ckanext.govshare.downloads import tokens
from ckanext.govshare.downloads.model import token_table

from .conftest import Shared

STATUSES = ("active", "expired", "revoked", "used_up")


def _set(token: dict[str, Any], **values: Any) -> None:
    model.Session.execute(
        sa.update(token_table).where(token_table.c.id == token["id"]).values(**values)
    )
    model.Session.commit()


def _one_of_each(shared: Shared) -> dict[str, dict[str, Any]]:
    """A token in each status (an expired one revoked too is revoked: the check's order)."""
    made = {status: shared.token(max_uses=2) for status in STATUSES}
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    _set(made["expired"], expires_at=past)
    _set(made["used_up"], uses=2)
    shared.world.call("requester", "govshare_token_revoke", id=made["revoked"]["id"])
    _set(made["revoked"], expires_at=past)
    return made


def _listed(shared: Shared, **data: Any) -> dict[str, Any]:
    return shared.world.call("requester", "govshare_token_list", **data)


def test_a_token_answers_in_the_new_names_beside_the_old(shared: Shared) -> None:
    made = shared.token()
    org = shared.world.requester_org["id"]
    assert made["requesting_org_id"] == org and made["organization_id"] == org
    assert made["created"] == made["created_at"] == made["modified"]
    assert made["status"] == "active" and made["active"] is True
    assert made["status_label"] == {"en": "Active", "zh_Hans_CN": "有效"}
    (listed,) = _listed(shared)["results"]
    assert listed["requesting_org_id"] == org and listed["created"] == made["created"]
    revoked = shared.world.call("requester", "govshare_token_revoke", id=made["id"])
    assert revoked["status"] == "revoked" and revoked["requesting_org_id"] == org
    assert revoked["modified"] == revoked["revoked_at"] > revoked["created"]


def test_every_status_and_its_filter(shared: Shared) -> None:
    made = _one_of_each(shared)
    by_id = {t["id"]: t["status"] for t in _listed(shared)["results"]}
    assert by_id == {made[s]["id"]: s for s in STATUSES}
    for status in STATUSES:
        found = _listed(shared, status=status)
        assert [t["id"] for t in found["results"]] == [made[status]["id"]], status
        assert found["results"][0]["status_label"]["zh_Hans_CN"] == tokens.STATUSES[status][1]
        assert found["results"][0]["active"] is (status == "active")
    both = _listed(shared, status=["expired", "used_up"])
    assert {t["id"] for t in both["results"]} == {made["expired"]["id"], made["used_up"]["id"]}
    assert _listed(shared, status="expired,revoked")["count"] == 2


def test_the_status_filter_and_the_answer_agree_at_the_boundaries(
    shared: Shared, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SQL of the filter and ``tokens.status`` are one rule: a token expiring this very
    moment is expired in both, a token at its last use is used up in both."""
    from ckanext.govshare.core import clock

    made = shared.token(max_uses=1)
    moment = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(hours=1)
    _set(made, expires_at=moment)
    monkeypatch.setattr(clock, "now", lambda: moment)
    assert [t["status"] for t in _listed(shared, status="expired")["results"]] == ["expired"]
    assert _listed(shared, status="active")["count"] == 0
    monkeypatch.setattr(clock, "now", lambda: moment - dt.timedelta(microseconds=1))
    assert [t["status"] for t in _listed(shared, status="active")["results"]] == ["active"]
    _set(made, uses=1)
    assert [t["status"] for t in _listed(shared, status="used_up")["results"]] == ["used_up"]


def test_active_true_is_the_old_name_of_status_active(shared: Shared) -> None:
    made = _one_of_each(shared)
    old = _listed(shared, active=True)
    assert [t["id"] for t in old["results"]] == [made["active"]["id"]]
    (note,) = old["deprecations"]
    assert note["name"] == "active" and note["use"] == "status=active"
    assert " | " in note["message"]
    assert "deprecations" not in _listed(shared, status="active")
    everything = _listed(shared, active="false")  # as before: no filter
    assert everything["count"] == len(STATUSES) and everything["deprecations"]
    assert vocabulary.DEPRECATED["govshare_token_list"].kept == {"active": "status=active"}
    assert vocabulary.DEPRECATED["govshare_token_create"].answer_keys == {
        "organization_id": "requesting_org_id",
        "created_at": "created",
    }


def test_a_status_that_does_not_exist_is_refused_in_both_languages(shared: Shared) -> None:
    with pytest.raises(tk.ValidationError) as error:
        _listed(shared, status=["active", "lost"])
    (text,) = error.value.error_dict["status"]
    assert "used_up" in text and "令牌状态无效" in text
    for not_text in (True, 1, {"a": "b"}):  # a 409, not a 500 (the fuzz test found True)
        with pytest.raises(tk.ValidationError) as error:
            _listed(shared, status=not_text)
        assert all(" | " in m for m in error.value.error_dict["status"])


def test_the_list_pages_like_every_list(shared: Shared) -> None:
    made = [shared.token() for _ in range(3)]
    page = _listed(shared, limit=2, offset=1)
    assert set(page) >= {"count", "results", "limit", "offset"}
    assert page["count"] == 3 and page["limit"] == 2 and page["offset"] == 1
    newest_first = [t["id"] for t in reversed(made)]
    assert [t["id"] for t in page["results"]] == newest_first[1:3]
    assert _listed(shared)["limit"] == 50
    assert _listed(shared, limit=5000)["limit"] == 1000  # served at most 1000
    for bad in ({"limit": 0}, {"offset": -1}, {"limit": "many"}):
        with pytest.raises(tk.ValidationError) as error:
            _listed(shared, **bad)
        assert all(" | " in m for m in error.value.error_dict[next(iter(bad))])


@pytest.mark.parametrize(
    ("who", "action"),
    [
        ("other", "govshare_token_create"),
        (None, "govshare_token_create"),
        (None, "govshare_token_list"),
        ("other", "govshare_token_revoke"),
        (None, "govshare_token_revoke"),
    ],
)
def test_auth_refusals_are_in_both_languages(shared: Shared, who: str | None, action: str) -> None:
    made = shared.token()
    data = {"grant_id": shared.grant["id"], "id": made["id"]}
    with pytest.raises(tk.NotAuthorized) as error:
        shared.world.call(who, action, **data)
    text = str(error.value)
    assert " | " in text and any("\u4e00" <= ch <= "\u9fff" for ch in text), text


def test_not_found_is_in_both_languages(shared: Shared) -> None:
    for action, data in (
        ("govshare_token_create", {"grant_id": "no-such-grant"}),
        ("govshare_token_revoke", {"id": "no-such-token"}),
    ):
        with pytest.raises(tk.ObjectNotFound) as error:
            shared.world.call("sysadmin", action, **data)
        assert " | " in str(error.value), action

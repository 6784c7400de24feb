"""The notice actions in the one vocabulary (issue 15): ``created`` (``created_at`` kept),
the paging every list takes, and every refusal in English and Chinese."""

from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.tests import factories, helpers

from ckanext.govshare import notices as api
from ckanext.govshare.core import vocabulary

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ANONYMOUS = {"user": "", "ignore_auth": False}


def bilingual(text: Any) -> bool:
    en, _, zh = str(text).partition(" | ")
    return bool(en.strip()) and bool(CHINESE.search(zh))


def as_user(user: dict[str, Any]) -> dict[str, Any]:
    return {"user": user["name"], "ignore_auth": False}


@pytest.fixture
def reader(clean_db: Any, no_smtp: Any) -> dict[str, Any]:
    """A user with 60 notices (more than one default page)."""
    user = factories.User()
    for number in range(60):
        api.notify(
            "request_received",
            recipients=[user["id"]],
            key=f"k{number}",
            params={"request_id": f"r-{number}", "link": f"/govshare/requests/r-{number}"},
        )
    model.Session.commit()
    return user


def test_notices_say_created_and_keep_created_at(reader):
    result = helpers.call_action("govshare_notice_list", as_user(reader), limit=1)
    [notice] = result["results"]
    assert notice["created"] and notice["created_at"] == notice["created"]
    assert "deprecations" not in result  # no old name was used
    assert vocabulary.DEPRECATED["govshare_notice_list"].answer_keys == {"created_at": "created"}


def test_paging_is_the_one_every_list_takes(reader):
    first = helpers.call_action("govshare_notice_list", as_user(reader))
    assert (first["count"], first["limit"], first["offset"]) == (60, 50, 0)
    assert len(first["results"]) == 50  # 20 before issue 15
    rest = helpers.call_action("govshare_notice_list", as_user(reader), offset=50, limit=1000)
    assert len(rest["results"]) == 10 and rest["limit"] == 1000  # at most 100 before
    for bad in (0, -1, "ten"):
        with pytest.raises(tk.ValidationError) as error:
            helpers.call_action("govshare_notice_list", as_user(reader), limit=bad)
        assert bilingual(error.value.error_dict["limit"][0])
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("govshare_notice_list", as_user(reader), offset=-1)
    assert bilingual(error.value.error_dict["offset"][0])


@pytest.mark.parametrize("action", ["govshare_notice_list", "govshare_notice_mark_read"])
def test_the_anonymous_are_refused_in_both_languages(clean_db, action):
    with pytest.raises(tk.NotAuthorized) as error:
        helpers.call_action(action, ANONYMOUS, all=True)
    assert bilingual(error.value)


def test_the_api_refusal_is_bilingual(app, clean_db):
    response = app.get("/api/3/action/govshare_notice_list", status=403)
    assert bilingual(response.json["error"]["message"])


def test_marking_refusals_are_bilingual(reader):
    with pytest.raises(tk.ObjectNotFound) as missing:
        helpers.call_action("govshare_notice_mark_read", as_user(reader), id="no-such-notice")
    assert bilingual(missing.value)
    for data in ({}, {"id": {"a": 1}}, {"all": "perhaps"}):
        with pytest.raises(tk.ValidationError) as error:
            helpers.call_action("govshare_notice_mark_read", as_user(reader), **data)
        for messages in error.value.error_dict.values():
            assert all(bilingual(m) for m in messages), (data, messages)
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("govshare_notice_list", as_user(reader), unread="perhaps")
    assert bilingual(error.value.error_dict["unread"][0])


def test_the_dashboard_pages_through_the_action(app, reader, monkeypatch):
    token = factories.APIToken(user=reader["name"])["token"]
    called: list[dict[str, Any]] = []
    action = tk.get_action("govshare_notice_list")

    def spy(name: str) -> Any:
        if name != "govshare_notice_list":
            return real(name)

        def call(context: Any, data_dict: Any) -> Any:
            called.append(dict(data_dict))
            return action(context, data_dict)

        return call

    real = tk.get_action
    monkeypatch.setattr(tk, "get_action", spy)
    page = app.get("/dashboard/notices/", headers={"Authorization": token})
    assert page.status_code == 200
    assert {"unread": False, "limit": 20, "offset": 0} in called

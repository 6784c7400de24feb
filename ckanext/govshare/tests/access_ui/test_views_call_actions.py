"""The access pages get everything from actions (issue 15, item 1): each page calls the action
of its step, with the names of docs/api.md, "Conventions"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from ckan.plugins import toolkit as tk

from ckanext.govshare.tests.access.conftest import World

EN = "/en"


@pytest.fixture
def called(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Every action a page calls, with what it was given."""
    calls: list[tuple[str, dict[str, Any]]] = []
    original = tk.get_action

    def get_action(name: str) -> Callable[..., Any]:
        action = original(name)

        def spy(context: Any, data_dict: Any = None) -> Any:
            calls.append((name, dict(data_dict or {})))
            return action(context, data_dict)

        return spy

    monkeypatch.setattr(tk, "get_action", get_action)
    return calls


def _data(calls: list[tuple[str, dict[str, Any]]], action: str) -> list[dict[str, Any]]:
    return [data for name, data in calls if name == action]


def test_the_lists_call_the_list_actions(app, world: World, as_user, submitted, called):
    officer = as_user("provider_officer")
    assert app.get(f"{EN}/govshare/inbox", headers=officer).status_code == 200
    page = {"direction": "incoming", "limit": 25, "offset": 0}
    lists = _data(called, "govshare_request_list")
    assert lists[0] == {"signoff": True, "limit": 100}  # what waits for the user's sign-off
    assert lists[1] == page  # then the header's count
    assert app.get(f"{EN}/govshare/grants", headers=officer).status_code == 200
    assert _data(called, "govshare_grant_list")[-1]["direction"] == "outgoing"
    old = app.get(f"{EN}/govshare/grants", query_string={"direction": "provided"}, headers=officer)
    assert old.status_code == 200
    assert _data(called, "govshare_grant_list")[-1]["direction"] == "incoming"


def test_the_steps_call_their_actions_with_a_reason(app, world: World, as_user, submitted, called):
    url = f"{EN}/govshare/requests/{submitted['id']}"
    staff = as_user("requester")
    app.post(url + "/comment", data={"message": "补充说明"}, headers=staff)
    assert _data(called, "govshare_request_comment")[-1]["message"] == "补充说明"
    app.post(url + "/withdraw", data={"reason": "不再需要"}, headers=staff)
    assert _data(called, "govshare_request_withdraw")[-1]["reason"] == "不再需要"
    assert world.call("requester", "govshare_request_show", id=submitted["id"])["status"] == (
        "withdrawn"
    )


def test_the_attachment_comes_from_its_action(app, world: World, as_user, submitted, called):
    url = f"{EN}/govshare/requests/{submitted['id']}/attachment"
    response = app.get(url, headers=as_user("requester"))
    assert response.status_code == 404
    assert _data(called, "govshare_request_attachment") == [{"id": submitted["id"]}]
    with pytest.raises(tk.NotAuthorized):  # the API cannot ask for a path on the server
        world.call("requester", "govshare_request_attachment", id=submitted["id"])

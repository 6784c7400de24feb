"""The link leaks issue 14 (item 1) found, each reproduced as a user would meet it.

Entries are created and changed over HTTP, as the provider's data officer does in a browser or
with an API token: CKAN then stores each activity's copy of the entry as the officer sees it,
links included. The copies, and any index document written before a change of policy, are
judged on the entry as it is now.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from ckan import model
from ckan.tests import factories, helpers

from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import World

SECRET = "http://secret.example/leak-{}.csv"


def _token(world: World, who: str | None) -> dict[str, str]:
    if who is None:
        return {}
    return {"Authorization": factories.APIToken(user=world.users[who]["name"])["token"]}


def _post(app: Any, world: World, who: str, action: str, **data: Any) -> Any:
    response = app.post(
        f"/api/3/action/{action}", json=data, headers=_token(world, who), status=None
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["result"]


def _entry_over_http(app: Any, world: World, tag: str, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        **gs.entry_fields(),
        "name": gs.unique_name(f"leak-{tag}"),
        "title": f"leak {tag}",
        "notes": "摘要",
        "owner_org": world.provider["id"],
        "resources": [{"url": SECRET.format(tag), "name": "data.csv", "format": "CSV"}],
        **fields,
    }
    return _post(app, world, "provider_officer", "package_create", **data)


def _activities(world: World, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """Every activity of the entry, newest first (as a sysadmin sees the list)."""
    return helpers.call_action(
        "package_activity_list",
        context={"ignore_auth": True, "user": world.users["sysadmin"]["name"]},
        id=entry["id"],
    )


def _answers(app: Any, world: World, who: str | None, urls: list[str]) -> list[tuple[str, str]]:
    headers = _token(world, who)
    return [
        (url, app.get(url, headers=headers, status=None).get_data(as_text=True)) for url in urls
    ]


@pytest.fixture
def restricted_after_creation(app: Any, world: World) -> dict[str, Any]:
    """Created open with a link, then made not open: the first copy says ``open``."""
    entry = _entry_over_http(app, world, "opened")
    _post(app, world, "provider_officer", "package_patch", id=entry["id"], notes="第二版")
    _post(
        app, world, "provider_officer", "package_patch", id=entry["id"], open_to_public="not_open"
    )
    return helpers.call_action("package_show", context={"ignore_auth": True}, id=entry["id"])


@pytest.mark.parametrize("who", [None, "other", "outsider", "requester"])
def test_activities_of_an_entry_restricted_after_creation_hold_no_link(
    app: Any, world: World, restricted_after_creation: dict[str, Any], who: str | None
):
    entry = restricted_after_creation
    activities = _activities(world, entry)
    assert len(activities) == 3
    resource_id = entry["resources"][0]["id"]
    urls = [
        f"/api/3/action/package_activity_list?id={entry['id']}",
        f"/api/3/action/organization_activity_list?id={world.provider['id']}",
        "/api/3/action/recently_changed_packages_activity_list",
        f"/api/3/action/user_activity_list?id={world.users['provider_officer']['name']}",
    ]
    for activity in activities:
        aid = activity["id"]
        urls += [
            f"/api/3/action/activity_show?id={aid}&include_data=true",
            f"/api/3/action/activity_data_show?id={aid}",
            f"/api/3/action/activity_data_show?id={aid}&object_type=package",
            f"/api/3/action/activity_diff?id={aid}&object_type=package",
            f"/api/3/action/activity_diff?id={aid}&object_type=package&diff_type=html",
            f"/dataset/{entry['name']}/history/{aid}",
            f"/dataset/{entry['name']}/resources/{resource_id}/history/{aid}",
            f"/dataset/changes/{aid}",
        ]
    leaks = [url for url, body in _answers(app, world, who, urls) if "secret.example" in body]
    assert not leaks


def test_the_provider_still_sees_the_links_in_its_history(
    app: Any, world: World, restricted_after_creation: dict[str, Any]
):
    entry = restricted_after_creation
    first = _activities(world, entry)[-1]["id"]
    resource_id = entry["resources"][0]["id"]
    for who, url in (
        # activity_show with data is for those who may edit the entry (ckanext-activity)
        ("provider_officer", f"/api/3/action/activity_show?id={first}&include_data=true"),
        ("provider_staff", f"/dataset/{entry['name']}/resources/{resource_id}/history/{first}"),
        ("provider_staff", f"/api/3/action/package_activity_list?id={entry['id']}"),
    ):
        [(_, body)] = _answers(app, world, who, [url])
        assert SECRET.format("opened") in body, url


def test_the_resource_history_page_of_a_restricted_entry_shows_no_link(app: Any, world: World):
    """The officer's edits store the links in the activity; the page read it as stored."""
    entry = _entry_over_http(app, world, "history", open_to_public="not_open")
    _post(app, world, "provider_officer", "package_patch", id=entry["id"], notes="改")
    resource_id = entry["resources"][0]["id"]
    urls = [
        f"/dataset/{entry['name']}/resources/{resource_id}/history/{a['id']}"
        for a in _activities(world, entry)
    ]
    assert urls
    for who in ("other", "requester", "authority"):
        answers = _answers(app, world, who, urls)
        assert all(body and "leak history" in body for _, body in answers)  # the page rendered
        assert not [url for url, body in answers if "secret.example" in body], who


def test_a_resource_deleted_since_keeps_its_old_link_from_all_but_the_provider(
    app: Any, world: World
):
    entry = _entry_over_http(app, world, "gone", share_type="unconditional")
    resource_id = entry["resources"][0]["id"]
    _post(app, world, "provider_officer", "resource_delete", id=resource_id)
    url = f"/api/3/action/package_activity_list?id={entry['id']}"
    for who, sees in (
        (None, False),
        ("other", False),
        ("provider_staff", True),
        ("sysadmin", True),
    ):
        [(_, body)] = _answers(app, world, who, [url])
        assert ("secret.example" in body) is sees, who


def test_an_entry_moved_to_another_department_follows_its_new_owner(app: Any, world: World):
    entry = _entry_over_http(app, world, "moved", open_to_public="not_open")
    helpers.call_action(
        "package_owner_org_update",
        context={"ignore_auth": True, "user": world.users["sysadmin"]["name"]},
        id=entry["id"],
        organization_id=world.other_org["id"],
    )
    url = f"/api/3/action/package_activity_list?id={entry['id']}"
    [(_, was_provider)] = _answers(app, world, "provider_staff", [url])
    [(_, new_owner)] = _answers(app, world, "other", [url])
    assert "secret.example" not in was_provider
    assert SECRET.format("moved") in new_owner


def _index_as_stored_before_the_policy(entry_id: str) -> None:
    """Index the entry as CKAN (this version) does, with the link policy switched off: the
    document an index built before the policy, or by a plugin indexing its own copy, holds."""
    from ckan.lib import search

    from ckanext.govshare.datalinks import hooks

    index_document, after_dataset_show = hooks.index_document, hooks.after_dataset_show
    hooks.index_document = lambda doc: doc
    hooks.after_dataset_show = lambda context, pkg_dict: None
    try:
        search.rebuild(entry_id)
    finally:
        hooks.index_document, hooks.after_dataset_show = index_document, after_dataset_show


def _stored_document(entry_id: str) -> dict[str, Any]:
    import sqlalchemy as sa

    from ckanext.govshare.search.model import search_index_table as index

    query = sa.select(index.c.doc).where(index.c.package_id == entry_id)
    return model.Session.execute(query).scalar_one()


FL_VALUES = [
    "data_dict",
    "validated_data_dict",
    "res_url",
    "*",
    "id,res_url",
    "name,data_dict,validated_data_dict,res_url,url,download_url",
]


@pytest.mark.parametrize("fl", FL_VALUES)
@pytest.mark.parametrize("who", [None, "other", "requester"])
def test_search_fl_reads_no_link_from_an_index_written_before_the_policy(
    app: Any, world: World, who: str | None, fl: str
):
    entry = _entry_over_http(
        app, world, "indexed", open_to_public="conditional_open", open_conditions="条件"
    )
    _index_as_stored_before_the_policy(entry["id"])
    assert SECRET.format("indexed") in json.dumps(_stored_document(entry["id"]))
    [(url, body)] = _answers(
        app, world, who, [f"/api/3/action/package_search?q=name:{entry['name']}&fl={fl}"]
    )
    assert '"count": 1' in body, body
    assert "secret.example" not in body, url


def test_grant_holders_read_the_platform_url_inside_data_dict(app: Any, world: World):
    entry = _entry_over_http(app, world, "granted", open_to_public="not_open")
    world.call(
        "requester",
        "govshare_access_obtain",
        package_id=entry["id"],
        purpose="work_reference",
        purpose_detail="统计",
        pledge=True,
    )
    resource_id = entry["resources"][0]["id"]
    for fl in ("data_dict", "validated_data_dict"):
        response = app.get(
            f"/api/3/action/package_search?q=name:{entry['name']}&fl={fl}",
            headers=_token(world, "requester"),
        )
        [result] = response.json["result"]["results"]
        copy = json.loads(result[fl])
        assert copy["resources"][0]["url"].endswith(f"/govshare/download/{resource_id}")


def test_tag_show_hands_out_neither_links_nor_entries_the_user_may_not_see(app: Any, world: World):
    """``tag_show`` reads the index's copies itself, past ``package_search``."""
    tag = {"tags": [{"name": "leaktag"}]}
    hidden = _entry_over_http(app, world, "tag-hidden", open_to_public="not_open", **tag)
    shown = _entry_over_http(
        app, world, "tag-shown", open_to_public="conditional_open", open_conditions="条件", **tag
    )
    url = "/api/3/action/tag_show?id=leaktag&include_datasets=true"
    for who, names in (
        (None, {shown["name"]}),
        ("other", {shown["name"], hidden["name"]}),
        ("requester", {shown["name"], hidden["name"]}),
    ):
        response = app.get(url, headers=_token(world, who))
        assert "secret.example" not in response.get_data(as_text=True), who
        assert {p["name"] for p in response.json["result"]["packages"]} == names, who
    response = app.get(url, headers=_token(world, "provider_staff"))
    assert SECRET.format("tag-hidden") in response.get_data(as_text=True)


def test_code_reading_activity_data_itself_reads_what_the_user_may_see(
    app: Any, world: World, restricted_after_creation: dict[str, Any]
):
    """The ORM is a choke point too: whoever reads ``Activity.data`` directly (as the resource
    history page does) gets the copy judged for the request's user, the public outside one."""
    from ckanext.activity.model.activity import Activity

    first = _activities(world, restricted_after_creation)[-1]["id"]
    model.Session.remove()
    activity = model.Session.get(Activity, first)
    assert activity.data["package"]["resources"][0]["url"] == ""
    as_provider = helpers.call_action(
        "activity_show",
        context={"user": world.users["provider_officer"]["name"], "ignore_auth": False},
        id=first,
        include_data=True,
    )
    assert as_provider["data"]["package"]["resources"][0]["url"] == SECRET.format("opened")
    assert activity.data["package"]["resources"][0]["url"] == ""  # the object's view is kept
    with app.flask_app.test_request_context(
        headers={
            "Authorization": factories.APIToken(user=world.users["provider_staff"]["name"])["token"]
        }
    ):
        app.flask_app.preprocess_request()
        model.Session.expire(activity, ["data"])
        assert activity.data["package"]["resources"][0]["url"] == SECRET.format("opened")


def test_a_change_of_link_is_compared_for_those_who_may_see_it(app: Any, world: World):
    """``activity_diff`` compares the versions the caller may see: the provider sees the link
    change; anyone else (CKAN lets only editors ask, an internal call may ask for anyone) sees
    what else changed, without the links (it was refused outright before)."""
    entry = _entry_over_http(app, world, "diff", open_to_public="not_open")
    resource_id = entry["resources"][0]["id"]
    _post(app, world, "provider_officer", "resource_patch", id=resource_id, url=SECRET.format("v2"))
    _post(app, world, "provider_officer", "package_patch", id=entry["id"], notes="新摘要")
    notes_change, link_change = (a["id"] for a in _activities(world, entry)[:2])
    url = f"/api/3/action/activity_diff?id={link_change}&object_type=package"
    provider = app.get(url, headers=_token(world, "provider_officer")).json["result"]["diff"]
    assert SECRET.format("diff") in provider and SECRET.format("v2") in provider
    for latest in (notes_change, link_change):
        url = f"/api/3/action/activity_diff?id={latest}&object_type=package"
        for who in ("other", "requester"):
            answer = app.get(url, headers=_token(world, who), status=None).get_data(as_text=True)
            assert "secret.example" not in answer, who
            for diff_type in ("unified", "html"):
                diff = helpers.call_action(
                    "activity_diff",
                    context={"user": world.users[who]["name"], "ignore_auth": True},
                    id=latest,
                    object_type="package",
                    diff_type=diff_type,
                )
                assert "secret.example" not in json.dumps(diff), who
    shown = helpers.call_action(
        "activity_diff",
        context={"user": world.users["other"]["name"], "ignore_auth": True},
        id=notes_change,
        object_type="package",
    )
    assert '+  "notes"' in shown["diff"]

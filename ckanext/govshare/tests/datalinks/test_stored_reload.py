"""Stored activities are judged again after every write of their session (``stored.py``).

The session forgets the views of the activities it noted since its last write — loaded,
refreshed, created or assigned ``data`` — not of every object it holds (issue 20, item 4:
walking a harvest's whole identity map after each flush and commit was a fifth of an import).
These tests hold the guarantee itself: no activity a session keeps in memory outlives, as it
was judged or as it was written, the state it was judged on.
"""

from __future__ import annotations

from typing import Any

from ckan import model
from ckan.tests import helpers

from ckanext.govshare.datalinks import stored
from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import World

SECRET = "http://secret.example/reload-{}.csv"


def _entry(world: World, tag: str, **fields: Any) -> dict[str, Any]:
    return helpers.call_action(
        "package_create",
        context={"user": world.users["provider_officer"]["name"], "ignore_auth": False},
        **{
            **gs.entry_fields(),
            "name": gs.unique_name(f"reload-{tag}"),
            "title": f"reload {tag}",
            "notes": "摘要",
            "owner_org": world.provider["id"],
            "resources": [{"url": SECRET.format(tag), "name": "data.csv", "format": "CSV"}],
            **fields,
        },
    )


def _patch(world: World, entry_id: str, **fields: Any) -> None:
    helpers.call_action(
        "package_patch",
        context={"user": world.users["provider_officer"]["name"], "ignore_auth": False},
        id=entry_id,
        **fields,
    )


def _ids(entry_id: str) -> list[str]:
    from ckanext.activity.model.activity import Activity

    rows = (
        model.Session.query(Activity.id)
        .filter(Activity.object_id == entry_id)
        .order_by(Activity.timestamp)
        .all()
    )
    assert rows, "the entry has no activity"
    return [row.id for row in rows]


def _url(activity: Any) -> str:
    return activity.data["package"]["resources"][0]["url"]


def test_a_loaded_activity_is_judged_again_after_its_session_writes(world: World):
    """Read by the public while the entry is not open, the copy holds no link; once the same
    session opens the entry, the next read of the same object shows it."""
    from ckanext.activity.model.activity import Activity

    entry = _entry(world, "loaded", open_to_public="not_open")
    first = _ids(entry["id"])[0]
    model.Session.remove()
    activity = model.Session.get(Activity, first)
    assert _url(activity) == ""
    _patch(world, entry["id"], open_to_public="open")
    assert model.Session.get(Activity, first) is activity  # the same object, reloaded
    assert _url(activity) == SECRET.format("loaded")
    _patch(world, entry["id"], open_to_public="not_open")
    assert _url(activity) == ""


def test_an_activity_written_in_the_session_is_read_judged(world: World):
    """The copy an activity is written with keeps the link; the object the writing session
    still holds is reloaded after the write, so reading it there gives the public's view."""
    from ckanext.activity.model.activity import Activity

    entry = _entry(world, "written", open_to_public="not_open")
    copy = helpers.call_action(
        "package_show",
        context={"user": world.users["provider_officer"]["name"], "ignore_auth": False},
        id=entry["id"],
    )
    assert copy["resources"][0]["url"] == SECRET.format("written")
    activity = Activity(
        world.users["provider_officer"]["id"], entry["id"], "changed package", {"package": copy}
    )
    model.Session.add(activity)
    model.Session.commit()
    assert _url(activity) == ""
    assert stored.stored_data(activity)["package"]["resources"][0]["url"] == SECRET.format(
        "written"
    )
    activity.data = {"package": copy}  # assigned again, in memory: judged after the write
    model.Session.commit()
    assert _url(activity) == ""


def test_only_the_activities_noted_since_the_last_write_are_visited(world: World):
    """What a write's reload walks: the activities read or written since the last one, not
    the entries, resources and other objects the session holds."""
    from ckanext.activity.model.activity import Activity

    entry = _entry(world, "noted")
    ids = _ids(entry["id"])
    model.Session.remove()
    session = model.Session()
    activity = model.Session.get(Activity, ids[0])
    for _ in model.Session.query(model.Package).limit(50):
        pass
    assert set(session.info[stored._HELD]) == {activity}
    model.Session.commit()
    assert not session.info.get(stored._HELD)
    assert activity.data["package"]["id"] == entry["id"]  # reloaded, judged, noted again
    assert set(session.info[stored._HELD]) == {activity}

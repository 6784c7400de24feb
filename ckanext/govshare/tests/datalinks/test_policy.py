"""The link policy on its own (plain Python): who sees which link, judged on the entry as it
is now (issue 6, item 4; issue 14, item 1)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from ckanext.govshare.datalinks import policy
from ckanext.govshare.datalinks.policy import NONE, PLATFORM, RAW, EntryNow, Viewer

pytestmark = pytest.mark.unit

A = "http://secret.example/a.csv"
B = "http://host/dataset/e1/resource/r2/download/b.csv"

ENTRY = {
    "id": "e1",
    "owner_org": "provider",
    "open_to_public": "not_open",
    "resources": [
        {"id": "r1", "name": "a", "url": A, "url_type": None},
        {
            "id": "r2",
            "name": "b",
            "url": B,
            "url_type": "upload",
            "datastore_active": True,
            "cache_url": "http://c/b",
        },
    ],
}

PUBLIC = Viewer()
OTHER = Viewer("u", False, frozenset({"other"}))
HOLDER = Viewer("h", False, frozenset({"holder"}))
PROVIDER = Viewer("p", False, frozenset({"provider"}))
SYSADMIN = Viewer("s", True)


def now(open_to_public: str = "not_open", **changes: Any) -> EntryNow:
    fields: dict[str, Any] = {
        "id": "e1",
        "owner_org": "provider",
        "open_to_public": open_to_public,
        "links": {"r1": A, "r2": B},
    }
    fields.update(changes)
    return EntryNow(**fields)


def restore(resource: dict[str, Any]) -> dict[str, Any]:
    return {**resource, "url": "RESTORED:" + resource["id"], "govshare_restricted": False}


def platform(rid: str) -> str:
    return f"/govshare/download/{rid}"


OPTIONS = {"restore": restore, "platform_url": platform}


def show(
    viewer: Viewer, granted: Any, state: EntryNow | None, entry: dict[str, Any] = ENTRY
) -> dict[str, Any]:
    return policy.show_copy(copy.deepcopy(entry), state, viewer, granted, **OPTIONS)


def urls(entry: dict[str, Any]) -> list[str]:
    return [r["url"] for r in entry["resources"]]


# access_now: who sees what, on today's entry


def test_the_public_and_other_departments_see_no_link():
    for viewer in (PUBLIC, OTHER):
        shown = show(viewer, False, now())
        assert shown["resources"]
        for res in shown["resources"]:
            assert res["url"] == ""
            assert set(res) <= policy.SAFE_RESOURCE_KEYS | {"url", "govshare_restricted"}
            assert "datastore_active" not in res and "cache_url" not in res


def test_grant_holders_see_the_platform_url_for_granted_resources_only():
    assert urls(show(HOLDER, {"r1"}, now())) == [platform("r1"), ""]
    assert urls(show(HOLDER, None, now())) == [platform("r1"), platform("r2")]


def test_the_provider_and_sysadmins_see_the_links_restored_from_redacted_copies():
    redacted = show(PUBLIC, False, now())
    for viewer in (PROVIDER, SYSADMIN):
        assert urls(show(viewer, False, now(), entry=redacted)) == ["RESTORED:r1", "RESTORED:r2"]
        assert show(viewer, False, now())["resources"] == ENTRY["resources"]


def test_open_data_is_open_to_everyone():
    assert show(PUBLIC, False, now("open"))["resources"] == ENTRY["resources"]


def test_the_copy_is_judged_on_the_entry_now_not_on_itself():
    """Created open, restricted later: the first activity's copy says ``open``."""
    was_open = {**ENTRY, "open_to_public": "open"}
    for viewer in (PUBLIC, OTHER):
        assert urls(show(viewer, False, now("not_open"), entry=was_open)) == ["", ""]
    assert urls(show(HOLDER, None, now("conditional_open"), entry=was_open)) == [
        platform("r1"),
        platform("r2"),
    ]
    # and the other way round: restricted then, open now
    assert urls(show(PUBLIC, False, now("open"))) == [A, B]


def test_an_open_entry_shows_only_the_links_it_has_today():
    """An old link (changed since) was never open data as such: the provider only."""
    old = copy.deepcopy(ENTRY)
    old["resources"][0]["url"] = "http://old.example/a.csv"
    assert urls(show(PUBLIC, False, now("open"), entry=old)) == ["", B]
    assert urls(show(PROVIDER, False, now("open"), entry=old)) == ["http://old.example/a.csv", B]


def test_a_resource_deleted_since_keeps_its_link_from_all_but_the_provider():
    gone = now("open", links={"r2": B})
    assert urls(show(PUBLIC, False, gone)) == ["", B]
    assert urls(show(HOLDER, None, now("not_open", links={"r2": B}))) == ["", platform("r2")]
    assert urls(show(PROVIDER, False, gone)) == [A, B]
    assert policy.access_now(gone, "r1", HOLDER, None) == NONE


def test_an_entry_moved_to_another_department_is_managed_by_its_new_one():
    moved = now(owner_org="other")
    assert urls(show(PROVIDER, False, moved)) == ["", ""]
    assert urls(show(OTHER, False, moved)) == [A, B]


def test_a_purged_entry_shows_links_to_sysadmins_only():
    assert urls(show(PROVIDER, False, None)) == ["", ""]
    assert urls(show(HOLDER, None, None)) == ["", ""]
    assert urls(show(SYSADMIN, False, None)) == [A, B]


def test_a_deleted_or_private_entry_shows_no_link_but_to_its_provider():
    hidden = now("open", listed=False)
    assert policy.access_now(hidden, "r1", PUBLIC, False) == NONE
    assert policy.access_now(hidden, "r1", HOLDER, None) == NONE
    assert policy.access_now(hidden, "r1", PROVIDER, False) == RAW
    assert policy.access_now(now(), "r1", HOLDER, None) == PLATFORM


# forbidden_strings and scrub: the net under the field rules


def test_forbidden_strings_name_every_link_the_viewer_may_not_see():
    forbidden = policy.forbidden_strings(now(), HOLDER, {"r1"}, [("r1", "http://old.example/x")])
    assert forbidden == {
        A,
        B,
        "http://old.example/x",
        "/resource/r1/download",
        "/resource/r2/download",
        "/govshare/download/r2",
    }
    assert policy.forbidden_strings(now(), PROVIDER, False) == set()
    assert policy.forbidden_strings(now(), SYSADMIN, False, [("r9", "http://x.example/")]) == set()


def test_forbidden_strings_spare_todays_open_links_and_ignore_non_links():
    old = [("r1", "http://old.example/a.csv"), ("r2", "x")]
    assert policy.forbidden_strings(now("open"), PUBLIC, False, old) == {"http://old.example/a.csv"}


def test_scrub_empties_every_text_holding_a_forbidden_string_at_any_depth():
    value = {"notes": f"see {A}", "n": 1, "list": ["ok", (A, "ok")], "deep": {"x": [{"y": A}]}}
    assert policy.scrub(value, {A}) == {
        "notes": "",
        "n": 1,
        "list": ["ok", ("", "ok")],
        "deep": {"x": [{"y": ""}]},
    }
    assert policy.scrub(value, set()) is value


# show_index_result: any fl


def index_result(**fields: Any) -> dict[str, Any]:
    return {"id": "e1", **fields}


def test_index_copies_are_shown_through_the_copy_rules():
    raw = json.dumps(ENTRY)
    result = index_result(data_dict=raw, validated_data_dict=raw)
    shown = policy.show_index_result(copy.deepcopy(result), now(), HOLDER, {"r1"}, **OPTIONS)
    for key in ("data_dict", "validated_data_dict"):
        assert urls(json.loads(shown[key])) == [platform("r1"), ""]
    shown = policy.show_index_result(copy.deepcopy(result), now(), PROVIDER, False, **OPTIONS)
    assert json.loads(shown["data_dict"]) == ENTRY


def test_res_url_is_rebuilt_from_the_entry_as_it_is_now():
    result = index_result(res_url=[A, B, "http://gone.example/c"])
    for viewer, granted, expected in (
        (PUBLIC, False, ["", ""]),
        (HOLDER, {"r2"}, ["", platform("r2")]),
        (PROVIDER, False, [A, B]),
    ):
        shown = policy.show_index_result(copy.deepcopy(result), now(), viewer, granted, **OPTIONS)
        assert shown["res_url"] == expected


def test_other_link_fields_are_emptied_unless_the_viewer_may_see_the_links():
    result = index_result(
        download_url=A, res_extras_access=["x", "y"], urls=[A], ckan_url="u", title="t"
    )
    shown = policy.show_index_result(copy.deepcopy(result), now(), OTHER, False, **OPTIONS)
    assert shown == index_result(
        download_url="", res_extras_access=["", ""], urls=[""], ckan_url="", title="t"
    )
    kept = policy.show_index_result(copy.deepcopy(result), now("open"), OTHER, False, **OPTIONS)
    assert kept["res_extras_access"] == ["x", "y"]


def test_an_unknown_entry_or_unreadable_copy_fails_closed():
    result = {"data_dict": "{not json", "res_url": [A], "notes": A}
    shown = policy.show_index_result(copy.deepcopy(result), None, OTHER, False, **OPTIONS)
    assert shown == {"data_dict": "", "res_url": [], "notes": A}
    assert policy.show_index_result(copy.deepcopy(result), None, SYSADMIN, False, **OPTIONS) == (
        result
    )


def test_a_link_anywhere_else_in_a_result_is_emptied():
    result = index_result(notes=f"download at {A}", extras_mirror=B, title="t")
    shown = policy.show_index_result(copy.deepcopy(result), now(), PUBLIC, False, **OPTIONS)
    assert shown == index_result(notes="", extras_mirror="", title="t")


# show_activity_data


def test_activity_copies_are_judged_now_and_the_stored_data_is_kept():
    data = {"package": {**copy.deepcopy(ENTRY), "open_to_public": "open"}, "actor": "x"}
    before = copy.deepcopy(data)
    shown = policy.show_activity_data(data, "new package", now(), PUBLIC, False, **OPTIONS)
    assert urls(shown["package"]) == ["", ""]
    assert shown["actor"] == "x"
    assert data == before
    kept = policy.show_activity_data(data, "new package", now(), PROVIDER, False, **OPTIONS)
    assert kept == before


def test_a_resource_views_settings_are_for_those_who_may_see_its_link():
    view = {"id": "v", "resource_id": "r1", "package_id": "e1", "config": {"page_url": "x"}}
    shown = policy.show_activity_data(view, "new resource view", now(), OTHER, False, **OPTIONS)
    assert shown["config"] == {}
    kept = policy.show_activity_data(view, "new resource view", now(), PROVIDER, False, **OPTIONS)
    assert kept["config"] == {"page_url": "x"}


# copies inside copies, and the index as written


def test_copies_held_inside_a_copy_are_shown_by_the_same_rules():
    """CKAN indexes ``data_dict`` with the ``validated_data_dict`` inside it, links included."""
    outer = {**copy.deepcopy(ENTRY), "validated_data_dict": json.dumps(ENTRY)}
    shown = show(HOLDER, {"r1"}, now(), entry=outer)
    assert urls(json.loads(shown["validated_data_dict"])) == [platform("r1"), ""]
    assert json.loads(show(PROVIDER, False, now(), entry=outer)["validated_data_dict"]) == ENTRY
    broken = show(OTHER, False, now(), entry={**ENTRY, "validated_data_dict": "{no"})
    assert broken["validated_data_dict"] == ""
    links = policy.stored_links({"data_dict": json.dumps(outer)})
    assert ("r1", A) in links and len(links) == 4


def test_a_search_result_with_copies_inside_copies_holds_no_link():
    outer = {**copy.deepcopy(ENTRY), "validated_data_dict": json.dumps(ENTRY)}
    result = index_result(data_dict=json.dumps(outer))
    shown = policy.show_index_result(result, now(), PUBLIC, False, **OPTIONS)
    assert A not in json.dumps(shown) and B not in json.dumps(shown)
    inner = json.loads(json.loads(shown["data_dict"])["validated_data_dict"])
    assert urls(inner) == ["", ""]


def test_the_index_stores_no_link_of_an_entry_that_is_not_open_data():
    outer = {**copy.deepcopy(ENTRY), "validated_data_dict": json.dumps(ENTRY)}
    doc = {
        "id": "e1",
        "open_to_public": "not_open",
        "data_dict": json.dumps(outer),
        "validated_data_dict": json.dumps(ENTRY),
        "res_url": [A, B],
        "res_extras_access_url": ["x", "y"],
        "download_url": A,
        "notes": f"mirror at {A}",
        "title": "t",
    }
    stored = policy.index_document(copy.deepcopy(doc))
    text = json.dumps(stored)
    assert A not in text and B not in text
    assert stored["res_url"] == ["", ""] and stored["res_extras_access_url"] == ["", ""]
    assert stored["notes"] == "" and stored["title"] == "t"
    inner = json.loads(json.loads(stored["data_dict"])["validated_data_dict"])
    assert urls(inner) == ["", ""]
    assert policy.index_document({**doc, "data_dict": "{no"})["data_dict"] == ""
    opened = {**doc, "open_to_public": "open"}
    assert policy.index_document(copy.deepcopy(opened)) == opened


# A harvested resource's interfaces on its source platform (issue 20, item 2)

SERVICE = {
    "title": "Query interface",
    "endpoint_url": ["https://lower.example/govshare/query/r9"],
    "data_items": ["企业名称"],
}


def test_a_harvested_interface_is_shown_without_the_link():
    entry = copy.deepcopy(ENTRY)
    entry["resources"][0]["access_services"] = json.dumps([SERVICE])
    shown = show(OTHER, set(), now(), entry)
    kept = shown["resources"][0]
    assert kept["url"] == ""
    assert json.loads(kept["access_services"]) == [SERVICE]


@pytest.mark.parametrize(
    "endpoint",
    [A, "https://lower.example/dataset/x/resource/r1/download/a.csv"],
)
def test_an_interface_naming_the_data_link_is_not_shown(endpoint: str):
    entry = copy.deepcopy(ENTRY)
    entry["resources"][0]["access_services"] = [{**SERVICE, "endpoint_url": [endpoint]}]
    shown = show(OTHER, set(), now(), entry)
    assert "access_services" not in shown["resources"][0]
    assert A not in json.dumps(shown)

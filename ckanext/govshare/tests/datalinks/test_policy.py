"""The link policy on its own (plain Python)."""

from __future__ import annotations

import pytest

from ckanext.govshare.datalinks import policy
from ckanext.govshare.datalinks.policy import Viewer

pytestmark = pytest.mark.unit

ENTRY = {
    "id": "e1",
    "owner_org": "provider",
    "open_to_public": "not_open",
    "resources": [
        {"id": "r1", "name": "a", "url": "http://secret.example/a.csv", "url_type": None},
        {
            "id": "r2",
            "name": "b",
            "url": "http://host/dataset/e1/resource/r2/download/b.csv",
            "url_type": "upload",
            "datastore_active": True,
            "cache_url": "http://c/b",
        },
    ],
}


def _apply(viewer: Viewer, granted, entry=ENTRY):
    import copy

    return policy.apply(
        copy.deepcopy(entry),
        viewer,
        granted,
        raw_resource=lambda r: {**r, "url": "RAW:" + r["id"], "url_type": "restored"},
        platform_url=lambda rid: f"/govshare/download/{rid}",
    )


def test_the_public_and_other_departments_see_no_link():
    for viewer in (Viewer(), Viewer("u", False, frozenset({"other"}))):
        shown = _apply(viewer, False)
        for res in shown["resources"]:
            assert res["url"] == ""
            assert set(res) <= policy.SAFE_RESOURCE_KEYS | {"url", "govshare_restricted"}
            assert "datastore_active" not in res and "cache_url" not in res


def test_grant_holders_see_the_platform_url_for_granted_resources_only():
    shown = _apply(Viewer("u", False, frozenset({"holder"})), {"r1"})
    assert shown["resources"][0]["url"] == "/govshare/download/r1"
    assert shown["resources"][1]["url"] == ""
    every = _apply(Viewer("u", False, frozenset({"holder"})), None)
    assert [r["url"] for r in every["resources"]] == [
        "/govshare/download/r1",
        "/govshare/download/r2",
    ]


def test_the_provider_and_sysadmins_see_the_links_restored_from_redacted_copies():
    redacted = _apply(Viewer(), False)
    for viewer in (Viewer("p", False, frozenset({"provider"})), Viewer("s", True)):
        shown = _apply(viewer, False, entry=redacted)
        assert [r["url"] for r in shown["resources"]] == ["RAW:r1", "RAW:r2"]
        untouched = _apply(viewer, False)
        assert untouched["resources"] == ENTRY["resources"]


def test_open_data_is_open_to_everyone():
    open_entry = {**ENTRY, "open_to_public": "open"}
    assert _apply(Viewer(), False, entry=open_entry)["resources"] == ENTRY["resources"]

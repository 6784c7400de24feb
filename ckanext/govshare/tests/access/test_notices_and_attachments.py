"""What the parties hear of a request, and the request's attachment."""

from __future__ import annotations

import io
from typing import Any

import pytest
from ckan.plugins import toolkit as tk
from werkzeug.datastructures import FileStorage

from ckanext.govshare.access import attachments
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

from .conftest import World, request_form, told_at_once

# Under both rule profiles (issue 18, item 11); where they differ the test says so for each.
pytestmark = pytest.mark.usefixtures("with_request_context", "rule_profile")


def _kinds(world: World, who: str, before: dict[str, set[str]] | None = None) -> list[str]:
    """The kinds of the notices ``who`` has, less those ``before`` saw (the world's own, such
    as the catalogue announcements of 2025 art. 16)."""
    seen = (before or {}).get(who, set())
    found = world.call(who, "govshare_notice_list")["results"]
    return sorted(n["kind"] for n in found if n["id"] not in seen)


def _seen(world: World) -> dict[str, set[str]]:
    return {
        who: {n["id"] for n in world.call(who, "govshare_notice_list")["results"]}
        for who in world.users
        if who != "outsider"
    }


def test_submission_is_confirmed_and_every_decision_told(
    world: World,
    rule_profile: str,  # noqa: F811
):
    before = _seen(world)
    request = world.submit(**request_form(world))
    if rule_profile == "regulation-2025":
        # Art. 20: the head is asked to sign the member's request off, then it is sent.
        assert _kinds(world, "requester_officer", before) == ["request_signoff_needed"]
    assert _kinds(world, "requester", before) == ["request_submitted"]
    assert _kinds(world, "provider_officer", before) == ["request_received"]
    assert _kinds(world, "provider_editor", before) == ["request_received"]
    assert _kinds(world, "provider_staff", before) == []  # not a data officer
    assert _kinds(world, "other", before) == []
    world.call(
        "provider_officer",
        "govshare_request_decide",
        id=request["id"],
        decision="return",
        reason="请补充申请依据",
        **told_at_once("return"),
    )
    assert "request_returned" in _kinds(world, "requester", before)
    world.resubmit(id=request["id"], message="已补充")
    assert _kinds(world, "provider_officer", before).count("request_resubmitted") == 1
    world.call("provider_officer", "govshare_request_decide", id=request["id"], decision="approve")
    kinds = _kinds(world, "requester_officer", before)
    assert "request_decided" in kinds and "grant_created" in kinds


def _upload(name: str, data: bytes) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type="application/pdf")


def test_an_attachment_is_kept_with_its_digest(world: World, ckan_config: Any, tmp_path: Any):
    ckan_config["ckan.storage_path"] = str(tmp_path)
    request = world.call(
        "requester",
        "govshare_request_create",
        **request_form(world, attachment=_upload("依据 文件.pdf", b"%PDF-1.4 basis")),
    )
    attachment = request["attachment"]
    assert attachment["size"] == len(b"%PDF-1.4 basis")
    assert len(attachment["sha256"]) == 64
    path = attachments.path_of(request["id"], attachment)
    assert path
    with open(path, "rb") as stored:
        assert stored.read() == b"%PDF-1.4 basis"


def test_an_attachment_of_another_kind_is_refused_and_nothing_kept(
    world: World, ckan_config: Any, tmp_path: Any
):
    ckan_config["ckan.storage_path"] = str(tmp_path)
    with pytest.raises(tk.ValidationError) as raised:
        world.call(
            "requester",
            "govshare_request_create",
            **request_form(world, attachment=_upload("run.exe", b"MZ")),
        )
    assert " | " in raised.value.error_dict["attachment"][0]
    assert world.call("requester", "govshare_request_list")["count"] == 0
    folder = tmp_path / "govshare" / "attachments"
    assert not folder.exists() or not any(folder.iterdir())


def test_a_failed_request_leaves_no_attachment_behind(
    world: World, ckan_config: Any, tmp_path: Any
):
    ckan_config["ckan.storage_path"] = str(tmp_path)
    ckan_config["ckanext.govshare.attachment_max_mb"] = 1
    with pytest.raises(tk.ValidationError) as raised:
        world.call(
            "requester",
            "govshare_request_create",
            **request_form(world, attachment=_upload("big.pdf", b"0" * (1024 * 1024 + 1))),
        )
    assert "MB" in raised.value.error_dict["attachment"][0]
    folder = tmp_path / "govshare" / "attachments"
    assert not folder.exists() or not any(folder.iterdir())

"""What the parties hear of a request, and the request's attachment."""

from __future__ import annotations

import io
from typing import Any

import pytest
from ckan.plugins import toolkit as tk
from werkzeug.datastructures import FileStorage

from ckanext.govshare.access import attachments

from .conftest import World, request_form

pytestmark = pytest.mark.usefixtures("with_request_context")


def _kinds(world: World, who: str) -> list[str]:
    return sorted(n["kind"] for n in world.call(who, "govshare_notice_list")["results"])


def test_submission_is_confirmed_and_every_decision_told(world: World):
    request = world.call("requester", "govshare_request_create", **request_form(world))
    assert _kinds(world, "requester") == ["request_submitted"]
    assert _kinds(world, "provider_officer") == ["request_received"]
    assert _kinds(world, "provider_editor") == ["request_received"]
    assert _kinds(world, "provider_staff") == []  # not a data officer
    assert _kinds(world, "other") == []
    world.call(
        "provider_officer",
        "govshare_request_decide",
        id=request["id"],
        decision="return",
        reason="请补充申请依据",
    )
    assert "request_returned" in _kinds(world, "requester")
    world.call("requester", "govshare_request_resubmit", id=request["id"], message="已补充")
    assert _kinds(world, "provider_officer").count("request_resubmitted") == 1
    world.call("provider_officer", "govshare_request_decide", id=request["id"], decision="approve")
    kinds = _kinds(world, "requester_officer")
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

"""The feedback and obligation pages get everything from actions (issue 15, item 1): the lists,
the pages, the forms' writes, and the evidence file, which its route only streams."""

from __future__ import annotations

import importlib
import io
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from werkzeug.datastructures import FileStorage

from ckanext.govshare.tests.access_ui.conftest import as_user  # noqa: F401
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

from .conftest import World, bilingual

# Under both rule profiles (issue 18, item 11); where they differ the test says so for each.
pytestmark = pytest.mark.usefixtures("rule_profile")

EN = "/en"
EVIDENCE = b"%PDF-1.4 registration record"
pages = importlib.import_module("ckanext.govshare.views.feedback")


@pytest.fixture
def called(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the actions called through the toolkit while a page is served (the
    page's own, and those of the template helpers it renders)."""
    names: list[str] = []
    real = tk.get_action

    def spy(name: str) -> Any:
        names.append(name)
        return real(name)

    monkeypatch.setattr(pages.tk, "get_action", spy)
    return names


def test_every_page_calls_its_action(
    app: Any,
    world: World,
    as_user: Any,  # noqa: F811
    called: list[str],
    ckan_config: Any,
    tmp_path: Any,
):
    ckan_config["ckan.storage_path"] = str(tmp_path)
    with_file = world.call(
        "requester",
        "govshare_feedback_create",
        package_id=world.conditional["id"],
        kind="error",
        description="登记簿与数据不一致",
        attachment=FileStorage(stream=io.BytesIO(EVIDENCE), filename="登记簿.pdf"),
    )
    without = world.call(
        "requester",
        "govshare_feedback_create",
        package_id=world.conditional["id"],
        kind="doubt",
        description="疑似未及时更新",
    )
    officer = as_user("provider_officer")

    app.get(f"{EN}/govshare/feedback?state=all", headers=officer)
    assert "govshare_feedback_list" in called
    page = app.get(f"{EN}/govshare/feedback/{with_file['id']}", headers=officer).body
    assert "govshare_feedback_show" in called and "登记簿.pdf" in page

    del called[:]
    got = app.get(f"{EN}/govshare/feedback/{with_file['id']}/attachment", headers=officer)
    assert called == ["govshare_feedback_attachment"]
    assert got.status_code == 200 and got.data == EVIDENCE
    assert "attachment" in got.headers["Content-Disposition"]
    assert got.headers["Content-Type"] == "application/pdf"
    # No evidence: 404; someone who may not see the feedback: 403.
    assert app.get(
        f"{EN}/govshare/feedback/{without['id']}/attachment", headers=officer, status=404
    )
    assert app.get(
        f"{EN}/govshare/feedback/{with_file['id']}/attachment",
        headers=as_user("other"),
        status=403,
    )
    # The action hands a file on the server to the route only: the API refuses it, in both
    # languages, sysadmins included.
    refused = app.post(
        "/api/3/action/govshare_feedback_attachment",
        json={"id": with_file["id"]},
        headers=as_user("sysadmin"),
        status=403,
    )
    assert bilingual([refused.get_json()["error"]["message"]])

    del called[:]
    resolved = app.post(
        f"{EN}/govshare/feedback/{without['id']}/resolve",
        data={"resolution": "confirmed_correct", "explanation": "已核对，数据无误"},
        headers=officer,
    )
    assert resolved.status_code == 200 and "govshare_feedback_resolve" in called
    shown = world.call("requester", "govshare_feedback_show", id=without["id"])
    assert shown["reason"] == "已核对，数据无误"

    del called[:]
    app.get(f"{EN}/govshare/obligations", headers=as_user("authority"))
    assert "govshare_obligation_list" in called

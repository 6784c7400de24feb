"""The feedback and catalogue-update pages, through the web app as the users of the world."""

from __future__ import annotations

import re

import pytest

from ckanext.govshare.tests.access_ui.conftest import as_user  # noqa: F401
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

from .conftest import UPDATE_DUE, World

# Under both rule profiles (issue 18, item 11); where they differ the test says so for each.
pytestmark = pytest.mark.usefixtures("rule_profile")

EN = "/en"


def test_report_on_the_entry_page_and_answer_it(app, world: World, as_user):  # noqa: F811
    staff, officer = as_user("requester"), as_user("provider_officer")
    entry_url = f"{EN}/dataset/{world.conditional['name']}"
    page = app.get(entry_url, headers=staff).body
    assert "Report doubtful data" in page and 'name="data_item"' in page
    assert world.conditional["resources"][0]["id"] in page  # resources selectable
    assert "govshare-entry-feedback" not in app.get(entry_url).body  # anonymous: nothing
    assert "反馈数据疑义" in app.get(entry_url.removeprefix(EN), headers=staff).body

    url = f"{EN}/govshare/feedback/new?package_id={world.conditional['name']}"
    form = {"kind": "error", "data_item": "法定代表人", "description": ""}
    missing = app.post(url, data=form, headers=staff)
    assert missing.status_code == 200 and "is-invalid" in missing.body
    assert re.search(r'value="法定代表人"\s+selected', missing.body)  # input kept
    form["description"] = "法定代表人与登记不一致"
    sent = app.post(url, data=form, headers=staff, follow_redirects=False)
    assert sent.status_code == 302
    feedback_url = sent.headers["Location"]
    feedback_id = feedback_url.rstrip("/").rsplit("/", 1)[-1]

    assert "1 open" in app.get(entry_url, headers=officer).body
    listed = app.get(f"{EN}/govshare/feedback", headers=officer).body
    assert feedback_id in listed and "Data feedback" in listed
    assert app.get(
        f"{EN}/govshare/feedback/{feedback_id}", headers=as_user("provider_staff"), status=403
    )

    page = app.get(f"{EN}/govshare/feedback/{feedback_id}", headers=officer).body
    assert "Answer the feedback" in page
    assert (
        "Answer the feedback"
        not in app.get(f"{EN}/govshare/feedback/{feedback_id}", headers=staff).body
    )
    resolve = f"{EN}/govshare/feedback/{feedback_id}/resolve"
    bad = app.post(resolve, data={"resolution": "corrected"}, headers=officer)
    assert "is-invalid" in bad.body and "explanation" in bad.body
    done = app.post(
        resolve,
        data={"resolution": "corrected", "explanation": "已更正为登记簿所载"},
        headers=officer,
    )
    assert (
        done.status_code == 200 and "Corrected" in done.body and "已更正为登记簿所载" in done.body
    )


def test_record_and_discharge_a_catalogue_update(
    app,
    world: World,
    as_user,  # noqa: F811
    rule_profile: str,  # noqa: F811
):
    authority, officer = as_user("authority"), as_user("provider_officer")
    page = app.get(f"{EN}/govshare/obligations", headers=authority).body
    assert "Record a catalogue update" in page and world.requester_org["name"] in page
    bad = app.post(
        f"{EN}/govshare/obligations",
        data={
            "organization": world.provider["name"],
            "kind": "law_revised",
            "description": "条例修订",
        },
        headers=authority,
    )
    assert "is-invalid" in bad.body and "条例修订" in bad.body  # error shown, input kept
    sent = app.post(
        f"{EN}/govshare/obligations",
        data={
            "organization": world.provider["name"],
            "kind": "law_revised",
            "description": "条例修订",
            "effective_date": "2026-09-30",
        },
        headers=authority,
        follow_redirects=False,
    )
    url = sent.headers["Location"]
    page = app.get(url, headers=officer).body
    assert UPDATE_DUE[rule_profile] in page  # 10 or 15 working days (2025 art. 17; 2016 art. 8)
    assert world.conditional["id"] in page  # entries to pick
    assert "Report the catalogue updated" not in app.get(url, headers=authority).body
    done = app.post(
        url.rstrip("/") + "/discharge", data={"entries": [world.conditional["id"]]}, headers=officer
    )
    assert done.status_code == 200 and world.conditional["title"] in done.body
    # The member of another department sees neither the list entry nor the page.
    assert app.get(url, headers=as_user("requester"), status=403)

"""The usage-record, disposal and service-filing pages (2025 Regulations art. 27, 29), through
the web app as the users of the world."""

from __future__ import annotations

from typing import Any

import pytest

from ckanext.govshare.core import clock
from ckanext.govshare.tests.access_ui.conftest import as_user  # noqa: F401

from .conftest import World, end, obtain

pytestmark = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")

EN = "/en"


def test_the_grant_page_records_use_for_the_holder(app, world: World, as_user: Any) -> None:  # noqa: F811
    grant = obtain(world)
    url = f"{EN}/govshare/grants/{grant['id']}"
    holder = as_user("requester")
    page = app.get(url, headers=holder).body
    assert 'id="usage-records"' in page and "Record use" in page
    assert app.get(url.removeprefix(EN), headers=holder).status_code == 200  # zh_Hans_CN

    post = f"{EN}/govshare/grants/{grant['id']}/usage-records"
    bad = app.post(post, data={"kind": "gossip", "description": "x"}, headers=holder)
    assert bad.status_code == 200 and "Not one of the allowed values" in bad.body
    done = app.post(
        post, data={"kind": "process", "description": "按月比对登记信息"}, headers=holder
    )
    assert done.status_code == 200 and "按月比对登记信息" in done.body

    # The provider's officer reads them but does not record; provider staff see no panel.
    officer = app.get(url, headers=as_user("provider_officer")).body
    assert "按月比对登记信息" in officer and "Record use" not in officer
    assert (
        app.post(
            post, data={"kind": "process", "description": "x"}, headers=as_user("provider_officer")
        ).status_code
        == 403
    )
    assert app.post(post, data={"kind": "process", "description": "x"}).status_code == 403


def test_the_disposal_panel_of_an_ended_grant(app, world: World, as_user: Any) -> None:  # noqa: F811
    grant = end(world, obtain(world))
    url = f"{EN}/govshare/grants/{grant['id']}"
    officer = as_user("requester_officer")
    page = app.get(url, headers=officer).body
    assert 'id="grant-disposal"' in page and grant["disposal_due"] in page
    assert "Record the disposal" in page
    assert "Record the disposal" not in app.get(url, headers=as_user("requester")).body
    post = f"{EN}/govshare/grants/{grant['id']}/dispose"
    done = app.post(
        post, data={"method": "deleted", "description": "已删除全部副本"}, headers=officer
    )
    assert done.status_code == 200 and "已删除全部副本" in done.body
    assert "Record the disposal" not in done.body
    again = app.post(post, data={"method": "deleted", "description": "x"}, headers=officer)
    assert "already recorded" in again.body


def test_filing_from_the_entry_page_and_revoking_with_it(
    app,
    world: World,
    as_user: Any,  # noqa: F811
) -> None:
    grant = obtain(world)
    entry = f"{EN}/dataset/{world.unconditional['name']}"
    officer = as_user("provider_officer")
    assert "File the end or a change of the service" in app.get(entry, headers=officer).body
    assert "govshare-entry-filings" not in app.get(entry, headers=as_user("provider_staff")).body
    assert "govshare-entry-filings" not in app.get(entry, headers=as_user("requester")).body

    form_url = f"{EN}/govshare/filings/new?package_id={world.unconditional['name']}"
    assert app.get(form_url, headers=as_user("provider_staff"), status=403)
    page = app.get(form_url, headers=officer).body
    assert grant["id"] in page  # the current grants to tick
    form = {
        "kind": "end",
        "description": "系统下线",
        "consultation": "",
        "effective_date": clock.today().isoformat(),
    }
    bad = app.post(form_url, data=form, headers=officer)
    assert bad.status_code == 200 and "is-invalid" in bad.body and "系统下线" in bad.body
    form["consultation"] = "书面征求意见，无异议"
    sent = app.post(form_url, data=form, headers=officer, follow_redirects=False)
    assert sent.status_code == 302
    filing_id = sent.headers["Location"].rstrip("/").rsplit("/", 1)[-1]

    listed = app.get(f"{EN}/govshare/filings", headers=as_user("authority")).body
    assert filing_id in listed
    holder = app.get(f"{EN}/govshare/filings/{filing_id}", headers=as_user("requester")).body
    assert "书面征求意见，无异议" in holder
    assert app.get(f"{EN}/govshare/filings/{filing_id}", headers=as_user("other"), status=403)
    assert filing_id not in app.get(f"{EN}/govshare/filings", headers=as_user("other")).body

    grant_url = f"{EN}/govshare/grants/{grant['id']}"
    page = app.get(grant_url, headers=officer).body
    assert f'value="{filing_id}"' in page and 'name="misuse"' in page
    refused = app.post(f"{grant_url}/revoke", data={"reason": "系统下线"}, headers=officer)
    assert refused.status_code == 200 and "is-invalid" in refused.body
    revoked = app.post(
        f"{grant_url}/revoke", data={"reason": "系统下线", "filing_id": filing_id}, headers=officer
    )
    assert revoked.status_code == 200 and "Grant revoked" in revoked.body


def test_the_pages_call_the_actions(
    app,
    world: World,
    as_user: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The usage pages get everything from actions, with the names of docs/api.md."""
    import ckan.plugins.toolkit as tk

    calls: list[tuple[str, dict[str, Any]]] = []
    original = tk.get_action

    def get_action(name: str) -> Any:
        action = original(name)

        def spy(context: Any, data_dict: Any = None) -> Any:
            calls.append((name, dict(data_dict or {})))
            return action(context, data_dict)

        return spy

    monkeypatch.setattr(tk, "get_action", get_action)
    grant = obtain(world)
    holder = as_user("requester")
    app.get(f"{EN}/govshare/grants/{grant['id']}", headers=holder)
    assert ("govshare_usage_record_list", {"grant_id": grant["id"], "limit": 20}) in calls
    app.post(
        f"{EN}/govshare/grants/{grant['id']}/usage-records",
        data={"kind": "results", "description": "结果"},
        headers=holder,
    )
    assert (
        "govshare_usage_record_create",
        {"grant_id": grant["id"], "kind": "results", "description": "结果"},
    ) in calls
    app.get(f"{EN}/govshare/filings", query_string={"kind": "end"}, headers=holder)
    assert (
        "govshare_service_filing_list",
        {"kind": "end", "limit": 25, "offset": 0},
    ) in calls

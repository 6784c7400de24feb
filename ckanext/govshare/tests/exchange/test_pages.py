"""The batch exchange pages (issue 17, item 2): the list for both departments, a subscription's
page with its buttons, subscribing from the grant page; every page through the actions."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers

from ckanext.govshare.exchange import jobs, subscriptions
from ckanext.govshare.exchange.model import run_table
from ckanext.govshare.tests.exchange.sub_world import SubWorld, add_run, build

EN = "/en"


@pytest.fixture
def sw(module_world: Any) -> SubWorld:
    return module_world(build)


@pytest.fixture(autouse=True)
def _no_redis_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "_enqueue", lambda ids: None)


@pytest.fixture
def as_user(sw: SubWorld):
    """Request headers that log in as a user of the world (``None``: anonymous)."""
    tokens: dict[str, str] = {}

    def headers(who: str | None) -> dict[str, str]:
        if who is None:
            return {}
        if who not in tokens:
            tokens[who] = helpers.call_action(
                "api_token_create",
                context={"user": sw.world.users["sysadmin"]["name"], "ignore_auth": True},
                user=sw.world.users[who]["name"],
                name="exchange-ui",
            )["token"]
        return {"Authorization": tokens[who]}

    return headers


def test_the_list_shows_each_side_its_subscriptions(app, sw: SubWorld, as_user) -> None:
    sub = sw.subscribe()
    add_run(sub)
    url = f"{EN}/govshare/exchange"
    holder = app.get(url, headers=as_user("requester_officer")).body
    assert f"/govshare/exchange/subscriptions/{sub['id']}" in holder
    assert "companies" in holder and "Daily at 02:30" in holder and "10 rows" in holder
    assert "We receive" in holder and "We give" in holder
    theirs = app.get(url + "?direction=incoming", headers=as_user("requester_officer")).body
    assert sub["id"] not in theirs
    provider = app.get(url + "?direction=incoming", headers=as_user("provider_officer")).body
    assert sub["id"] in provider and sw.world.requester_org["title"] in provider
    # A link of the tabs' earlier name still opens the same tab.
    old = app.get(url + "?direction=provider", headers=as_user("provider_officer")).body
    assert sub["id"] in old
    # A member who is no data officer, and a third department's officer, see none of it.
    assert sub["id"] not in app.get(url, headers=as_user("requester")).body
    assert sub["id"] not in app.get(url, headers=as_user("other_officer")).body
    # In Chinese.
    chinese = app.get("/govshare/exchange", headers=as_user("requester_officer")).body
    assert "每天 02:30" in chinese
    # The header links to it for data officers.
    header = app.get(f"{EN}/dataset", headers=as_user("provider_officer")).body
    assert "/govshare/exchange" in header


def test_anonymous_visitors_log_in_and_outsiders_are_refused(app, sw: SubWorld, as_user) -> None:
    sub = sw.subscribe()
    page = f"/govshare/exchange/subscriptions/{sub['id']}"
    for url in ("/govshare/exchange", page, f"/govshare/exchange/subscribe/{sw.grant['id']}"):
        response = app.get(url, follow_redirects=False)
        assert response.status_code == 302 and "/user/login" in response.headers["Location"]
    assert app.get(page, headers=as_user("requester")).status_code == 403
    assert app.get(page, headers=as_user("other_officer")).status_code == 403
    assert app.get(page + "x", headers=as_user("sysadmin")).status_code == 404
    refused = app.post(page + "/run", headers=as_user("provider_officer"))
    assert refused.status_code == 403
    subscribe = f"/govshare/exchange/subscribe/{sw.grant['id']}"
    assert app.get(subscribe, headers=as_user("provider_officer")).status_code == 403


def test_the_subscription_page_shows_runs_and_buttons_to_the_holder(
    app, sw: SubWorld, as_user
) -> None:
    sub = sw.subscribe(target_id=sw.target2_id)
    add_run(sub)
    url = f"{EN}/govshare/exchange/subscriptions/{sub['id']}"
    page = app.get(url, headers=as_user("requester_officer")).body
    assert "postgresql://exchange@127.0.0.1/node" in page  # dsn_display, never the DSN
    assert "Run now" in page and "Stop" in page and "Delete" in page
    assert "abababababab" in page and "govshare-run-row" in page
    seen = app.get(url, headers=as_user("provider_officer")).body
    assert "govshare-run-row" in seen and "Run now" not in seen and "Delete" not in seen
    assert "Run now" not in app.get(url, headers=as_user("authority")).body


def test_run_stop_resume_change_and_delete_from_the_page(app, sw: SubWorld, as_user) -> None:
    sub = sw.subscribe()
    officer = as_user("requester_officer")
    url = f"{EN}/govshare/exchange/subscriptions/{sub['id']}"
    page = app.post(url + "/run", headers=officer).body
    assert "A run is queued." in page and "Queued" in page
    again = app.post(url + "/run", headers=officer)
    assert again.status_code == 200 and "already queued or running" in again.body
    page = app.post(url + "/stop", headers=officer).body
    assert "Stopped by the receiving department" in page and "Resume" in page
    assert subscriptions.load(sub["id"])["status"] == "stopped"
    app.post(url + "/resume", headers=officer)
    assert subscriptions.load(sub["id"])["status"] == "active"
    form = {
        "target_id": sw.target_id,
        "table": "Bad Name",
        "mode": "full",
        "schedule_kind": "hourly",
        "schedule_every": "4",
    }
    # A queued run blocks changing where the data goes, and deleting.
    busy = app.post(url + "/edit", data={**form, "table": "renamed"}, headers=officer).body
    assert "queued or running" in busy
    assert "queued or running" in app.post(url + "/delete", headers=officer).body
    model.Session.execute(sa.update(run_table).values(outcome="failed"))
    model.Session.commit()
    bad = app.post(url + "/edit", data=form, headers=officer).body
    assert "lowercase letters a-z" in bad and 'value="Bad Name"' in bad
    app.post(url + "/edit", data={**form, "table": "renamed"}, headers=officer)
    row = subscriptions.load(sub["id"])
    assert row["table_name"] == "renamed" and row["schedule"] == {"kind": "hourly", "every": 4}
    done = app.post(url + "/delete", headers=officer, follow_redirects=False)
    assert done.status_code == 302 and subscriptions.load(sub["id"]) is None


def test_subscribing_from_the_grant_page(app, sw: SubWorld, as_user) -> None:
    officer = as_user("requester_officer")
    grant_page = f"{EN}/govshare/grants/{sw.grant['id']}"
    page = app.get(grant_page, headers=officer).body
    assert "Batch exchange" in page and "govshare-subscribe-form" in page
    assert "node-a" in page and "node-b" in page and "provider-node" not in page
    # Not for the provider's officer, nor on a grant whose method is api.
    theirs = app.get(grant_page, headers=as_user("provider_officer")).body
    assert "govshare-grant-exchange" not in theirs  # no subscription yet, no form
    api_page = app.get(f"{EN}/govshare/grants/{sw.api_grant['id']}", headers=officer).body
    assert "govshare-grant-exchange" not in api_page
    url = f"{EN}/govshare/exchange/subscribe/{sw.grant['id']}"
    form = {
        "resource_id": sw.resource_id,
        "target_id": sw.target_id,
        "table": "pg_x",
        "mode": "full",
        "schedule_kind": "daily",
        "schedule_at": "03:15",
    }
    bad = app.post(url, data=form, headers=officer)
    assert bad.status_code == 200 and "pg_" in bad.body and "govshare-form-errors" in bad.body
    done = app.post(
        url, data={**form, "table": "from_page"}, headers=officer, follow_redirects=False
    )
    assert done.status_code == 302
    created = done.headers["Location"].rsplit("/", 1)[-1]
    row = subscriptions.load(created)
    assert row["table_name"] == "from_page" and row["schedule"] == {"kind": "daily", "at": "03:15"}
    # The grant page lists it, for the provider's officer too.
    assert "from_page" in app.get(grant_page, headers=as_user("provider_officer")).body

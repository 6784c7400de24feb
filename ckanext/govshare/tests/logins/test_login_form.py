"""Login throttling through CKAN's own login form (``POST /user/login``), counted in Redis."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories

from ckanext.govshare.audit.model import event_table
from ckanext.govshare.tests.db import reset_audit

from ..audit.conftest import events

pytestmark = [
    pytest.mark.usefixtures("audit_db"),
    pytest.mark.ckan_config("ckanext.govshare.login.max_failures", 3),
    pytest.mark.ckan_config("ckanext.govshare.login.max_failures_per_address", 5),
    pytest.mark.ckan_config("ckanext.govshare.login.window", 60),
    pytest.mark.ckan_config("ckanext.govshare.login.lock_seconds", 120),
]

PASSWORD = "correct horse battery"
LOCKED_EN = "Too many failed logins"
LOCKED_ZH = "登录失败次数过多"


def login(
    app: Any, name: str, password: str, address: str = "192.0.2.10", path: str = "/user/login"
) -> Any:
    # A client of its own: no session cookie of an earlier login (CKAN 2.12's test app keeps
    # one client for every request of a test).
    return app.test_client().post(
        path,
        data={"login": name, "password": password},
        environ_overrides={"REMOTE_ADDR": address},
        follow_redirects=False,
    )


def logged_in(response: Any) -> bool:
    """CKAN answers a successful login with a redirect (to the dashboard)."""
    return response.status_code == 302


def test_n_failures_lock_the_account_even_for_the_right_password(app, clock):
    from ckanext.govshare.logins import service

    assert service.throttle().policy.max_failures == 3  # the configured policy is in force
    user = factories.User(password=PASSWORD)
    reset_audit()
    for _ in range(3):
        failed = login(app, user["name"], "wrong")
        assert failed.status_code == 200 and LOCKED_ZH not in failed.body
    refused = login(app, user["name"], PASSWORD)
    assert refused.status_code == 429 and not logged_in(refused)
    assert LOCKED_ZH in refused.body and "2分钟" in refused.body  # the site's language
    english = login(app, user["name"], PASSWORD, path="/en/user/login")
    assert english.status_code == 429
    assert LOCKED_EN in english.body and "2 minute" in english.body
    assert 0 < int(refused.headers["Retry-After"]) <= 120
    # By e-mail address too: the same account.
    assert login(app, user["email"], PASSWORD).status_code == 429
    # The failures one by one, the lock once; the refused attempts are not counted as failures.
    assert sorted(e["action"] for e in events()) == ["user_login_failed"] * 3 + [
        "user_login_locked"
    ]
    (lock,) = events(action="user_login_locked")
    assert (lock["object_type"], lock["object_id"], lock["outcome"]) == (
        "user",
        user["id"],
        "refused",
    )
    assert lock["detail"]["scope"] == "account" and lock["detail"]["failures"] == 3
    assert lock["detail"]["shared_counts"] is True  # counted in Redis
    assert PASSWORD not in str(events())
    # After the cooling period the right password gets in again.
    clock.advance(121)
    assert logged_in(login(app, user["name"], PASSWORD))
    assert events()[-1]["action"] == "user_login"


def test_failures_from_one_address_lock_that_address(app, clock):
    victim = factories.User(password=PASSWORD)
    reset_audit()
    for i in range(5):
        login(app, f"no-such-user-{i}", "guess", address="198.51.100.23")
    refused = login(app, victim["name"], PASSWORD, address="198.51.100.23")
    assert refused.status_code == 429 and LOCKED_ZH in refused.body
    # The account itself is not locked: from another address it logs in.
    assert logged_in(login(app, victim["name"], PASSWORD, address="198.51.100.99"))
    (lock,) = events(action="user_login_locked")
    assert (lock["object_type"], lock["object_id"], lock["detail"]["scope"]) == (
        "client_address",
        "198.51.100.23",
        "address",
    )
    clock.advance(121)
    assert logged_in(login(app, victim["name"], PASSWORD, address="198.51.100.23"))


def test_a_successful_login_starts_the_account_afresh(app, clock):
    user = factories.User(password=PASSWORD)
    for _ in range(2):
        login(app, user["name"], "wrong")
    assert logged_in(login(app, user["name"], PASSWORD))
    for _ in range(2):
        login(app, user["name"], "wrong")
    assert logged_in(login(app, user["name"], PASSWORD))  # 2 + 2 failures, never 3 in a row


def test_an_unknown_login_is_locked_like_a_real_one(app, clock):
    """A lock tells nothing about which accounts exist."""
    for _ in range(3):
        login(app, "nobody-here", "guess", address="192.0.2.50")
    refused = login(app, "nobody-here", "guess", address="192.0.2.51")
    assert refused.status_code == 429 and LOCKED_ZH in refused.body


def test_the_login_page_itself_is_never_refused(app, clock):
    for i in range(5):
        login(app, f"x{i}", "guess")
    assert (
        app.get("/user/login", environ_overrides={"REMOTE_ADDR": "192.0.2.10"}).status_code == 200
    )


def test_no_lock_event_is_written_outside_the_chain(app, clock):
    """Lock events are ordinary chain events (verify still passes)."""
    from ckan import model

    from ckanext.govshare.audit import chain

    for _ in range(3):
        login(app, "someone", "guess")
    with model.meta.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(event_table.select())]
    assert chain.verify(rows).ok

"""``ckan govshare remind``: reminders, overdue flags, expiry, retries; twice sends nothing new.

Dates are on the 2026 calendar of workflows.md: 10 working days from Monday 2026-09-28 end on
Friday 2026-10-16 (National Day holiday off, Saturday 2026-10-10 worked).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.cli.cli
import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.access.model import grant_table, request_table
from ckanext.govshare.audit.model import event_table as audit_table
from ckanext.govshare.reminders import scheduler
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

from .conftest import add_event, make_grant, make_request, notices, row

# The deadlines and overdue flags under both rule profiles (issue 18, item 11): the texts
# agree on these (10 working days for a conditional request; a grant ends with its period).
pytestmark = pytest.mark.usefixtures("rule_profile")

DUE = dt.date(2026, 10, 16)


def run(cli: Any, today: str, *extra: str) -> str:
    """A pass as the command makes it, in this process (keeping the test's SMTP settings,
    which invoking the command would reload from the config file); its summary's lines."""
    summary = scheduler.run(today=dt.date.fromisoformat(today), dry_run="--dry-run" in extra)
    assert not summary.get("errors"), summary
    return "\n".join(summary.lines())


def audit(action: str, object_id: str) -> list[dict[str, Any]]:
    c = audit_table.c
    with model.meta.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_table).where(c.action == action, c.object_id == object_id)
        )
        return [dict(r._mapping) for r in rows]


def test_officers_are_reminded_before_the_due_date_once(cli, people, smtp):
    request_id = make_request(people, due_date=DUE)
    # Tuesday 13 October: 3 working days left, more than the 2 of the default.
    run(cli, "2026-10-13")
    assert notices(kind="request_due_soon") == []
    # Wednesday 14 October: 2 working days left.
    output = run(cli, "2026-10-14")
    assert "notices request_due_soon: " in output
    (notice,) = [
        n for n in notices(kind="request_due_soon") if n["user_id"] == people["officer"]["id"]
    ]
    assert notice["key"] == f"due_soon:{request_id}:2026-10-16"
    assert notice["params"]["workdays_left"] == 2
    assert "2026-10-16" in notice["body"]
    assert {n["user_id"] for n in notices()}.isdisjoint(
        {people["clerk"]["id"], people["requester"]["id"]}
    )
    sent, queued = len(smtp.messages), len(notices())
    assert len(smtp.to("officer@example.org")) == 1
    # Again that day and the next: nothing new.
    run(cli, "2026-10-14")
    run(cli, "2026-10-15")
    assert (len(smtp.messages), len(notices())) == (sent, queued)


def test_overdue_requests_are_flagged_once_and_reported(cli, people, smtp):
    request_id = make_request(people, due_date=DUE)
    answered = make_request(people, due_date=DUE, status="approved")
    run(cli, "2026-10-16")  # the due date itself: not overdue yet
    assert row(request_table, request_id)["overdue_since"] is None
    output = run(cli, "2026-10-19")
    assert "requests marked overdue: 1" in output
    assert row(request_table, request_id)["overdue_since"] == dt.date(2026, 10, 17)
    assert row(request_table, answered)["overdue_since"] is None
    told = {n["user_id"] for n in notices(kind="request_overdue")}
    for who in ("officer", "requester", "colleague", "authority"):
        assert people[who]["id"] in told, who
    assert people["clerk"]["id"] not in told and people["outsider"]["id"] not in told
    (event,) = audit("govshare_request_overdue", request_id)
    assert (event["actor_name"], event["object_id"]) == ("system", request_id)
    assert event["object_department"] == people["provider"]["id"]
    assert event["detail"]["due_date"] == "2026-10-16"
    # Run twice (and later): no second flag, event or email.
    sent = len(smtp.messages)
    assert sent >= 4
    output = run(cli, "2026-10-19")
    run(cli, "2026-10-20")
    assert "overdue" not in output
    assert len(audit("govshare_request_overdue", request_id)) == 1
    assert len(smtp.messages) == sent
    assert row(request_table, request_id)["overdue_since"] == dt.date(2026, 10, 17)


#: When the holder of a grant that expired on Saturday 2026-10-17 must have disposed of its
#: data: 10 working days later under the 2025 Regulations (art. 27); no such record in 2016.
DISPOSAL_DUE = {"regulation-2025": dt.date(2026, 10, 30), "measures-2016": None}


def test_grant_holders_are_warned_and_the_grant_expires(
    cli,
    people,
    smtp,
    rule_profile: str,  # noqa: F811
):
    grant_id = make_grant(people, period_start=dt.date(2026, 1, 1), period_end=DUE)
    # Friday 9 October: 6 working days left (Saturday 10 October is worked).
    run(cli, "2026-10-09")
    assert notices(kind="grant_expiring") == []
    run(cli, "2026-10-12")
    warned = {n["user_id"] for n in notices(kind="grant_expiring")}
    assert {people["requester"]["id"], people["colleague"]["id"]} <= warned
    assert people["officer"]["id"] not in warned
    assert len(smtp.to("requester@example.org")) == 1
    # The last day is still the grant's.
    run(cli, "2026-10-16")
    assert row(grant_table, grant_id)["status"] == "active"
    output = run(cli, "2026-10-17")
    assert "grants expired: 1" in output
    grant = row(grant_table, grant_id)
    assert grant["status"] == "expired" and grant["expired_at"] is not None
    assert grant["disposal_due"] == DISPOSAL_DUE[rule_profile]
    assert len(audit("govshare_grant_expire", grant_id)) == 1
    ended = {n["user_id"] for n in notices(kind="grant_expired")}
    assert people["requester"]["id"] in ended
    assert len(smtp.to("requester@example.org")) == 2
    # Nothing twice.
    run(cli, "2026-10-17")
    run(cli, "2026-10-18")
    assert len(audit("govshare_grant_expire", grant_id)) == 1
    assert len(smtp.to("requester@example.org")) == 2


def test_stale_returned_and_outdated_requests_expire(cli, people, smtp):
    returned_at = dt.datetime(2026, 9, 1, 2, 0, tzinfo=dt.timezone.utc)  # 10:00 in Beijing
    stale = make_request(people, status="returned", due_date=None, remaining_workdays=5)
    add_event(stale, "returned", returned_at)
    fresh = make_request(people, status="returned", due_date=None, remaining_workdays=5)
    add_event(fresh, "returned", dt.datetime(2026, 10, 12, 2, 0, tzinfo=dt.timezone.utc))
    outdated = make_request(people, due_date=DUE, period_end=dt.date(2026, 10, 18))
    output = run(cli, "2026-10-19")
    assert "requests expired: 2" in output
    assert row(request_table, stale)["status"] == "expired"
    assert row(request_table, outdated)["status"] == "expired"
    assert row(request_table, fresh)["status"] == "returned"
    expired = notices(kind="request_expired")
    assert {n["params"]["request_id"] for n in expired} == {stale, outdated}
    assert people["requester"]["id"] in {n["user_id"] for n in expired}
    assert "20" in next(n for n in expired if n["params"]["request_id"] == stale)["body"]
    sent = len(smtp.messages)
    run(cli, "2026-10-19")
    assert len(smtp.messages) == sent


def test_dry_run_changes_and_sends_nothing(cli, people, smtp):
    before = notices()  # the world's own (under 2025, its entry's review and announcement)
    request_id = make_request(people, due_date=DUE)
    grant_id = make_grant(people, period_start=dt.date(2026, 1, 1), period_end=DUE)
    result = cli.invoke(
        ckan.cli.cli.ckan, ["govshare", "remind", "--today", "2026-10-19", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    output = result.output
    assert "Dry run, nothing changed (2026-10-19):" in output
    assert "requests marked overdue: 1" in output and "grants expired: 1" in output
    assert row(request_table, request_id)["overdue_since"] is None
    assert row(grant_table, grant_id)["status"] == "active"
    assert notices() == before and smtp.messages == []
    assert audit("govshare_request_overdue", request_id) == []


def test_failed_emails_are_retried_once(cli, people, no_smtp, monkeypatch, ckan_config):
    make_request(people, due_date=DUE)
    run(cli, "2026-10-14")
    failed = [n for n in notices() if n["email_error"]]
    assert failed and all(n["emailed_at"] is None for n in failed)
    from aiosmtpd.controller import Controller

    from .conftest import Mailbox, _free_port

    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{port}")
        monkeypatch.setattr(scheduler, "RETRY_AFTER", dt.timedelta(0))
        output = run(cli, "2026-10-14")
        assert "emails retried sent: " in output
        run(cli, "2026-10-14")
    finally:
        controller.stop()
    with_address = [n for n in failed if n["email_error"] != "no email address"]
    assert len(mailbox.messages) == len(with_address)
    assert all(n["emailed_at"] for n in notices() if n["id"] in {f["id"] for f in with_address})


def test_a_second_concurrent_run_does_nothing(cli, people):
    before = notices()
    make_request(people, due_date=DUE)
    with model.meta.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": scheduler.LOCK_KEY})
        try:
            result = cli.invoke(ckan.cli.cli.ckan, ["govshare", "remind", "--today", "2026-10-19"])
            output = result.output
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": scheduler.LOCK_KEY})
    assert "another `ckan govshare remind` is running" in output
    assert notices() == before

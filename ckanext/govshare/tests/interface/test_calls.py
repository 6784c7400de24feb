"""The call log (issue 16, item 7): a row for every call, refused calls included, with the
client's address behind the trusted proxies; refused calls audited one by one, answered calls
chained by a digest a minute (``ckan govshare remind``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.audit import archive
from ckanext.govshare.core import clock
from ckanext.govshare.interface import calls as call_log
from ckanext.govshare.interface import reminders
from ckanext.govshare.interface.model import call_table
from ckanext.govshare.interface.rules import minute_key
from ckanext.govshare.reminders import scheduler
from ckanext.govshare.tests.interface.conftest import GRANTED, IWorld, calls, events


def _get(app: Any, iw: IWorld, headers: dict[str, str], **params: Any) -> Any:
    return app.get(f"/govshare/query/{iw.resource_id}", query_string=params, headers=headers)


def test_every_call_is_a_row_refused_ones_included(app: Any, iw: IWorld, bearer: Any) -> None:
    token = iw.token()
    before = len(calls())
    events_before = len(events(outcome="refused"))
    _get(app, iw, bearer(token), fields="credit_code")  # answered
    _get(app, iw, bearer(token), fields="注册资本")  # column not granted
    _get(app, iw, {})  # no token
    _get(app, iw, bearer("gsd_" + "y" * 43))  # unknown token
    app.post(
        f"/govshare/verify/{iw.resource_id}",
        json={"match_on": {"credit_code": "x"}, "check": {"企业名称": "y"}},
        headers=bearer(iw.token(iw.verify_grant)),
    )
    rows = calls()[before:]
    assert [(r["method"], r["outcome"], r["reason"], r["status_code"]) for r in rows] == [
        ("query", "answered", None, 200),
        ("query", "refused", "column_not_granted", 403),
        ("query", "refused", "missing_token", 401),
        ("query", "refused", "unknown", 403),
        ("verify", "answered", None, 200),
    ]
    answered, refused = rows[0], rows[1]
    assert answered["fields"] == ["credit_code"]
    assert answered["rows"] == 25
    assert answered["token_id"] is not None
    assert answered["user_id"] == iw.world.users["requester"]["id"]
    assert answered["organization_id"] == iw.world.requester_org["id"]
    assert refused["fields"] == ["注册资本"]
    assert refused["grant_id"] == iw.grant["id"]
    assert all(r["resource_id"] == iw.resource_id for r in rows)
    assert all(r["milliseconds"] is not None for r in rows)
    # the three refused calls, audited one by one
    audited = events(outcome="refused")[events_before:]
    assert [e["detail"]["reason"] for e in audited] == [
        "column_not_granted",
        "missing_token",
        "unknown",
    ]
    assert [e["detail"]["call_id"] for e in audited] == [r["id"] for r in rows[1:4]]
    assert audited[0]["object_department"] == iw.world.provider["id"]


@pytest.mark.ckan_config("ckanext.govshare.login.trusted_proxies", 1)
def test_the_clients_address_behind_the_trusted_proxy(app: Any, iw: IWorld, bearer: Any) -> None:
    _get(
        app,
        iw,
        {**bearer(iw.token()), "X-Forwarded-For": "203.0.113.9, 198.51.100.7"},
        fields="credit_code",
    )
    assert calls()[-1]["client_address"] == "198.51.100.7"


def test_record_refuses_an_unknown_method_or_outcome(iw: IWorld) -> None:
    with pytest.raises(ValueError):
        call_log.record(method="scrape", resource_id="r", outcome="answered", status_code=200)
    with pytest.raises(ValueError):
        call_log.record(method="query", resource_id="r", outcome="maybe", status_code=200)
    model.Session.rollback()


def test_record_keeps_a_download_row_for_the_downloads(iw: IWorld) -> None:
    call_id = call_log.record(
        method="download",
        resource_id=iw.resource_id,
        outcome="answered",
        status_code=200,
        fields=GRANTED,
        rows=25,
        grant_id=iw.grant["id"],
        client_address="x" * 1000,  # bounded
    )
    model.Session.commit()
    row = calls(id=call_id)[0]
    assert (row["method"], row["rows"], row["fields"]) == ("download", 25, GRANTED)
    assert len(row["client_address"]) == 200


# ---------------------------------------------------------------------------- the digest


def _calls_at(moment: dt.datetime, n: int, iw: IWorld) -> list[int]:
    ids = [
        call_log.record(
            method="query",
            resource_id=iw.resource_id,
            outcome="answered" if i % 4 else "refused",
            reason=None if i % 4 else "quota_exceeded",
            status_code=200 if i % 4 else 429,
            fields=GRANTED,
            rows=i,
            time=moment + dt.timedelta(seconds=i),
        )
        for i in range(n)
    ]
    model.Session.commit()
    return ids


def test_a_digest_a_minute_chains_the_answered_calls(iw: IWorld) -> None:
    minute = clock.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=10)
    _calls_at(minute, 8, iw)
    _calls_at(minute + dt.timedelta(minutes=1), 3, iw)
    key = minute_key(minute)
    following = minute_key(minute + dt.timedelta(minutes=1))
    due = reminders.minutes_due()
    assert {key, following} <= set(due)
    summary = scheduler.Reminder(clock.today())
    summary.step(scheduler.API_CALLS_DIGESTED)
    assert summary.summary["api call minutes digested"] >= 2
    event = events(action=reminders.DIGEST, object_id=key)[-1]
    assert event["detail"]["count"] == 8
    assert (event["detail"]["answered"], event["detail"]["refused"]) == (6, 2)
    assert len(event["detail"]["sha256"]) == 64
    assert reminders.check(key) is True
    # a second pass digests nothing again
    assert key not in reminders.minutes_due()
    assert reminders.write_digest(key) is None
    assert len(events(action=reminders.DIGEST, object_id=key)) == 1


def test_a_row_changed_afterwards_no_longer_matches_its_digest(iw: IWorld) -> None:
    minute = clock.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=20)
    ids = _calls_at(minute, 4, iw)
    key = minute_key(minute)
    reminders.write_digest(key)
    model.Session.commit()
    assert reminders.check(key) is True
    model.Session.execute(sa.update(call_table).where(call_table.c.id == ids[2]).values(rows=999))
    model.Session.commit()
    assert reminders.check(key) is False
    assert reminders.check(minute_key(minute - dt.timedelta(hours=5))) is None


def test_a_minute_not_over_yet_waits(iw: IWorld) -> None:
    now = clock.now()
    _calls_at(now - dt.timedelta(seconds=30), 1, iw)
    assert minute_key(now) not in reminders.minutes_due()
    assert minute_key(now - dt.timedelta(seconds=30)) not in reminders.minutes_due()


def test_the_chain_verifies_with_digests_in_it(iw: IWorld) -> None:
    minute = clock.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=30)
    _calls_at(minute, 2, iw)
    reminders.write_digest(minute_key(minute))
    model.Session.commit()
    with model.meta.engine.connect() as conn:
        result, _ = archive.verify_all(conn)
    assert result.ok, result.reason
    assert result.count > 0

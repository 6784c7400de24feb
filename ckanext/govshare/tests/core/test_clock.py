"""The platform's clock: moments in UTC, days in the platform's timezone (issue 15)."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.govshare.core import clock


def test_now_is_an_aware_moment_in_utc():
    moment = clock.now()
    assert moment.utcoffset() == dt.timedelta(0)
    assert abs(moment - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(seconds=5)


def test_local_dates_are_beijing_dates():
    late = dt.datetime(2026, 9, 30, 23, 30, tzinfo=dt.timezone.utc)
    assert clock.local_date(late) == dt.date(2026, 10, 1)
    assert clock.local_date(late.replace(tzinfo=None)) == dt.date(2026, 10, 1)
    assert clock.local_date(dt.datetime(2026, 9, 30, 15, 59, tzinfo=dt.timezone.utc)) == (
        dt.date(2026, 9, 30)
    )


@pytest.mark.ckan_config("ckanext.govshare.timezone", "UTC")
def test_the_timezone_is_configurable():
    late = dt.datetime(2026, 9, 30, 23, 30, tzinfo=dt.timezone.utc)
    assert str(clock.timezone()) == "UTC"
    assert clock.local_date(late) == dt.date(2026, 9, 30)


def test_today_follows_a_pinned_now(monkeypatch: pytest.MonkeyPatch):
    """One place to pin the time: ``today`` is the platform's day of ``now``."""
    moment = dt.datetime(2026, 9, 30, 16, 0, tzinfo=dt.timezone.utc)
    monkeypatch.setattr(clock, "now", lambda: moment)
    assert clock.today() == dt.date(2026, 10, 1)

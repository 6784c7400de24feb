"""Values as the API gives them: one rule for every answer (issue 15)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from ckanext.govshare.core import serialise

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_times_are_utc_iso_and_dates_iso():
    moment = dt.datetime(2026, 10, 1, 8, 0, tzinfo=BEIJING)
    assert serialise.plain(moment) == "2026-10-01T00:00:00+00:00"
    assert serialise.plain(dt.date(2026, 10, 1)) == "2026-10-01"
    assert serialise.plain(7) == 7


def test_rows_and_nested_values():
    row = {"day": dt.date(2026, 10, 1), "n": 1}
    assert serialise.plain_row(row) == {"day": "2026-10-01", "n": 1}
    assert serialise.plain_row(None) == {}
    nested = {1: [dt.date(2026, 1, 2), ({"at": dt.date(2026, 1, 3)},)]}
    assert serialise.plain_all(nested) == {"1": ["2026-01-02", [{"at": "2026-01-03"}]]}


def test_a_label_is_in_both_languages():
    assert serialise.label("Active", "有效") == {"en": "Active", "zh_Hans_CN": "有效"}

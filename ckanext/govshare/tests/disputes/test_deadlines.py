"""Deadlines across the holidays of 2026 and 2027 (issue 18, items 8 and 11).

Error checks are due in 10 working days under the 2025 Regulations (art. 26) and in 5 under
the 2016 Measures (art. 15). Requests, extensions (art. 21) and deliveries (art. 22) count
working days on the platform's calendar: 2026 from the holidays library, 2027 loaded from
``docs/calendar-2027.csv`` with ``ckan govshare calendar load``, as an operator does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ckan.cli.cli
import pytest

from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

from .conftest import World, request_form

pytestmark = pytest.mark.usefixtures("with_request_context")
REGULATION = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
CALENDAR_2027 = Path(__file__).parents[4] / "docs" / "calendar-2027.csv"


def _at(day: str, hour: int = 10) -> dt.datetime:
    """``hour`` o'clock in Beijing (UTC+8) on ``day``, as the platform's clock gives it."""
    local = dt.datetime.fromisoformat(day).replace(hour=hour)
    return (local - dt.timedelta(hours=8)).replace(tzinfo=dt.timezone.utc)


def _load_2027(cli: Any) -> None:
    result = cli.invoke(ckan.cli.cli.ckan, ["govshare", "calendar", "load", str(CALENDAR_2027)])
    assert result.exit_code == 0, result.output
    assert "Loaded 13 days for 2027" in result.output


# ---------------------------------------------------------------------------- error checks


def test_an_error_check_is_due_in_the_profiles_working_days(
    world: World,
    frozen: Any,
    rule_profile: str,  # noqa: F811
):
    # Monday 28 September 2026, before National Day (1-7 October off, Saturday 10 worked).
    frozen(_at("2026-09-28"))
    entry = world.conditional
    feedback = world.call(
        "requester",
        "govshare_feedback_create",
        package_id=entry["name"],
        resource_id=entry["resources"][0]["id"],
        data_item="法定代表人",
        kind="error",
        description="法定代表人与工商登记不一致",
    )
    expected = {"regulation-2025": "2026-10-16", "measures-2016": "2026-10-10"}[rule_profile]
    assert feedback["due_date"] == expected
    shown = world.call("provider_officer", "govshare_feedback_show", id=feedback["id"])
    assert shown["due_date"] == expected


# ---------------------------------------------------------------------------- 2027


@REGULATION
def test_the_2027_calendar_loads_from_its_csv(world: World, cli: Any):
    before = world.call("sysadmin", "govshare_calendar_show", year=2027)
    assert before["provisional"] is True
    _load_2027(cli)
    after = world.call("sysadmin", "govshare_calendar_show", year=2027)
    assert after["provisional"] is False
    loaded = {d["day"]: d for d in after["days"] if d["source"] == "table"}
    assert sorted(loaded) == [
        "2027-01-01",
        "2027-02-05",
        "2027-02-06",
        "2027-02-07",
        "2027-02-08",
        "2027-04-05",
        "2027-05-01",
        "2027-05-02",
        "2027-06-09",
        "2027-09-15",
        "2027-10-01",
        "2027-10-02",
        "2027-10-03",
    ]
    assert all(not d["is_workday"] for d in loaded.values())
    # Loading the same file again changes no day.
    _load_2027(cli)
    again = world.call("sysadmin", "govshare_calendar_show", year=2027)["days"]
    assert [_day(d) for d in again] == [_day(d) for d in after["days"]]


def _day(day: dict[str, Any]) -> tuple[Any, ...]:
    return day["day"], day["is_workday"], day["name"], day["source"], day["note"]


@REGULATION
@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        # Wednesday 30 December 2026: 31 December, then New Year's Day off.
        ("2026-12-30", "2027-01-14"),
        # Wednesday 3 February 2027: Spring Festival 5-8 February off.
        ("2027-02-03", "2027-02-19"),
        # Thursday 1 April 2027: Qingming, Monday 5 April, off.
        ("2027-04-01", "2027-04-16"),
    ],
)
def test_request_due_dates_across_the_2027_holidays(
    world: World, frozen: Any, cli: Any, submitted: str, due: str
):
    _load_2027(cli)
    frozen(_at(submitted))
    request = world.call("requester_officer", "govshare_request_create", **request_form(world))
    assert request["status"] == "submitted"
    assert request["due_date"] == due
    # A request sent after office hours still counts from its local date.
    frozen(_at(submitted, hour=23))
    # One open request per entry and department (issue 19, item 3): the first is withdrawn.
    world.call("requester_officer", "govshare_request_withdraw", id=request["id"])
    late = world.call("requester_officer", "govshare_request_create", **request_form(world))
    assert late["due_date"] == due


@REGULATION
def test_an_extension_across_national_day_2026(world: World, frozen: Any):
    # Monday 21 September 2026: Mid-Autumn 25-27 September, National Day 1-7 October off.
    frozen(_at("2026-09-21"))
    request = world.call("requester_officer", "govshare_request_create", **request_form(world))
    assert request["due_date"] == "2026-10-12"
    frozen(_at("2026-09-29"))
    asked = world.call(
        "provider_officer", "govshare_request_extend", id=request["id"], days=5, reason="数据核对"
    )
    decided = world.call(
        "authority", "govshare_extension_decide", id=asked["id"], decision="approve"
    )
    assert decided["due_before"] == "2026-10-12"
    assert decided["due_after"] == "2026-10-19"
    shown = world.call("requester", "govshare_request_show", id=request["id"])
    assert shown["due_date"] == "2026-10-19"


@REGULATION
def test_a_delivery_deadline_across_national_day_2026(world: World, frozen: Any):
    frozen(_at("2026-09-25"))
    request = world.call("requester_officer", "govshare_request_create", **request_form(world))
    # Approved Monday 28 September: 20 working days, National Day off, Saturday 10 worked.
    frozen(_at("2026-09-28"))
    approved = world.call(
        "provider_officer", "govshare_request_decide", id=request["id"], decision="approve"
    )
    assert approved["grant"]["delivery_due"] == "2026-10-30"

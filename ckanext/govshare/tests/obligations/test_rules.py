"""The catalogue-obligation rules (art. 8), without a database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from ckanext.govshare.obligations import rules
from ckanext.govshare.workdays import WorkCalendar

pytestmark = pytest.mark.unit

D = dt.date


@dataclass
class Who:
    sysadmin: bool = False
    authority: bool = False
    orgs: set[str] = field(default_factory=set)
    officer_of: set[str] = field(default_factory=set)


OBLIGATION = {"organization_id": "dept", "state": "open", "due_date": D(2026, 10, 27)}


def test_due_fifteen_working_days_after_the_change_across_national_day():
    # Effective Wednesday 2026-09-30; 1-7 October off, Saturday 10 October worked. Working
    # days: Oct 8, 9, 10, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27 — the 15th is
    # Tuesday 2026-10-27 (counted by hand).
    assert rules.due_date(D(2026, 9, 30), 15, WorkCalendar()) == D(2026, 10, 27)
    # The default of 15 is declared (tests/core/test_config.py).
    assert rules.deadline_days(10) == 10
    with pytest.raises(ValueError):
        rules.deadline_days(0)


@pytest.mark.parametrize(
    ("who", "creates", "discharges", "sees"),
    [
        (Who(orgs={"dept"}, officer_of={"dept"}), True, True, True),  # its data officer
        (Who(orgs={"dept"}), False, False, True),  # its other members
        (Who(orgs={"authority"}, authority=True), True, False, True),  # sharing authority
        (Who(sysadmin=True), True, True, True),
        (Who(orgs={"other"}, officer_of={"other"}), False, False, False),  # another dept
        (Who(), False, False, False),
    ],
)
def test_who_records_discharges_and_sees(who, creates, discharges, sees):
    assert rules.may_create(who, "dept") is creates
    assert rules.may_discharge(who, OBLIGATION) is discharges
    assert rules.may_see(who, OBLIGATION) is sees


def test_discharge_lists_entries_of_the_department_only():
    assert rules.check_discharge(OBLIGATION, ["a"], ["a", "b"]) == {}
    assert set(rules.check_discharge(OBLIGATION, [], ["a"])) == {"entries"}
    errors = rules.check_discharge(OBLIGATION, ["a", "x"], ["a"])
    assert "x" in errors["entries"][0] and " | " in errors["entries"][0]
    assert set(rules.check_discharge({**OBLIGATION, "state": "discharged"}, ["a"], ["a"])) == {"id"}


def test_late_means_discharged_after_the_due_date_or_still_open_after_it():
    assert not rules.is_late(OBLIGATION, D(2026, 10, 27), None)
    assert rules.is_late(OBLIGATION, D(2026, 10, 28), None)
    done = {**OBLIGATION, "state": "discharged"}
    assert rules.is_late(done, D(2027, 1, 1), D(2026, 10, 28))
    assert not rules.is_late(done, D(2027, 1, 1), D(2026, 10, 20))

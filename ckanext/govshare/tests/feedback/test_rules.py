"""The feedback rules (art. 15), without a database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from ckanext.govshare.feedback import rules
from ckanext.govshare.workdays import WorkCalendar

pytestmark = pytest.mark.unit

D = dt.date
ENTRY = {
    "id": "e1",
    "owner_org": "provider",
    "resources": [{"id": "r1"}, {"id": "r2"}],
    "data_items": [{"name": "统一社会信用代码"}, {"name": "法定代表人"}],
}


@dataclass
class Who:
    sysadmin: bool = False
    authority: bool = False
    orgs: set[str] = field(default_factory=set)
    officer_of: set[str] = field(default_factory=set)


FEEDBACK = {"organization_id": "reporter", "provider_org_id": "provider", "state": "open"}


def test_the_due_date_counts_working_days_across_national_day():
    # Made on Wednesday 2026-09-30: 1-7 October are the National Day holiday, Saturday
    # 10 October is worked (调休). Five working days: 8 Oct (1), 9 Oct (2), Sat 10 Oct (3),
    # Mon 12 Oct (4), Tue 13 Oct (5) — due Tuesday 2026-10-13 (counted by hand).
    assert rules.due_date(D(2026, 9, 30), 5, WorkCalendar()) == D(2026, 10, 13)


# The default of five and a value that is no number: the declaration (tests/core/test_config.py).
@pytest.mark.parametrize(("value", "days"), [(3, 3), (10, 10)])
def test_the_deadline_is_configurable(value, days):
    assert rules.deadline_days(value) == days


@pytest.mark.parametrize("value", [0, -1])
def test_a_deadline_below_one_working_day_is_a_configuration_error(value):
    with pytest.raises(ValueError):
        rules.deadline_days(value)


def test_the_resource_and_data_item_must_belong_to_the_entry():
    assert rules.check_target(ENTRY, "r2", "法定代表人") == {}
    assert rules.check_target(ENTRY, None, None) == {}
    errors = rules.check_target(ENTRY, "other-resource", "住所")
    assert set(errors) == {"resource_id", "data_item"}
    for messages in errors.values():
        en, zh = messages[0].split(" | ")
        assert en and zh


@pytest.mark.parametrize(
    ("who", "sees", "resolves"),
    [
        (Who(orgs={"reporter"}), True, False),  # the reporting department
        (Who(orgs={"provider"}, officer_of={"provider"}), True, True),  # provider's officer
        (Who(orgs={"provider"}), False, False),  # provider's other staff
        (Who(orgs={"authority"}, authority=True), True, False),  # sharing authority
        (Who(sysadmin=True), True, True),
        (Who(orgs={"third"}, officer_of={"third"}), False, False),  # another department
        (Who(), False, False),  # no department
    ],
)
def test_who_sees_and_who_answers(who, sees, resolves):
    assert rules.may_see(who, FEEDBACK) is sees
    assert rules.may_resolve(who, FEEDBACK) is resolves


def test_an_answer_needs_an_explanation_and_open_feedback():
    assert rules.check_resolve(FEEDBACK, "核对原始登记簿，数据无误") == {}
    assert set(rules.check_resolve(FEEDBACK, "  ")) == {"explanation"}
    assert set(rules.check_resolve({**FEEDBACK, "state": "resolved"}, "again")) == {"id"}


def test_late_means_answered_after_the_due_date_or_still_open_after_it():
    due = {"due_date": D(2026, 10, 13), "state": "open"}
    assert not rules.is_late(due, D(2026, 10, 13), None)
    assert rules.is_late(due, D(2026, 10, 14), None)
    answered = {**due, "state": "resolved"}
    assert not rules.is_late(answered, D(2026, 12, 1), D(2026, 10, 13))
    assert rules.is_late(answered, D(2026, 12, 1), D(2026, 10, 14))

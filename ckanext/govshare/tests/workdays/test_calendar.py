"""Working-day arithmetic on the Chinese calendar (pure Python, no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.govshare.workdays.calendar import WorkCalendar, library_years, statutory_holidays

pytestmark = pytest.mark.unit

D = dt.date


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


def test_the_library_covers_2026_but_not_2027():
    first, last = library_years()
    assert first <= 2026 == last


def test_ten_working_days_across_national_day_2026(cal):
    # workflows.md: Monday 2026-09-28 + 10 = Friday 2026-10-16 (1-7 Oct off, Sat 10 Oct worked)
    assert cal.add_workdays(D(2026, 9, 28), 10) == D(2026, 10, 16)
    assert cal.workdays_between(D(2026, 9, 28), D(2026, 10, 16)) == 10
    assert cal.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)


def test_the_adjusted_weekends_of_national_day_2026_are_worked(cal):
    for day in (D(2026, 9, 20), D(2026, 10, 10)):  # Sunday, Saturday
        info = cal.day(day)
        assert info.is_workday and info.kind == "adjusted_workday" and info.source == "library"
    assert not cal.is_workday(D(2026, 10, 11))  # an ordinary Sunday
    assert not cal.is_workday(D(2026, 9, 25))  # Mid-Autumn, a Friday
    # Friday 2026-09-18 + 1: Saturday 19 is off, Sunday 20 is worked.
    assert cal.add_workdays(D(2026, 9, 18), 1) == D(2026, 9, 20)


def test_spring_festival_2026(cal):
    # 2026-02-15 .. 02-23 off; Saturday 02-14 and Saturday 02-28 worked.
    assert cal.is_workday(D(2026, 2, 14)) and cal.is_workday(D(2026, 2, 28))
    assert not any(cal.is_workday(D(2026, 2, d)) for d in range(15, 24))
    assert cal.add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert cal.add_workdays(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert cal.workdays_between(D(2026, 2, 13), D(2026, 2, 28)) == 6  # 14, 24-28
    # 13, 14 (Sat), 24, 25, 26, 27, 28 (Sat), 2, 3, 4 March
    assert cal.add_workdays(D(2026, 2, 12), 10) == D(2026, 3, 4)


def test_counting_starts_the_day_after_and_zero_is_the_start(cal):
    assert cal.add_workdays(D(2026, 10, 16), 0) == D(2026, 10, 16)
    assert cal.add_workdays(D(2026, 10, 17), 1) == D(2026, 10, 19)  # a Saturday start
    with pytest.raises(ValueError):
        cal.add_workdays(D(2026, 10, 16), -1)


def test_workdays_between_is_signed(cal):
    assert cal.workdays_between(D(2026, 10, 16), D(2026, 9, 28)) == -10
    assert cal.workdays_between(D(2026, 10, 16), D(2026, 10, 16)) == 0


def test_across_new_year_into_a_year_the_library_does_not_cover(cal):
    # Friday 2027-01-01 is New Year (statutory), then a weekend.
    assert cal.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)
    info = cal.day(D(2027, 1, 1))
    assert info.source == "statutory" and info.provisional and info.name == "元旦"
    assert cal.provisional_years(D(2026, 12, 31), D(2027, 1, 4)) == [2027]


def test_the_statutory_holidays_of_2027():
    days = statutory_holidays(2027)
    # Lunar new year 2027 is 6 February: New Year's Eve and lunar 1-3 January.
    assert [d for d, n in sorted(days.items()) if n == "春节"] == [
        D(2027, 2, 5),
        D(2027, 2, 6),
        D(2027, 2, 7),
        D(2027, 2, 8),
    ]
    assert days[D(2027, 4, 5)] == "清明节"
    assert days[D(2027, 6, 9)] == "端午节"  # lunar 5/5
    assert days[D(2027, 9, 15)] == "中秋节"  # lunar 8/15
    for day in (D(2027, 1, 1), D(2027, 5, 1), D(2027, 5, 2), *(D(2027, 10, d) for d in (1, 2, 3))):
        assert day in days
    assert len(days) == 13  # 2024 amendment: 13 days a year


def test_the_statutory_rule_agrees_with_the_library_where_both_know():
    """Every statutory holiday of 2025 and 2026 is off in the published schedules."""
    cal = WorkCalendar()
    for year in (2025, 2026):
        holidays = statutory_holidays(year)
        assert holidays, year
        for day in holidays:
            assert not cal.is_workday(day), day


def test_table_overrides_win_over_library_and_statutory():
    cal = WorkCalendar(
        {
            D(2026, 10, 8): (False, "test holiday"),
            D(2026, 10, 10): (False, None),
            D(2027, 2, 8): (True, "corrected"),
            D(2027, 2, 20): (True, "春节调休上班"),
        }
    )
    assert cal.day(D(2026, 10, 8)).source == "table" and not cal.is_workday(D(2026, 10, 8))
    assert not cal.is_workday(D(2026, 10, 10))
    assert cal.is_workday(D(2027, 2, 8)) and cal.is_workday(D(2027, 2, 20))
    assert cal.add_workdays(D(2026, 9, 28), 10) == D(2026, 10, 20)


def test_a_year_with_table_rows_is_no_longer_provisional():
    cal = WorkCalendar({D(2027, 2, 20): (True, "春节调休上班")})
    assert not cal.is_provisional(2027)
    info = cal.day(D(2027, 2, 8))
    assert info.source == "statutory" and not info.provisional and not info.is_workday
    assert WorkCalendar().is_provisional(2027)
    assert not WorkCalendar().is_provisional(2026)


def test_notable_days_list_holidays_and_adjusted_weekends():
    days = {d.day: d for d in WorkCalendar().notable_days(2026)}
    assert days[D(2026, 10, 10)].kind == "adjusted_workday"
    assert days[D(2026, 10, 1)].kind == "holiday"
    assert D(2026, 10, 12) not in days
    provisional = WorkCalendar().notable_days(2027)
    assert all(d.provisional and d.source == "statutory" for d in provisional)
    assert {d.day for d in provisional} == set(statutory_holidays(2027))


def test_without_the_library_the_statutory_rule_answers():
    cal = WorkCalendar(use_library=False)
    assert cal.day(D(2026, 10, 1)).source == "statutory"
    assert cal.is_workday(D(2026, 10, 10)) is False  # adjusted weekends unknown

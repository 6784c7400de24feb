"""The Chinese working-day calendar: pure Python, no CKAN.

Deadlines count working days (workflows.md, "Deadlines and working days"; 2016 Measures
art. 12): statutory holidays are off and the adjusted weekend working days (调休) are on.
Each day is answered by the first of three sources that knows it:

1. ``table``: the sysadmin-maintained rows (``govshare_calendar_day``), so a year's official
   schedule can be loaded or corrected without a release;
2. ``library``: ``chinese_calendar`` (PyPI ``chinesecalendar``), which carries each published
   State Council schedule (1.11 covers 2004 to 2026);
3. ``statutory``: the holidays of the 全国年节及纪念日放假办法 as amended in 2024 (in force
   2025-01-01), computed for any year, with weekends off and no adjusted working weekends,
   since those are only known once the State Council publishes the year's schedule (each
   November). Its answers are *provisional* while the table holds nothing for that year.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterator, Mapping

__all__ = [
    "SOURCES",
    "DayInfo",
    "WorkCalendar",
    "library_years",
    "statutory_holidays",
]

ONE_DAY = dt.timedelta(days=1)

SOURCES = ("table", "library", "statutory")

# Holiday names (Chinese, as the State Council notice writes them) by the library's key.
_NAMES = {
    "new_years_day": "元旦",
    "spring_festival": "春节",
    "tomb_sweeping_day": "清明节",
    "labour_day": "劳动节",
    "dragon_boat_festival": "端午节",
    "national_day": "国庆节",
    "mid_autumn_festival": "中秋节",
    "anti_fascist_70th_day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
ADJUSTED_SUFFIX = "调休上班"


@dataclasses.dataclass(frozen=True)
class DayInfo:
    """What the calendar says about one day, and who said it."""

    day: dt.date
    is_workday: bool
    source: str  # one of SOURCES
    name: str | None = None
    provisional: bool = False

    @property
    def weekend(self) -> bool:
        return self.day.weekday() >= 5

    @property
    def kind(self) -> str:
        """``holiday``, ``adjusted_workday`` (a weekend worked), ``workday`` or ``weekend``."""
        if self.is_workday:
            return "adjusted_workday" if self.weekend else "workday"
        return "weekend" if self.weekend and not self.name else "holiday"

    @property
    def ordinary(self) -> bool:
        """A plain weekday or weekend with nothing to say about it."""
        return self.is_workday != self.weekend and not self.name

    def as_dict(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "is_workday": self.is_workday,
            "kind": self.kind,
            "name": self.name,
            "source": self.source,
            "provisional": self.provisional,
        }


def _library() -> object | None:
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - an install requirement, but degrade, not crash
        return None
    return chinese_calendar


@functools.lru_cache(maxsize=1)
def library_years() -> tuple[int, int] | None:
    """First and last year the library's data covers, or ``None`` without the library."""
    lib = _library()
    if lib is None:
        return None
    years = [d.year for d in lib.holidays]  # type: ignore[attr-defined]
    return min(years), max(years)


def _library_day(day: dt.date) -> tuple[bool, str | None] | None:
    """(is_workday, name) from the library, ``None`` outside its years."""
    years = library_years()
    if years is None or not years[0] <= day.year <= years[1]:
        return None
    lib = _library()
    holidays = lib.holidays  # type: ignore[union-attr]
    workdays = lib.workdays  # type: ignore[union-attr]
    if day in workdays:
        return True, _holiday_name(workdays[day]) + ADJUSTED_SUFFIX
    if day in holidays:
        return False, _holiday_name(holidays[day])
    return day.weekday() < 5, None


def _holiday_name(value: object) -> str:
    """The library stores ``(english, chinese, days)``; name by its enum key when known."""
    lib = _library()
    for member in lib.Holiday:  # type: ignore[union-attr]
        if member.value == value:
            return _NAMES.get(member.name) or str(member.value[1])
    return str(value[1]) if isinstance(value, tuple) else str(value)


def _qingming(year: int) -> dt.date:
    """The day of the solar term 清明 (around 4-5 April)."""
    lib = _library()
    if lib is not None:
        for day, term in lib.get_solar_terms(  # type: ignore[attr-defined]
            dt.date(year, 4, 1), dt.date(year, 4, 30)
        ):
            if term == "清明":  # the library names terms in Chinese
                return day
    # [Y*D + C] - L with the 21st century's C (the library's own formula), as a last resort.
    y = year % 100
    return dt.date(year, 4, int(y * 0.2422 + 4.81) - y // 4)


def _lunar(year: int, month: int, day: int) -> dt.date:
    from lunardate import LunarDate

    return LunarDate(year, month, day).toSolarDate()


@functools.lru_cache(maxsize=64)
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The holidays of 全国年节及纪念日放假办法 art. 2 (2024 amendment), for any year.

    New Year 1 Jan; Spring Festival the lunar New Year's Eve and lunar 1-3 January; Qingming
    on its solar term; Labour Day 1-2 May; Dragon Boat lunar 5 May; Mid-Autumn lunar 15
    August; National Day 1-3 October. Days that fall on a weekend stay on the weekend: the
    bridging and the adjusted working weekends come only with the State Council's notice.
    """
    days: dict[dt.date, str] = {dt.date(year, 1, 1): "元旦"}
    new_year = _lunar(year, 1, 1)
    for offset in range(-1, 3):
        days[new_year + dt.timedelta(days=offset)] = "春节"
    days[_qingming(year)] = "清明节"
    days[dt.date(year, 5, 1)] = days[dt.date(year, 5, 2)] = "劳动节"
    days[_lunar(year, 5, 5)] = "端午节"
    days[_lunar(year, 8, 15)] = "中秋节"
    for d in (1, 2, 3):
        days[dt.date(year, 10, d)] = "国庆节"
    return days


class WorkCalendar:
    """Working days from the table's overrides, then the library, then the statutory rule."""

    def __init__(
        self,
        overrides: Mapping[dt.date, tuple[bool, str | None]] | None = None,
        *,
        use_library: bool = True,
    ) -> None:
        self.overrides: dict[dt.date, tuple[bool, str | None]] = dict(overrides or {})
        self.table_years: frozenset[int] = frozenset(d.year for d in self.overrides)
        self.use_library = use_library

    # --- one day ---------------------------------------------------------------------------
    def day(self, day: dt.date) -> DayInfo:
        """Everything known about ``day``: working or not, its name, source, provisional."""
        if day in self.overrides:
            is_workday, name = self.overrides[day]
            return DayInfo(day, bool(is_workday), "table", name or None)
        if self.use_library:
            found = _library_day(day)
            if found is not None:
                return DayInfo(day, found[0], "library", found[1])
        name = statutory_holidays(day.year).get(day)
        return DayInfo(
            day,
            name is None and day.weekday() < 5,
            "statutory",
            name,
            provisional=day.year not in self.table_years,
        )

    def is_workday(self, day: dt.date) -> bool:
        return self.day(day).is_workday

    # --- years -----------------------------------------------------------------------------
    def year_source(self, year: int) -> str:
        """Who answers a year's ordinary days: ``library`` or ``statutory``.

        A year the library does not cover is official once the table holds rows for it (a
        loaded State Council notice), and provisional until then.
        """
        years = library_years() if self.use_library else None
        if years is not None and years[0] <= year <= years[1]:
            return "library"
        return "statutory"

    def is_provisional(self, year: int) -> bool:
        """True while a year's official schedule is known neither to the library nor the table."""
        return self.year_source(year) == "statutory" and year not in self.table_years

    def provisional_years(self, a: dt.date, b: dt.date) -> list[int]:
        """Years between two dates (inclusive) whose answers are provisional."""
        low, high = sorted((a.year, b.year))
        return [y for y in range(low, high + 1) if self.is_provisional(y)]

    def notable_days(self, year: int) -> list[DayInfo]:
        """Every day of the year that is not an ordinary weekday or weekend, in order."""
        candidates = {d for d in self.overrides if d.year == year}
        candidates |= set(statutory_holidays(year))
        if self.use_library and self.year_source(year) == "library":
            lib = _library()
            for table in (lib.holidays, lib.workdays):  # type: ignore[union-attr]
                candidates |= {d for d in table if d.year == year}
        infos = (self.day(d) for d in sorted(candidates))
        return [info for info in infos if not info.ordinary or info.source == "table"]

    # --- arithmetic ------------------------------------------------------------------------
    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``start`` (the day after ``start`` counts first).

        ``n == 0`` is ``start`` itself. Example (workflows.md): 10 working days from Monday
        2026-09-28 is Friday 2026-10-16.
        """
        if n < 0:
            raise ValueError("n must be at least 0")
        day = start
        while n:
            day += ONE_DAY
            if self.is_workday(day):
                n -= 1
        return day

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        """Working days after ``a`` up to and including ``b``; negative when ``b`` is earlier.

        ``workdays_between(s, add_workdays(s, n)) == n``: the working days left until a
        deadline, or an answer's time in working days.
        """
        if b < a:
            return -self.workdays_between(b, a)
        return sum(1 for day in _days(a + ONE_DAY, b) if self.is_workday(day))


def _days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += ONE_DAY

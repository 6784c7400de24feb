"""Working days on the Chinese calendar and the deadline profiles (issue 5).

Other code calls these:

- ``current() -> WorkCalendar``: the calendar with the sysadmin table loaded (one query);
  then ``cal.add_workdays(start, n)``, ``cal.workdays_between(a, b)``,
  ``cal.is_workday(day)``, ``cal.day(day)`` (source and provisional flag) and
  ``cal.provisional_years(a, b)``;
- ``deadline_days(kind) -> int | None`` and ``profile_name()`` (``profiles.py``).

Local dates (``ckanext.govshare.timezone``) are the clock's: ``core.clock.local_date``.
"""

from __future__ import annotations

from .calendar import DayInfo, WorkCalendar, statutory_holidays
from .profiles import deadline_days, deadlines, profile_name

__all__ = [
    "DayInfo",
    "WorkCalendar",
    "current",
    "deadline_days",
    "deadlines",
    "profile_name",
    "statutory_holidays",
]


def current() -> WorkCalendar:
    """The calendar as the sysadmin table now says, over the library and the statutory rule."""
    from .model import current as _current

    return _current()

"""The platform's clock, written once (issue 15): what time it is and which day it is.

Moments are kept and compared in UTC: ``now()`` is an aware datetime in UTC, as every
``timestamptz`` column stores it. Days are the platform's local days: ``today()`` and
``local_date()`` count in ``ckanext.govshare.timezone`` (default Asia/Shanghai), because
deadlines count working days of the Chinese calendar — a request sent at 23:30 UTC on
30 September is received on 1 October in Beijing, a holiday (workflows.md, "Deadlines and
working days").

Call them through the module (``clock.now()``, ``clock.today()``), never import the functions
by name: a test pins the platform's time in one place, ``monkeypatch.setattr(clock, "now",
...)``, and every domain then reads the same moment (``today()`` follows ``now()``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from . import config

__all__ = ["local_date", "now", "timezone", "today"]


def now() -> dt.datetime:
    """This moment, aware, in UTC (what the database stores)."""
    return dt.datetime.now(dt.timezone.utc)


def timezone() -> zoneinfo.ZoneInfo:
    """The zone whose local dates deadlines count (``ckanext.govshare.timezone``: declared
    with its default, Asia/Shanghai, and refused empty at start-up)."""
    return zoneinfo.ZoneInfo(config.timezone().strip())


def local_date(moment: dt.datetime, zone: dt.tzinfo | None = None) -> dt.date:
    """The local calendar date of a moment (in ``zone``, by default the platform's).

    A naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(zone or timezone()).date()


def today() -> dt.date:
    """Today in the platform's timezone: the day due dates are judged on."""
    return local_date(now())

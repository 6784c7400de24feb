"""Deadline profiles: how many working days each step of a share may take.

The rule profile (``ckanext.govshare.rule_profile``) picks the numbers, never literals in
code (measures.md, "Consequence"):

- ``measures-2016`` (default): the 2016 Interim Measures, art. 12 — a conditional request is
  answered within 10 working days; unconditional data is obtained directly, so neither it
  nor delivery has a deadline.
- ``regulation-2025``: the 2025 Regulations (Decree No. 809) as reported — unconditional 1
  working day, conditional 10, delivery after approval 20. Verify the official text.

Each number can be overridden: ``ckanext.govshare.deadline.unconditional``, ``.conditional``
and ``.delivery`` (empty means the profile's number).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

__all__ = [
    "DEFAULT_PROFILE",
    "KINDS",
    "PROFILES",
    "deadline_days",
    "deadlines",
    "local_date",
    "profile_name",
    "timezone",
]

KINDS = ("unconditional", "conditional", "delivery")

PROFILES: dict[str, dict[str, int | None]] = {
    "measures-2016": {"unconditional": None, "conditional": 10, "delivery": None},
    "regulation-2025": {"unconditional": 1, "conditional": 10, "delivery": 20},
}
DEFAULT_PROFILE = "measures-2016"
DEFAULT_TIMEZONE = "Asia/Shanghai"


def _config(key: str, default: str | None = None) -> str | None:
    import ckan.plugins.toolkit as tk

    value = tk.config.get(key, default)
    return None if value is None else str(value)


def profile_name() -> str:
    """The rule profile in force (``ckanext.govshare.rule_profile``)."""
    name = (_config("ckanext.govshare.rule_profile") or DEFAULT_PROFILE).strip()
    if name not in PROFILES:
        raise ValueError(f"unknown ckanext.govshare.rule_profile {name!r}: one of {list(PROFILES)}")
    return name


def deadline_days(kind: str) -> int | None:
    """Working days allowed for ``kind`` (unconditional, conditional, delivery).

    ``None`` means the profile sets no deadline for it (e.g. unconditional data under the
    2016 Measures is obtained directly). A config override wins over the profile.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown deadline kind {kind!r}: one of {KINDS}")
    override = (_config(f"ckanext.govshare.deadline.{kind}") or "").strip()
    if override:
        days = int(override)
        if days < 0:
            raise ValueError(f"ckanext.govshare.deadline.{kind} must be at least 0")
        return days
    return PROFILES[profile_name()][kind]


def deadlines() -> dict[str, int | None]:
    """Every kind's working days under the profile in force (with overrides)."""
    return {kind: deadline_days(kind) for kind in KINDS}


def timezone() -> zoneinfo.ZoneInfo:
    """The zone whose local dates deadlines count (``ckanext.govshare.timezone``)."""
    return zoneinfo.ZoneInfo(
        (_config("ckanext.govshare.timezone") or DEFAULT_TIMEZONE).strip() or DEFAULT_TIMEZONE
    )


def local_date(moment: dt.datetime, zone: dt.tzinfo | None = None) -> dt.date:
    """The local calendar date of a moment: a request sent at 23:30 UTC on 30 September is
    received on 1 October in Beijing, a holiday. A naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(zone or timezone()).date()

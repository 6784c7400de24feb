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

__all__ = [
    "KINDS",
    "PROFILES",
    "deadline_days",
    "deadlines",
    "profile_name",
]

KINDS = ("unconditional", "conditional", "delivery")

PROFILES: dict[str, dict[str, int | None]] = {
    "measures-2016": {"unconditional": None, "conditional": 10, "delivery": None},
    "regulation-2025": {"unconditional": 1, "conditional": 10, "delivery": 20},
}


def _overrides() -> dict[str, int | None]:
    from ckanext.govshare.core import config

    return {
        "unconditional": config.deadline_unconditional(),
        "conditional": config.deadline_conditional(),
        "delivery": config.deadline_delivery(),
    }


def profile_name() -> str:
    """The rule profile in force (``ckanext.govshare.rule_profile``)."""
    from ckanext.govshare.core import config

    name = config.rule_profile().strip()
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
    days = _overrides()[kind]
    if days is not None:
        if days < 0:
            raise ValueError(f"ckanext.govshare.deadline.{kind} must be at least 0")
        return days
    return PROFILES[profile_name()][kind]


def deadlines() -> dict[str, int | None]:
    """Every kind's working days under the profile in force (with overrides)."""
    return {kind: deadline_days(kind) for kind in KINDS}


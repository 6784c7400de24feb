"""Deadline numbers of the rule profile, as the working-day code asks for them.

The numbers and the rules of both profiles live in ``ckanext.govshare.profiles`` (with their
articles); this module keeps the working-day code's names for the three answer and delivery
deadlines: ``deadline_days("conditional")`` and so on.
"""

from __future__ import annotations

from .. import profiles

__all__ = [
    "KINDS",
    "deadline_days",
    "deadlines",
    "profile_name",
]

KINDS = ("unconditional", "conditional", "delivery")


def profile_name() -> str:
    """The rule profile in force (``ckanext.govshare.rule_profile``)."""
    return profiles.name()


def deadline_days(kind: str) -> int | None:
    """Working days allowed for ``kind`` (unconditional, conditional, delivery).

    ``None`` means the profile sets no deadline for it (e.g. unconditional data under the
    2016 Measures is obtained directly). A config override wins over the profile.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown deadline kind {kind!r}: one of {KINDS}")
    return profiles.number(kind)


def deadlines() -> dict[str, int | None]:
    """Every kind's working days under the profile in force (with overrides)."""
    return {kind: deadline_days(kind) for kind in KINDS}

"""The rule profile in force (``ckanext.govshare.rule_profile``): its numbers and its rules.

Other code asks here, never compares profile names: ``number("delivery")`` (working days, or
``None`` when the profile sets no deadline), ``on("internal_signoff")``, ``name()`` and
``describe()`` (what ``govshare_rule_profile_show`` answers). The table of both profiles, with
the article every value comes from, is ``rules.py``.

Overrides: each number has its option (``rules.NUMBERS[i].option``; empty means the
profile's value) and ``ckanext.govshare.internal_signoff`` turns sign-off on or off.
"""

from __future__ import annotations

from typing import Any

from . import rules
from .rules import MEASURES_2016, REGULATION_2025

__all__ = ["MEASURES_2016", "REGULATION_2025", "describe", "name", "number", "on", "rules"]


def name() -> str:
    """The profile in force; an unknown name stops the platform (the declaration's OneOf)."""
    from ..core import config

    value = (config.rule_profile() or rules.DEFAULT).strip()
    if value not in rules.PROFILES:
        raise ValueError(
            f"unknown ckanext.govshare.rule_profile {value!r}: one of {list(rules.PROFILES)}"
        )
    return value


def _number_override(key: str) -> int | None:
    """The option overriding the profile's number ``key``; ``None``: the profile's."""
    from ..core import config

    reader = {
        "unconditional": config.deadline_unconditional,
        "conditional": config.deadline_conditional,
        "extension_max": config.deadline_extension_max,
        "delivery": config.deadline_delivery,
        "feedback": config.deadline_feedback,
        "catalogue_update": config.deadline_catalogue_update,
        "catalogue_update_extension": config.deadline_catalogue_update_extension,
        "catalogue_review": config.deadline_catalogue_review,
        "disposal": config.deadline_disposal,
        "usage_retention_years": config.usage_retention_years,
    }.get(key)
    return reader() if reader else None


def _rule_override(key: str) -> bool | None:
    """The option switching the profile's rule ``key``; ``None``: as the profile says."""
    from ..core import config

    value = config.internal_signoff() if key == "internal_signoff" else ""
    return None if not value else value == "true"


def number(key: str) -> int | None:
    """A number of the profile in force, with its override applied."""
    return rules.resolve_number(name(), key, _number_override(key))


def on(key: str) -> bool:
    """Whether a rule of the profile in force is on (with its override, if it has one)."""
    return rules.resolve_rule(name(), key, _rule_override(key))


def describe() -> dict[str, Any]:
    """The profile in force: its name and title, every number and every rule, each with the
    article it comes from (``govshare_rule_profile_show``)."""
    profile = name()
    table = rules.PROFILES[profile]
    return {
        "name": profile,
        "title": {"en": table.en, "zh_Hans_CN": table.zh},
        "default": rules.DEFAULT,
        "profiles": list(rules.PROFILES),
        "numbers": {
            n.key: {
                "value": number(n.key),
                "profile_value": table.numbers[n.key],
                "unit": n.unit,
                "option": n.option,
                "article": rules.article(n.key, profile),
                "label": {"en": n.en, "zh_Hans_CN": n.zh},
            }
            for n in rules.NUMBERS
        },
        "rules": {
            r.key: {
                "on": on(r.key),
                "article": rules.article(r.key, profile),
                "label": {"en": r.en, "zh_Hans_CN": r.zh},
            }
            for r in rules.RULES
        },
    }

"""CKAN signal subscriptions of the govshare plugin (``ISignal``): one entry per concept."""

from __future__ import annotations

from typing import Any

from .audit import hooks as audit_hooks
from .logins import service as logins


def subscriptions() -> dict[Any, list[Any]]:
    merged: dict[Any, list[Any]] = {}
    for concept in (audit_hooks.subscriptions(), logins.subscriptions()):
        for signal, receivers in concept.items():
            merged.setdefault(signal, []).extend(receivers)
    return merged

"""CKAN signal subscriptions of the govshare plugin (``ISignal``): one entry per concept."""

from __future__ import annotations

from typing import Any

from .audit import hooks as audit_hooks


def subscriptions() -> dict[Any, list[Any]]:
    return {**audit_hooks.subscriptions()}

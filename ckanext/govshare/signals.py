"""CKAN signal subscriptions of the govshare plugin (``ISignal``): one entry per concept."""

from __future__ import annotations

from typing import Any


def subscriptions() -> dict[Any, list[Any]]:
    return {}

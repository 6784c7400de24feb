"""A clock the throttle's counting reads, so that tests move time instead of sleeping."""

from __future__ import annotations

import time as real_time
from typing import Any

import pytest


class Clock:
    """Stands in for the ``time`` module where ``limits`` and the throttle read the time."""

    def __init__(self) -> None:
        self.now = real_time.time()

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def __getattr__(self, name: str) -> Any:
        return getattr(real_time, name)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    import limits.storage.memory
    import limits.storage.redis
    import limits.strategies

    from ckanext.govshare.logins import throttle

    fake = Clock()
    for module in (limits.storage.memory, limits.storage.redis, limits.strategies, throttle):
        monkeypatch.setattr(module, "time", fake)
    return fake


"""Pausing calls to a service that just failed, and backing off while waiting for it.

Plain Python (no Redis, Flask or CKAN import), so the rules are tested directly. The search
result cache uses :class:`Breaker` so that, while Redis is away, a search costs no attempt to
reach it (a frozen Redis would otherwise hold every search until its timeout); the jobs worker
uses :func:`backoff` while it waits for Redis to come back (issue 14, item 9).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Breaker:
    """After a failure, calls are skipped for ``pause`` seconds; then one is let through.

    An *outage* lasts from the first failure to the next success. The caller learns when one
    starts (to log it once, not on every call) and when it ends (to catch up on what it could
    not do meanwhile: the search cache moves its generation on, so that no answer cached before
    an index change it could not announce is served after it).
    """

    def __init__(self, pause: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.pause = pause
        self._clock = clock
        self._lock = threading.Lock()
        self._until = 0.0
        self._outage = False

    @property
    def in_outage(self) -> bool:
        """A failure was seen and no success since."""
        return self._outage

    def allow(self) -> bool:
        """Whether to try the service now (not while paused after a failure)."""
        return self._clock() >= self._until

    def failure(self) -> bool:
        """Record a failure (pause from now); True when it starts an outage."""
        with self._lock:
            self._until = self._clock() + self.pause
            started = not self._outage
            self._outage = True
        return started

    def success(self) -> bool:
        """Record a success; True when it ends an outage."""
        with self._lock:
            ended = self._outage
            self._outage = False
            self._until = 0.0
        return ended


def backoff(attempt: int, first: float = 1.0, cap: float = 30.0) -> float:
    """Seconds to wait before try ``attempt`` (0, 1, 2, …): doubling from ``first`` to ``cap``."""
    if attempt <= 0:
        return first
    return min(cap, first * 2 ** min(attempt, 32))

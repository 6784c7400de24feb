"""Login throttling, the rule (issue 14 item 8; art. 5(4) identity authentication, 2025
Regulations art. 35 technical measures against leaks).

After ``max_failures`` failed logins for one account, or ``max_failures_per_address`` from one
address, within ``window`` seconds, every further attempt for that account or from that address
is refused, even with the right password, for ``lock_seconds``. A successful login clears its
account's failures (not its address's: one good account must not reset an address guessing
others' passwords).

Counting is the ``limits`` library's moving window, in CKAN's Redis (so every worker process
shares the counts). When Redis cannot be reached, the counts go on in this process's memory
(``limits``' memory storage): throttling then holds per worker process rather than site-wide,
and logins keep working, since the password is still checked; refusing every login while
Redis is down would lock out the officers who must act during an outage, and an outsider
cannot stop Redis to lift the lock.

No Flask, CKAN or SQLAlchemy here: ``service`` wires it to the login page.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from ..outages.breaker import Breaker

log = logging.getLogger(__name__)

ACCOUNT = "account"
ADDRESS = "address"

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Policy:
    """The configured limits (``ckanext.govshare.login.*``, whose defaults are declared in
    config_declaration.yaml); 0 turns a failure limit off."""

    max_failures: int
    max_failures_per_address: int
    window: int
    lock_seconds: int

    def __post_init__(self) -> None:
        for name in ("max_failures", "max_failures_per_address"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 (off) or more")
        for name in ("window", "lock_seconds"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1 second")

    def limit(self, scope: str) -> int:
        return self.max_failures if scope == ACCOUNT else self.max_failures_per_address


@dataclasses.dataclass(frozen=True)
class Lock:
    """Attempts for an account or from an address are refused for ``retry_after`` seconds."""

    scope: str
    key: str
    retry_after: int
    #: Failed logins that set the lock (only for a lock just set).
    failures: int | None = None

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


def client_address(
    remote_addr: str | None, forwarded_for: str | None, trusted_proxies: int
) -> str | None:
    """The client's address behind ``trusted_proxies`` reverse proxies.

    Each trusted proxy appends the address it received from to ``X-Forwarded-For``; what the
    client wrote there itself comes first and is not believed (it would let an attacker pick a
    fresh address per attempt).
    """
    if trusted_proxies > 0 and forwarded_for:
        hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
        if len(hops) >= trusted_proxies:
            return hops[-trusted_proxies]
    return remote_addr or None


class Throttle:
    """Failed-login counts and locks, per account and per address."""

    def __init__(
        self,
        policy: Policy,
        storage_uri: str = "memory://",
        key_prefix: str = "govshare-login",
        *,
        pause: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        **options: Any,
    ) -> None:
        self.policy = policy
        self.prefix = key_prefix
        if storage_uri.startswith("memory"):
            storage = MemoryStorage()
        else:
            storage = storage_from_string(
                storage_uri, key_prefix=key_prefix, wrap_exceptions=True, **options
            )
        self._limiter = MovingWindowRateLimiter(storage)
        self._storage = storage
        self._fallback = MovingWindowRateLimiter(MemoryStorage())
        self._breaker = Breaker(pause, clock)
        #: Whether the last operation had to fall back to this process's memory.
        self.degraded = False

    def _failures(self, scope: str) -> RateLimitItem:
        return RateLimitItemPerSecond(self.policy.limit(scope), self.policy.window)

    def _lock(self) -> RateLimitItem:
        return RateLimitItemPerSecond(1, self.policy.lock_seconds)

    def _run(self, operation: Callable[[MovingWindowRateLimiter], T]) -> T:
        # After a failure the shared storage is left alone for a few seconds: a frozen Redis
        # would otherwise hold every login for its timeout, several times over (issue 14, 9).
        if not self._breaker.allow():
            self.degraded = True
            return operation(self._fallback)
        try:
            result = operation(self._limiter)
        except StorageError as error:
            if self._breaker.failure():
                log.warning(
                    "login throttle: shared storage unavailable (%s); counting in "
                    "this process's memory until it is back",
                    error,
                )
            self.degraded = True
            return operation(self._fallback)
        self._breaker.success()
        self.degraded = False
        return result

    def _scopes(self, account: str | None, address: str | None) -> Iterator[tuple[str, str]]:
        for scope, key in ((ACCOUNT, account), (ADDRESS, address)):
            if key and self.policy.limit(scope) > 0:
                yield scope, key

    def locked(self, account: str | None, address: str | None) -> Lock | None:
        """The lock that refuses this attempt, if any (the longer, when both are locked)."""
        found: list[Lock] = []
        for scope, key in self._scopes(account, address):

            def check(limiter: MovingWindowRateLimiter, scope: str = scope, key: str = key):
                if limiter.test(self._lock(), "lock", scope, key):
                    return None
                reset = limiter.get_window_stats(self._lock(), "lock", scope, key).reset_time
                # Rounded to the millisecond first: a float sum may exceed the period by 1e-7.
                return Lock(scope, key, max(1, math.ceil(round(reset - time.time(), 3))))

            lock = self._run(check)
            if lock is not None:
                found.append(lock)
        return max(found, key=lambda lock: lock.retry_after) if found else None

    def failed(self, account: str | None, address: str | None) -> list[Lock]:
        """Count a failed login; return the locks it sets (an account, an address, both)."""
        locks: list[Lock] = []
        for scope, key in self._scopes(account, address):

            def count(limiter: MovingWindowRateLimiter, scope: str = scope, key: str = key):
                failures = self._failures(scope)
                limiter.hit(failures, "fail", scope, key)
                if limiter.test(failures, "fail", scope, key):
                    return None
                # The window is full: lock, and start counting afresh once the lock ends.
                limiter.hit(self._lock(), "lock", scope, key)
                limiter.clear(failures, "fail", scope, key)
                return Lock(scope, key, self.policy.lock_seconds, failures.amount)

            lock = self._run(count)
            if lock is not None:
                locks.append(lock)
        return locks

    def succeeded(self, account: str | None) -> None:
        """A login that got through: its account starts afresh."""
        if account and self.policy.max_failures > 0:
            self._run(
                lambda limiter: limiter.clear(self._failures(ACCOUNT), "fail", ACCOUNT, account)
            )

    def reset(self) -> None:
        """Forget every count and lock (tests; an operator lifting every lock at once)."""
        self._fallback = MovingWindowRateLimiter(MemoryStorage())
        try:
            self._storage.reset()
        except StorageError as error:  # pragma: no cover - nothing to forget there
            log.warning("login throttle: could not reset the shared storage (%s)", error)

"""The throttle rule (issue 14 item 8), in memory, with time moved by hand."""

from __future__ import annotations

import dataclasses

import pytest

from ckanext.govshare.logins.throttle import ACCOUNT, ADDRESS, Policy, Throttle, client_address

pytestmark = pytest.mark.unit

POLICY = Policy(max_failures=3, max_failures_per_address=5, window=60, lock_seconds=300)


@pytest.fixture
def throttle(clock) -> Throttle:
    return Throttle(POLICY)


def test_n_failures_of_an_account_lock_it_for_the_cooling_period(throttle, clock):
    assert throttle.failed("alice", "10.0.0.1") == []
    assert throttle.failed("alice", "10.0.0.2") == []
    assert throttle.locked("alice", "10.0.0.3") is None
    (lock,) = throttle.failed("alice", "10.0.0.3")
    assert (lock.scope, lock.key, lock.failures, lock.retry_after) == (ACCOUNT, "alice", 3, 300)
    # Refused from any address, until the cooling period is over.
    assert throttle.locked("alice", "10.9.9.9").scope == ACCOUNT
    clock.advance(299)
    assert throttle.locked("alice", None).retry_after == 1
    clock.advance(2)
    assert throttle.locked("alice", None) is None
    # The count started afresh: one more failure does not lock again.
    assert throttle.failed("alice", "10.0.0.4") == []
    assert throttle.locked("alice", None) is None


def test_failures_outside_the_window_do_not_add_up(throttle, clock):
    throttle.failed("bob", None)
    throttle.failed("bob", None)
    clock.advance(61)
    assert throttle.failed("bob", None) == []
    assert throttle.locked("bob", None) is None


def test_an_address_guessing_many_accounts_is_locked(throttle, clock):
    for i in range(4):
        assert throttle.failed(f"user{i}", "203.0.113.9") == []
    (lock,) = throttle.failed("user4", "203.0.113.9")
    assert (lock.scope, lock.key, lock.failures) == (ADDRESS, "203.0.113.9", 5)
    # Even an account with no failures is refused from that address; elsewhere it is not.
    assert throttle.locked("carol", "203.0.113.9").scope == ADDRESS
    assert throttle.locked("carol", "198.51.100.1") is None
    clock.advance(301)
    assert throttle.locked("carol", "203.0.113.9") is None


def test_a_lock_on_both_reports_the_longer_wait(throttle, clock):
    for _ in range(3):
        throttle.failed("dave", "192.0.2.1")
    clock.advance(100)
    for i in range(5):
        throttle.failed(f"x{i}", "192.0.2.1")
    lock = throttle.locked("dave", "192.0.2.1")
    assert (lock.scope, lock.retry_after) == (ADDRESS, 300)


def test_a_successful_login_clears_the_account_not_the_address(throttle):
    for _ in range(2):
        throttle.failed("erin", "192.0.2.7")
    throttle.succeeded("erin")
    assert throttle.failed("erin", "192.0.2.7") == []  # 1 of 3 again
    for i in range(2):
        throttle.failed(f"y{i}", "192.0.2.7")
    # The address has 5 failures: erin's success did not clear them.
    assert throttle.locked(None, "192.0.2.7").scope == ADDRESS


def test_zero_turns_a_limit_off(clock):
    off = Throttle(Policy(max_failures=0, max_failures_per_address=0, window=900, lock_seconds=900))
    for _ in range(50):
        assert off.failed("frank", "192.0.2.8") == []
    assert off.locked("frank", "192.0.2.8") is None


@pytest.mark.parametrize("bad", [{"max_failures": -1}, {"window": 0}, {"lock_seconds": 0}])
def test_a_nonsensical_policy_is_refused(bad):
    with pytest.raises(ValueError):
        Policy(**{**dataclasses.asdict(POLICY), **bad})


def test_minutes_in_the_message_round_up():
    from ckanext.govshare.logins.throttle import Lock

    assert [Lock(ACCOUNT, "k", s).minutes for s in (1, 60, 61, 900)] == [1, 1, 2, 15]


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("10.0.0.5", None, 0, "10.0.0.5"),
        ("10.0.0.5", "198.51.100.7", 0, "10.0.0.5"),  # no proxy trusted: the header is ignored
        ("10.0.0.5", "198.51.100.7", 1, "198.51.100.7"),
        # What the client wrote itself comes first and is not believed.
        ("10.0.0.5", "1.2.3.4, 198.51.100.7", 1, "198.51.100.7"),
        ("10.0.0.5", "1.2.3.4, 198.51.100.7, 10.0.0.9", 2, "198.51.100.7"),
        ("10.0.0.5", "", 1, "10.0.0.5"),
    ],
)
def test_the_client_address_behind_trusted_proxies(remote, forwarded, trusted, expected):
    assert client_address(remote, forwarded, trusted) == expected


def test_counting_goes_on_in_memory_when_the_shared_storage_is_down(clock):
    # Nothing listens on port 1: every Redis call fails at once.
    down = Throttle(POLICY, "redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    assert down.failed("grace", None) == [] and down.degraded
    down.failed("grace", None)
    (lock,) = down.failed("grace", None)
    assert lock.scope == ACCOUNT
    assert down.locked("grace", None) is not None and down.degraded


def _failing_storage():
    """A shared storage that fails every call, counting how often it was asked."""
    from limits.errors import StorageError
    from limits.storage import MemoryStorage

    class Failing(MemoryStorage):
        calls = 0

        def _fail(self, *args, **kwargs):
            type(self).calls += 1
            raise StorageError(ConnectionError("frozen"))

        acquire_entry = get_moving_window = clear = incr = get = _fail

    return Failing()


def test_a_failed_storage_is_left_alone_for_a_pause(clock):
    """A frozen Redis costs one timeout per pause, not one per call (issue 14, item 9)."""
    from limits.strategies import MovingWindowRateLimiter

    now = [0.0]
    throttle = Throttle(POLICY, pause=5.0, clock=lambda: now[0])
    storage = _failing_storage()
    throttle._limiter = MovingWindowRateLimiter(storage)
    throttle.failed("grace", "10.0.0.1")
    asked = type(storage).calls
    assert asked >= 1 and throttle.degraded
    for _ in range(5):
        throttle.failed("grace", "10.0.0.1")
        throttle.locked("grace", "10.0.0.1")
    assert type(storage).calls == asked  # paused: counted in memory, the storage not asked
    assert throttle.locked("grace", None) is not None  # the failures in memory lock it
    now[0] = 6.0
    throttle.locked("grace", None)
    assert type(storage).calls == asked + 1  # after the pause, one call tries it again

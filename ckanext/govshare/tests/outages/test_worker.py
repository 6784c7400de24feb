"""``ckan govshare worker``: a worker that ends because Redis went away is started again;
one that was asked to stop is not (issue 14, item 9). The loop is driven with stand-ins for
RQ's worker and Redis; bench/faults.py runs the real one against a Redis it stops."""

from __future__ import annotations

from typing import Any

import pytest

from ckanext.govshare.outages.worker import Supervisor

pytestmark = pytest.mark.unit


class FakeWorker:
    def __init__(self, ending: Any, stop_asked: bool = False) -> None:
        self.ending = ending
        self.stop_asked = stop_asked
        self.bursts: list[bool] = []

    def work(self, burst: bool = False) -> bool:
        self.bursts.append(burst)
        if isinstance(self.ending, BaseException):
            raise self.ending
        return True


class Redis:
    """Answers after ``down`` failed pings."""

    def __init__(self, down: int = 0) -> None:
        self.down = down
        self.pings = 0

    def __call__(self) -> bool:
        self.pings += 1
        return self.pings > self.down


def supervisor(workers: list[FakeWorker], redis: Redis, slept: list[float]) -> Supervisor:
    queue = iter(workers)
    return Supervisor(lambda: next(queue), redis, sleep=slept.append)


def test_a_worker_that_lost_redis_is_replaced_once_redis_answers():
    lost = FakeWorker(ConnectionError("Error 111 connecting to 127.0.0.1:6379"))
    asked = FakeWorker(None, stop_asked=True)
    assert supervisor([lost, asked], Redis(), []).run() == 2
    assert lost.bursts == asked.bursts == [False]


def losing_redis(worker: FakeWorker, redis: Redis, failed_pings: int) -> FakeWorker:
    """``worker``, whose start makes the next ``failed_pings`` pings fail (Redis goes)."""
    real_work = worker.work

    def work(burst: bool = False) -> bool:
        redis.down = redis.pings + failed_pings
        return real_work(burst)

    worker.work = work  # type: ignore[method-assign]
    return worker


def test_it_waits_for_redis_with_growing_pauses():
    redis, slept = Redis(), []
    lost = losing_redis(FakeWorker(ConnectionError("refused")), redis, 3)
    asked = FakeWorker(None, stop_asked=True)
    assert supervisor([lost, asked], redis, slept).run() == 2
    # 1 s, 2 s and 4 s of waiting, in steps of at most half a second.
    assert sum(slept) == pytest.approx(7)
    assert max(slept) <= 0.5


def test_a_worker_that_ends_without_being_asked_is_started_again():
    quit_alone = FakeWorker(None)  # RQ logged an error and left its loop
    asked = FakeWorker(None, stop_asked=True)
    assert supervisor([quit_alone, asked], Redis(), []).run() == 2


def test_a_stop_asked_while_waiting_for_redis_ends_the_loop():
    redis, slept = Redis(), []
    lost = losing_redis(FakeWorker(ConnectionError("refused")), redis, 10**6)
    loop = supervisor([lost], redis, slept)

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        loop.ask_to_stop()  # SIGTERM from `make stop`

    loop.sleep = sleep
    assert loop.run() == 1
    assert slept == [0.5]


def test_burst_ends_when_the_queues_are_empty():
    emptied = FakeWorker(None)
    assert supervisor([emptied], Redis(), []).run(burst=True) == 1
    assert emptied.bursts == [True]


def test_a_second_signal_still_stops_at_once():
    cold = FakeWorker(SystemExit())
    with pytest.raises(SystemExit):
        supervisor([cold], Redis(), []).run()

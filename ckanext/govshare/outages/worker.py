"""``ckan govshare worker``: CKAN's jobs worker, started again when Redis goes away.

RQ's worker (under ``ckan jobs worker``) survives Redis going away while it waits for a job,
but not while it runs one: finishing the job, or registering its own death, needs Redis, and
the process exits (rq 1.16 under CKAN 2.11, rq 2.10 under CKAN 2.12: bench/faults.py). Jobs
then pile up until someone restarts it. This command runs the same worker (same queues, same
``--burst``) and, when it stops without being asked to, waits for Redis with a growing pause
(1 s doubling to 30 s) and starts a new one. SIGTERM or SIGINT stop it as they stop CKAN's
worker (after the job in hand), also while it is waiting (issue 14, item 9).
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable, Iterable
from typing import Any

import click

from .breaker import backoff

log = logging.getLogger(__name__)


class Supervisor:
    """Runs workers one after the other until one stops because it was asked to.

    ``make_worker`` builds a worker for the queues; ``redis_up`` says whether Redis answers;
    ``sleep`` waits; ``between`` runs before each wait (it puts back the signal handlers RQ's
    worker replaced). All are parameters so the loop is tested without Redis.
    """

    def __init__(
        self,
        make_worker: Callable[[], Any],
        redis_up: Callable[[], bool],
        sleep: Callable[[float], None] = time.sleep,
        between: Callable[[], None] = lambda: None,
    ) -> None:
        self.make_worker = make_worker
        self.redis_up = redis_up
        self.sleep = sleep
        self.between = between
        self.stopping = False
        self.starts = 0

    def ask_to_stop(self, *_args: Any) -> None:
        self.stopping = True

    def wait_for_redis(self) -> None:
        """Until Redis answers (or a stop is asked), pausing longer each time."""
        attempt = 0
        while not self.stopping and not self.redis_up():
            pause = backoff(attempt)
            log.warning("Jobs worker: Redis unreachable; trying again in %.0f s", pause)
            # Short steps, so that a stop is obeyed at once.
            waited = 0.0
            while waited < pause and not self.stopping:
                self.sleep(min(0.5, pause - waited))
                waited += 0.5
            attempt += 1

    def run(self, burst: bool = False) -> int:
        """Start workers until one ends because it was asked to (or, with ``burst``, because
        its queues are empty); returns how many were started."""
        while not self.stopping:
            self.between()
            self.wait_for_redis()
            if self.stopping:
                break
            self.starts += 1
            worker = None
            try:
                worker = self.make_worker()
                worker.work(burst=burst)
            except SystemExit:
                raise  # a second signal: RQ's cold shutdown
            except Exception as error:  # Redis went away mid-way (ConnectionError, Timeout…)
                log.warning("Jobs worker stopped: %s", error)
            asked = bool(getattr(worker, "stop_asked", False))
            if asked or self.stopping:
                break
            if burst and self.redis_up():
                break  # the queues were emptied (or the worker failed with Redis up: as RQ)
            log.warning("Jobs worker ended without being asked to; starting a new one")
        return self.starts


def _worker_class() -> type:
    from ckan.lib.jobs import Worker

    class Supervised(Worker):  # type: ignore[misc, valid-type]
        """CKAN's worker that remembers being asked to stop (SIGTERM/SIGINT)."""

        stop_asked = False

        def request_stop(self, signum: Any, frame: Any) -> Any:
            self.stop_asked = True
            return super().request_stop(signum, frame)

    return Supervised


def _redis_up() -> bool:
    from ckan.lib.redis import connect_to_redis

    try:
        return bool(connect_to_redis().ping())
    except Exception:
        return False


#: The queues a worker serves when none is named, in order: batch exchange runs
#: (``exchange.jobs.QUEUE``) before CKAN's default queue (xloader's loads, emails…).
DEFAULT_QUEUES = ("govshare_exchange", "default")


def run(queues: Iterable[str], burst: bool) -> int:
    names = list(queues) or list(DEFAULT_QUEUES)
    supervised = _worker_class()

    def own_handlers() -> None:
        # Between workers a signal stops the loop; while a worker runs, RQ's own handlers take
        # over (a warm shutdown after the job in hand), and the worker records the request.
        signal.signal(signal.SIGTERM, supervisor.ask_to_stop)
        signal.signal(signal.SIGINT, supervisor.ask_to_stop)

    supervisor = Supervisor(lambda: supervised(names), _redis_up, between=own_handlers)
    return supervisor.run(burst=burst)


@click.command("worker", short_help="CKAN's jobs worker, restarted when Redis went away.")
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker(queues: tuple[str, ...], burst: bool) -> None:
    """Run CKAN's background-jobs worker on QUEUES (default: batch exchange runs, then CKAN's
    default queue), as `ckan jobs worker` does, and start it again whenever it ends because
    Redis went away."""
    run(queues, burst)

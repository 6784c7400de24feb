"""How a job's records are dealt to its import workers (harvest/workers.py). What the workers
import is checked by the round trip, whose first harvest runs with two (test_roundtrip.py)."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ckanext.govshare.harvest import workers


@given(
    ids=st.lists(st.uuids().map(str), unique=True, max_size=200),
    count=st.integers(min_value=1, max_value=16),
)
def test_every_record_goes_to_exactly_one_worker_and_none_idles(ids: list[str], count: int):
    parts = workers.shares(ids, count)
    assert sorted(i for part in parts for i in part) == sorted(ids)
    assert all(parts)
    assert len(parts) == min(count, len(ids))
    if parts:
        sizes = [len(part) for part in parts]
        assert max(sizes) - min(sizes) <= 1


def test_records_are_dealt_in_turn() -> None:
    assert workers.shares(["a", "b", "c", "d", "e"], 2) == [["a", "c", "e"], ["b", "d"]]
    assert workers.shares(["a"], 4) == [["a"]]
    assert workers.shares([], 3) == []


class _NoEngine:
    """The test process's engine stays as it is: these workers touch no database."""

    def dispose(self, close: bool = True) -> None:
        pass


def test_the_shares_are_imported_at_the_same_time_in_processes_of_their_own(
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(workers, "_engine", _NoEngine)
    # Each share waits for the other to have started: one process taking both in turn, or
    # the job's own process, would never get past it.
    both = multiprocessing.get_context("fork").Barrier(2, timeout=60)

    def work(share: list[str]) -> dict[str, int]:
        both.wait()
        return {f"{os.getpid()}": len(share)}

    done = workers.run(work, [["a", "b", "c"], ["d"]])
    pids = [next(iter(d)) for d in done]
    assert [next(iter(d.values())) for d in done] == [3, 1]
    assert len(set(pids)) == 2 and str(os.getpid()) not in pids


def test_a_worker_that_dies_fails_the_job_instead_of_hanging(monkeypatch: Any) -> None:
    monkeypatch.setattr(workers, "_engine", _NoEngine)

    def die(share: list[str]) -> dict[str, int]:
        os._exit(3)

    with pytest.raises(BrokenProcessPool):
        workers.run(die, [["a"], ["b"]])

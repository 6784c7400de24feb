"""Reads a harvest import skips: answers it would compute again and throw away.

Plain Python (context variables). Measured in a first harvest by ckanext-harvest's CKAN
harvester, an entry's import ran ``package_show`` five times (issue 20, item 4); two of them
only repeat or discard work:

- the harvester shows the harvest source's dataset in every record's import, to read the
  department the entries go to (``owner_org``). Within one batch of ``harvest run``
  (``jobs.py``) the source is shown once and each later record gets a copy of that answer; a
  change of the source's department reaches the next batch, as a queue consumer sees it with
  its next record.
- ``package_create`` ends by showing the entry it created, and the harvester throws that
  answer away: in the harvester's own create it answers with the new entry's id
  (``return_id_only``), as ckanext-dcat's harvester asks for itself.

Neither changes what is written: the entry, its rules, audit events and origin stamps are
those of the full path.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Batch:
    source_id: str
    shown: dict[str, Any] | None = field(default=None)


_batch: ContextVar[_Batch | None] = ContextVar("govshare_harvest_batch", default=None)
_create_answers_id: ContextVar[bool] = ContextVar("govshare_harvest_create_id", default=False)


@contextmanager
def batch(source_id: str) -> Iterator[None]:
    """One batch of a job's imports from the harvest source ``source_id``."""
    token = _batch.set(_Batch(source_id))
    try:
        yield
    finally:
        _batch.reset(token)


def is_source(shown_id: Any) -> bool:
    """Whether ``shown_id`` is the harvest source of the batch that runs."""
    current = _batch.get()
    return current is not None and bool(shown_id) and shown_id == current.source_id


def source_shown(show: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A copy of the batch's answer for its harvest source; ``show`` computes it the first
    time. Only inside a batch (``is_source``)."""
    current = _batch.get()
    if current is None:
        raise LookupError("no harvest batch runs")
    if current.shown is None:
        current.shown = show()
    return copy.deepcopy(current.shown)


@contextmanager
def create_answers_id() -> Iterator[None]:
    """The next ``package_create`` inside answers with the new entry's id only."""
    token = _create_answers_id.set(True)
    try:
        yield
    finally:
        _create_answers_id.reset(token)


@contextmanager
def create_answer() -> Iterator[bool]:
    """Whether this ``package_create`` may answer with the id only; a create nested inside it
    (by a hook) answers in full."""
    wanted = _create_answers_id.get()
    token = _create_answers_id.set(False)
    try:
        yield wanted
    finally:
        _create_answers_id.reset(token)

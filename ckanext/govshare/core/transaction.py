"""One transaction per action, written once (issue 15): the change, its history row, its
audit event and its notices commit together or not at all.

Every govshare action that writes is decorated with ``atomic``: when it returns, what it
wrote is committed (unless the caller asked for ``defer_commit`` and commits itself); when it
raises, what it wrote is rolled back and the error goes on. ``commit`` is for the few actions
that must know the commit succeeded before they go on (an uploaded file is discarded when the
commit fails).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from ckan import model

__all__ = ["atomic", "commit"]

R = TypeVar("R")


def commit(context: Mapping[str, Any]) -> None:
    """Commit the session, unless the caller commits itself (``defer_commit``)."""
    if not context.get("defer_commit"):
        model.Session.commit()


def atomic(action: Callable[[Any, Any], R]) -> Callable[[Any, Any], R]:
    """Run ``action(context, data_dict)`` as one transaction: commit when it returns,
    roll back whatever it wrote when it (or the commit) fails."""

    @functools.wraps(action)
    def run(context: Any, data_dict: Any) -> R:
        try:
            result = action(context, data_dict)
            commit(context)
        except Exception:
            model.Session.rollback()
            raise
        return result

    return run

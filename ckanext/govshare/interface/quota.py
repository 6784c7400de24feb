"""A grant's daily call quota (issue 16, item 6): counted exactly once under concurrency,
refused calls not counted.

A call takes one unit with one statement, in a transaction of its own that commits at once
(before the query runs), so parallel calls wait on the counter row only for the length of
that statement, never for a whole query::

    INSERT … VALUES (:grant, :day, 1)
    ON CONFLICT (grant_id, day) DO UPDATE SET calls = calls + 1 WHERE calls < :limit
    RETURNING calls

PostgreSQL re-checks ``calls < :limit`` on the row as the last committed writer left it, so
of 50 concurrent calls against a quota of 10 exactly 10 get a row back. A call that then
fails for the caller's fault (a value the column cannot hold: 409) gives its unit back
(:func:`give_back`). Days are the platform's local days (``core.clock``), as deadlines are.
A grant without a quota (``max_calls_per_day`` NULL) is counted too, for its use figures.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from ckan import model

from ..access import grants as access_grants
from ..core import clock
from . import rules
from .model import quota_table

__all__ = ["give_back", "retry_after", "take", "usage"]

_TAKE = sa.text(
    f"INSERT INTO {quota_table.name} (grant_id, day, calls) VALUES (:grant_id, :day, 1) "
    f"ON CONFLICT (grant_id, day) DO UPDATE SET calls = {quota_table.name}.calls + 1 "
    f"WHERE :limit IS NULL OR {quota_table.name}.calls < :limit "
    "RETURNING calls"
).bindparams(sa.bindparam("limit", type_=sa.Integer))
_GIVE_BACK = sa.text(
    f"UPDATE {quota_table.name} SET calls = calls - 1 "
    "WHERE grant_id = :grant_id AND day = :day AND calls > 0"
)


def _engine() -> sa.engine.Engine:
    engine = model.meta.engine
    assert engine is not None, "CKAN binds the engine when its configuration is loaded"
    return engine


def take(grant_id: str, limit: int | None, day: dt.date | None = None) -> int | None:
    """Use one call of the grant's quota of ``day`` (default today), committed at once on a
    connection of its own: the calls made that day with this one, or ``None`` when the quota
    is used up (nothing is counted then)."""
    params = {"grant_id": grant_id, "day": day or clock.today(), "limit": limit}
    with _engine().begin() as conn:
        calls = conn.execute(_TAKE, params).scalar()
    return None if calls is None else int(calls)


def give_back(grant_id: str, day: dt.date) -> None:
    """Return the unit a call took when the call failed for the caller's fault (a 409)."""
    with _engine().begin() as conn:
        conn.execute(_GIVE_BACK, {"grant_id": grant_id, "day": day})


def retry_after(now: dt.datetime | None = None) -> int:
    """Seconds until the next local midnight, when a used-up quota starts afresh
    (``Retry-After`` of the 429)."""
    return rules.seconds_to_midnight(now or clock.now(), clock.timezone())


def usage(grant_id: str) -> dict[str, Any]:
    """The grant's quota and its use, for the grant page: ``{max_calls_per_day, today,
    this_month}`` (calls counted today and since the first of this local month)."""
    grant = access_grants.load_grant(grant_id) or {}
    today = clock.today()
    c = quota_table.c
    day_calls = sa.func.coalesce(sa.func.sum(sa.case((c.day == today, c.calls), else_=0)), 0)
    month_calls = sa.func.coalesce(sa.func.sum(c.calls), 0)
    row = model.Session.execute(
        sa.select(day_calls, month_calls).where(
            c.grant_id == grant_id, c.day >= today.replace(day=1), c.day <= today
        )
    ).one()
    return {
        "max_calls_per_day": grant.get("max_calls_per_day"),
        "today": int(row[0]),
        "this_month": int(row[1]),
    }

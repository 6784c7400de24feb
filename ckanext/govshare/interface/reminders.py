"""The call log chained into the audit trail, one digest a minute (issue 16, item 7): the
reminder step ``ckan govshare remind`` runs (``reminders/scheduler.py``).

Every refused call has an audit event of its own (``service.refuse``). Answered calls do not:
every audited transaction waits on the chain's head row for the one before it to commit, and
``bench/api_calls.py`` measured 31–46 % fewer calls a second with an audit event per call
than with the log row alone, 8–16 concurrent callers (e.g. 325 against 601 a second, p95 52
against 22 ms), on a chain that would then hold one event per call of a traffic that reaches
billions of calls. Instead, for
each UTC minute that has calls, one ``govshare_api_call_digest`` event holds the minute, the
number of rows (answered and refused), their first and last id and the sha256 over the
minute's rows in id order (``rules.row_line``): a row changed, removed or added afterwards no
longer matches its minute's digest (:func:`check`), and the digest itself is chained like
every event.

A minute is digested once it is :data:`GRACE` old (a call's row is written when it is
answered and committed at once, so none arrives later), at most :data:`PER_PASS` minutes a
pass, oldest first, each in its own transaction; a minute digested already is skipped, so the
step is safe to run at any frequency (cron every few minutes keeps the log chained within
minutes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import sqlalchemy as sa
from ckan import model

from ..audit import store as audit
from ..audit.model import event_table
from ..core import clock
from . import rules
from .model import call_table

__all__ = ["DIGEST", "check", "digest", "minutes_due", "write_digest"]

DIGEST = "govshare_api_call_digest"
OBJECT_TYPE = "api_call_minute"
GRACE = dt.timedelta(minutes=2)
# How far back a pass looks for minutes never digested, and how many it digests.
LOOKBACK = dt.timedelta(days=31)
PER_PASS = 5000


def digest(key: str) -> dict[str, Any]:
    """The digest of the minute ``key`` as the call log holds it now."""
    start = rules.minute_start(key)
    c = call_table.c
    rows = model.Session.execute(
        sa.select(*(c[name] for name in rules.DIGESTED))
        .where(c.time >= start, c.time < start + dt.timedelta(minutes=1))
        .order_by(c.id)
        .execution_options(yield_per=2000)
    )
    sha = hashlib.sha256()
    count = answered = 0
    first = last = None
    for row in rows:
        values = dict(row._mapping)
        sha.update(rules.row_line(values))
        count += 1
        answered += values["outcome"] == "answered"
        first = values["id"] if first is None else first
        last = values["id"]
    return {
        "minute": key,
        "count": count,
        "answered": answered,
        "refused": count - answered,
        "first_id": first,
        "last_id": last,
        "sha256": sha.hexdigest(),
    }


def _digested(keys: list[str]) -> set[str]:
    if not keys:
        return set()
    e = event_table.c
    found = model.Session.execute(
        sa.select(e.object_id).where(e.object_id.in_(keys), e.action == DIGEST)
    ).scalars()
    return set(found)


def minutes_due(today: dt.date | None = None, calendar: Any = None) -> list[str]:
    """Minutes with calls, :data:`GRACE` old, not digested yet, oldest first."""
    now = clock.now()
    e, c = event_table.c, call_table.c
    last = model.Session.execute(
        sa.select(e.object_id)
        .where(e.action == DIGEST, e.time >= now - LOOKBACK)
        .order_by(e.seq.desc())
        .limit(1)
    ).scalar()
    since = now - LOOKBACK
    if last is not None:
        since = max(since, rules.minute_start(last) + dt.timedelta(minutes=1))
    minute = sa.func.date_trunc("minute", sa.func.timezone("UTC", c.time))
    starts = model.Session.execute(
        sa.select(minute)
        .where(c.time >= since, c.time < now - GRACE)
        .group_by(minute)
        .order_by(minute)
        .limit(PER_PASS)
    ).scalars()
    cutoff = rules.minute_key(now - GRACE)
    keys = [rules.minute_key(s.replace(tzinfo=dt.timezone.utc)) for s in starts]
    keys = [k for k in keys if k < cutoff]  # a minute not over yet waits for the next pass
    done = _digested(keys)
    return [k for k in keys if k not in done]


def write_digest(key: str, today: dt.date | None = None, calendar: Any = None) -> int | None:
    """The minute's digest event, in the caller's transaction (``None``: digested already or
    no call in it)."""
    if _digested([key]):
        return None
    summary = digest(key)
    if not summary["count"]:
        return None
    audit.record(
        DIGEST,
        object_type=OBJECT_TYPE,
        object_id=key,
        detail=summary,
    )
    return 0


def check(key: str) -> bool | None:
    """Whether the call log's rows of the minute still match its digest event (``None``:
    the minute has no digest)."""
    e = event_table.c
    found = model.Session.execute(
        sa.select(e.detail)
        .where(e.object_id == key, e.action == DIGEST)
        .order_by(e.seq.desc())
        .limit(1)
    ).scalar()
    if found is None:
        return None
    return dict(found) == digest(key)

"""The call log of the service interface: one ``govshare_api_call`` row per call, refused
calls included (issue 16, item 7; 2025 Regulations art. 22, 25; X-Road keeps a log of every
call with its outcome and size).

:func:`record` writes the row through ``model.Session``, in the caller's transaction: a
refused call's row commits with its audit event, an answered call's row on its own (no audit
event: the chain head would serialise every call; the minute's rows are chained instead by a
``govshare_api_call_digest`` audit event, :mod:`.reminders`). The three methods share it: query
(联机查询), query-and-verify (查询核验) and the cut file download (``downloads`` records its
cut downloads here with method ``download``). This module imports no other domain but
``core`` and the interface's tables, so any delivery may import it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from ckan import model

from ..core import clock
from .model import METHODS, call_table

__all__ = ["ANSWERED", "OUTCOMES", "REFUSED", "record"]

ANSWERED = "answered"
REFUSED = "refused"
OUTCOMES = (ANSWERED, REFUSED)

# Bounds of what a row keeps of what the caller sent (the caller's input is bounded before,
# but a row must never be where junk lands whole).
_MAX_TEXT = 200
_MAX_FIELDS = 500


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value)[:_MAX_TEXT]


def record(
    *,
    method: str,
    resource_id: str,
    outcome: str,
    status_code: int,
    reason: str | None = None,
    user_id: str | None = None,
    organization_id: str | None = None,
    grant_id: str | None = None,
    token_id: str | None = None,
    purpose: str | None = None,
    package_id: str | None = None,
    fields: Sequence[str] | None = None,
    rows: int | None = None,
    milliseconds: int | None = None,
    client_address: str | None = None,
    time: dt.datetime | None = None,
) -> int:
    """Add one call's row in the caller's transaction and answer its id.

    ``method`` is ``query``, ``verify`` or ``download``; ``outcome`` ``answered`` or
    ``refused`` (then ``reason`` says why, as the refusal's reason code); ``fields`` the
    columns answered (or asked for, when refused); ``rows`` the rows delivered (for a
    verification, the rows looked at: 0 or 1); ``milliseconds`` from the call's start to
    its answer; ``client_address`` the client's address behind the trusted proxies.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}: {method!r}")
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}: {outcome!r}")
    values = {
        "time": time or clock.now(),
        "user_id": _text(user_id),
        "organization_id": _text(organization_id),
        "grant_id": _text(grant_id),
        "token_id": _text(token_id),
        "purpose": _text(purpose),
        "package_id": _text(package_id),
        "resource_id": _text(resource_id) or "",
        "method": method,
        "fields": [str(f)[:_MAX_TEXT] for f in fields][:_MAX_FIELDS]
        if fields is not None
        else None,
        "rows": rows,
        "outcome": outcome,
        "reason": _text(reason),
        "status_code": int(status_code),
        "milliseconds": milliseconds,
        "client_address": _text(client_address),
    }
    return int(
        model.Session.execute(
            sa.insert(call_table).values(**values).returning(call_table.c.id)
        ).scalar_one()
    )

"""A user's own notices: the page of them the dashboard shows, and marking them read.

``core.py`` writes notices (``notify``) and emails them; this reads one user's and sets
``read_at``, nothing else. Nobody, a sysadmin included, reads another user's notices here: a
notice may name a request's parties (art. 14: shared data and its paperwork stay with those
who handle it). Everything runs in the caller's transaction; the action commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ..core import clock, paging
from ..core.messages import message
from . import language, stored, texts
from .model import notice_table

__all__ = ["NOT_FOUND", "mark_read", "page", "unread"]

NOT_FOUND = message("Notice not found", "通知不存在")

_c = notice_table.c


def _time(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.timezone.utc).isoformat() if value else None


def as_dict(row: Any, reader_locale: str | None = None) -> dict[str, Any]:
    """A notice as the API answers it (``created``: when it was queued), in the language it
    was written in; one stored in both languages by an earlier version is given in
    ``reader_locale`` (the reader's setting) only."""
    n = getattr(row, "_mapping", row)
    subject, body = n["subject"], n["body"]
    written_in = stored.locale_of(n["params"])
    if written_in is None:
        written_in = language.normalise(reader_locale)
        subject, body = texts.one_language(n["kind"], subject, body, written_in)
    return {
        "id": n["id"],
        "kind": n["kind"],
        "locale": written_in,
        "subject": subject,
        "body": body,
        "link": n["link"],
        # What older versions kept beyond ids and codes (a comment's text) is not handed out.
        "params": stored.kept(n["params"]),
        "created": _time(n["created_at"]),
        "read_at": _time(n["read_at"]),
        "unread": n["read_at"] is None,
        "emailed": n["emailed_at"] is not None,
    }


def unread(user_id: str) -> int:
    """How many of the user's notices are not read yet."""
    return model.Session.execute(
        sa.select(sa.func.count())
        .select_from(notice_table)
        .where(_c.user_id == user_id, _c.read_at.is_(None))
    ).scalar_one()


def page(user_id: str, *, unread_only: bool, limit: int, offset: int) -> dict[str, Any]:
    """The user's notices, newest first: ``{"count", "unread", "results"}``."""
    where = _c.user_id == user_id
    if unread_only:
        where = sa.and_(where, _c.read_at.is_(None))
    order = [_c.created_at.desc(), _c.id]
    reader = language.of_users([user_id]).get(user_id)

    def as_dicts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [as_dict(row, reader) for row in rows]

    found = paging.page(notice_table, where, order, {"limit": limit, "offset": offset}, as_dicts)
    return {**found, "unread": found["count"] if unread_only else unread(user_id)}


def mark_read(user_id: str, ids: Sequence[str] | None) -> dict[str, int]:
    """Mark the user's notices ``ids`` read (``None``: all of them); ``{"marked", "unread"}``.

    An id that is not one of the user's notices is not found, whether or not it exists
    elsewhere. A notice read before keeps its first ``read_at``.
    """
    where = _c.user_id == user_id
    if ids is not None:
        own = set(model.Session.execute(sa.select(_c.id).where(where, _c.id.in_(ids))).scalars())
        if any(i not in own for i in ids):
            raise tk.ObjectNotFound(NOT_FOUND)
        where = sa.and_(where, _c.id.in_(ids))
    marked = cast(
        sa.engine.CursorResult,
        model.Session.execute(
            notice_table.update().where(where, _c.read_at.is_(None)).values(read_at=clock.now())
        ),
    ).rowcount  # an UPDATE answers a cursor result, which counts the rows
    return {"marked": marked, "unread": unread(user_id)}

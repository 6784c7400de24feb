"""Notice actions: a user's own notices (``govshare_notice_list``) and marking them read.

Notices are written by ``ckanext.govshare.notices.notify`` (the access actions and
``ckan govshare remind``); these only read them and set ``read_at``. Nobody, a sysadmin
included, reads another user's notices through them: a notice may name a request's parties.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ...notices import stored
from ...notices.model import notice_table
from ..schema.notices import NO_IDS, notice_list_schema, notice_mark_read_schema

__all__ = ["govshare_notice_list", "govshare_notice_mark_read"]


def _user_id(context: Any) -> str:
    user = context.get("auth_user_obj") or model.User.get(context.get("user") or "")
    if user is None or not getattr(user, "id", None):
        raise tk.NotAuthorized(tk._("Log in to see your notices"))
    return user.id


def _time(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.timezone.utc).isoformat() if value else None


def _as_dict(row: Any) -> dict[str, Any]:
    n = row._mapping
    return {
        "id": n["id"],
        "kind": n["kind"],
        "subject": n["subject"],
        "body": n["body"],
        "link": n["link"],
        # What older versions kept beyond ids and codes (a comment's text) is not handed out.
        "params": stored.kept(n["params"]),
        "created_at": _time(n["created_at"]),
        "read_at": _time(n["read_at"]),
        "unread": n["read_at"] is None,
        "emailed": n["emailed_at"] is not None,
    }


def _unread(user_id: str) -> int:
    c = notice_table.c
    return model.Session.execute(
        sa.select(sa.func.count())
        .select_from(notice_table)
        .where(c.user_id == user_id, c.read_at.is_(None))
    ).scalar_one()


@tk.side_effect_free
def govshare_notice_list(context: Any, data_dict: Any) -> dict[str, Any]:
    """The caller's notices, newest first.

    :param unread: only unread notices (default false)
    :param limit: page size (default 20, at most 100)
    :param offset: notices to skip (default 0)
    :returns: ``{"count": matching, "unread": unread in all, "results": [notices],
        "limit": …, "offset": …}``; a notice has ``id``, ``kind``, ``subject``, ``body``,
        ``link`` (site-relative), ``params``, ``created_at``, ``read_at``, ``unread``, ``emailed``
    """
    tk.check_access("govshare_notice_list", context, data_dict)
    data, errors = tk.navl_validate(dict(data_dict), notice_list_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    user_id = _user_id(context)
    c = notice_table.c
    where = c.user_id == user_id
    if data["unread"]:
        where = sa.and_(where, c.read_at.is_(None))
    count = model.Session.execute(
        sa.select(sa.func.count()).select_from(notice_table).where(where)
    ).scalar_one()
    rows = model.Session.execute(
        sa.select(notice_table)
        .where(where)
        .order_by(c.created_at.desc(), c.id)
        .limit(data["limit"])
        .offset(data["offset"])
    ).all()
    return {
        "count": count,
        "unread": count if data["unread"] else _unread(user_id),
        "results": [_as_dict(r) for r in rows],
        "limit": data["limit"],
        "offset": data["offset"],
    }


def govshare_notice_mark_read(context: Any, data_dict: Any) -> dict[str, Any]:
    """Mark some of the caller's notices read (``id``: one id or a list) or all (``all``).

    An id that is not one of the caller's notices is not found (whether it exists elsewhere
    is not told). Marking a read notice again keeps its first ``read_at``.

    :returns: ``{"marked": newly marked, "unread": unread left}``
    """
    tk.check_access("govshare_notice_mark_read", context, data_dict)
    data, errors = tk.navl_validate(dict(data_dict), notice_mark_read_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    ids = data.get("id") or []
    if not ids and not data["all"]:
        raise tk.ValidationError({"id": [NO_IDS]})
    user_id = _user_id(context)
    c = notice_table.c
    where = c.user_id == user_id
    if not data["all"]:
        own = set(model.Session.execute(sa.select(c.id).where(where, c.id.in_(ids))).scalars())
        missing = [i for i in ids if i not in own]
        if missing:
            raise tk.ObjectNotFound(tk._("Notice not found"))
        where = sa.and_(where, c.id.in_(ids))
    marked = model.Session.execute(
        notice_table.update()
        .where(where, c.read_at.is_(None))
        .values(read_at=dt.datetime.now(dt.timezone.utc))
    ).rowcount
    unread = _unread(user_id)
    if not context.get("defer_commit"):
        model.Session.commit()
    return {"marked": marked, "unread": unread}

"""Notice actions: a user's own notices (``govshare_notice_list``) and marking them read.

Notices are written by ``ckanext.govshare.notices.notify`` (the access actions and
``ckan govshare remind``); these only read them and set ``read_at`` (``notices/inbox.py``).
Nobody, a sysadmin included, reads another user's notices through them: a notice may name a
request's parties.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...core.messages import message
from ...core.vocabulary import renamed, with_old_keys
from ...notices import inbox
from ..schema.notices import NO_IDS, notice_list_schema, notice_mark_read_schema

__all__ = ["govshare_notice_list", "govshare_notice_mark_read"]

#: Answer keys of an earlier version (old -> new), kept for one more release.
OLD_KEYS = {"created_at": "created"}

LOG_IN = message("Log in to see your notices", "请登录后查看通知")


def _user_id(context: Context) -> str:
    user = context.get("auth_user_obj") or model.User.get(context.get("user") or "")
    if user is None or not getattr(user, "id", None):
        raise tk.NotAuthorized(LOG_IN)
    return user.id


@renamed(answer_keys=OLD_KEYS)
@tk.side_effect_free
@validate(notice_list_schema)
def govshare_notice_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The caller's notices, newest first: what the platform told them, and what is unread
    (issue 5: the dashboard's "Notices" tab).

    :param unread: only unread notices (default false)
    :param limit: page size (default 50, at most 1000)
    :param offset: notices to skip (default 0)
    :returns: ``{"count": matching, "unread": unread in all, "results": [notices],
        "limit": …, "offset": …}``; a notice has ``id``, ``kind``, ``subject``, ``body``,
        ``link`` (site-relative), ``params``, ``created``, ``read_at``, ``unread``,
        ``emailed`` (and ``created_at``, the old name of ``created``, until 0.3.0)
    """
    tk.check_access("govshare_notice_list", context, data_dict)
    answer = inbox.page(
        _user_id(context),
        unread_only=data_dict["unread"],
        limit=data_dict["limit"],
        offset=data_dict["offset"],
    )
    return {
        **answer,
        "results": [with_old_keys(n, OLD_KEYS) for n in answer["results"]],
        "limit": data_dict["limit"],
        "offset": data_dict["offset"],
    }


@validate(notice_mark_read_schema)
def govshare_notice_mark_read(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Mark some of the caller's notices read (``id``: one id or a list) or all (``all``).

    An id that is not one of the caller's notices is not found (whether it exists elsewhere
    is not told). Marking a read notice again keeps its first ``read_at``.

    :returns: ``{"marked": newly marked, "unread": unread left}``
    """
    tk.check_access("govshare_notice_mark_read", context, data_dict)
    ids = data_dict.get("id") or []
    if not ids and not data_dict["all"]:
        raise tk.ValidationError({"id": [NO_IDS]})
    answer = inbox.mark_read(_user_id(context), None if data_dict["all"] else ids)
    if not context.get("defer_commit"):
        model.Session.commit()
    return answer

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

from ...audit import store as audit_store
from ...core.messages import message
from ...core.vocabulary import renamed, with_old_keys
from ...notices import inbox, language
from ..schema.notices import (
    NO_IDS,
    notice_list_schema,
    notice_mark_read_schema,
    user_settings_update_schema,
)

__all__ = [
    "govshare_notice_list",
    "govshare_notice_mark_read",
    "govshare_user_settings_show",
    "govshare_user_settings_update",
]

#: Answer keys of an earlier version (old -> new), kept for one more release.
OLD_KEYS = {"created_at": "created"}

LOG_IN = message("Log in to see your notices", "请登录后查看通知")


def _user(context: Context) -> model.User:
    user = context.get("auth_user_obj") or model.User.get(context.get("user") or "")
    if not isinstance(user, model.User) or not user.id:
        raise tk.NotAuthorized(LOG_IN)
    return user


def _user_id(context: Context) -> str:
    return _user(context).id


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


#: The languages notices are written in, with their names in both (docs/api.md: labels).
LANGUAGE_LABELS = {
    language.ZH: {"en": "Chinese", "zh_Hans_CN": "中文"},
    language.EN: {"en": "English", "zh_Hans_CN": "英文"},
}


def _settings(user: model.User) -> dict[str, Any]:
    chosen = language.chosen(user)
    return {
        "locale": chosen or language.site_default(),
        "chosen": chosen,
        "site_default": language.site_default(),
        "languages": [{"value": v, "label": LANGUAGE_LABELS[v]} for v in language.LANGUAGES],
    }


@tk.side_effect_free
def govshare_user_settings_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The caller's own settings (issue 19, item 7): the language of their notices and emails.

    :returns: ``{"locale": the language notices are written in for them, "chosen": their
        choice or null (the site's), "site_default": the site's (``ckan.locale_default``),
        "languages": [{"value", "label": {"en", "zh_Hans_CN"}}]}``
    """
    tk.check_access("govshare_user_settings_show", context, data_dict)
    return _settings(_user(context))


@validate(user_settings_update_schema)
def govshare_user_settings_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Set the language of the caller's notices and emails (issue 19, item 7): notices queued
    from then on are written, and emailed, in it; earlier ones stored in both languages are
    shown in it. Audited (``govshare_user_settings_update``) in the same transaction.

    :param locale: ``zh_Hans_CN`` or ``en``; empty: the site's language
    :returns: the settings, as ``govshare_user_settings_show``
    """
    tk.check_access("govshare_user_settings_update", context, data_dict)
    user = _user(context)
    change = language.set_for(user, data_dict["locale"])
    if change["before"] != change["after"]:
        audit_store.record(
            "govshare_user_settings_update",
            actor_id=user.id,
            actor_name=user.name,
            object_type="user",
            object_id=user.id,
            detail={"locale": change["after"], "locale_before": change["before"]},
        )
    if not context.get("defer_commit"):
        model.Session.commit()
    return _settings(user)

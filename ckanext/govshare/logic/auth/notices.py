"""Who may read and mark notices: any logged-in user, and only their own (the actions filter
by the caller; anonymous visitors have no notices).

Every refusal is in English and Chinese (docs/api.md, "Conventions"): CKAN's own "requires an
authenticated user" is English only, so these let anonymous calls in and refuse them here.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...core.messages import message

__all__ = [
    "govshare_notice_list",
    "govshare_notice_mark_read",
    "govshare_user_settings_show",
    "govshare_user_settings_update",
]

LOG_IN = message("Log in to see your notices", "请登录后查看通知")
LOG_IN_SETTINGS = message("Log in to see your settings", "请登录后查看个人设置")


def _own_notices(context: Context) -> AuthResult:
    if not context.get("auth_user_obj"):
        return {"success": False, "msg": LOG_IN}
    return {"success": True}


@tk.auth_allow_anonymous_access
def govshare_notice_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _own_notices(context)


@tk.auth_allow_anonymous_access
def govshare_notice_mark_read(context: Context, data_dict: DataDict) -> AuthResult:
    return _own_notices(context)


def _own_settings(context: Context) -> AuthResult:
    if not context.get("auth_user_obj"):
        return {"success": False, "msg": LOG_IN_SETTINGS}
    return {"success": True}


@tk.auth_allow_anonymous_access
def govshare_user_settings_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user, their own settings only (the action takes no user id)."""
    return _own_settings(context)


@tk.auth_allow_anonymous_access
def govshare_user_settings_update(context: Context, data_dict: DataDict) -> AuthResult:
    return _own_settings(context)

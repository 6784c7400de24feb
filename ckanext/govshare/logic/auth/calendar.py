"""Who may read and change the working-day calendar.

Changing it is for sysadmins (workflows.md roles: "everything, including the holiday
calendar"); CKAN lets sysadmins past every auth function, so the writers refuse everyone
else. Any logged-in user may read it: deadlines are counted on it. Every refusal is in English
and Chinese (docs/api.md, "Conventions"), the anonymous caller's too.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...core.messages import message

__all__ = [
    "govshare_calendar_day_delete",
    "govshare_calendar_day_set",
    "govshare_calendar_export",
    "govshare_calendar_load",
    "govshare_calendar_show",
]

LOG_IN = message("Log in to see the working-day calendar", "请登录后查看工作日日历")
SYSADMINS_ONLY = message(
    "Only sysadmins may change the working-day calendar", "只有系统管理员可以修改工作日日历"
)


@tk.auth_allow_anonymous_access
def govshare_calendar_show(context: Context, data_dict: DataDict) -> AuthResult:
    if not context.get("auth_user_obj"):
        return {"success": False, "msg": LOG_IN}
    return {"success": True}


@tk.auth_allow_anonymous_access
def _sysadmins_only(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": SYSADMINS_ONLY}


govshare_calendar_day_set = _sysadmins_only
govshare_calendar_day_delete = _sysadmins_only
govshare_calendar_load = _sysadmins_only
# The export is the file a sysadmin edits and loads again (the page's "Export CSV").
govshare_calendar_export = _sysadmins_only

"""Who may read and change the working-day calendar.

Changing it is for sysadmins (workflows.md roles: "everything, including the holiday
calendar"); CKAN lets sysadmins past every auth function, so the writers refuse everyone
else. Any logged-in user may read it: deadlines are counted on it.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__ = [
    "govshare_calendar_day_delete",
    "govshare_calendar_day_set",
    "govshare_calendar_load",
    "govshare_calendar_show",
]


@tk.auth_disallow_anonymous_access
def govshare_calendar_show(context: Any, data_dict: Any) -> dict[str, Any]:
    return {"success": True}


def _sysadmins_only(context: Any, data_dict: Any) -> dict[str, Any]:
    return {
        "success": False,
        "msg": tk._("Only sysadmins may change the working-day calendar"),
    }


govshare_calendar_day_set = _sysadmins_only
govshare_calendar_day_delete = _sysadmins_only
govshare_calendar_load = _sysadmins_only

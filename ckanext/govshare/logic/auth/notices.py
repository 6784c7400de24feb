"""Who may read and mark notices: any logged-in user, and only their own (the actions filter
by the caller; anonymous visitors have no notices)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["govshare_notice_list", "govshare_notice_mark_read"]


@tk.auth_disallow_anonymous_access
def govshare_notice_list(context: Any, data_dict: Any) -> dict[str, Any]:
    return {"success": True}


@tk.auth_disallow_anonymous_access
def govshare_notice_mark_read(context: Any, data_dict: Any) -> dict[str, Any]:
    return {"success": True}

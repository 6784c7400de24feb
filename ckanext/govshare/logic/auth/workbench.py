"""Who may read a workbench: any logged-in user, only their own (issue 19, item 2).

The refusal is in English and Chinese (docs/api.md, "Conventions"): CKAN's own "requires an
authenticated user" is English only, so this lets anonymous calls in and refuses them here.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...core.messages import message

__all__ = ["govshare_workbench_show"]

LOG_IN = message("Log in to see your workbench", "请登录后查看工作台")


@tk.auth_allow_anonymous_access
def govshare_workbench_show(context: Context, data_dict: DataDict) -> AuthResult:
    if not context.get("auth_user_obj"):
        return {"success": False, "msg": LOG_IN}
    return {"success": True}

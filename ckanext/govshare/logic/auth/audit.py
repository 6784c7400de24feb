"""Who may read the audit trail: sysadmins (by CKAN), the sharing authority, data officers, the
joint conference (its own events); see ``audit/trail.py`` for which events each one sees.

Every refusal is in English and Chinese (docs/api.md, "Conventions"), the anonymous caller's
too: CKAN's own "requires an authenticated user" is English only.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...audit import trail
from ...core.messages import message

__all__ = ["govshare_audit_export", "govshare_audit_list"]

LOG_IN = message("Log in to read the audit trail", "请登录后查看审计日志")
NOT_A_READER = message(
    "Only the sharing authority and data officers may read the audit trail",
    "只有共享主管部门和数据管理员可以查看审计日志",
)


@tk.auth_allow_anonymous_access
def govshare_audit_list(context: Context, data_dict: DataDict) -> AuthResult:
    if not context.get("auth_user_obj"):
        return {"success": False, "msg": LOG_IN}
    if trail.Reader.of(context.get("user")).may_read:
        return {"success": True}
    return {"success": False, "msg": NOT_A_READER}


govshare_audit_export = govshare_audit_list

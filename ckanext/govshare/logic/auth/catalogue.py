"""Who may download and upload a department's catalogue spreadsheet: whoever may create its
entries, i.e. its data officers (art. 8: each department maintains its own catalogue), and
sysadmins. Refusals in English and Chinese (docs/api.md, "Conventions")."""

from __future__ import annotations

from collections.abc import Mapping

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...core.messages import message
from ..guard import lookup_key

__all__ = ["govshare_catalogue_export", "govshare_catalogue_import"]

LOG_IN = message("Log in to maintain a catalogue", "请登录后维护信息资源目录")
OFFICERS_ONLY = message(
    "Only the department's data officers maintain its catalogue",
    "只有本部门数据管理员可以维护其信息资源目录",
)


def _maintains(context: Context, data_dict: DataDict) -> AuthResult:
    if not context.get("auth_user_obj"):
        return {"success": False, "msg": LOG_IN}
    org = (data_dict or {}).get("id")
    org_id = org.get("id") if isinstance(org, Mapping) else lookup_key(org)
    if not org_id:
        return {"success": False, "msg": OFFICERS_ONLY}
    try:
        user = context.get("user") or ""
        tk.check_access("package_create", {"user": user}, {"owner_org": org_id})
    except tk.NotAuthorized:
        return {"success": False, "msg": OFFICERS_ONLY}
    return {"success": True}


@tk.auth_allow_anonymous_access
def govshare_catalogue_export(context: Context, data_dict: DataDict) -> AuthResult:
    return _maintains(context, data_dict)


@tk.auth_allow_anonymous_access
def govshare_catalogue_import(context: Context, data_dict: DataDict) -> AuthResult:
    return _maintains(context, data_dict)

"""Auth functions of CKAN and its extensions that crash instead of refusing (issue 14, item 4:
no 500 on any input). Each is chained: it refuses what the original cannot judge and hands the
rest to it.

- ``package_collaborator_list`` (CKAN 2.11, 2.12) asserts that the caller is a user: anonymous
  calls were an ``AssertionError``, a 500.
- ``harvest_log_list`` (ckanext-harvest 1.6) is registered with the action itself as its auth
  function, so checking it recursed until Python stopped it, a 500. The harvest log is for
  sysadmins (who pass before any auth function): everyone else is refused.
"""

from __future__ import annotations

from collections.abc import Callable

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ...core.messages import message

__all__ = ["harvest_log_list", "package_collaborator_list"]

LOG_IS_FOR_SYSADMINS = message("The harvest log is for sysadmins", "采集日志仅限系统管理员查看")
LOG_IN_FIRST = message("Log in to see a dataset's collaborators", "请先登录再查看信息资源的协作者")


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def package_collaborator_list(
    next_auth: Callable[..., AuthResult], context: Context, data_dict: DataDict | None
) -> AuthResult:
    user = context.get("user")
    if not user or model.User.get(user) is None:
        return {"success": False, "msg": LOG_IN_FIRST}
    return next_auth(context, data_dict)


@tk.chained_auth_function
def harvest_log_list(
    next_auth: Callable[..., AuthResult], context: Context, data_dict: DataDict | None
) -> AuthResult:
    return {"success": False, "msg": LOG_IS_FOR_SYSADMINS}

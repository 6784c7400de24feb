"""Who may call the download actions: the download routes only (issue 15, item 1).

``govshare_download_authorize``, ``govshare_download_count``, ``govshare_bulk_prepare`` and
``govshare_ckan_download_authorize`` are the checks, counting and recording of the download
routes (``/govshare/download/…``, ``/govshare/bulk``, CKAN's ``/dataset/…/download``): they
hand the route a file, an open link or a ZIP to stream, which no JSON answer can carry, and
they record each download in the audit trail. A route calls them with
:func:`route_context`; the action API cannot set that context key, so from the API they are
refused with 403 (sysadmins included: ``auth_sysadmins_check``). Whether the download itself
is allowed (the token, the grant, art. 14) is the action's own check, whose refusals carry a
reason code and are audited.
"""

from __future__ import annotations

from typing import Any, cast

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...core.messages import message

__all__ = [
    "govshare_bulk_prepare",
    "govshare_cart_add",
    "govshare_cart_clear",
    "govshare_cart_remove",
    "govshare_cart_show",
    "govshare_ckan_download_authorize",
    "govshare_download_authorize",
    "govshare_download_count",
]

#: The context key a download route sets (its endpoint): the mark of an internal call.
ROUTE_KEY = "govshare_download_route"

ROUTES_ONLY = message(
    "This action serves the download routes (/govshare/download, /govshare/bulk): it is not "
    "part of the action API. Download with Authorization: Bearer <token> on those routes",
    "该操作仅供下载路由（/govshare/download、/govshare/bulk）内部使用，不属于操作接口。"
    "请在这些路由上使用请求头 Authorization: Bearer <令牌> 下载",
)


def route_context(user: str, route: str) -> Context:
    """The context a download route calls the download actions with."""
    return cast(Context, {"user": user, ROUTE_KEY: route})


def _from_route(context: Context) -> AuthResult:
    if context.get(ROUTE_KEY):
        return {"success": True}
    return {"success": False, "msg": ROUTES_ONLY}


@tk.auth_sysadmins_check
@tk.auth_allow_anonymous_access
def govshare_download_authorize(context: Context, data_dict: DataDict | None) -> AuthResult:
    """A download route (a bare token is anonymous: the token is the credential)."""
    return _from_route(context)


@tk.auth_sysadmins_check
@tk.auth_allow_anonymous_access
def govshare_download_count(context: Context, data_dict: DataDict | None) -> AuthResult:
    """A download route, counting a download ``govshare_download_authorize`` allowed."""
    from ...downloads.delivery import Delivery

    delivery: Any = (data_dict or {}).get("delivery")
    if not isinstance(delivery, Delivery):
        return {"success": False, "msg": ROUTES_ONLY}
    return _from_route(context)


@tk.auth_sysadmins_check
@tk.auth_allow_anonymous_access
def govshare_bulk_prepare(context: Context, data_dict: DataDict | None) -> AuthResult:
    return _from_route(context)


@tk.auth_sysadmins_check
@tk.auth_allow_anonymous_access
def govshare_ckan_download_authorize(context: Context, data_dict: DataDict | None) -> AuthResult:
    """CKAN's own download route (``datalinks``): every visitor's download is judged and
    recorded there, open data included."""
    return _from_route(context)


# ---------------------------------------------------------------------------- download list

CART_LOG_IN = message("Log in to keep a download list", "请登录后使用下载清单")


def _own_list(context: Context) -> AuthResult:
    """A download list is its user's own (issue 19, item 8): any logged-in user has one;
    what may go in it is the action's check (a live grant of one of their departments)."""
    if context.get("user"):
        return {"success": True}
    return {"success": False, "msg": CART_LOG_IN}


@tk.auth_allow_anonymous_access
def govshare_cart_add(context: Context, data_dict: DataDict | None) -> AuthResult:
    return _own_list(context)


@tk.auth_allow_anonymous_access
def govshare_cart_remove(context: Context, data_dict: DataDict | None) -> AuthResult:
    return _own_list(context)


@tk.auth_allow_anonymous_access
def govshare_cart_show(context: Context, data_dict: DataDict | None) -> AuthResult:
    return _own_list(context)


@tk.auth_allow_anonymous_access
def govshare_cart_clear(context: Context, data_dict: DataDict | None) -> AuthResult:
    return _own_list(context)

"""Who may call the service interface's actions (issue 16, items 4–5; 2025 Regulations
art. 22).

``govshare_data_query`` and ``govshare_data_verify`` admit a logged-in user (their
departments' grants decide what they get, in the action), and the interface routes
(``/govshare/query/<resource_id>``, ``/govshare/verify/<resource_id>``) calling with a bearer
token in :func:`route_context` — a context key the action API cannot set, so a token is only
ever taken from the ``Authorization`` header of those routes. Anyone else is refused, with a
message in both languages; the action records the refusal as a call.
"""

from __future__ import annotations

from typing import cast

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...core.messages import message

__all__ = ["govshare_data_query", "govshare_data_verify"]

#: Context keys the interface routes set: their endpoint, and the bearer token.
ROUTE_KEY = "govshare_interface_route"
TOKEN_KEY = "govshare_interface_token"

LOG_IN = message(
    "Log in, or call /govshare/query or /govshare/verify with an interface token "
    "(Authorization: Bearer <token>)",
    "请先登录，或在 /govshare/query、/govshare/verify 上使用接口令牌"
    "（Authorization: Bearer <令牌>）调用",
)


def route_context(user: str, route: str, token: str | None) -> Context:
    """The context an interface route calls the interface actions with."""
    return cast(Context, {"user": user, ROUTE_KEY: route, TOKEN_KEY: token})


def from_route(context: Context) -> bool:
    return bool(context.get(ROUTE_KEY))


def bearer(context: Context) -> str | None:
    """The token a route passed (None from the action API)."""
    token = context.get(TOKEN_KEY) if from_route(context) else None
    return token if isinstance(token, str) and token else None


def _caller(context: Context) -> AuthResult:
    if context.get("user") or bearer(context):
        return {"success": True}
    return {"success": False, "msg": LOG_IN}


@tk.auth_allow_anonymous_access
def govshare_data_query(context: Context, data_dict: DataDict | None) -> AuthResult:
    """A logged-in user, or an interface route with a bearer token (checked by the action)."""
    return _caller(context)


@tk.auth_allow_anonymous_access
def govshare_data_verify(context: Context, data_dict: DataDict | None) -> AuthResult:
    """As :func:`govshare_data_query`."""
    return _caller(context)

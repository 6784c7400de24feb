"""What the govshare pages share (issue 15, item 2): the caller's context, the login
redirect, refusals as error pages, field errors for a form, and list paging.

Written once here so that a page module never imports another page module's private
helpers (``views/feedback.py`` used seven of ``views/access.py``). Nothing here reads the
model: a page still gets its data from actions (``tk.get_action``) and template helpers.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.pagination import Page
from ckan.types import Context
from flask import Response, request

from .guard import page_number as _guarded_page_number

__all__ = [
    "PAGE_SIZE",
    "abort_for",
    "context",
    "field_errors",
    "logged_in",
    "login",
    "page_number",
    "pager",
    "send_file",
]

#: Rows on one page of a list (requests, grants, feedback, obligations).
PAGE_SIZE = 25


def context() -> Context:
    """The context an action is called with from a page: the logged-in user, if any."""
    user = tk.current_user
    return {"user": user.name if user and user.is_authenticated else ""}


def logged_in() -> bool:
    return bool(tk.current_user and tk.current_user.is_authenticated)


def login() -> Any:
    """Send an anonymous visitor to the login page, back here afterwards."""
    return tk.redirect_to("user.login", came_from=request.full_path.rstrip("?"))


def abort_for(error: Exception) -> Any:
    """An action's refusal as an error page: 404 for ``ObjectNotFound``, else 403."""
    if isinstance(error, tk.ObjectNotFound):
        return tk.abort(404, str(error) or tk._("Not found"))
    return tk.abort(403, str(error) or tk._("Not authorized"))


def field_errors(error: tk.ValidationError) -> dict[str, list[str]]:
    """Field errors as ``{field: [message]}`` (nested ones flattened to their text)."""
    result: dict[str, list[str]] = {}
    for field, messages in (error.error_dict or {}).items():
        if isinstance(messages, list | tuple):
            result[field] = [str(m) for m in messages if m]
        else:
            result[field] = [str(messages)]
    return result


def page_number(size: int = PAGE_SIZE) -> int:
    """The list page asked for; 400 when it is not one (``guard.page_number``, issue 14)."""
    return _guarded_page_number(size)


def pager(
    result: Mapping[str, Any], number: int, endpoint: str, size: int = PAGE_SIZE, /, **args: Any
) -> Page:
    """CKAN's pager over one page of a list action's answer (``{count, results}``); ``args``
    are the page's query parameters (positional-only above, so none of them is taken for
    ``size``)."""
    return Page(
        collection=result["results"],
        page=number,
        item_count=result["count"],
        items_per_page=size,
        presliced_list=True,
        url=lambda q=None, page=None: tk.h.url_for(endpoint, page=page, **args),
    )


def send_file(answer: Mapping[str, Any]) -> Response:
    """A file an export action answered (``{"filename", "mimetype", "encoding", "content"}``,
    ``encoding`` ``utf-8`` for text, ``base64`` for bytes) as a download: the action checked,
    counted and recorded; the page only sends it."""
    content = answer["content"]
    body = base64.b64decode(content) if answer.get("encoding") == "base64" else content
    return Response(
        body,
        mimetype=answer["mimetype"],
        headers={"Content-Disposition": f'attachment; filename="{answer["filename"]}"'},
    )

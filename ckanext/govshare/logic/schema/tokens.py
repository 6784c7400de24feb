"""Input of the download-token actions (issue 6; names per docs/api.md, "Conventions")."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ...core.messages import message
from ...downloads import tokens
from .fields import boolean, paging_fields, reference, required, string_list, whole_number

#: A token lives at most this long whatever is asked (``downloads.tokens.MAX_SECONDS``).
MAX_SECONDS = tokens.MAX_SECONDS

NOT_A_STATUS = message(
    f"Not a token status: use {', '.join(tokens.STATUSES)}",
    f"令牌状态无效，可选：{'、'.join(tokens.STATUSES)}",
)


def _optional() -> Any:
    return tk.get_validator("ignore_missing")


def _extras() -> dict[str, Any]:
    return {"__extras": [_optional()], "__junk": [_optional()]}


def token_statuses(value: Any, context: Any) -> list[str]:
    """``status``: one value or a list of ``active``, ``expired``, ``revoked``, ``used_up``
    (after ``string_list``, which has refused anything else: then it is left as it came)."""
    if isinstance(value, list) and any(status not in tokens.STATUSES for status in value):
        raise tk.Invalid(NOT_A_STATUS)
    return value


def token_create_schema() -> dict[str, Any]:
    return {
        "grant_id": [required, reference],
        "resource_ids": [_optional(), string_list],
        "expires_in": [_optional(), whole_number(1)],
        "max_uses": [_optional(), whole_number(1)],
        **_extras(),
    }


def token_list_schema() -> dict[str, Any]:
    return {
        "grant_id": [_optional(), reference],
        "status": [_optional(), string_list, token_statuses],
        # deprecated (docs/api.md, "Deprecated names"): status=active
        "active": [_optional(), boolean],
        **paging_fields(),
        **_extras(),
    }


def token_revoke_schema() -> dict[str, Any]:
    return {"id": [required, reference], **_extras()}


def token_rotate_schema() -> dict[str, Any]:
    """``govshare_token_rotate``: the token to replace (issue 16, item 8)."""
    return {"id": [required, reference], **_extras()}

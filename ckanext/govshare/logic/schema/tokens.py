"""Input of the download-token actions (issue 6)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from .fields import boolean, paging_fields, reference, required, string_list, whole_number

# A token lives at most this long whatever is asked (and never past its grant's last day).
MAX_SECONDS = 366 * 24 * 3600


def _optional() -> Any:
    return tk.get_validator("ignore_missing")


def _extras() -> dict[str, Any]:
    return {"__extras": [_optional()], "__junk": [_optional()]}


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
        "active": [_optional(), boolean],
        **paging_fields(),
        **_extras(),
    }


def token_revoke_schema() -> dict[str, Any]:
    return {"id": [required, reference], **_extras()}

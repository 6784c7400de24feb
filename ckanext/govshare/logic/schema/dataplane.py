"""Input of the pages' data actions (issue 16, item 9): a resource, an optional grant, an
entry. Messages in English and Chinese (``fields``)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from .fields import reference, required


def _extras() -> dict[str, Any]:
    optional = tk.get_validator("ignore_missing")
    return {"__extras": [optional], "__junk": [optional]}


def resource_mapping_schema() -> dict[str, Any]:
    return {"resource_id": [required, reference], **_extras()}


def data_preview_schema() -> dict[str, Any]:
    return {
        "resource_id": [required, reference],
        "grant_id": [tk.get_validator("ignore_missing"), reference],
        **_extras(),
    }


def entry_capacity_schema() -> dict[str, Any]:
    return {"package_id": [required, reference], **_extras()}

"""Input of the exchange target actions (前置机, 2016 Measures art. 12; issue 17, item 1).

Fields are bounded here (``exchange.locations``: a name of at most 100 characters, a connection
string of at most 1000, a path of at most 500); whether the connection string reads and the
path stays under the exchange root is the service's check, with its test of the target, so
that each error names its field. Every message is in English and Chinese.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Schema

from ...exchange import locations
from .fields import one_of, paging_fields, reference, required, text

__all__ = [
    "exchange_target_create_schema",
    "exchange_target_id_schema",
    "exchange_target_list_schema",
    "exchange_target_update_schema",
]


def _optional() -> Any:
    return tk.get_validator("ignore_missing")


def _extras() -> Schema:
    return {"__extras": [_optional()], "__junk": [_optional()]}


def _location() -> Schema:
    """``dsn``, ``path`` and ``description``: an empty value is no value."""
    empty = tk.get_validator("ignore_empty")
    return {
        "dsn": [empty, text(locations.MAX_DSN, multiline=False)],
        "path": [empty, text(locations.MAX_PATH, multiline=False)],
        "description": [_optional(), text(locations.MAX_DESCRIPTION)],
    }


def exchange_target_create_schema() -> Schema:
    return {
        "organization": [required, reference],
        "name": [required, text(locations.MAX_NAME, multiline=False)],
        "kind": [required, one_of(locations.KINDS)],
        **_location(),
        **_extras(),
    }


def exchange_target_update_schema() -> Schema:
    return {
        "id": [required, reference],
        "name": [_optional(), required, text(locations.MAX_NAME, multiline=False)],
        "kind": [_optional(), one_of(locations.KINDS)],
        **_location(),
        **_extras(),
    }


def exchange_target_id_schema() -> Schema:
    return {"id": [required, reference], **_extras()}


def exchange_target_list_schema() -> Schema:
    return {"organization": [_optional(), reference], **paging_fields(), **_extras()}

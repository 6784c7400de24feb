"""Input of the usage-record, disposal and service-filing actions (2025 Regulations art. 27,
29). Names follow docs/api.md, "Conventions"; every message is in English and Chinese."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Schema

from ...usage import rules as usage_rules
from .feedback import statuses
from .fields import (
    boolean,
    iso_date,
    one_of,
    paging_fields,
    reference,
    required,
    string_list,
    text,
)

__all__ = [
    "TEXT",
    "filing_create_schema",
    "filing_id_schema",
    "filing_list_schema",
    "grant_dispose_schema",
    "usage_record_create_schema",
    "usage_record_list_schema",
]

#: Longest description, consultation or disposal note.
TEXT = 4000


def _optional() -> Any:
    return tk.get_validator("ignore_missing")


def _extras() -> Schema:
    return {"__extras": [_optional()], "__junk": [_optional()]}


def usage_record_create_schema() -> Schema:
    """``govshare_usage_record_create``."""
    return {
        "grant_id": [required, reference],
        "kind": [required, one_of(usage_rules.KIND_VALUES)],
        "description": [required, text(TEXT)],
        **_extras(),
    }


def usage_record_list_schema() -> Schema:
    """``govshare_usage_record_list``."""
    return {
        "grant_id": [required, reference],
        "kind": [_optional(), statuses(usage_rules.KIND_VALUES)],
        "archived": [_optional(), boolean],
        **paging_fields(),
        **_extras(),
    }


def grant_dispose_schema() -> Schema:
    """``govshare_grant_dispose``."""
    return {
        "id": [required, reference],
        "method": [required, one_of(usage_rules.DISPOSAL_METHOD_VALUES)],
        "description": [required, text(TEXT)],
        **_extras(),
    }


def filing_create_schema() -> Schema:
    """``govshare_service_filing_create``."""
    return {
        "package_id": [required, reference],
        "kind": [required, one_of(usage_rules.FILING_KIND_VALUES)],
        "description": [required, text(TEXT)],
        "consultation": [required, text(TEXT)],
        "effective_date": [required, iso_date],
        "grant_ids": [_optional(), string_list],
        **_extras(),
    }


def filing_list_schema() -> Schema:
    """``govshare_service_filing_list``."""
    return {
        "provider_org": [_optional(), reference],
        "package_id": [_optional(), reference],
        "kind": [_optional(), statuses(usage_rules.FILING_KIND_VALUES)],
        **paging_fields(),
        **_extras(),
    }


def filing_id_schema() -> Schema:
    """``govshare_service_filing_show``."""
    return {"id": [required, reference], **_extras()}

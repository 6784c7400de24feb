"""Input of the feedback (art. 15) and catalogue-obligation (art. 8) actions, issue 8."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ...feedback import rules as feedback_rules
from ...obligations import rules as obligation_rules
from .fields import (
    boolean,
    iso_date,
    one_of,
    page_limit,
    page_offset,
    reference,
    required,
    string_list,
    text,
)

TEXT = 4000


def _optional() -> Any:
    return tk.get_validator("ignore_missing")


def _unicode() -> Any:
    """Ids and names: one line of text, bounded (``fields.reference``)."""
    return reference


def _text(*extra: Any) -> list[Any]:
    return [*extra, text(TEXT)]


def _extras() -> dict[str, Any]:
    return {"__extras": [_optional()], "__junk": [_optional()]}


def _listing() -> dict[str, Any]:
    return {"limit": page_limit(50), "offset": page_offset()}


def feedback_create_schema() -> dict[str, Any]:
    return {
        "package_id": [required, _unicode()],
        "resource_id": [_optional(), _unicode()],
        "data_item": [_optional(), text(200, multiline=False)],
        "kind": [required, one_of(feedback_rules.KINDS)],
        "description": _text(required),
        "organization": [_optional(), _unicode()],
        "attachment": [_optional()],
        **_extras(),
    }


def feedback_resolve_schema() -> dict[str, Any]:
    return {
        "id": [required, _unicode()],
        "resolution": [required, one_of(feedback_rules.RESOLUTIONS)],
        "explanation": _text(required),
        **_extras(),
    }


def feedback_list_schema() -> dict[str, Any]:
    return {
        "package_id": [_optional(), _unicode()],
        "organization": [_optional(), _unicode()],
        "state": [_optional(), one_of(feedback_rules.STATES)],
        "mine": [_optional(), boolean],
        "overdue": [_optional(), boolean],
        **_listing(),
        **_extras(),
    }


def obligation_create_schema() -> dict[str, Any]:
    return {
        "organization": [required, _unicode()],
        "kind": [required, one_of(obligation_rules.KINDS)],
        "description": _text(required),
        "effective_date": [required, iso_date],
        **_extras(),
    }


def obligation_discharge_schema() -> dict[str, Any]:
    return {
        "id": [required, _unicode()],
        "entries": [_optional(), string_list],
        "note": _text(_optional()),
        **_extras(),
    }


def obligation_list_schema() -> dict[str, Any]:
    return {
        "organization": [_optional(), _unicode()],
        "state": [_optional(), one_of(obligation_rules.STATES)],
        "overdue": [_optional(), boolean],
        **_listing(),
        **_extras(),
    }


def id_schema() -> dict[str, Any]:
    return {"id": [required, _unicode()], **_extras()}

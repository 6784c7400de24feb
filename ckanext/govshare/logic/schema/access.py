"""Input of the access actions (issue 5): the request form of workflows.md and the decisions."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ...access import codes
from .fields import (
    boolean,
    iso_date,
    one_of,
    page_limit,
    page_offset,
    period_of_use,
    reference,
    required,
    string_list,
    text,
    whole_number,
)

TEXT = 4000


def _text(*extra: Any) -> list[Any]:
    return [*extra, text(TEXT)]


def _optional() -> Any:
    return tk.get_validator("ignore_missing")


def _id() -> list[Any]:
    return [required, reference]


def _ref() -> list[Any]:
    return [_optional(), reference]


def _extras() -> dict[str, Any]:
    return {"__extras": [_optional()], "__junk": [_optional()]}


def purpose_fields() -> dict[str, Any]:
    return {
        "package_id": _id(),
        "requesting_org": _ref(),
        "purpose": [required, one_of(sorted(codes.PURPOSE_VALUES))],
        "purpose_detail": _text(required),
        "pledge": [_optional(), boolean],
    }


def request_create_schema() -> dict[str, Any]:
    """``govshare_request_create``: every field of the request form (共享申请)."""
    return {
        **purpose_fields(),
        "contact": _text(_optional()),
        "scenario": _text(required),
        "basis": _text(required),
        "resource_ids": [_optional(), string_list],
        "data_items": [_optional(), string_list],
        "share_method": [required, reference],
        "period_start": [required, iso_date],
        "period_end": [required, iso_date],
        "expected_calls_per_day": [_optional(), whole_number(1)],
        "attachment": [_optional()],
        "__after": [period_of_use],
        **_extras(),
    }


def negotiation_open_schema() -> dict[str, Any]:
    """``govshare_negotiation_open``: on a not-shared entry (the form), or a rejected request."""
    return {
        "request_id": _ref(),
        "package_id": _ref(),
        "requesting_org": _ref(),
        "purpose": [_optional(), one_of(sorted(codes.PURPOSE_VALUES))],
        "purpose_detail": _text(_optional()),
        "contact": _text(_optional()),
        "scenario": _text(_optional()),
        "basis": _text(_optional()),
        "resource_ids": [_optional(), string_list],
        "data_items": [_optional(), string_list],
        "share_method": _ref(),
        "period_start": [_optional(), iso_date],
        "period_end": [_optional(), iso_date],
        "expected_calls_per_day": [_optional(), whole_number(1)],
        "pledge": [_optional(), boolean],
        "message": _text(_optional()),
        "attachment": [_optional()],
        "__after": [period_of_use],
        **_extras(),
    }


def access_obtain_schema() -> dict[str, Any]:
    return {**purpose_fields(), **_extras()}


def request_id_schema() -> dict[str, Any]:
    return {"id": _id(), **_extras()}


def request_decide_schema() -> dict[str, Any]:
    return {
        "id": _id(),
        "decision": [required, one_of(codes.DECISIONS)],
        "reason": _text(_optional()),
        "resource_ids": [_optional(), string_list],
        "data_items": [_optional(), string_list],
        "period_start": [_optional(), iso_date],
        "period_end": [_optional(), iso_date],
        "max_downloads": [_optional(), whole_number(1)],
        "conditions": _text(_optional()),
        "__after": [period_of_use],
        **_extras(),
    }


def request_message_schema(*, reason_required: bool) -> dict[str, Any]:
    """Withdraw, resubmit, escalate (optional message), comment (``message`` required)."""
    return {
        "id": _id(),
        "message": _text(required) if reason_required else _text(_optional()),
        # Resubmission may complete what was missing.
        "purpose_detail": _text(_optional()),
        "scenario": _text(_optional()),
        "basis": _text(_optional()),
        "contact": _text(_optional()),
        "attachment": [_optional()],
        **_extras(),
    }


def escalation_decide_schema() -> dict[str, Any]:
    return {
        "id": _id(),
        "decision": [required, one_of(codes.ESCALATION_DECISIONS)],
        "reason": _text(required),
        "resource_ids": [_optional(), string_list],
        "data_items": [_optional(), string_list],
        "period_start": [_optional(), iso_date],
        "period_end": [_optional(), iso_date],
        "max_downloads": [_optional(), whole_number(1)],
        "conditions": _text(_optional()),
        "__after": [period_of_use],
        **_extras(),
    }


def request_list_schema() -> dict[str, Any]:
    default = tk.get_validator("default")
    return {
        "direction": [default("all"), one_of(("incoming", "outgoing", "all"))],
        "status": [_optional(), string_list],
        "overdue": [_optional(), boolean],
        "package_id": _ref(),
        "organization": _ref(),
        "escalated": [_optional(), boolean],
        "limit": page_limit(50),
        "offset": page_offset(),
        **_extras(),
    }


def grant_list_schema() -> dict[str, Any]:
    default = tk.get_validator("default")
    return {
        "direction": [default("all"), one_of(("held", "provided", "all"))],
        "status": [_optional(), string_list],
        "package_id": _ref(),
        "organization": _ref(),
        "limit": page_limit(50),
        "offset": page_offset(),
        **_extras(),
    }


def grant_revoke_schema() -> dict[str, Any]:
    return {"id": _id(), "reason": _text(required), **_extras()}

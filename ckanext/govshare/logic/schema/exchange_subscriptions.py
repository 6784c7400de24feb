"""Input of the batch exchange subscription actions (issue 17, item 2; 2025 Regulations
art. 22). The API name of the target's table or file is ``table``; whether a name, a target,
a resource or an incremental mode fits the grant is the domain's check (409 on that field)."""

from __future__ import annotations

from typing import Any, cast

import ckan.plugins.toolkit as tk
from ckan.types import ValidatorFactory

from ...core.vocabulary import DIRECTIONS
from ...exchange import rules
from .fields import one_of, paging_fields, reference, required


def _optional() -> Any:
    return tk.get_validator("ignore_missing")


def _extras() -> dict[str, Any]:
    return {"__extras": [_optional()], "__junk": [_optional()]}


def schedule(value: Any, context: Any) -> dict[str, Any]:
    """``{"kind": "daily", "at": "HH:MM"}`` or ``{"kind": "hourly", "every": N}`` (or its
    JSON text), in its one shape."""
    parsed, problem = rules.parse_schedule(value)
    if problem or parsed is None:
        raise tk.Invalid(problem or rules.NOT_A_SCHEDULE)
    return parsed


def subscription_create_schema() -> dict[str, Any]:
    default = cast(ValidatorFactory, tk.get_validator("default"))
    return {
        "grant_id": [required, reference],
        "resource_id": [required, reference],
        "target_id": [required, reference],
        "table": [required, reference],
        "mode": [default(rules.FULL), one_of(rules.MODES)],
        "schedule": [required, schedule],
        **_extras(),
    }


def subscription_id_schema() -> dict[str, Any]:
    return {"id": [required, reference], **_extras()}


def subscription_update_schema() -> dict[str, Any]:
    return {
        "id": [required, reference],
        "target_id": [_optional(), reference],
        "table": [_optional(), reference],
        "mode": [_optional(), one_of(rules.MODES)],
        "schedule": [_optional(), schedule],
        "status": [_optional(), one_of(rules.STATUSES)],
        **_extras(),
    }


def subscription_list_schema() -> dict[str, Any]:
    """``direction`` ``outgoing`` (the caller's departments receive) | ``incoming`` (they
    give, as provider) | ``all``; ``requesting_org`` and ``provider_org`` as for grants."""
    default = cast(ValidatorFactory, tk.get_validator("default"))
    return {
        "direction": [default("all"), one_of(DIRECTIONS)],
        "requesting_org": [_optional(), reference],
        "provider_org": [_optional(), reference],
        "grant_id": [_optional(), reference],
        "status": [_optional(), one_of(rules.STATUSES)],
        **paging_fields(),
        **_extras(),
    }

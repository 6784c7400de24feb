"""Input of the feedback (art. 15) and catalogue-obligation (art. 8) actions, issue 8.

Names follow docs/api.md, "Conventions" (issue 15): ``reporting_org`` and ``provider_org`` for
departments by role, ``status`` for the lifecycle (one value or a list when filtering),
``reason`` for the justification of a state change, ``direction`` for which side of the
feedback the caller's departments are on. The old names are mapped to these by
``core.vocabulary.renamed`` before a schema runs. Every message is in English and Chinese.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import missing
from ckan.types import Context, Schema, ValidatorFactory

from ...core.vocabulary import DIRECTIONS
from ...feedback import rules as feedback_rules
from ...obligations import rules as obligation_rules
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

TEXT = 4000

Key = tuple[Any, ...]


def _optional() -> Any:
    return tk.get_validator("ignore_missing")


def _text(*extra: Any) -> list[Any]:
    return [*extra, text(TEXT)]


def _extras() -> Schema:
    return {"__extras": [_optional()], "__junk": [_optional()]}


def statuses(allowed: Iterable[str]) -> Callable[[Any, Context], list[str]]:
    """A ``status`` filter: one value or a list of them (docs/api.md, "Conventions")."""
    check = one_of(allowed)

    def validator(value: Any, context: Context) -> list[str]:
        values = string_list(value, context)
        for each in values:
            check(each, context)
        return values

    return validator


def _targets_of_the_entry(
    key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Context
) -> None:
    """``__after`` of the report: the resource and the data item flagged are the entry's
    (art. 15), told with the other field errors. Judged on the entry as the caller sees it;
    an entry they cannot see is the action's refusal (403 or 404, recorded), so nothing is
    said about it here. A target its own field's validators refused (a list where an id
    belongs) is not judged again: it keeps their message."""
    package_id = data.get(("package_id",))
    if errors.get(("package_id",)) or package_id in (None, missing, ""):
        return
    resource_id, data_item = (
        None if errors.get((field,)) else data.get((field,))
        for field in ("resource_id", "data_item")
    )
    resource_id = None if resource_id is missing else resource_id
    data_item = None if data_item is missing else data_item
    if not (resource_id or data_item):
        return
    try:
        entry = tk.get_action("package_show")(
            {"user": context.get("user", ""), "ignore_auth": context.get("ignore_auth", False)},
            {"id": package_id},
        )
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return
    for field, messages in feedback_rules.check_target(entry, resource_id, data_item).items():
        if not errors.get((field,)):
            errors[(field,)] = list(messages)


def feedback_create_schema() -> Schema:
    return {
        "package_id": [required, reference],
        "resource_id": [_optional(), reference],
        "data_item": [_optional(), text(200, multiline=False)],
        "kind": [required, one_of(feedback_rules.KINDS)],
        "description": _text(required),
        "reporting_org": [_optional(), reference],
        "attachment": [_optional()],
        "__after": [_targets_of_the_entry],
        **_extras(),
    }


def feedback_resolve_schema() -> Schema:
    return {
        "id": [required, reference],
        "resolution": [required, one_of(feedback_rules.RESOLUTIONS)],
        "reason": _text(required),
        **_extras(),
    }


def feedback_list_schema() -> Schema:
    default = cast(ValidatorFactory, tk.get_validator("default"))
    return {
        "direction": [default("all"), one_of(DIRECTIONS)],
        "package_id": [_optional(), reference],
        "provider_org": [_optional(), reference],
        "status": [_optional(), statuses(feedback_rules.STATES)],
        # Deprecated (issue 15): only what the caller reported; ``direction=outgoing`` is
        # what their departments reported.
        "mine": [_optional(), boolean],
        "overdue": [_optional(), boolean],
        **paging_fields(),
        **_extras(),
    }


def obligation_create_schema() -> Schema:
    return {
        "provider_org": [required, reference],
        "kind": [required, one_of(obligation_rules.KINDS)],
        "description": _text(required),
        "effective_date": [required, iso_date],
        **_extras(),
    }


def obligation_discharge_schema() -> Schema:
    return {
        "id": [required, reference],
        "entries": [_optional(), string_list],
        "reason": _text(_optional()),
        **_extras(),
    }


def obligation_list_schema() -> Schema:
    return {
        "provider_org": [_optional(), reference],
        "status": [_optional(), statuses(obligation_rules.STATES)],
        "overdue": [_optional(), boolean],
        **paging_fields(),
        **_extras(),
    }


def id_schema() -> Schema:
    return {"id": [required, reference], **_extras()}


__all__ = [
    "DIRECTIONS",
    "feedback_create_schema",
    "feedback_list_schema",
    "feedback_resolve_schema",
    "id_schema",
    "obligation_create_schema",
    "obligation_discharge_schema",
    "obligation_list_schema",
    "statuses",
]

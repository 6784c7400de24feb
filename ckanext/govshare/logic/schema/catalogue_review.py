"""Input of the catalogue review (2025 Regulations art. 16, 17) and the catalogue-update
extension (art. 17) actions, issue 18. Every message is in English and Chinese."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import missing
from ckan.types import Schema

from ...core.messages import message
from ...hardening import limits
from ...review import rules as review_rules
from .feedback import statuses
from .fields import boolean, one_of, paging_fields, reference, required, text

REASON = 2000

NOT_REASONS = message(
    "reasons is a list of texts (or one text, a reason a line)",
    "reasons 须为文本列表（或每行一条理由的文本）",
)


def _optional() -> Any:
    return tk.get_validator("ignore_missing")


def _extras() -> Schema:
    return {"__extras": [_optional()], "__junk": [_optional()]}


def reasons(value: Any, context: Any) -> list[str]:
    """Reasons: a list of texts, or one text with a reason a line (a form's textarea); at most
    ``MAX_REASONS`` of at most ``MAX_REASON_LENGTH`` characters each (checked again by the
    rules with the decision)."""
    if value in (None, "", missing):
        return []
    if isinstance(value, str):
        items = [line.strip() for line in value.splitlines() if line.strip()]
    elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        items = [v.strip() for v in value]
    else:
        raise tk.Invalid(NOT_REASONS)
    if len(items) > review_rules.MAX_REASONS:
        raise tk.Invalid(review_rules.TOO_MANY_REASONS)
    for item in items:
        problem = limits.text_problem(item, review_rules.MAX_REASON_LENGTH, multiline=True)
        if problem:
            raise tk.Invalid(problem)
    return items


def catalogue_review_schema() -> Schema:
    return {
        "id": [required, reference],
        "decision": [required, one_of(review_rules.DECISIONS)],
        "reasons": [_optional(), reasons],
        **_extras(),
    }


def catalogue_review_list_schema() -> Schema:
    return {
        "status": [_optional(), statuses(review_rules.STATUSES)],
        "provider_org": [_optional(), reference],
        "package_id": [_optional(), reference],
        "overdue": [_optional(), boolean],
        **paging_fields(),
        **_extras(),
    }


def obligation_extend_schema() -> Schema:
    return {
        "id": [required, reference],
        "reason": [required, text(REASON)],
        **_extras(),
    }


def obligation_extension_decide_schema() -> Schema:
    return {
        "id": [required, reference],
        "decision": [required, one_of(("approve", "reject"))],
        "reason": [_optional(), text(REASON)],
        **_extras(),
    }


__all__ = [
    "catalogue_review_list_schema",
    "catalogue_review_schema",
    "obligation_extend_schema",
    "obligation_extension_decide_schema",
    "reasons",
]

"""Input of the access actions (issue 5): the request form of workflows.md and the decisions.

Names follow docs/api.md, "Conventions" (issue 15): ``reason`` for the justification of a
state change (``message`` only for a message in a request's thread), ``requesting_org`` and
``provider_org`` for departments by role, ``direction`` ``outgoing``/``incoming``/``all``. The
old names are mapped to these by ``core.vocabulary.renamed`` before a schema runs. The request
form is checked against its entry here too (``__after``), so that every error of the form
comes in one answer. Every message is in English and Chinese.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import ckan.plugins.toolkit as tk
from ckan.types import Context, Schema, ValidatorFactory

from ...access import codes, requests, rules
from . import answers
from .fields import (
    REQUIRED,
    boolean,
    iso_date,
    one_of,
    paging_fields,
    period_of_use,
    reference,
    required,
    string_list,
    text,
    whole_number,
)

Key = tuple[Any, ...]
#: ``direction`` of the request and grant lists (docs/api.md, "Conventions").
DIRECTIONS = ("incoming", "outgoing", "all")
#: Fields the request form cannot do without (``govshare_request_create``).
FORM_REQUIRED = (
    "package_id",
    "purpose",
    "purpose_detail",
    "scenario",
    "basis",
    "share_method",
    "period_start",
    "period_end",
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


def _extras() -> Schema:
    return {"__extras": [_optional()], "__junk": [_optional()]}


def purpose_fields() -> Schema:
    return {
        "package_id": _id(),
        "requesting_org": _ref(),
        "purpose": [required, one_of(sorted(codes.PURPOSE_VALUES))],
        "purpose_detail": _text(required),
        "pledge": [_optional(), boolean],
    }


def _valid(data: dict[Key, Any], errors: dict[Key, list[str]]) -> dict[str, Any]:
    """The top-level fields that passed their own validators (refused values go no further)."""
    return {
        key[0]: value
        for key, value in data.items()
        if len(key) == 1
        and isinstance(key[0], str)
        and not errors.get(key)
        and not key[0].startswith("__")
    }


def _entry(
    values: dict[str, Any], errors: dict[Key, list[str]], context: Context
) -> dict[str, Any] | None:
    """The entry the form names, as the caller may see it (``package_show``: the catalogue's
    visibility applies); ``None`` when there is none to check against. An entry the caller
    may not see, or that does not exist, is left to the action: it checks access first, so a
    refusal is the action's own (recorded, in both languages), then answers 403 or 404."""
    if errors.get(("package_id",)) or not values.get("package_id"):
        return None
    as_caller: Context = {
        "user": context.get("user", ""),
        "ignore_auth": bool(context.get("ignore_auth", False)),
    }
    try:
        return tk.get_action("package_show")(as_caller, {"id": values["package_id"]})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None


def against_entry(*, negotiation: bool) -> Callable[..., None]:
    """``__after`` the request form: the form against its entry (``requests.entry_errors``),
    so a field's own error and the entry's rules come in one answer.

    The entry is read as the caller may see it (``package_show``: the catalogue's visibility
    applies). A wrong path (the entry's share type calls for another action) is the only
    error then: the other fields belong to another form.
    """
    expected = rules.NEGOTIATE if negotiation else rules.REQUEST

    def validator(
        key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Context
    ) -> None:
        values = _valid(data, errors)
        if negotiation and values.get("request_id"):
            return  # a rejected request goes on to negotiation: no form
        if negotiation:
            for field in FORM_REQUIRED:
                if not values.get(field) and not errors.get((field,)):
                    errors.setdefault((field,), []).append(REQUIRED)
        entry = _entry(values, errors, context)
        if entry is None:
            return
        wrong_path = rules.check_path(entry, expected)
        if wrong_path:
            for field in list(errors):
                errors[field] = []
            errors[("package_id",)] = list(wrong_path["package_id"])
            return
        scoped = dict(values)
        requests.scope_defaults(entry, scoped, negotiation=negotiation)
        found = requests.entry_errors(entry, scoped, expected=expected, negotiation=negotiation)
        for field, messages in found.items():
            if not errors.get((field,)):
                errors[(field,)] = list(messages)

    return validator


def _form() -> Schema:
    """Every field of the request form (共享申请, workflows.md)."""
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
        **_extras(),
    }


def request_create_schema() -> Schema:
    """``govshare_request_create``: every field of the request form, checked against its
    entry (art. 12(2), 14)."""
    return {**_form(), "__after": [period_of_use, against_entry(negotiation=False)]}


def negotiation_open_schema() -> Schema:
    """``govshare_negotiation_open``: on a rejected request (``request_id``), or the request
    form on a not-shared entry (art. 12(3)); ``reason`` is optional either way."""
    optional_form = {
        field: [_optional(), *validators[1:]]
        if isinstance(validators, list) and validators and validators[0] is required
        else validators
        for field, validators in _form().items()
    }
    return {
        **optional_form,
        "request_id": _ref(),
        "package_id": _ref(),
        "reason": _text(_optional()),
        "__after": [period_of_use, against_entry(negotiation=True)],
    }


def obtainable(
    key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Context
) -> None:
    """``__after`` obtaining: the pledge is given (art. 14) and the entry is shared
    unconditionally (art. 12(1); else the error names the action that fits)."""
    values = _valid(data, errors)
    if not values.get("pledge") and not errors.get(("pledge",)):
        errors[("pledge",)] = [rules.NEEDS_PLEDGE]
    entry = _entry(values, errors, context)
    if entry is None:
        return
    for field, messages in rules.check_path(entry, rules.OBTAIN).items():
        errors[(field,)] = list(messages)


def access_obtain_schema() -> Schema:
    """``govshare_access_obtain``: purpose and pledge (art. 12(1), 14)."""
    return {**purpose_fields(), **_extras(), "__after": [obtainable]}


def request_id_schema() -> Schema:
    return {"id": _id(), **_extras()}


def _narrowing() -> Schema:
    """What a decision that grants may narrow (art. 12(2): never widen)."""
    return {
        "resource_ids": [_optional(), string_list],
        "data_items": [_optional(), string_list],
        "period_start": [_optional(), iso_date],
        "period_end": [_optional(), iso_date],
        "max_downloads": [_optional(), whole_number(1)],
        # The interface's daily call quota (issue 16, item 6): at most the calls declared.
        "max_calls_per_day": [_optional(), whole_number(1)],
        "conditions": _text(_optional()),
        "__after": [period_of_use],
    }


def request_decide_schema() -> Schema:
    """``govshare_request_decide``: approve (narrowing), reject or return, with a reason; a
    return's ``missing_items`` and a rejection's ``grounds`` (2025 art. 21)."""
    return {
        "id": _id(),
        "decision": [required, one_of(codes.DECISIONS)],
        "reason": _text(_optional()),
        "missing_items": [_optional(), answers.missing_items],
        "grounds": [_optional(), answers.grounds],
        "__before": [answers.reassembled("missing_items")],
        **_narrowing(),
        **_extras(),
    }


def _with_reason(*, reason_required: bool) -> Schema:
    return {
        "id": _id(),
        "reason": _text(required) if reason_required else _text(_optional()),
        **_extras(),
    }


def request_withdraw_schema() -> Schema:
    """``govshare_request_withdraw``: an optional reason."""
    return _with_reason(reason_required=False)


def _blank_ok() -> Any:
    return tk.get_validator("ignore_empty")


def request_escalate_schema() -> Schema:
    """``govshare_request_escalate``: why the dispute goes up (required); the referral to the
    common upper authority (2025 art. 28: ``upper_platform``, ``reference``, ``note``)."""
    return {
        **_with_reason(reason_required=True),
        "upper_platform": [_blank_ok(), text(rules.PLATFORM_LENGTH, multiline=False)],
        "reference": [_blank_ok(), text(rules.REFERENCE_LENGTH, multiline=False)],
        "note": _text(_blank_ok()),
    }


def request_resubmit_schema() -> Schema:
    """``govshare_request_resubmit``: what was added, and the fields it completes."""
    return {
        **_with_reason(reason_required=False),
        "purpose_detail": _text(_optional()),
        "scenario": _text(_optional()),
        "basis": _text(_optional()),
        "contact": _text(_optional()),
        "attachment": [_optional()],
    }


def request_comment_schema() -> Schema:
    """``govshare_request_comment``: the message (required)."""
    return {"id": _id(), "message": _text(required), **_extras()}


def escalation_decide_schema() -> Schema:
    """``govshare_escalation_decide``: grant (narrowing as an approval may) or deny, with a
    reason."""
    return {
        "id": _id(),
        "decision": [required, one_of(codes.ESCALATION_DECISIONS)],
        "reason": _text(required),
        # 2025 art. 28: whose decision the authority enters, and its document number.
        "decided_by_body": [_blank_ok(), one_of(rules.DISPUTE_BODIES)],
        "reference": [_blank_ok(), text(rules.REFERENCE_LENGTH, multiline=False)],
        **_narrowing(),
        **_extras(),
    }


def request_list_schema() -> Schema:
    """``govshare_request_list``; ``organization`` (either side) is kept for one release."""
    default = cast(ValidatorFactory, tk.get_validator("default"))
    return {
        "direction": [default("all"), one_of(DIRECTIONS)],
        "status": [_optional(), string_list],
        "overdue": [_optional(), boolean],
        "package_id": _ref(),
        "requesting_org": _ref(),
        "provider_org": _ref(),
        "organization": _ref(),
        "escalated": [_optional(), boolean],
        # 2025 art. 20: only what waits for the caller's sign-off
        "signoff": [_optional(), boolean],
        **paging_fields(),
        **_extras(),
    }


def grant_list_schema() -> Schema:
    """``govshare_grant_list``."""
    default = cast(ValidatorFactory, tk.get_validator("default"))
    return {
        "direction": [default("all"), one_of(DIRECTIONS)],
        "status": [_optional(), string_list],
        "package_id": _ref(),
        "requesting_org": _ref(),
        "provider_org": _ref(),
        **paging_fields(),
        **_extras(),
    }


def grant_revoke_schema() -> Schema:
    """``govshare_grant_revoke``: why (required; the holder is told); under 2025 a provider's
    names the service filing covering it, unless it is for misuse (art. 27)."""
    return {
        "id": _id(),
        "reason": _text(required),
        "filing_id": [_optional(), reference],
        "misuse": [_optional(), boolean],
        **_extras(),
    }

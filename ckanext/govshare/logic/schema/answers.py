"""Input of answers and deliveries (2025 Regulations art. 21, 22): the missing items of a
return and the grounds of a rejection (``govshare_request_decide``), extensions
(``govshare_request_extend``, ``govshare_extension_decide``, ``govshare_extension_list``) and
the delivery of a grant (``govshare_grant_deliver``). Every message in both languages.
"""

from __future__ import annotations

import json
from typing import Any, cast

import ckan.plugins.toolkit as tk
from ckan.types import Schema, ValidatorFactory

from ... import profiles
from ...access import codes
from ...core.messages import message
from ...hardening import limits
from .fields import one_of, paging_fields, reference, required, string_list, text, whole_number

__all__ = [
    "Key",
    "extension_decide_schema",
    "extension_list_schema",
    "grant_deliver_schema",
    "grounds",
    "missing_items",
    "reassembled",
    "request_extend_schema",
]

Key = tuple[Any, ...]

TEXT = 4000
DIRECTIONS = ("incoming", "outgoing", "all")

NOT_ITEMS = message(
    'Must be a list of {"field", "note"} items (or that list as JSON)',
    '须为由 {"field", "note"} 组成的列表（或该列表的JSON）',
)
TOO_MANY_ITEMS = message(
    f"At most {codes.MAX_MISSING_ITEMS} missing items in one return",
    f"一次退回最多列明{codes.MAX_MISSING_ITEMS}项需补充的材料",
)


def _optional() -> Any:
    return tk.get_validator("ignore_missing")


def _bad_field() -> str:
    allowed = codes.MISSING_FIELD_VALUES
    return message(
        f"Each item's field is one of: {', '.join(allowed)}",
        f"每项的字段须为以下之一：{'、'.join(allowed)}",
    )


def _bad_note() -> str:
    return message(
        f"Each item needs a note of what is missing (at most {codes.MAX_MISSING_NOTE} characters)",
        f"每项须说明缺少的内容（不超过{codes.MAX_MISSING_NOTE}个字符）",
    )


def missing_items(value: Any, context: Any) -> list[dict[str, str]]:
    """Art. 21: every missing material at once, as ``[{"field", "note"}]`` (1 to
    ``codes.MAX_MISSING_ITEMS``; a JSON string of that list from a form). Empty: none."""
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        if len(value) > codes.MAX_MISSING_ITEMS * (codes.MAX_MISSING_NOTE + 100):
            raise tk.Invalid(TOO_MANY_ITEMS)
        try:
            value = json.loads(value)
        except ValueError:
            raise tk.Invalid(NOT_ITEMS) from None
    if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
        raise tk.Invalid(NOT_ITEMS)
    if len(value) > codes.MAX_MISSING_ITEMS:
        raise tk.Invalid(TOO_MANY_ITEMS)
    items = []
    for item in value:
        field, note = item.get("field"), item.get("note")
        if field not in codes.MISSING_FIELD_VALUES:
            raise tk.Invalid(_bad_field())
        if not isinstance(note, str) or not note.strip():
            raise tk.Invalid(_bad_note())
        if limits.text_problem(note, codes.MAX_MISSING_NOTE):
            raise tk.Invalid(_bad_note())
        items.append({"field": field, "note": note.strip()})
    return items


def reassembled(name: str) -> Any:
    """``__before``: a list of objects under ``name`` as the API sent it. CKAN's validation
    flattens a list of dicts into ``(name, index, key)`` keys, which a schema without a
    sub-schema puts in ``__junk``; this puts the list back whole, in its order, for the
    field's own validator (which then checks each item and says what is wrong)."""

    def validator(key: Key, data: dict[Key, Any], errors: Any, context: Any) -> None:
        junk = data.get(("__junk",))
        if not isinstance(junk, dict):
            return
        parts = [k for k in junk if isinstance(k, tuple) and len(k) == 3 and k[0] == name]
        if not parts:
            return
        items: dict[int, dict[str, Any]] = {}
        for part in parts:
            items.setdefault(int(part[1]), {})[str(part[2])] = junk.pop(part)
        data[(name,)] = [items[i] for i in sorted(items)]

    return validator


def grounds(value: Any, context: Any) -> list[str]:
    """Art. 21: the grounds of a rejection, codes of ``codes.REJECTION_GROUNDS`` (a list, or
    comma-separated); each once."""
    found = string_list(value, context)
    allowed = codes.REJECTION_GROUND_VALUES
    for code in found:
        if code not in allowed:
            raise tk.Invalid(
                message(
                    f"Each ground is one of: {', '.join(allowed)}",
                    f"拒绝依据须为以下之一：{'、'.join(allowed)}",
                )
            )
    return list(dict.fromkeys(found))


def _extension_days(value: Any, context: Any) -> Any:
    """1 to the profile's ``extension_max`` working days (a profile without extensions
    leaves the refusal to the action, which names the profile)."""
    most = profiles.number("extension_max")
    if most is not None and isinstance(value, int) and value > most:
        raise tk.Invalid(
            message(
                f"At most {most} working days (2025 Regulations art. 21)",
                f"延长期限不得超过{most}个工作日（《政务数据共享条例》第二十一条）",
            )
        )
    return value


def request_extend_schema() -> Schema:
    """``govshare_request_extend``: the request, the working days asked for, why."""
    return {
        "id": [required, reference],
        "days": [required, whole_number(1, 366), _extension_days],
        "reason": [required, text(TEXT)],
        "__extras": [_optional()],
        "__junk": [_optional()],
    }


def extension_decide_schema() -> Schema:
    """``govshare_extension_decide``: approve | reject, and why (required to reject)."""
    return {
        "id": [required, reference],
        "decision": [required, one_of(codes.EXTENSION_DECISIONS)],
        "reason": [_optional(), text(TEXT)],
        "__extras": [_optional()],
        "__junk": [_optional()],
    }


def extension_list_schema() -> Schema:
    """``govshare_extension_list``: the list conventions of docs/api.md."""
    default = cast(ValidatorFactory, tk.get_validator("default"))
    return {
        "direction": [default("all"), one_of(DIRECTIONS)],
        "status": [_optional(), string_list, _statuses],
        "request_id": [_optional(), reference],
        "requesting_org": [_optional(), reference],
        "provider_org": [_optional(), reference],
        **paging_fields(),
        "__extras": [_optional()],
        "__junk": [_optional()],
    }


def _statuses(value: Any, context: Any) -> Any:
    """Each status one of the extension statuses; a value ``string_list`` refused (a number,
    a dict) is left to its error (CKAN runs the next validator after an ``Invalid``)."""
    if not isinstance(value, list):
        return value
    allowed = [c.value for c in codes.EXTENSION_STATUSES]
    for status in value:
        one_of(allowed)(status, context)
    return value


def grant_deliver_schema() -> Schema:
    """``govshare_grant_deliver``: the grant, how it was delivered (optional), a note."""
    return {
        "id": [required, reference],
        "method": [_optional(), one_of(codes.DELIVERY_METHOD_VALUES)],
        "reason": [_optional(), text(TEXT)],
        "__extras": [_optional()],
        "__junk": [_optional()],
    }

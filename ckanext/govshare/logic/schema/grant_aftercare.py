"""Input of the after-delivery actions (2025 Regulations art. 25, 27): suspending, resuming and
terminating a grant, and a use-change request. Every message is in English and Chinese.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Schema

from ...access import codes
from ...core import clock, config
from ...core.messages import message
from ...hardening import limits
from .fields import REQUIRED, iso_date, reference, required, string_list, text

Key = tuple[Any, ...]
TEXT = 4000
#: A third party's name (2025 art. 25).
NAME = 200


def _optional() -> Any:
    return tk.get_validator("ignore_missing")


def _extras() -> Schema:
    return {"__extras": [_optional()], "__junk": [_optional()]}


def rectify_window(
    key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any
) -> None:
    """``__after``: the date to rectify by lies after today and at most
    ``ckanext.govshare.max_period_years`` years ahead (2025 art. 27: "by a date")."""
    day = data.get(("rectify_by",))
    if errors.get(("rectify_by",)) or not isinstance(day, dt.date):
        return
    today = clock.today()
    years = config.max_period_years()
    if day <= today:
        errors.setdefault(("rectify_by",), []).append(
            message(
                f"The date to rectify by must lie after today ({today.isoformat()})",
                f"整改期限须晚于今天（{today.isoformat()}）",
            )
        )
    elif day >= limits.add_years(today, years):
        errors.setdefault(("rectify_by",), []).append(
            message(
                f"The date to rectify by may lie at most {years} years ahead",
                f"整改期限不得超过{years}年",
            )
        )


def grant_suspend_schema() -> Schema:
    """``govshare_grant_suspend``: why, and the date to rectify by (both required)."""
    return {
        "id": [required, reference],
        "reason": [required, text(TEXT)],
        "rectify_by": [required, iso_date],
        "__after": [rectify_window],
        **_extras(),
    }


def grant_resume_schema() -> Schema:
    """``govshare_grant_resume``: why (required: what was rectified)."""
    return {"id": [required, reference], "reason": [required, text(TEXT)], **_extras()}


def grant_terminate_schema() -> Schema:
    """``govshare_grant_terminate``: why (required); a provider's names the service filing
    that covers the grant (``filing_id``)."""
    return {
        "id": [required, reference],
        "reason": [required, text(TEXT)],
        "filing_id": [_optional(), reference],
        **_extras(),
    }


def _kinds(value: Any, context: Any) -> list[str]:
    """One or more of ``scope``, ``purpose``, ``third_party`` (each once)."""
    kinds = string_list(value, context)
    unknown = [k for k in kinds if k not in codes.USE_CHANGE_KIND_VALUES]
    if unknown:
        allowed = codes.USE_CHANGE_KIND_VALUES
        raise tk.Invalid(
            message(
                f"Not one of the allowed values: {', '.join(allowed)}",
                f"取值无效，可选：{'、'.join(allowed)}",
            )
        )
    return list(dict.fromkeys(kinds))


NEEDS_SCOPE = message(
    "A wider scope names the resources or data items wanted (resource_ids, data_items)",
    "扩大使用范围须列明所需的资源或信息项（resource_ids、data_items）",
)
NEEDS_THIRD_PARTY = message(
    "Passing data to a third party names it (third_party)",
    "向第三方提供数据须写明第三方名称（third_party）",
)
NEEDS_PURPOSE = message(
    "Another purpose names it (purpose)", "改变使用用途须写明新的用途（purpose）"
)


def use_change_fields(
    key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any
) -> None:
    """``__after``: what each kind of change asks for (2025 art. 25)."""
    kinds = data.get(("kinds",))
    if errors.get(("kinds",)) or not isinstance(kinds, list):
        return
    if not kinds:
        errors.setdefault(("kinds",), []).append(REQUIRED)
        return
    if "scope" in kinds and not (data.get(("resource_ids",)) or data.get(("data_items",))):
        errors.setdefault(("resource_ids",), []).append(NEEDS_SCOPE)
    if "purpose" in kinds and not data.get(("purpose",)) and not errors.get(("purpose",)):
        errors.setdefault(("purpose",), []).append(NEEDS_PURPOSE)
    if (
        "third_party" in kinds
        and not data.get(("third_party",))
        and not errors.get(("third_party",))
    ):
        errors.setdefault(("third_party",), []).append(NEEDS_THIRD_PARTY)


def use_change_request_schema() -> Schema:
    """``govshare_use_change_request``: the grant, what changes and why (2025 art. 25)."""
    return {
        "grant_id": [required, reference],
        "kinds": [required, _kinds],
        "reason": [required, text(TEXT)],
        "resource_ids": [_optional(), string_list],
        "data_items": [_optional(), string_list],
        "purpose": [_optional(), _purpose],
        "purpose_detail": [_optional(), text(TEXT)],
        "third_party": [_optional(), text(NAME, multiline=False)],
        "period_end": [_optional(), iso_date],
        "pledge": [_optional()],
        "__after": [use_change_fields],
        **_extras(),
    }


def _purpose(value: Any, context: Any) -> Any:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or value not in codes.PURPOSE_VALUES:  # a list: no hash
        allowed = sorted(codes.PURPOSE_VALUES)
        raise tk.Invalid(
            message(
                f"Not one of the allowed values: {', '.join(allowed)}",
                f"取值无效，可选：{'、'.join(allowed)}",
            )
        )
    return value

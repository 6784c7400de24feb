"""Input of ``govshare_notice_list`` and ``govshare_notice_mark_read``.

Error messages are in English and Chinese in one string (``core.messages.message``), as the other
schemas give them: API clients have no locale to pick one.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import missing
from ckan.types import Schema, Validator, ValidatorFactory

from ...core.messages import message
from ...hardening import limits
from ...notices import language
from .fields import REQUIRED, boolean, one_of, paging_fields

__all__ = ["notice_list_schema", "notice_mark_read_schema", "user_settings_update_schema"]

NO_IDS = message("Give the notices to mark (id) or all", "请指定要标记的通知（id）或全部（all）")
NOT_IDS = message("Must be a notice id or a list of notice ids", "须为通知编号或通知编号列表")


def id_list(value: Any, context: Any) -> list[str]:
    """One id, a comma-separated string of ids, or a list of ids (at most
    ``limits.MAX_ITEMS``, each one line of text)."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise tk.Invalid(NOT_IDS)
    ids = [v.strip() for v in value if v.strip()]
    if len(ids) > limits.MAX_ITEMS or any(limits.reference_problem(i) for i in ids):
        raise tk.Invalid(NOT_IDS)
    return ids


@tk.validator_args
def notice_list_schema(default: ValidatorFactory, ignore_missing: Validator) -> Schema:
    """``unread`` and the paging every list takes (docs/api.md, "Conventions"; until issue
    15 notices paged 20 at a time, at most 100)."""
    return {
        "unread": [default(False), boolean],
        **paging_fields(),
        "__extras": [ignore_missing],
    }


@tk.validator_args
def notice_mark_read_schema(default: ValidatorFactory, ignore_missing: Validator) -> Schema:
    return {
        "id": [ignore_missing, id_list],
        "all": [default(False), boolean],
        "__extras": [ignore_missing],
    }


@tk.validator_args
def user_settings_update_schema(ignore_missing: Validator) -> Schema:
    """``locale``: the language of the caller's notices and emails, ``zh_Hans_CN`` or ``en``;
    empty: the site's (``ckan.locale_default``)."""
    return {
        "locale": [given, empty_as_none, one_of_or_none(language.LANGUAGES)],
        "__extras": [ignore_missing],
    }


def given(value: Any, context: Any) -> Any:
    """The key must be there (its value may be empty: the site's language)."""
    if value is missing:
        raise tk.Invalid(REQUIRED)
    return value


def empty_as_none(value: Any, context: Any) -> Any:
    """An empty string (a form's "site's language" choice) as ``None``."""
    return None if isinstance(value, str) and not value.strip() else value


def one_of_or_none(values: tuple[str, ...]) -> Any:
    """``None`` or one of ``values`` (with the bilingual message of ``fields.one_of``)."""
    check = one_of(values)

    def validator(value: Any, context: Any) -> Any:
        return None if value is None else check(value, context)

    return validator

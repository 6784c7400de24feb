"""Field validators shared by the govshare action schemas, every message in both languages.

CKAN's own ``not_empty`` or ``int_validator`` answer in the site's language only; API clients
have no locale to pick one, so these say it in English and Chinese (``rules.message``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import StopOnError, missing

from ...catalogue.rules import message

Key = tuple[Any, ...]

REQUIRED = message("Missing value: this field is required", "缺少必填项")
NOT_A_DATE = message(
    "Not a date: use YYYY-MM-DD, e.g. 2026-11-25", "日期格式不正确，应为YYYY-MM-DD，如2026-11-25"
)
NOT_A_LIST = message("Must be a list of strings", "须为字符串列表")
NOT_TRUE_FALSE = message("Must be true or false", "须为 true 或 false")


def required(key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any) -> None:
    """Like CKAN's ``not_empty``, with a bilingual message."""
    value = data.get(key)
    if value is missing or value is None or (isinstance(value, str) and not value.strip()):
        errors[key].append(REQUIRED)
        raise StopOnError


def one_of(values: Iterable[str], labels: str = "") -> Callable[[Any, Any], Any]:
    allowed = tuple(values)

    def validator(value: Any, context: Any) -> Any:
        if value not in allowed:
            raise tk.Invalid(
                message(
                    f"Not one of the allowed values: {', '.join(allowed)}",
                    f"取值无效，可选：{'、'.join(allowed)}",
                )
            )
        return value

    return validator


def max_length(length: int) -> Callable[[Any, Any], Any]:
    def validator(value: Any, context: Any) -> Any:
        if isinstance(value, str) and len(value) > length:
            raise tk.Invalid(message(f"At most {length} characters", f"不超过{length}个字符"))
        return value

    return validator


def iso_date(value: Any, context: Any) -> dt.date | None:
    if value in (None, "", missing):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise tk.Invalid(NOT_A_DATE) from None


def string_list(value: Any, context: Any) -> list[str]:
    """A list of strings; a comma-separated string (form fields, ckanapi) is split."""
    if value in (None, "", missing):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    raise tk.Invalid(NOT_A_LIST)


def boolean(value: Any, context: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on", "t", "y"):
        return True
    if text in ("false", "0", "no", "off", "f", "n", ""):
        return False
    raise tk.Invalid(NOT_TRUE_FALSE)


def whole_number(minimum: int) -> Callable[[Any, Any], Any]:
    text = message(f"Must be a whole number of at least {minimum}", f"须为不小于{minimum}的整数")

    def validator(value: Any, context: Any) -> Any:
        if value in (None, "", missing):
            return None
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            raise tk.Invalid(text) from None
        if number < minimum:
            raise tk.Invalid(text)
        return number

    return validator


def validate(data_dict: Any, schema: dict[str, Any], context: Any) -> dict[str, Any]:
    """Validate or raise ``ValidationError`` with every field's message at once."""
    data, errors = tk.navl_validate(dict(data_dict), schema, context)
    if errors:
        raise tk.ValidationError(errors)
    return data

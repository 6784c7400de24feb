"""Field validators shared by the govshare action schemas, every message in both languages.

CKAN's own ``not_empty`` or ``int_validator`` answer in the site's language only; API clients
have no locale to pick one, so these say it in English and Chinese (``core.messages.message``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, cast

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.navl.dictization_functions import StopOnError, missing
from ckan.types import Validator, ValidatorFactory

from ...core import config, paging
from ...core.messages import message
from ...hardening import limits

Key = tuple[Any, ...]

REQUIRED = message("Missing value: this field is required", "缺少必填项")
NOT_A_DATE = message(
    "Not a date: use YYYY-MM-DD, e.g. 2026-11-25", "日期格式不正确，应为YYYY-MM-DD，如2026-11-25"
)
NOT_A_LIST = message("Must be a list of strings", "须为字符串列表")
NOT_TRUE_FALSE = limits.NOT_YES_NO
NO_SUCH_DEPARTMENT = message("No such department", "部门不存在")


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


def text(length: int, *, multiline: bool = True) -> Callable[[Any, Any], Any]:
    """Free text of at most ``length`` characters: a string, no control character but tab and
    new line (none at all when not ``multiline``), no unpaired surrogate (issue 14)."""

    def validator(value: Any, context: Any) -> Any:
        problem = limits.text_problem(value, length, multiline=multiline)
        if problem:
            raise tk.Invalid(problem)
        return value

    return validator


def reference(value: Any, context: Any) -> Any:
    """An id, a name or a code: one line of text, at most ``limits.MAX_REFERENCE`` characters."""
    problem = limits.reference_problem(value)
    if problem:
        raise tk.Invalid(problem)
    return value


def iso_date(value: Any, context: Any) -> dt.date | None:
    """A day from ``limits.FIRST_DAY`` to ``limits.LAST_DAY`` (the years the working-day
    calendar computes): 0001-01-01 and 9999-12-31 are typing errors, not dates of use."""
    if value in (None, "", missing):
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise tk.Invalid(NOT_A_DATE) from None
    else:
        raise tk.Invalid(NOT_A_DATE)
    problem = limits.date_problem(day)
    if problem:
        raise tk.Invalid(problem)
    return day


def string_list(value: Any, context: Any) -> list[str]:
    """A list of ids or names (at most ``limits.MAX_ITEMS``); a comma-separated string (form
    fields, ckanapi) is split."""
    if value in (None, "", missing):
        return []
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",") if v.strip()]
    elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        items = [v.strip() for v in value if v.strip()]
    else:
        raise tk.Invalid(NOT_A_LIST)
    if len(items) > limits.MAX_ITEMS:
        raise tk.Invalid(limits.too_many(limits.MAX_ITEMS))
    for item in items:
        problem = limits.reference_problem(item)
        if problem:
            raise tk.Invalid(problem)
    return items


def boolean(value: Any, context: Any) -> bool:
    if isinstance(value, str) and not value.strip():
        return False
    answer = limits.yes_no(value)
    if answer is None:
        raise tk.Invalid(NOT_TRUE_FALSE)
    return answer


def whole_number(minimum: int, maximum: int = limits.MAX_COUNT) -> Callable[[Any, Any], Any]:
    """A whole number from ``minimum`` to ``maximum`` (by default a count: at most 2^31 - 1).

    An integer or a string of digits; a boolean, a float or a number past the bound is
    refused before it reaches the database (issue 14: 10^20 overflowed a bigint)."""
    below = message(f"Must be a whole number of at least {minimum}", f"须为不小于{minimum}的整数")
    above = message(f"Must be at most {maximum}", f"不得大于{maximum}")

    def validator(value: Any, context: Any) -> Any:
        if value is None or value is missing or value == "":
            return None
        number = limits.integer(value)
        if number is None or number < minimum:
            raise tk.Invalid(below)
        if number > maximum:
            raise tk.Invalid(above)
        return number

    return validator


def _default(value: Any) -> Validator:
    """CKAN's ``default`` validator for ``value``: ``tk.get_validator`` answers a validator or a
    validator factory, this is the factory (schemas without parameters take it through
    ``@tk.validator_args`` instead)."""
    return cast(ValidatorFactory, tk.get_validator("default"))(value)


def page_limit() -> list[Any]:
    """A page size: ``paging.DEFAULT_LIMIT`` when absent, refused below 1 or past a count,
    served at most ``paging.MAX_LIMIT`` (as the list actions document)."""

    def capped(value: Any, context: Any) -> Any:
        # refused values pass on
        return min(value, paging.MAX_LIMIT) if isinstance(value, int) else value

    return [_default(paging.DEFAULT_LIMIT), whole_number(1), capped]


def page_offset() -> list[Any]:
    """Rows to skip: 0 when absent, at most ``paging.MAX_OFFSET``."""
    return [_default(0), whole_number(0, paging.MAX_OFFSET)]


def paging_fields() -> dict[str, list[Any]]:
    """``limit`` and ``offset`` of a list action's schema, the same for every list."""
    return {"limit": page_limit(), "offset": page_offset()}


def period_of_use(key: Key, data: dict[Key, Any], errors: Any, context: Any) -> None:
    """``__after`` a schema with ``period_start`` and ``period_end``: a period of use lasts at
    most ``ckanext.govshare.max_period_years`` (declared default 5) years (issue 14, item 4)."""
    start, end = data.get(("period_start",)), data.get(("period_end",))
    if errors.get(("period_start",)) or errors.get(("period_end",)):
        return
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        return
    years = config.max_period_years()
    for field, problem in limits.period_problems(start, end, years).items():
        errors.setdefault((field,), []).append(problem)


def validate(data_dict: Any, schema: dict[str, Any], context: Any) -> dict[str, Any]:
    """Validate or raise ``ValidationError`` with every field's message at once."""
    data, errors = tk.navl_validate(dict(data_dict), schema, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def department(value: Any, context: Any) -> str | None:
    """An active organization's id or name -> its id; empty -> ``None``."""
    if value in (None, ""):
        return None
    group = model.Group.get(str(value).strip())
    if group is None or not group.is_organization or group.state != "active":
        raise tk.Invalid(NO_SUCH_DEPARTMENT)
    return group.id

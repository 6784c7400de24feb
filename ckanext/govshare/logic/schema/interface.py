"""Input of the service interface's actions (issue 16, items 4–5): every field bounded (the
number of columns, of filter values, the length of each value, the page), each refusal in
both languages, per field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import missing

from ...core import config, paging
from ...interface import rules
from .fields import _default, reference, required, text, whole_number

Key = tuple[Any, ...]


def _optional() -> Any:
    return tk.get_validator("ignore_missing")


def _extras() -> dict[str, Any]:
    return {"__extras": [_optional()], "__junk": [_optional()]}


def parsed(parse: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    """A validator from a ``rules`` parser (its ``ValueError`` carries the bilingual text);
    an empty value is no value."""

    def validator(value: Any, context: Any) -> Any:
        if value is None or value is missing or value == "":
            return None
        try:
            return parse(value)
        except ValueError as error:
            raise tk.Invalid(str(error)) from None

    return validator


def capped(value: Any, context: Any) -> Any:
    """A page past ``ckanext.govshare.query.max_limit`` is served that many rows (as every
    list is served at most its maximum: docs/api.md, "Conventions")."""
    return min(value, config.query_max_limit()) if isinstance(value, int) else value


def one_paging(key: Key, data: dict[Key, Any], errors: Any, context: Any) -> None:
    """``__after``: ``offset`` or ``cursor``, not both."""
    if data.get(("cursor",)) and data.get(("offset",)):
        errors.setdefault(("cursor",), []).append(rules.BOTH_PAGINGS)


def query_schema() -> dict[str, Any]:
    return {
        "resource_id": [required, reference],
        "grant_id": [_optional(), reference],
        "fields": [_optional(), parsed(rules.columns)],
        "filters": [_optional(), parsed(rules.filters)],
        "q": [_optional(), text(rules.MAX_Q, multiline=False)],
        "sort": [_optional(), parsed(rules.sort)],
        "limit": [_default(rules.DEFAULT_LIMIT), whole_number(1), capped],
        "offset": [_default(0), whole_number(0, paging.MAX_OFFSET)],
        "cursor": [_optional(), text(rules.MAX_CURSOR, multiline=False)],
        "__after": [one_paging],
        **_extras(),
    }


def _match_on(value: Any) -> dict[str, Any]:
    return rules.values(value, limit=rules.MAX_MATCH_ON)


def _check(value: Any) -> dict[str, Any]:
    return rules.values(value, limit=rules.MAX_CHECK, null=True)


def verify_schema() -> dict[str, Any]:
    return {
        "resource_id": [required, reference],
        "grant_id": [_optional(), reference],
        "match_on": [required, parsed(_match_on)],
        "check": [required, parsed(_check)],
        **_extras(),
    }

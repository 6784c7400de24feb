"""One vocabulary in the public API (issue 15, item 3; docs/api.md, "Conventions").

Names that an earlier version of an action took keep working for one more release. ``renamed``
maps an old parameter name (and an old value, such as ``direction=held``) to the new one
before the action's schema runs, and the answer of a call that used one carries a
``deprecations`` list saying what to use instead. ``with_old_keys`` keeps an answer's old keys
beside the new ones for the same release. ``DEPRECATED`` lists every renaming once, so the
CHANGELOG and the documentation can be checked against it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk

from .messages import field_errors

__all__ = ["DEPRECATED", "DIRECTIONS", "REMOVED_IN", "Renaming", "renamed", "with_old_keys"]

#: The release that drops the old names (this release and the next one accept them).
REMOVED_IN = "0.3.0"

#: The one direction filter of the lists (docs/api.md, "Conventions"): ``outgoing`` what the
#: caller's departments asked for, hold or reported; ``incoming`` what reached them; ``all``.
DIRECTIONS = ("outgoing", "incoming", "all")


@dataclass(frozen=True)
class Renaming:
    """What one action renamed: parameters, values of a parameter, and answer keys."""

    params: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    answer_keys: Mapping[str, str] = field(default_factory=dict)
    #: old parameters the action still reads with their old meaning -> what to use instead
    kept: Mapping[str, str] = field(default_factory=dict)


#: action name -> what it renamed; filled by ``renamed`` when the action module is imported.
DEPRECATED: dict[str, Renaming] = {}


def _note(old: str, new: str) -> dict[str, str]:
    return {
        "name": old,
        "use": new,
        "removed_in": REMOVED_IN,
        "message": (
            f"'{old}' is deprecated and will be removed in {REMOVED_IN}: use '{new}'"
            f" | “{old}”已弃用，将于 {REMOVED_IN} 版移除，请改用“{new}”"
        ),
    }


def _both_given(old: str, new: str) -> str:
    return (
        f"Give '{new}' or its old name '{old}', not both with different values"
        f" | “{new}”与其旧名称“{old}”只能给出一个（或两者取值相同）"
    )


def _translate(
    data_dict: Mapping[str, Any], renaming: Renaming
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The input in today's names, and a note for each old name or value it used."""
    data = dict(data_dict)
    notes: list[dict[str, str]] = []
    errors: dict[str, list[str]] = {}
    for old, new in renaming.params.items():
        if old not in data:
            continue
        value = data.pop(old)
        if new in data and data[new] != value:
            errors[old] = [_both_given(old, new)]
            continue
        data[new] = value
        notes.append(_note(old, new))
    for name, mapping in renaming.values.items():
        value = data.get(name)
        if isinstance(value, str) and value in mapping:
            data[name] = mapping[value]
            notes.append(_note(f"{name}={value}", f"{name}={mapping[value]}"))
    for old, use in renaming.kept.items():
        if old in data:
            notes.append(_note(old, use))
    if errors:
        raise field_errors(tk.ValidationError, errors)
    return data, notes


def _old_error_keys(
    error: tk.ValidationError, data_dict: Mapping[str, Any], renaming: Renaming
) -> None:
    """A field error on a renamed parameter is keyed by the name the caller gave it."""
    errors = error.error_dict
    for old, new in renaming.params.items():
        if old in data_dict and new not in data_dict and new in errors and old not in errors:
            errors[old] = errors.pop(new)


def renamed(
    *,
    params: Mapping[str, str] | None = None,
    values: Mapping[str, Mapping[str, str]] | None = None,
    answer_keys: Mapping[str, str] | None = None,
    kept: Mapping[str, str] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Accept the action's old names for one more release (``params``: old -> new;
    ``values``: parameter -> old value -> new value). ``answer_keys`` (old -> new) only
    records, for ``DEPRECATED``, the keys the action's answers keep through
    ``with_old_keys``. ``kept`` (old parameter -> what to use instead) names old parameters
    the action still reads itself, with their old meaning, because no new name means exactly
    the same: a call that uses one gets its note. A field error on a renamed parameter is
    keyed by the name the caller used."""
    renaming = Renaming(
        dict(params or {}), dict(values or {}), dict(answer_keys or {}), dict(kept or {})
    )

    def decorate(action: Callable[..., Any]) -> Callable[..., Any]:
        DEPRECATED[action.__name__] = renaming

        @functools.wraps(action)
        def wrapper(context: Any, data_dict: Any) -> Any:
            if not isinstance(data_dict, Mapping):
                return action(context, data_dict)
            data, notes = _translate(data_dict, renaming)
            try:
                answer = action(context, data)
            except tk.ValidationError as error:
                if isinstance(error.error_dict, dict):
                    _old_error_keys(error, data_dict, renaming)
                raise
            if notes and isinstance(answer, dict):
                answer = {**answer, "deprecations": [*answer.get("deprecations", []), *notes]}
            return answer

        return wrapper

    return decorate


def with_old_keys(answer: dict[str, Any], old_to_new: Mapping[str, str]) -> dict[str, Any]:
    """The answer with each old key beside its new one (same value), for one more release."""
    for old, new in old_to_new.items():
        if new in answer and old not in answer:
            answer[old] = answer[new]
    return answer

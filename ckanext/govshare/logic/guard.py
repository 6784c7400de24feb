"""What no govshare action is given, whatever its schema (issue 14, item 4).

``checked_input`` wraps every registered ``govshare_*`` action (``logic/action/__init__``):
a control character, an unpaired surrogate, a string over 64 KiB, a number past 64 bits or
nesting too deep anywhere in the input is refused with a 409 and a message in both languages,
before the action reads anything. Some actions look an object up by its raw id before their
schema runs (to record a refusal against the right department); this keeps such values out of
the database. Each schema then checks its own fields' types and ranges
(``logic/schema/fields.py``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.search.common import SearchQueryError

from ..audit import who
from ..core.messages import field_errors, message
from ..hardening import limits

__all__ = ["SearchInputError", "checked_input", "lookup_key"]

NOT_AN_OBJECT = message(
    "Send the parameters as an object (JSON) or as form fields",
    "请以对象（JSON）或表单字段提交参数",
)


def problems_of(data_dict: Any) -> dict[str, list[str]]:
    if data_dict is None:
        return {}
    if not isinstance(data_dict, Mapping):
        return {"__input": [NOT_AN_OBJECT]}
    return {key: [text] for key, text in limits.input_problems(data_dict).items()}


def lookup_key(value: Any) -> str:
    """A raw id as an action may look it up (or record it in a refusal) before its schema
    runs: the text when it could be an id, else ``""``, which finds nothing. A list, a dict
    or 60,000 characters never reach a query or the audit trail's indexed columns."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and limits.reference_problem(value) is None:
        return value
    return ""


def _refused_first(name: str, context: Any, data_dict: Any) -> None:
    """Raise the caller's refusal, recorded, if they may not call ``name`` at all.

    Authorization comes first (docs/api.md, "Errors"): input that fails the guard or the
    action's ``@validate`` schema is only reported (409) to a caller the action's auth function
    admits; anyone else gets the 403, recorded in the audit trail, as for a well-formed call.
    The auth function reads the raw input through ``lookup_key``; one that cannot judge input
    this broken leaves the 409 to stand (the session is rolled back).
    """
    data = data_dict if isinstance(data_dict, Mapping) else {}
    try:
        with who.recording_refusals(name, context, object_id=lookup_key(data.get("id")) or None):
            tk.check_access(name, context, dict(data))
    except tk.NotAuthorized:
        raise
    except Exception:  # the input is refused either way: the 409 stands
        model.Session.rollback()


def checked_input(action: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """The action, refusing input no field may hold (``limits.input_problems``), with the
    caller's authorization judged before any input error is reported (``_refused_first``)."""
    name = action.__name__

    @functools.wraps(action)
    def checked(context: Any, data_dict: Any) -> Any:
        problems = problems_of(data_dict)
        if problems:
            _refused_first(name, context, data_dict)
            raise field_errors(tk.ValidationError, problems)
        try:
            return action(context, data_dict)
        except tk.ValidationError:
            _refused_first(name, context, data_dict)
            raise

    return checked


class SearchInputError(tk.ValidationError, SearchQueryError):
    """A search refused before any backend ran: a validation error (409, each parameter's
    message) for the action API, a bad query (400) for CKAN's search pages."""

    def __str__(self) -> str:
        return "; ".join(
            f"{key}: {' '.join(map(str, value)) if isinstance(value, list) else value}"
            for key, value in self.error_dict.items()
        )

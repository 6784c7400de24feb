"""Input of internal sign-off (2025 Regulations art. 20): ``govshare_request_signoff``.

A head approves what their staff drafted, or returns it saying why (the reason is required
to return). Every message is in English and Chinese.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Schema

from ...access import signoff
from .fields import one_of, reference, required, text

__all__ = ["DECISIONS", "request_signoff_schema"]

#: The head's decisions: send it (the drafted answer is taken as theirs), or return it.
DECISIONS = ("approve", "return")
TEXT = 4000

Key = tuple[Any, ...]


def _reason_to_return(
    key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any
) -> None:
    """``__after``: a return says why (the drafter changes it by what the head writes)."""
    if errors.get(("decision",)):
        return
    if data.get(("decision",)) == "return" and not str(data.get(("reason",)) or "").strip():
        errors.setdefault(("reason",), []).append(signoff.NEEDS_REASON)


def request_signoff_schema() -> Schema:
    """``govshare_request_signoff``: ``id``, ``decision`` approve | return, ``reason``."""
    optional = tk.get_validator("ignore_missing")
    return {
        "id": [required, reference],
        "decision": [required, one_of(DECISIONS)],
        "reason": [optional, text(TEXT)],
        "__extras": [optional],
        "__junk": [optional],
        "__after": [_reason_to_return],
    }

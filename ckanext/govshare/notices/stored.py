"""What a notice keeps of the parameters it was rendered from (issue 14, item 10).

A notice says *that* something happened and links to it; what people wrote (a comment, a
reason, an entry's or a department's title) is read on the platform, where access to it is
checked (art. 14). The subject and body are rendered from the full parameters when the notice
is queued (``texts.render``: a comment's text is never in them); the row keeps only ids, codes,
dates, counts and the link. :func:`kept` is applied when a notice is written and again when
one is read, so that a notice stored by an earlier version, whose parameters held a comment's
text, never hands it out.

Plain Python: unit-tested alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["KEPT", "LOCALE", "kept", "locale_of"]

#: The language a notice was written in (issue 19); absent from notices stored in both.
LOCALE = "locale"

# Parameters a stored notice may keep: references and facts, no free text.
KEPT = frozenset(
    {
        "request_id",
        "package_id",
        "grant_id",
        "feedback_id",
        "obligation_id",
        "filing_id",
        "filing_kind",
        "disposal_due",
        "status",
        "due_date",
        "due_by",
        "period_start",
        "period_end",
        "effective_date",
        "overdue_since",
        "workdays_left",
        "entries_count",
        "year",
        "link",
        LOCALE,
    }
)
# An id, a code, an ISO date or time, a site path: no spaces, no text.
_TOKEN = re.compile(r"[A-Za-z0-9_\-:./+]{0,200}")


def _plain(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float)):
        return True
    return isinstance(value, str) and _TOKEN.fullmatch(value) is not None


def kept(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The parameters a notice may store and return: listed keys with plain values only."""
    return {k: v for k, v in (params or {}).items() if k in KEPT and _plain(v)}


def locale_of(params: Mapping[str, Any] | None) -> str | None:
    """The language a stored notice is written in, ``None`` for one stored in both languages."""
    value = (params or {}).get(LOCALE)
    return value if isinstance(value, str) and value else None

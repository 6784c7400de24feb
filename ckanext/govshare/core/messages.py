"""Bilingual messages, written once (issue 15): ``"English | 中文"`` in one string.

API clients have no locale to pick a language, so every refusal and field error the platform
answers says it in English and Chinese; a page shows its language's half
(``helpers.govshare_message``). Plain Python with no CKAN import, so rules modules use it
too: the exception classes are the caller's (``tk.ValidationError``, ``tk.NotAuthorized``,
``tk.ObjectNotFound``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

__all__ = ["SEPARATOR", "error", "field_errors", "halves", "message"]

SEPARATOR = " | "

E = TypeVar("E", bound=Exception)


def message(en: str, zh: str) -> str:
    """One message in both languages: ``"English | 中文"``."""
    return f"{en}{SEPARATOR}{zh}"


def halves(text: Any) -> tuple[str, str]:
    """``(english, chinese)`` of a bilingual message; a plain text is both halves."""
    text = "" if text is None else str(text)
    if SEPARATOR not in text:
        return text, text
    en, zh = text.rsplit(SEPARATOR, 1)
    return en, zh


def error(kind: type[E], en: str, zh: str | None = None, *, field: str | None = None) -> E:
    """A bilingual refusal, to raise: ``raise error(tk.ObjectNotFound, "No such grant",
    "授权不存在")``.

    ``zh`` left out: ``en`` is already bilingual (a ``message``). With ``field``, the error is
    keyed by it, as ``tk.ValidationError`` wants (``{field: [text]}``); without, the text is
    the exception's message (``tk.NotAuthorized``, ``tk.ObjectNotFound``).
    """
    text = en if zh is None else message(en, zh)
    return kind({field: [text]}) if field is not None else kind(text)


def field_errors(kind: type[E], errors: Mapping[str, Iterable[str]]) -> E:
    """The refusal for the field errors a rules module found (``{field: [text, ...]}``), to
    raise: ``raise field_errors(tk.ValidationError, rules.check_approval(request, data))``.

    Rules modules return ``dict[str, list[str]]``; CKAN types ``tk.ValidationError``'s
    argument as its wider ``ckan.types.ErrorDict``, which a ``dict`` of lists of ``str`` is
    not (dicts and lists are invariant), so the errors pass through here, not a cast.
    """
    return kind({field: list(texts) for field, texts in errors.items()})

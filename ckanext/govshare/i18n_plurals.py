"""Chinese plurals on pages: flask-babel takes the plural rule of the *last* catalog it merges.

CKAN merges its own catalog with every translated plugin's; ckanext-harvest and ckanext-dcat
have no zh_Hans_CN catalog, so the last one merged is empty and brings gettext's default rule
(``n != 1``). Chinese has one form: with that rule "3 datasets found" finds no second form and
shows in English. The plural rule of a language is the one in CKAN's own catalog for it.
"""

from __future__ import annotations

from typing import Any

import flask_babel
from babel import support
from flask import has_app_context

_FIXED = "_govshare_plural_fixed"


def _with_core_plural(get_translations: Any) -> Any:
    def get_translations_with_core_plural(self: Any) -> Any:
        translations = get_translations(self)
        if getattr(translations, _FIXED, False) or not has_app_context():
            return translations
        if not self.translation_directories:
            return translations
        locale = flask_babel.get_locale()
        if locale is not None:
            core = support.Translations.load(
                self.translation_directories[0], [locale], self.domain[0]
            )
            if isinstance(core, support.Translations):  # a catalog exists for the language
                translations.plural = core.plural
        setattr(translations, _FIXED, True)
        return translations

    get_translations_with_core_plural.__wrapped__ = get_translations  # type: ignore[attr-defined]
    return get_translations_with_core_plural


def install() -> None:
    domain = flask_babel.Domain
    if not hasattr(domain.get_translations, "__wrapped__"):
        domain.get_translations = _with_core_plural(domain.get_translations)

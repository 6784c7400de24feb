"""The language a user's notices and emails are written in (issue 19, item 7).

Stored per user in ``user.plugin_extras["govshare"]["locale"]`` (no table of its own); a user
who chose none reads the site's ``ckan.locale_default``. Notices exist in Chinese and English
only, so every locale maps onto one of :data:`LANGUAGES` (``zh*`` to Chinese, anything else to
English). Runs in the caller's transaction; the action commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

__all__ = [
    "EN",
    "LANGUAGES",
    "ZH",
    "chosen",
    "normalise",
    "of_extras",
    "of_user",
    "of_users",
    "set_for",
    "site_default",
]

ZH = "zh_Hans_CN"
EN = "en"
#: The languages notices are written in, the site's first.
LANGUAGES: tuple[str, ...] = (ZH, EN)

_EXTRAS_KEY = "govshare"
_LOCALE_KEY = "locale"


def normalise(locale: str | None) -> str:
    """``zh_Hans_CN`` for any Chinese locale, ``en`` for anything else (``en_GB``, ``fr``...)."""
    value = (locale or "").strip().replace("-", "_").lower()
    if not value:
        return site_default()
    return ZH if value.startswith("zh") else EN


def site_default() -> str:
    """The site's language for notices: ``ckan.locale_default`` mapped onto a notice language."""
    configured = str(tk.config.get("ckan.locale_default") or ZH)
    return ZH if configured.lower().startswith("zh") else EN


def _chosen_in(extras: Any) -> str | None:
    if not isinstance(extras, dict):
        return None
    ours = extras.get(_EXTRAS_KEY)
    value = ours.get(_LOCALE_KEY) if isinstance(ours, dict) else None
    return value if value in LANGUAGES else None


def chosen(user: model.User) -> str | None:
    """The language the user chose, or ``None`` (they read the site's)."""
    return _chosen_in(user.plugin_extras)


def of_extras(extras: Any) -> str:
    """The language of a user whose ``plugin_extras`` are ``extras`` (read with a query)."""
    return _chosen_in(extras) or site_default()


def of_user(user: model.User) -> str:
    """The language the user reads notices in: their choice, else the site's."""
    return chosen(user) or site_default()


def of_users(user_ids: Iterable[str]) -> dict[str, str]:
    """``{user id: language}`` for the given ids (ids not found are left out)."""
    ids = list(dict.fromkeys(i for i in user_ids if i))
    if not ids:
        return {}
    rows = (
        model.Session.query(model.User.id, model.User.plugin_extras)
        .filter(model.User.id.in_(ids))
        .all()
    )
    return {user_id: of_extras(extras) for user_id, extras in rows}


def set_for(user: model.User, locale: str | None) -> dict[str, Any]:
    """Store the user's choice (``None``: back to the site's); returns ``{"before", "after"}``.

    ``plugin_extras`` is reassigned (not changed in place) so SQLAlchemy sees the change; other
    keys other plugins keep there are left as they were.
    """
    if locale is not None and locale not in LANGUAGES:
        raise ValueError(f"not a notice language: {locale!r}")
    before = chosen(user)
    extras = dict(user.plugin_extras or {})
    ours = dict(extras.get(_EXTRAS_KEY) or {})
    if locale is None:
        ours.pop(_LOCALE_KEY, None)
    else:
        ours[_LOCALE_KEY] = locale
    if ours:
        extras[_EXTRAS_KEY] = ours
    else:
        extras.pop(_EXTRAS_KEY, None)
    user.plugin_extras = extras
    model.Session.add(user)
    return {"before": before, "after": locale}

"""Template helpers for the platform's identity (issue 19, item 1): initials avatars instead of
Gravatar, and the About page's operator, text and contacts. Re-exported by ``helpers.py``;
like every page helper they call actions, never a domain's services."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from markupsafe import Markup

from .core import config, identity

__all__ = ["govshare_about", "govshare_avatar", "govshare_initials", "govshare_operator"]


def _zh() -> bool:
    return (tk.h.lang() or "").startswith("zh")


def govshare_initials(name: str | None) -> str:
    """A person's or a department's initials (张伟（公安部数据专员） -> 张伟; Ada Lovelace -> AL)."""
    return identity.initials(name)


def govshare_avatar(name: str | None, key: str | None = None, size: int = 40) -> Markup:
    """A coloured circle with a person's initials, instead of a Gravatar image: no request ever
    leaves the platform. ``name``: the display name; ``key``: what keeps the colour stable
    (the user's id or name; default the name); ``size``: in pixels, as CKAN's ``user_image``."""
    size = max(16, min(int(size or 40), 300))
    text = identity.initials(name)
    return Markup(
        '<span class="govshare-avatar user-image" role="img" aria-label="{label}" '
        'style="--govshare-avatar-bg: {bg}; --govshare-avatar-size: {size}px">'
        '<span aria-hidden="true">{text}</span></span>'
    ).format(label=name or "?", bg=identity.colour(key or name), size=size, text=text)


def _authority_title() -> str:
    """The sharing authority's department by its title (its name if it has no title)."""
    try:
        org = tk.get_action("organization_show")(
            {"user": ""}, {"id": config.authority_org(), "include_datasets": False}
        )
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return ""
    return org.get("title") or org.get("name") or ""


def govshare_operator() -> str:
    """Who runs the platform, in the page's language: the configured operator, else the
    sharing authority's department by its title."""
    en, zh = config.about_operator_en(), config.about_operator_zh()
    chosen = (zh or en) if _zh() else (en or zh)
    return chosen or _authority_title()


def govshare_about() -> dict[str, Any]:
    """What the About page shows: the configured ``text`` (Markdown rendered, empty when the
    site sets none for this language or the other), the ``operator``, the ``contacts`` (each
    with ``kind``, ``label``, ``value`` and ``href``) and the rule profile in force
    (``govshare_rule_profile_show``: ``profile`` with ``name`` and ``title``)."""
    en, zh = config.about_text_en(), config.about_text_zh()
    text = (zh or en) if _zh() else (en or zh)
    contacts: list[dict[str, str]] = []
    phone, email, address = (
        config.about_contact_phone(),
        config.about_contact_email(),
        config.about_contact_address(),
    )
    if phone:
        href = "tel:" + "".join(c for c in phone if c.isdigit() or c == "+")
        contacts.append({"kind": "phone", "label": tk._("Telephone"), "value": phone, "href": href})
    if email:
        contacts.append(
            {"kind": "email", "label": tk._("E-mail"), "value": email, "href": "mailto:" + email}
        )
    if address:
        contacts.append({"kind": "address", "label": tk._("Address"), "value": address, "href": ""})
    user = tk.current_user
    context = {"user": user.name if user and user.is_authenticated else ""}
    found = tk.get_action("govshare_rule_profile_show")(context, {})
    lang = "zh_Hans_CN" if _zh() else "en"
    return {
        "text": tk.h.render_markdown(text) if text else Markup(""),
        "operator": govshare_operator(),
        "contacts": contacts,
        "profile": {"name": found["name"], "title": found["title"][lang]},
    }

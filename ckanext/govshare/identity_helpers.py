"""Template helpers for the platform's identity (issue 19, item 1): initials avatars instead of
Gravatar, and the About page's operator, text and contacts. Re-exported by ``helpers.py``;
like every page helper they call actions, never a domain's services."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context
from flask import g, has_request_context
from markupsafe import Markup

from .core import config, identity

__all__ = [
    "govshare_about",
    "govshare_avatar",
    "govshare_department_title",
    "govshare_initials",
    "govshare_local_image",
    "govshare_operator",
    "govshare_person_name",
    "linked_user",
    "user_image",
]


def _zh() -> bool:
    return (tk.h.lang() or "").startswith("zh")


def govshare_initials(name: str | None) -> str:
    """A person's or a department's initials (张伟（公安部数据管理员） -> 张伟; Ada Lovelace ->
    AL), as ``core.identity.initials``."""
    return identity.initials(name)


def govshare_avatar(
    name: str | None, key: str | None = None, size: int = 40, department: bool = False
) -> Markup:
    """A coloured circle with a person's initials, instead of a Gravatar image: no request ever
    leaves the platform. ``name``: the display name (a department's title with
    ``department=True``: a rounded square with what it does, 公安部 -> 公安); ``key``: what
    keeps the colour stable (the user's or department's name; default ``name``); ``size``: in
    pixels, as CKAN's ``user_image``."""
    size = max(16, min(int(size or 40), 300))
    text = identity.department_initials(name) if department else identity.initials(name)
    shape = (
        "govshare-avatar govshare-avatar-department" if department else "govshare-avatar user-image"
    )
    return Markup(
        '<span class="{shape}" role="img" aria-label="{label}" '
        'style="--govshare-avatar-bg: {bg}; --govshare-avatar-size: {size}px">'
        '<span aria-hidden="true">{text}</span></span>'
    ).format(shape=shape, label=name or "?", bg=identity.colour(key or name), size=size, text=text)


def _cached(kind: str, key: str, look_up: Any) -> str:
    """One look-up per name and request (a list page names the same people many times)."""
    store: dict[tuple[str, str], str] | None = None
    if has_request_context():
        store = g.setdefault("_govshare_names", {})
    if store is not None and (kind, key) in store:
        return store[(kind, key)]
    value = look_up(key)
    if store is not None:
        store[(kind, key)] = value
    return value


def _person(key: str) -> str:
    try:
        user = tk.get_action("user_show")({"ignore_auth": True}, {"id": key})
    except tk.ObjectNotFound:
        return key
    return user.get("display_name") or user["name"]


def _department(key: str) -> str:
    """The department's title, read from its record: ``organization_show`` also counts the
    department's datasets with a search (about 17 ms), and the footer names the operating
    department on every page. A title is public."""
    group = model.Group.get(key)
    if group is None or not group.is_organization:
        return ""
    return group.title or group.name


def govshare_person_name(user: str | None) -> str:
    """A person's full name (张伟（公安部数据管理员）) for a user name or id, as lists and
    histories should show people (issue 19, item 1); the name itself for no such user, ""
    for none."""
    return _cached("user", user, _person) if user else ""


def govshare_department_title(org: str | None) -> str:
    """A department's title (公安部) for its name or id; the name itself for no such
    department, "" for none."""
    return (_cached("org", org, _department) or org) if org else ""


def govshare_local_image(url: str | None) -> str:
    """``url`` if the image is stored on the platform (an upload, or a path of the site), else
    "": a page never makes the reader's browser fetch an address outside the platform (a
    person's or a department's ``image_url`` may name any web site)."""
    if not url:
        return ""
    site = (tk.config.get("ckan.site_url") or "").rstrip("/")
    if url.startswith("/") and not url.startswith("//"):
        return url
    if site and url.startswith(site + "/"):
        return url
    return ""


@tk.chained_helper
def user_image(next_helper: Any, user_id: str, size: int = 100) -> Markup | str:
    """CKAN's ``h.user_image``: the person's uploaded picture, else their initials (never a
    Gravatar, never an outside address)."""
    try:
        user = tk.get_action("user_show")({"ignore_auth": True}, {"id": user_id})
    except tk.ObjectNotFound:
        return ""
    if govshare_local_image(user.get("image_display_url")):
        return next_helper(user_id, size)
    return govshare_avatar(user.get("display_name") or user["name"], user["name"], size)


@tk.chained_helper
def linked_user(next_helper: Any, user: Any, maxlength: int = 0, avatar: int = 20) -> Any:
    """CKAN's ``h.linked_user``: the person's avatar (``user_image`` above, which CKAN's own
    would bypass) and their full name, linked to their page."""
    key = getattr(user, "id", None) or str(user)
    try:
        found = tk.get_action("user_show")({"ignore_auth": True}, {"id": key})
    except tk.ObjectNotFound:
        return next_helper(user, maxlength, avatar)
    display = found.get("display_name") or found["name"]
    if maxlength and len(display) > maxlength:
        display = display[:maxlength] + "..."
    link = tk.h.link_to(display, tk.h.url_for("user.read", id=found["name"]))
    icon = tk.h.user_image(found["id"], size=avatar)
    return Markup("{icon} {link}").format(icon=icon, link=link)


def govshare_operator() -> str:
    """Who runs the platform, in the page's language: the configured operator, else the
    sharing authority's department by its title."""
    en, zh = config.about_operator_en(), config.about_operator_zh()
    chosen = (zh or en) if _zh() else (en or zh)
    return chosen or _cached("org", config.authority_org(), _department)


def govshare_about(text: bool = True) -> dict[str, Any]:
    """What the About page shows (the footer asks with ``text=False``): the configured ``text``
    (Markdown rendered; empty when the site sets none, or not asked for), the ``operator``,
    the ``contacts`` (each with ``kind``, ``label``, ``value`` and ``href``) and the rule
    profile in force
    (``govshare_rule_profile_show``: ``profile`` with ``name`` and ``title``)."""
    en, zh = config.about_text_en(), config.about_text_zh()
    markdown = ((zh or en) if _zh() else (en or zh)) if text else ""
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
    context: Context = {"user": user.name if user and user.is_authenticated else ""}
    found = tk.get_action("govshare_rule_profile_show")(context, {})
    lang = "zh_Hans_CN" if _zh() else "en"
    return {
        "text": tk.h.render_markdown(markdown) if markdown else Markup(""),
        "operator": govshare_operator(),
        "contacts": contacts,
        "profile": {"name": found["name"], "title": found["title"][lang]},
    }

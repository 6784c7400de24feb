"""The platform's own identity (issue 19, item 1): its name, logo and favicon when the site
leaves CKAN's defaults, no Gravatar, and people's initials for their avatars.

The name and logo stay CKAN's options (``ckan.site_title``, ``ckan.site_logo``,
``ckan.site_description``, ``ckan.favicon``; a sysadmin may also set the first three in
CKAN's config page). Only where they still hold CKAN's own defaults does the platform put its
own: the name 政务数据共享平台, its English name as the tagline, and no image logo, so the
header shows the name as text beside the platform's emblem (``assets/govshare.css``). The
about page's text, operator and contacts are ``ckanext.govshare.about.*`` (``core/config.py``).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import MutableMapping
from typing import Any

#: The platform's name where the site keeps CKAN's default title ("CKAN").
DEFAULT_TITLE = "政务数据共享平台"
#: Its English name, the header's tagline where the site sets no description of its own.
DEFAULT_DESCRIPTION = "Government data sharing platform"
#: The emblem, also the tab's icon (``public/govshare/``).
EMBLEM = "/govshare/emblem.svg"
FAVICON = "/govshare/favicon.svg"

#: CKAN 2.11's defaults for these options (ckan/config/config_declaration.yaml).
_CKAN_DEFAULTS: dict[str, tuple[str, ...]] = {
    "ckan.site_title": ("CKAN",),
    "ckan.site_logo": ("/base/images/ckan-logo.png",),
    "ckan.favicon": ("/base/images/ckan.ico",),
    "ckan.site_description": ("",),
}


def apply_defaults(config: MutableMapping[str, Any]) -> None:
    """The platform's name, tagline, emblem and favicon where the site left CKAN's defaults,
    and no Gravatar whatever the site says: a government platform sends no one's e-mail
    digest to a foreign service (called from the plugin's ``update_config``)."""
    ours = {
        "ckan.site_title": DEFAULT_TITLE,
        # No image: the header shows the name as text, the emblem beside it (govshare.css).
        "ckan.site_logo": "",
        "ckan.favicon": FAVICON,
        "ckan.site_description": DEFAULT_DESCRIPTION,
    }
    for key, value in ours.items():
        if (config.get(key) or "") in _CKAN_DEFAULTS[key]:
            config[key] = value
    config["ckan.gravatar_default"] = "disabled"


# --- initials avatars --------------------------------------------------------------------------

#: Colours of the initials' circles: dark enough for white text at WCAG AA (4.5:1 and more).
AVATAR_COLOURS = (
    "#1d4f91",  # blue
    "#2e6b30",  # green
    "#8a2c2c",  # brick
    "#5b3f8c",  # violet
    "#0f5c63",  # teal
    "#7a4b0c",  # bronze
    "#38455a",  # slate
    "#8c2b5f",  # plum
)


def _is_cjk(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("CJK UNIFIED", "CJK COMPATIBILITY"))


def initials(name: str | None) -> str:
    """The initials of a person's or a department's name, as an avatar shows them.

    A Chinese name gives its last one or two characters, as DingTalk and the provincial
    platforms do (张伟 -> 张伟, 王小明 -> 小明, 欧阳明华 -> 明华); a note in brackets after the
    name (张伟（公安部）) is left out. A Latin name gives the first letters of its first and
    last words (Ada Lovelace -> AL); a login name's parts split on "-", "_" and "." count as
    words (ministry-of-public-security-officer -> MO). Nothing usable gives "?".
    """
    text = (name or "").strip()
    for bracket in ("（", "("):
        head = text.split(bracket, 1)[0].strip()
        if head:
            text = head
    if not text:
        return "?"
    han = [c for c in text if _is_cjk(c)]
    if han:
        return "".join(han[-2:])
    words = [w for w in text.replace("-", " ").replace("_", " ").replace(".", " ").split() if w]
    letters = [w[0] for w in words if w[0].isalnum()]
    if not letters:
        return "?"
    if len(letters) == 1:
        return letters[0].upper()
    return (letters[0] + letters[-1]).upper()


#: What a department's title may start with that says only where it sits, not what it does.
_PLACE_PREFIXES = ("中华人民共和国", "中共", "国家", "自治区", "自治州")
#: One of these, once, after the prefixes (省市场监督管理局: the 市 of 市场 stays).
_LEVEL_PREFIXES = "省市县区"
_MINOR_WORDS = {"of", "the", "and", "for", "on"}


def department_initials(title: str | None) -> str:
    """What a department's avatar shows: the first two characters of what it does, after
    where it sits (公安部 -> 公安, 国家统计局 -> 统计, 省市场监督管理局 -> 市场); a Latin
    title's first letters without the small words (Ministry of Public Security -> MPS)."""
    text = (title or "").strip()
    han = "".join(c for c in text if _is_cjk(c))
    if han:
        rest = han
        stripped = True
        while stripped:
            stripped = False
            for prefix in _PLACE_PREFIXES:
                if rest.startswith(prefix) and len(rest) - len(prefix) >= 2:
                    rest, stripped = rest[len(prefix) :], True
        if rest[0] in _LEVEL_PREFIXES and len(rest) >= 3:
            rest = rest[1:]
        return rest[:2]
    words = text.replace("-", " ").replace("_", " ").split()
    letters = [w[0].upper() for w in words if w.lower() not in _MINOR_WORDS and w[0].isalnum()]
    return "".join(letters[:3]) or "?"


def colour(key: str | None) -> str:
    """A stable colour for a person (by their id or name): the same person, the same colour."""
    digest = hashlib.sha256((key or "").encode("utf-8")).digest()
    return AVATAR_COLOURS[digest[0] % len(AVATAR_COLOURS)]

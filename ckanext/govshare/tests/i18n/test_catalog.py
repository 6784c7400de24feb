"""The zh_Hans_CN catalog: Simplified Chinese, proofread, and putting CKAN core's slips right
(issue 19, item 7).

CKAN merges every plugin's catalog over its own (``ckan/config/middleware/flask_app.py``: core's
directory first, then each ``ITranslation`` plugin's; Flask-Babel's ``merge`` lets the later one
win; the same in CKAN 2.11 and 2.12), so a msgid of core's that this catalog also holds reads
as this catalog says on every page.
"""

from __future__ import annotations

import re
from pathlib import Path

import ckan
import polib
import pytest

from .slips import SLIPS, slips_in, traditional

CATALOG = (
    Path(__file__).resolve().parents[2]
    / "i18n"
    / "zh_Hans_CN"
    / "LC_MESSAGES"
    / "ckanext-govshare.po"
)
CORE_CATALOG = (
    Path(ckan.__file__).resolve().parent / "i18n" / "zh_Hans_CN" / "LC_MESSAGES" / "ckan.po"
)
# What a translation must carry over from its msgid: %(name)s, %s, %d and {name}.
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}")

pytestmark = pytest.mark.unit


def _translations(path: Path) -> list[tuple[str, str]]:
    """``(msgid, msgstr)`` of every live entry (each plural form as its own msgstr)."""
    pairs = []
    for entry in polib.pofile(str(path)):
        if entry.obsolete:
            continue
        for msgstr in [entry.msgstr, *entry.msgstr_plural.values()]:
            if msgstr:
                pairs.append((entry.msgid, msgstr))
    return pairs


def _bad(msgstr: str) -> list[str]:
    return slips_in(msgstr) + [f"traditional {t}" for t in traditional(msgstr)]


def test_the_slips_and_the_traditional_check_catch_what_they_should():
    """The checks themselves: each known slip is found, and a traditional character is."""
    for slip in SLIPS:
        assert slips_in(f"请{slip}。"), slip
    assert traditional("目前沒有任何機構") == ["沒→没", "機→机", "構→构"]
    assert traditional("请登录后查看通知") == []


def test_no_known_slip_and_no_traditional_character_in_the_catalog():
    found = {msgid: _bad(msgstr) for msgid, msgstr in _translations(CATALOG) if _bad(msgstr)}
    assert found == {}


def test_translations_keep_their_placeholders():
    """A msgstr names the same %(...)s, %s and {...} fields as its msgid (else a page shows a
    raw field, or formatting fails)."""
    wrong = {
        msgid: msgstr
        for msgid, msgstr in _translations(CATALOG)
        if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr))
    }
    assert wrong == {}


def test_every_slip_of_ckan_cores_catalog_is_put_right_here():
    """Whatever CKAN version is installed (2.11 or 2.12): each of its zh_Hans_CN messages with a
    known slip or a traditional character is overridden here, with a clean translation."""
    ours = dict(_translations(CATALOG))
    core_slips = {msgid for msgid, msgstr in _translations(CORE_CATALOG) if _bad(msgstr)}
    assert sorted(core_slips - set(ours)) == []
    # The ones seen in the UI (header, login and user pages), as they must read.
    assert ours["Log in"] == ours["Login"] == "登录"
    assert ours["Followers"] == "关注者"
    assert ours["No followers"] == "没有关注者"
    assert ours["You're already logged in as {user}."] == "您已经以{user}的身份登录。"

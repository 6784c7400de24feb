"""The pages as rendered in Chinese: the header, login and user pages say 登录, not 登陆, hold no
traditional character, and show CKAN's strings in Chinese (issue 19, item 7)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from ckan.tests import factories

from .slips import SLIPS, traditional

#: CKAN core strings these pages show, untranslated by core's catalog and by this one's now.
CORE_STRINGS = {
    "Skip to main content": "跳到主要内容",
    "Toggle navigation": "切换导航",
    "Profile settings": "个人资料设置",
    "Username or Email": "用户名或电子邮箱",
    "Request Reset": "申请重置密码",
}
PAGE_SLIPS = SLIPS


class _Text(HTMLParser):
    """A page's words: its text and the attributes read out or shown (no script, no style)."""

    ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "value")

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        types = dict(attrs).get("type")
        for name, value in attrs:
            if value and name in self.ATTRIBUTES and not (name == "value" and types != "submit"):
                self.words.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.words.append(data.strip())


def words(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.words)


@pytest.fixture
def pages(app: Any, clean_db: Any) -> dict[str, tuple[str, str]]:
    """``{page: (Chinese HTML, English HTML)}``: what visitors and a logged-in user see."""
    user = factories.UserWithToken()
    headers = {"Authorization": user["token"]}
    paths = {
        "login": ("/user/login", {}),
        "password reset": ("/user/reset", {}),
        "home, logged in (header)": ("/", headers),
        "own user page": (f"/user/{user['name']}", headers),
        "another user's page": (f"/user/{factories.User()['name']}", headers),
        "profile form": (f"/user/edit/{user['name']}", headers),
        "notices": ("/dashboard/notices/", headers),
        "language of notices": ("/dashboard/notices/settings", headers),
    }
    answer = {}
    for name, (path, sent) in paths.items():
        zh, en = app.get(path, headers=sent), app.get(f"/en{path}", headers=sent)
        assert zh.status_code == en.status_code == 200, name
        answer[name] = (zh.get_data(as_text=True), en.get_data(as_text=True))
    return answer


def test_no_slip_and_no_traditional_character_on_the_chinese_pages(pages):
    found = {}
    for name, (zh, _) in pages.items():
        problems = [f"{slip}: use {right}" for slip, right in PAGE_SLIPS.items() if slip in zh]
        problems += [f"traditional {t}" for t in traditional(zh)]
        if problems:
            found[name] = problems
    assert found == {}


def test_the_login_pages_say_denglu_right(pages):
    """登录, not 登陆."""
    zh, en = pages["login"]
    assert "登录" in words(zh) and "Log in" in words(en)
    assert "登录" in words(pages["password reset"][0])


def test_cores_strings_are_chinese_on_chinese_pages(pages):
    """Each string of CKAN's shown on these pages in English is in Chinese on the Chinese page
    (the English pages show it, so the check has something to find)."""
    shown = 0
    for name, (zh, en) in pages.items():
        zh_words, en_words = words(zh), words(en)
        for english, chinese in CORE_STRINGS.items():
            if english in en_words:
                shown += 1
                assert english not in zh_words and chinese in zh_words, (name, english)
    # Header and page templates are the extension's to change: at least some must be checked.
    assert shown >= 2

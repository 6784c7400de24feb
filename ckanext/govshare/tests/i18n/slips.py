"""What the Chinese of the platform must not say (issue 19, item 7), shared by the catalog and
page tests.

``SLIPS``: wordings seen on the platform (most from CKAN core's own zh_Hans_CN catalog) and
what is right instead. ``traditional(text)``: the characters of ``text`` that OpenCC's
traditional-to-simplified conversion changes, i.e. traditional characters on a page or in a
catalog that must be Simplified Chinese only.
"""

from __future__ import annotations

import functools
import re

from opencc import OpenCC

#: slip -> what is right (the message a failing test shows).
SLIPS: dict[str, str] = {
    "登陆": "登录 (log in; 登陆 is to land on a shore)",
    "追从者": "关注者 (followers)",
    "追随": "关注 (follow)",
    "粉丝": "关注者 (followers, not fans)",
    "沒有": "没有 (沒 is the traditional form)",
    "数据数据": "数据 (doubled word)",
    "帐户": "账户 (the standard form for an account)",
    "帐号": "账号 (the standard form for an account)",
    "数据疑问": "数据疑义 (the Measures' and Regulations' term for doubtful data)",
    # One name for the department role that decides requests, everywhere in the catalog.
    "数据专员": "数据管理员 (the catalog's name for a data officer)",
}

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


@functools.cache
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def traditional(text: str) -> list[str]:
    """The traditional characters in ``text`` (as ``"沒→没"``), in order, each once."""
    found: dict[str, str] = {}
    for run in _HAN.findall(text):
        converted = _t2s().convert(run)
        if converted == run:
            continue
        for before, after in zip(run, converted, strict=False):
            if before != after:
                found.setdefault(before, f"{before}→{after}")
    return list(found.values())


def slips_in(text: str) -> list[str]:
    """The known slips ``text`` contains, with what is right."""
    return [f"{slip}: use {right}" for slip, right in SLIPS.items() if slip in text]

"""Administrative division codes (GB/T 2260) and who data is returned to (2025 Regulations
art. 24).

A division code is six digits: province (2), prefecture-level city (2), county (2); a higher
division ends in ``00`` pairs (330000 Zhejiang, 330100 Hangzhou, 330106 Xihu district). The
12-digit statistical codes (统计用区划代码) extend it with township and village, so a row may
carry either. A region *contains* another when the other's code starts with its prefix — the
code without its trailing ``00`` pairs — which is the row filter a return grant carries.

Plain Python, unit-tested directly.
"""

from __future__ import annotations

import re

from ..core.messages import message

# The province-level codes of GB/T 2260 (the first two digits); "the rest" are not valid.
PROVINCES = frozenset(
    {
        "11", "12", "13", "14", "15",  # 北京 天津 河北 山西 内蒙古
        "21", "22", "23",  # 辽宁 吉林 黑龙江
        "31", "32", "33", "34", "35", "36", "37",  # 上海 江苏 浙江 安徽 福建 江西 山东
        "41", "42", "43", "44", "45", "46",  # 河南 湖北 湖南 广东 广西 海南
        "50", "51", "52", "53", "54",  # 重庆 四川 贵州 云南 西藏
        "61", "62", "63", "64", "65",  # 陕西 甘肃 青海 宁夏 新疆
        "71", "81", "82",  # 台湾 香港 澳门
    }
)
# The national level: the whole country, the prefix of every code.
NATIONAL = "000000"

_CODE = re.compile(r"^\d{6}$")

BAD_CODE = message(
    "An administrative division code is six digits (GB/T 2260), e.g. 330100, or 000000 for "
    "the whole country",
    "行政区划代码为6位数字（GB/T 2260），例如330100；全国为000000",
)
BAD_PROVINCE = message(
    "The first two digits of an administrative division code name a province (GB/T 2260)",
    "行政区划代码的前两位须为省级行政区代码（GB/T 2260）",
)


def region_problem(code: str) -> str | None:
    """Why ``code`` is not a division code (a message in both languages), or None."""
    if not _CODE.match(code):
        return BAD_CODE
    if code == NATIONAL:
        return None
    if code[:2] not in PROVINCES or code.endswith("0000") and code[2:4] != "00":
        return BAD_PROVINCE
    return None


def prefix(code: str) -> str:
    """The code without its trailing ``00`` pairs: what every code inside the region starts
    with ("" for the whole country)."""
    if code == NATIONAL:
        return ""
    out = code
    while out.endswith("00") and len(out) > 2:
        out = out[:-2]
    return out


def contains(outer: str, inner: str) -> bool:
    """``inner`` lies within ``outer`` (the same region included)."""
    return inner.startswith(prefix(outer))

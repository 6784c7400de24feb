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
from collections.abc import Mapping
from typing import Any

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


# ---------------------------------------------------------------------------- levels

#: Department levels from the highest (catalogue.codes.DEPARTMENT_LEVELS' values).
LEVELS = ("national", "provincial", "municipal", "county")
_RANK = {level: rank for rank, level in enumerate(LEVELS)}


def rank(level: str | None) -> int | None:
    """0 for national … 3 for county; None for a department without a (known) level."""
    return _RANK.get(level or "")


def lower(level: str | None, than: str | None) -> bool:
    """A department of ``level`` is lower than one of ``than`` (both known)."""
    mine, theirs = rank(level), rank(than)
    return mine is not None and theirs is not None and mine > theirs


def may_return(level: str | None) -> bool:
    """An entry of a department at ``level`` can be returned: there is a lower level (the
    county is the lowest the platform knows)."""
    mine = rank(level)
    return mine is not None and mine < len(LEVELS) - 1


def coverage_of(entry_coverage: str | None, provider_region: str | None) -> str | None:
    """The region an entry's data covers: its ``coverage_region``, else its provider's."""
    return (entry_coverage or "").strip() or (provider_region or "").strip() or None


def coverage_problem(coverage: str | None, provider_region: str | None) -> str | None:
    """Why an entry's ``coverage_region`` cannot be (a message in both languages), or None:
    it lies within the providing department's region, when that has one."""
    coverage, provider_region = (coverage or "").strip(), (provider_region or "").strip()
    if not coverage or not provider_region or region_problem(coverage):
        return None
    if region_problem(provider_region) or contains(provider_region, coverage):
        return None
    return message(
        f"The coverage {coverage} lies outside the providing department's region "
        f"({provider_region}): an entry covers at most its department's region",
        f"覆盖区域 {coverage} 超出提供部门所辖区域（{provider_region}），"
        "信息资源的覆盖区域不得超出提供部门所辖区域",
    )


def receives(
    department: Mapping[str, Any], provider: Mapping[str, Any], coverage: str | None
) -> bool:
    """A department receives the return of an entry (2025 Regulations art. 24): it is lower
    than the provider, has a region code, and its region lies within the entry's coverage.

    ``department`` and ``provider``: ``{"id", "department_level", "region_code"}``."""
    if department.get("id") == provider.get("id"):
        return False
    region = (department.get("region_code") or "").strip()
    if not region or region_problem(region) or not coverage:
        return False
    return lower(department.get("department_level"), provider.get("department_level")) and (
        contains(coverage, region)
    )


def return_row_filter(column: str, region: str) -> dict[str, str]:
    """A return grant's row filter: the rows whose ``column`` starts with the region's
    prefix (``access.scope.RowFilter``)."""
    return {"column": column, "prefix": prefix(region)}


# ---------------------------------------------------------------------------- turning it on

NEEDS_REGION_ITEM = message(
    "Name the data item that holds each row's administrative division code (region_item) "
    "before turning data return on: each lower department receives only the rows of its "
    "region (2025 Regulations art. 24)",
    "开启数据回流前，请先指定存放每行行政区划代码的信息项（region_item），各下级部门仅获得本区域的数据行"
    "（《政务数据共享条例》第二十四条）",
)
NO_LOWER_LEVEL = message(
    "Data return goes from an upper level to lower ones: the providing department must be "
    "national, provincial or municipal (its department_level), and a county one has no lower "
    "level",
    "数据回流由上级部门回流至下级部门：提供部门的部门层级须为国家级、省级或市级，县级部门没有下级",
)
NO_REGION = message(
    "The entry covers no region: give the providing department its administrative division "
    "code (region_code) or the entry its coverage (coverage_region)",
    "该信息资源未确定覆盖区域：请填写提供部门的行政区划代码（region_code）或本信息资源的覆盖区域"
    "（coverage_region）",
)


def return_problems(
    region_item: str | None, provider_level: str | None, coverage: str | None
) -> dict[str, list[str]]:
    """Why return cannot be turned on for an entry (``{field: [message]}``), empty when it
    can: a region item, a provider above the county level, and a region covered."""
    errors: dict[str, list[str]] = {}
    if not (region_item or "").strip():
        errors["package_id"] = [NEEDS_REGION_ITEM]
    elif not may_return(provider_level):
        errors["package_id"] = [NO_LOWER_LEVEL]
    elif not coverage:
        errors["package_id"] = [NO_REGION]
    return errors

"""Resource codes (信息资源代码): classification code + "/" + sequence code (catalogue guide).

The classification code is 类 (1 digit: 1 basic, 2 thematic, 3 departmental), 项 (2 digits:
the basic category or theme, in the order of the code lists; 00 for departmental resources)
and 目 (3 digits, 000 until a sub-classification is adopted). The sequence code is the
provider's unified social credit code followed by a six-digit serial the provider never
reuses, so codes are unique across providers. The structure beyond 类 is unverified
(catalogue.md): this module is the one place a province changes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .codes import BASIC_CATEGORIES, THEMES

_CLASS_DIGIT = {"basic": "1", "thematic": "2", "departmental": "3"}


def classification_code(entry: Mapping[str, Any]) -> str:
    category = entry.get("resource_category") or "departmental"
    item = "00"
    if category == "basic" and entry.get("basic_category"):
        item = _position(BASIC_CATEGORIES, entry["basic_category"])
    elif category == "thematic" and entry.get("theme"):
        item = _position(THEMES, entry["theme"])
    return f"{_CLASS_DIGIT.get(category, '3')}{item}000"


def _position(choices: Any, value: str) -> str:
    for index, choice in enumerate(choices, start=1):
        if choice.value == value:
            return f"{index:02d}"
    return "00"


def resource_code(entry: Mapping[str, Any], provider_code: str, serial: int) -> str:
    return f"{classification_code(entry)}/{provider_code}{serial:06d}"

"""Input of the data-return actions (数据回流, 2025 Regulations art. 24; issue 17, item 4).

Every message is in English and Chinese (``core.messages.message``), as everywhere.
"""

from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Schema

from ...core.messages import message
from .fields import boolean, department, paging_fields, reference, required

__all__ = ["return_coverage_schema", "return_show_schema", "return_update_schema"]

NOT_A_REGION = message(
    "A region is the start of an administrative division code: 2 to 12 digits, e.g. 3301",
    "区域须为行政区划代码的前若干位：2至12位数字，例如3301",
)
_REGION = re.compile(r"^\d{2,12}$")


def _optional() -> Any:
    return tk.get_validator("ignore_missing")


def _extras() -> Schema:
    return {"__extras": [_optional()], "__junk": [_optional()]}


def region_prefix(value: Any, context: Any) -> str | None:
    """The start of a division code (2 to 12 digits); empty -> ``None``."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not _REGION.match(text):
        raise tk.Invalid(NOT_A_REGION)
    return text


def return_show_schema() -> Schema:
    """``govshare_return_show``: the entry (id or name)."""
    return {"package_id": [required, reference], **_extras()}


def return_update_schema() -> Schema:
    """``govshare_return_update``: the entry and ``enabled`` (true: on, false: off)."""
    return {"package_id": [required, reference], "enabled": [required, boolean], **_extras()}


def return_coverage_schema() -> Schema:
    """``govshare_return_coverage``: optional ``provider_org`` (the providing department),
    ``region`` (the start of the lower departments' codes), ``gaps_only``, and paging."""
    return {
        "provider_org": [_optional(), reference, department],
        "region": [_optional(), reference, region_prefix],
        "gaps_only": [_optional(), boolean],
        **paging_fields(),
        **_extras(),
    }

"""Catalogue entries shaped as ``package_show`` returns them, one per share type."""

from __future__ import annotations

import copy
from typing import Any

ORG = {
    "id": "5a0b2d1e-0000-4000-8000-000000000001",
    "name": "ministry-of-civil-affairs",
    "title": "民政部",
}

_BASE: dict[str, Any] = {
    "type": "dataset",
    "owner_org": ORG["id"],
    "organization": ORG,
    "provider_code": "11100000000013338W",
    "notes": "全国婚姻登记信息摘要",
    "format_type": "database",
    "share_methods": ["api", "exchange_node"],
    "update_cycle": "monthly",
    "release_date": "2024-03-15",
    "usage_requirements": "仅作为行政依据使用",
    # Issue 17: the data items of a row's division code, key and change watermark; coverage.
    "region_item": "登记机关",
    "coverage_region": "330000",
    "key_item": "登记日期",
    "watermark_item": "登记日期",
    "tags": [{"name": "婚姻"}, {"name": "民政"}],
    "maintainer": "张三",
    "maintainer_email": "zhangsan@example.gov.cn",
    "metadata_created": "2024-03-15T08:00:00.000000",
    "metadata_modified": "2024-04-01T09:30:00.000000",
}


def entry(share_type: str, **overrides: Any) -> dict[str, Any]:
    """A complete entry of ``share_type``, every catalogue field filled."""
    n = {"unconditional": 1, "conditional": 2, "not_shared": 3}[share_type]
    data = copy.deepcopy(_BASE)
    data.update(
        {
            "id": f"7c9e6679-7425-40de-944b-e07fc1f90ae{n}",
            "name": f"marriage-registration-{n}",
            "title": f"婚姻登记信息 {n}",
            "resource_code": f"30101001/0000{n}",
            "share_type": share_type,
            "open_to_public": "open",
            "resource_category": "departmental",
            "data_items": [
                {
                    "name": "登记日期",
                    "data_type": "date",
                    "length": 10,
                    "description": "办理登记的日期",
                    "base_item": "false",
                },
                {
                    "name": "登记机关",
                    "data_type": "string",
                    "length": 64,
                    "base_item": "false",
                    "share_type": "not_shared",
                },
            ],
            "related_resource_codes": ["10101001/00001", "20301002/00007"],
            "project_code": "2023-000052-65-01-000001",
            "resources": [
                {
                    "id": f"0f3b9a3c-1d2e-4c5b-9a7d-00000000000{n}",
                    "package_id": f"7c9e6679-7425-40de-944b-e07fc1f90ae{n}",
                    "name": "登记数据",
                    "description": "月度导出",
                    "format": "CSV",
                    "url": f"http://data.example.gov.cn/files/marriage-{n}.csv",
                }
            ],
        }
    )
    if share_type == "unconditional":
        data.update(resource_category="basic", basic_category="population", open_to_public="open")
        data["data_items"][0]["base_item"] = "true"
        data["data_items"][1].pop("share_type")
    elif share_type == "conditional":
        data.update(
            resource_category="thematic",
            theme="social_security",
            share_conditions="仅限民政、公安部门用于婚姻状况核验",
            open_to_public="conditional_open",
            open_conditions="经申请审核后开放给科研机构",
            update_cycle="semiannual",
        )
    else:
        data.update(
            legal_basis="《中华人民共和国个人信息保护法》第十三条",
            open_to_public="not_open",
            update_cycle="irregular",
        )
        data["data_items"][1].pop("share_type")
    data.update(overrides)
    return data


SHARE_TYPES = ("unconditional", "conditional", "not_shared")

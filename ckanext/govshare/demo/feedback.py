"""Demo feedback (art. 15) and a catalogue-update obligation (art. 8), made through the actions
as the demo users, so the entry pages, the feedback list and the obligations page show
something after ``make run``. Loaded once: nothing is added when any feedback exists.

Loaded after the demo logins (``logins.py``) and requests (``access.py``): ``load()``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ..core import clock, config
from ..feedback.model import feedback_table
from .context import as_user, site_context

# (reporting department, providing department, kind, description).
REPORTS = (
    (
        "provincial-market-regulation",
        "ministry-of-public-security",
        "error",
        "部分记录的证件号码位数不正确",
    ),
    (
        "municipal-human-resources",
        "provincial-health-commission",
        "doubt",
        "数据更新日期晚于更新周期要求，疑似未及时更新",
    ),
)


def _entry(org: str) -> dict[str, Any] | None:
    result = tk.get_action("package_search")(
        site_context(),
        {"fq": f'organization:"{org}"', "rows": 1, "sort": "name asc", "include_private": True},
    )
    return result["results"][0] if result["results"] else None


def load() -> int:
    """Two feedback reports (one answered) and one open obligation; returns how many records
    were made (0 when some feedback exists)."""
    if model.Session.execute(sa.select(sa.func.count()).select_from(feedback_table)).scalar():
        return 0
    act = tk.get_action
    made = 0
    for index, (reporter, provider, kind, text) in enumerate(REPORTS):
        entry = _entry(provider)
        if entry is None:
            continue
        items = [i["name"] for i in entry.get("data_items") or [] if i.get("name")]
        resources = entry.get("resources") or []
        item = act("govshare_feedback_create")(
            as_user(f"{reporter}-staff"),
            {
                "package_id": entry["id"],
                "resource_id": resources[0]["id"] if resources else None,
                "data_item": items[0] if items else None,
                "kind": kind,
                "description": text,
            },
        )
        made += 1
        if index == 0:
            act("govshare_feedback_resolve")(
                as_user(f"{provider}-officer"),
                {
                    "id": item["id"],
                    "resolution": "corrected",
                    "reason": "已核对原始登记信息并更正相关记录",
                },
            )
    authority = config.authority_org()
    if authority and model.User.by_name(f"{authority}-officer") is not None:
        act("govshare_obligation_create")(
            as_user(f"{authority}-officer"),
            {
                "provider_org": "provincial-market-regulation",
                "kind": "law_revised",
                "description": "《市场主体登记管理条例实施细则》修订，登记事项信息项需相应调整",
                "effective_date": (clock.today() - dt.timedelta(days=7)).isoformat(),
            },
        )
        made += 1
    return made

"""Requests, grants and a dispute for the demo site, made through the actions as the demo users.

So that the inbox, "my requests", grants and the authority's queue show something after
`make run`. Loaded once: nothing is added when any request exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ..access.model import request_table
from ..core import clock
from .context import as_user, site_context

# (requesting department, providing department): staff of the first ask the second.
PAIRS = (
    ("provincial-market-regulation", "ministry-of-public-security"),
    ("municipal-human-resources", "provincial-health-commission"),
    ("provincial-health-commission", "provincial-market-regulation"),
    ("national-bureau-of-statistics", "municipal-natural-resources"),
)


def _entries(org: str, share_type: str) -> list[dict[str, Any]]:
    result = tk.get_action("package_search")(
        site_context(),
        {
            "fq": f'organization:"{org}" +share_type:"{share_type}"',
            "rows": 5,
            "sort": "name asc",
            "include_private": True,
        },
    )
    return [e for e in result["results"] if e.get("resources")]


def _form(entry: dict[str, Any], requester_org: str, purpose: str, detail: str) -> dict[str, Any]:
    today = clock.today()
    return {
        "package_id": entry["id"],
        "requesting_org": requester_org,
        "purpose": purpose,
        "purpose_detail": detail,
        "scenario": "“一网通办”业务协同",
        "basis": "《政务信息资源共享管理暂行办法》第十二条",
        "share_method": (entry.get("share_methods") or ["file_download"])[0],
        "expected_calls_per_day": 200,
        "period_start": today.isoformat(),
        "period_end": (today + dt.timedelta(days=180)).isoformat(),
        "pledge": True,
    }


def load() -> int:
    """Demo requests in several states; returns how many were made (0 when some exist)."""
    if model.Session.execute(sa.select(sa.func.count()).select_from(request_table)).scalar():
        return 0
    made = 0
    act = tk.get_action
    for index, (requester, provider) in enumerate(PAIRS):
        staff, officer = f"{requester}-staff", f"{provider}-officer"
        conditional = _entries(provider, "conditional")
        if conditional:
            request = act("govshare_request_create")(
                as_user(staff), _form(conditional[0], requester, "administrative_basis", "办件核验")
            )
            made += 1
            if index == 0:
                act("govshare_request_decide")(
                    as_user(officer),
                    {"id": request["id"], "decision": "approve", "max_downloads": 20},
                )
            elif index == 1:
                act("govshare_request_decide")(
                    as_user(officer),
                    {
                        "id": request["id"],
                        "decision": "return",
                        "reason": "请补充：1. 申请依据原文；2. 使用范围说明",
                    },
                )
            elif index == 2:
                act("govshare_request_decide")(
                    as_user(officer),
                    {"id": request["id"], "decision": "reject", "reason": "申请用途超出共享条件"},
                )
        unconditional = _entries(provider, "unconditional")
        if unconditional:
            act("govshare_access_obtain")(
                as_user(staff),
                {
                    "package_id": unconditional[0]["id"],
                    "requesting_org": requester,
                    "purpose": "work_reference",
                    "purpose_detail": "统计分析参考",
                    "pledge": True,
                },
            )
        not_shared = _entries(provider, "not_shared")
        if not_shared and index in (0, 3):
            negotiation = act("govshare_negotiation_open")(
                as_user(staff),
                {
                    **_form(not_shared[0], requester, "business_collaboration", "联合监管"),
                    "reason": "该数据为履职必需，请协商共享",
                },
            )
            made += 1
            if index == 0:
                act("govshare_request_escalate")(
                    as_user(staff), {"id": negotiation["id"], "reason": "协商未果，提请协调"}
                )
    return made

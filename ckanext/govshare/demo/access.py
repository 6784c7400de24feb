"""Requests, grants and a dispute for the demo site, made through the actions as the demo users.

So that the inbox, "my requests", grants and the authority's queue show something after
`make run`. Loaded once: nothing is added when any request exists.

Under the 2025 Regulations each step passes their rules, as a user meets them: staff's
requests wait for their department's data officer, who signs them off (art. 20; one is left
waiting); one answer is drafted by the provider's staff and signed off by its officer; a
return lists every missing item (art. 21); a rejection gives its grounds; one extension is
asked and approved (art. 21); the approved grant is delivered and its use recorded (art. 22,
29); one grant is suspended, one service change filed (art. 27); a cross-level dispute is
referred on to the common upper authority (art. 28). ``regulation.py`` adds nothing under
the 2016 Measures, which keep the demo as it was.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from .. import profiles
from ..access.model import request_table
from ..core import clock
from . import regulation
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


def _signed_off(request: dict[str, Any], requester: str) -> dict[str, Any]:
    """A request waiting for its department's head is signed off by the department's data
    officer (2025 art. 20); any other request is answered as it is."""
    if request["status"] != "awaiting_signoff":
        return request
    return tk.get_action("govshare_request_signoff")(
        as_user(f"{requester}-officer"),
        {"id": request["id"], "decision": "approve", "reason": "同意报送"},
    )


def _answer(request: dict[str, Any], provider: str, data: dict[str, Any]) -> dict[str, Any]:
    """The provider answers. Under internal sign-off (2025 art. 20) its staff draft the
    answer and its data officer signs it off; else its data officer answers."""
    act = tk.get_action
    if not profiles.on("internal_signoff"):
        return act("govshare_request_decide")(
            as_user(f"{provider}-officer"), {"id": request["id"], **data}
        )
    act("govshare_request_decide")(as_user(f"{provider}-staff"), {"id": request["id"], **data})
    return act("govshare_request_signoff")(
        as_user(f"{provider}-officer"),
        {"id": request["id"], "decision": "approve", "reason": "同意拟办意见"},
    )


def _return(request: dict[str, Any], provider: str) -> None:
    """A return; under the 2025 Regulations it lists every missing material at once
    (art. 21)."""
    data: dict[str, Any] = {
        "id": request["id"],
        "decision": "return",
        "reason": "请补充：1. 申请依据原文；2. 使用范围说明",
    }
    if profiles.on("tell_all_at_once"):
        data["missing_items"] = [
            {"field": "basis", "note": "申请依据的法规原文（条款全文）"},
            {"field": "scenario", "note": "数据使用范围和具体办事场景说明"},
            {"field": "attachment", "note": "加盖公章的共享申请函"},
        ]
    tk.get_action("govshare_request_decide")(as_user(f"{provider}-officer"), data)


def _reject(request: dict[str, Any], provider: str) -> None:
    """A rejection with its reason; under the 2025 Regulations with its grounds (art. 21)."""
    data: dict[str, Any] = {
        "id": request["id"],
        "decision": "reject",
        "reason": "申请用途超出共享条件",
    }
    if profiles.on("tell_all_at_once"):
        data["grounds"] = ["beyond_duties"]
    tk.get_action("govshare_request_decide")(as_user(f"{provider}-officer"), data)


def load() -> int:
    """Demo requests in several states; returns how many were made (0 when some exist)."""
    if model.Session.execute(sa.select(sa.func.count()).select_from(request_table)).scalar():
        return 0
    made = 0
    act = tk.get_action
    made_2025: dict[str, Any] = {"self_service": []}
    for index, (requester, provider) in enumerate(PAIRS):
        staff = f"{requester}-staff"
        conditional = _entries(provider, "conditional")
        if conditional:
            request = act("govshare_request_create")(
                as_user(staff), _form(conditional[0], requester, "administrative_basis", "办件核验")
            )
            made += 1
            request = _signed_off(request, requester)
            if index == 0:
                approved = _answer(request, provider, {"decision": "approve", "max_downloads": 20})
                made_2025["approved"] = approved.get("grant")
                made_2025["approved_pair"] = (requester, provider)
            elif index == 1:
                _return(request, provider)
            elif index == 2:
                _reject(request, provider)
            elif index == 3:
                made_2025["open"] = (request, provider)
        unconditional = _entries(provider, "unconditional")
        if unconditional:
            obtained = act("govshare_access_obtain")(
                as_user(staff),
                {
                    "package_id": unconditional[0]["id"],
                    "requesting_org": requester,
                    "purpose": "work_reference",
                    "purpose_detail": "统计分析参考",
                    "pledge": True,
                },
            )
            made_2025["self_service"].append((obtained, provider, unconditional[0]))
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
            made_2025["negotiation"] = (negotiation, staff)
            if index == 0:
                escalated = act("govshare_request_escalate")(
                    as_user(staff), {"id": negotiation["id"], "reason": "协商未果，提请协调"}
                )
                made_2025["dispute"] = escalated
    made += _awaiting_signoff()
    regulation.load(made_2025)
    return made


def _awaiting_signoff() -> int:
    """Under internal sign-off (2025 art. 20), one staff request left waiting for the
    requesting department's data officer (the officer's workbench lists it)."""
    if not profiles.on("internal_signoff"):
        return 0
    requester, provider = PAIRS[3][0], PAIRS[1][1]
    conditional = _entries(provider, "conditional")
    if not conditional:
        return 0
    tk.get_action("govshare_request_create")(
        as_user(f"{requester}-staff"),
        _form(conditional[0], requester, "data_verification", "统计调查对象信息核验"),
    )
    return 1

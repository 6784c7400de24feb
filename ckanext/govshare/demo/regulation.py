"""The demo's steps that only the 2025 Regulations have, made through their actions as the
demo users after ``access.py`` made its requests and grants:

- the approved grant delivered by the provider (art. 22) and its use recorded by the holder
  (art. 29);
- an extension of an open request's answer asked by the provider and approved by the sharing
  authority (art. 21);
- a self-service grant suspended by its provider, with the reason and a date to rectify by
  (art. 27), and a change of another entry's service filed with the authority (art. 27);
- the escalated dispute referred on by the authority to the common upper authority, the
  departments being of different levels (art. 28).

Each step runs only under the profile rule it shows; under the 2016 Measures nothing here
runs and the demo stays as it was.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from .. import profiles
from ..core import clock, config
from .context import as_user

USAGE = (
    ("scenario", "用于企业开办“一件事”联办中核验申请人身份信息"),
    ("process", "经前置机接口调用，仅核验比对，不落地存储明细数据"),
)
SUSPEND_REASON = "使用部门未按约定用途使用数据，暂停共享待整改"
FILING = {
    "kind": "change",
    "description": "接口服务迁移至新一体化数据共享平台，调用地址和认证方式调整",
    "consultation": "已于本月与使用部门书面协商，使用部门同意按新方式调用",
}
REFERRAL = {
    "upper_platform": "国家政务数据共享平台",
    "reference": "浙数共函〔2026〕12号",
    "note": "涉及国家部委与省级部门，跨层级争议提请共同上级共享主管部门协调",
}


def _authority() -> str | None:
    """The sharing authority's demo login, if it exists."""
    name = f"{config.authority_org()}-officer"
    return name if model.User.by_name(name) is not None else None


def _deliver_and_record(grant: dict[str, Any] | None, pair: tuple[str, str]) -> int:
    """The provider marks the approved grant delivered (art. 22); the holder records its use
    (art. 29)."""
    if grant is None:
        return 0
    requester, provider = pair
    act = tk.get_action
    if profiles.on("delivery_deadline"):
        act("govshare_grant_deliver")(
            as_user(f"{provider}-officer"),
            {"id": grant["id"], "reason": "已通过共享平台接口开通调用权限"},
        )
    made = 0
    if profiles.on("usage_records"):
        for kind, description in USAGE:
            act("govshare_usage_record_create")(
                as_user(f"{requester}-staff"),
                {"grant_id": grant["id"], "kind": kind, "description": description},
            )
            made += 1
    return made


def _extend(open_request: tuple[dict[str, Any], str] | None, authority: str | None) -> int:
    """The provider asks for 5 more working days to answer; the authority approves (art. 21)."""
    if open_request is None or authority is None or not profiles.on("extensions"):
        return 0
    request, provider = open_request
    if request["status"] != "submitted":
        return 0
    act = tk.get_action
    extension = act("govshare_request_extend")(
        as_user(f"{provider}-officer"),
        {"id": request["id"], "days": 5, "reason": "涉及多个业务系统数据核对，需延长答复期限"},
    )
    act("govshare_extension_decide")(
        as_user(authority),
        {"id": extension["id"], "decision": "approve", "reason": "理由充分，同意延期"},
    )
    return 1


def _suspend_and_file(self_service: list[tuple[dict[str, Any], str, dict[str, Any]]]) -> int:
    """The second self-service grant suspended by its provider; a change of the third's entry
    filed by its provider (art. 27)."""
    act = tk.get_action
    made = 0
    if profiles.on("suspension") and len(self_service) > 1:
        grant, provider, _ = self_service[1]
        act("govshare_grant_suspend")(
            as_user(f"{provider}-officer"),
            {
                "id": grant["id"],
                "reason": SUSPEND_REASON,
                "rectify_by": (clock.today() + dt.timedelta(days=30)).isoformat(),
            },
        )
        made += 1
    if profiles.on("service_filing") and len(self_service) > 2:
        _, provider, entry = self_service[2]
        act("govshare_service_filing_create")(
            as_user(f"{provider}-officer"),
            {
                **FILING,
                "package_id": entry["id"],
                "effective_date": (clock.today() + dt.timedelta(days=14)).isoformat(),
            },
        )
        made += 1
    return made


def _refer(
    dispute: dict[str, Any] | None,
    negotiation: tuple[dict[str, Any], str] | None,
    authority: str | None,
) -> int:
    """The authority takes the escalated cross-level dispute to the common upper authority
    through a recorded referral (art. 28). When no dispute reached the authority (a smaller
    catalogue), the last negotiation's requester escalates it first."""
    if authority is None or not profiles.on("upper_authority"):
        return 0
    if dispute is None and negotiation is not None:
        opened, staff = negotiation
        dispute = tk.get_action("govshare_request_escalate")(
            as_user(staff), {"id": opened["id"], "reason": "协商未果，提请协调"}
        )
    if dispute is None:
        return 0
    shown = tk.get_action("govshare_request_show")(as_user(authority), {"id": dispute["id"]})
    if shown.get("escalation_next") != "escalated_upper_authority":
        return 0
    tk.get_action("govshare_request_escalate")(
        as_user(authority),
        {"id": dispute["id"], "reason": "跨层级部门之间协调未果，提请共同上级协调", **REFERRAL},
    )
    return 1


def load(made: dict[str, Any]) -> int:
    """The 2025 steps on what ``access.load`` made (``approved``, ``approved_pair``, ``open``,
    ``self_service``, ``dispute``, ``negotiation``); returns how many records they added (0
    under 2016)."""
    authority = _authority()
    count = 0
    if made.get("approved_pair"):
        count += _deliver_and_record(made.get("approved"), made["approved_pair"])
    count += _extend(made.get("open"), authority)
    count += _suspend_and_file(made.get("self_service") or [])
    count += _refer(made.get("dispute"), made.get("negotiation"), authority)
    return count

"""The objects only the 2025 Regulations make (issue 18), built into a sharing world so that
the hardening walks (fuzzers, crawler) use their ids among the valid values: a request waiting
for its head's sign-off (art. 20), one with an answer the provider's staff drafted (art. 20),
an extension asked (art. 21), a suspended grant and a terminated one with disposal due (art.
27), usage records (art. 24), a service filing (art. 27), catalogue reviews pending and
returned (art. 17), a use-change request (art. 25) and a dispute at the common upper authority
(art. 28)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ckan.tests import helpers

from ckanext.govshare.core import clock
from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import World, another_entry, request_form

REFERRAL = {"upper_platform": "浙江省一体化智能化公共数据平台", "reference": "杭数移〔2026〕3号"}


def _obtain(w: World, purpose: str) -> dict[str, Any]:
    return w.call(
        "requester",
        "govshare_access_obtain",
        package_id=w.unconditional["id"],
        requesting_org=w.requester_org["name"],
        purpose=purpose,
        purpose_detail="统计分析",
        pledge=True,
    )


def _regions(w: World, provider: str, requester: str) -> None:
    for org, code in ((w.provider, provider), (w.requester_org, requester)):
        helpers.call_action(
            "organization_patch",
            context={"ignore_auth": True, "user": w.users["sysadmin"]["name"]},
            id=org["id"],
            region_code=code,
        )


def build(w: World) -> dict[str, list[str]]:
    """Make the 2025 objects in ``w`` (under ``regulation-2025``); their ids by kind."""
    today = clock.today()

    def elsewhere() -> dict[str, Any]:
        """A request on an entry of its own: one open request per entry and department."""
        return request_form(w, package_id=another_entry(w)["id"])

    awaiting = w.call("requester", "govshare_request_create", **elsewhere())

    drafted = w.call("requester_officer", "govshare_request_create", **elsewhere())
    w.call("provider_staff", "govshare_request_decide", id=drafted["id"], decision="approve")
    extended = w.call("requester_officer", "govshare_request_create", **elsewhere())
    extension = w.call(
        "provider_officer", "govshare_request_extend", id=extended["id"], days=3, reason="数据量大"
    )
    approved = w.call(
        "provider_officer",
        "govshare_request_decide",
        id=w.call("requester_officer", "govshare_request_create", **elsewhere())["id"],
        decision="approve",
        data_items=["统一社会信用代码"],
    )["grant"]
    use_change = w.call(
        "requester_officer",
        "govshare_use_change_request",
        grant_id=approved["id"],
        kinds=["scope"],
        reason="需要法定代表人信息",
        data_items=["法定代表人"],
    )
    suspended = _obtain(w, "work_reference")
    w.call(
        "provider_officer",
        "govshare_grant_suspend",
        id=suspended["id"],
        reason="向第三方提供",
        rectify_by=(today + dt.timedelta(days=3)).isoformat(),
    )
    terminated = _obtain(w, "data_verification")
    w.call("authority", "govshare_grant_terminate", id=terminated["id"], reason="超范围使用")
    record = w.call(
        "requester",
        "govshare_usage_record_create",
        grant_id=approved["id"],
        kind="scenario",
        description="用于企业注销核验",
    )
    filed = _obtain(w, "other")
    filing = w.call(
        "provider_officer",
        "govshare_service_filing_create",
        package_id=w.unconditional["name"],
        kind="end",
        description="该数据系统下线",
        consultation="书面征求需求部门意见，均无异议",
        effective_date=today.isoformat(),
        grant_ids=[filed["id"]],
    )
    officer = {"user": w.users["provider_officer"]["name"], "ignore_auth": False}
    pending, returned = (
        gs.SharingEntry(
            context=officer,
            owner_org=w.provider["id"],
            reviewed=False,
            share_type="conditional",  # not open: only the provider may read its links
            resources=[{"url": f"http://review.example/{key}.csv", "name": f"{key}.csv"}],
        )
        for key in ("pending", "returned")
    )
    w.call(
        "authority",
        "govshare_catalogue_review",
        id=returned["id"],
        decision="return",
        reasons=["请补充数据项说明"],
    )
    _regions(w, "330100", "330000")
    negotiation = w.call(
        "requester",
        "govshare_negotiation_open",
        **request_form(w, package_id=w.not_shared["id"], reason="请协商共享"),
    )
    w.call("requester", "govshare_request_escalate", id=negotiation["id"], reason="协商未果")
    w.call(
        "authority",
        "govshare_request_escalate",
        id=negotiation["id"],
        reason="跨层级争议，移送省数据局",
        **REFERRAL,
    )
    return {
        "request": [awaiting["id"], drafted["id"], extended["id"], use_change["id"]]
        + [negotiation["id"]],
        "extension": [extension["id"]],
        "grant": [approved["id"], suspended["id"], terminated["id"], filed["id"]],
        "usage_record": [record["id"]],
        "filing": [filing["id"]],
        "package": [pending["id"], returned["name"]],
    }

"""The findings read what the actions write (issue 18, items 9 and foundation.md's data
contracts): a return's ``missing_items`` and a resubmission's ``changed`` make or clear a
``repeated_return`` (art. 21); a revocation for misuse, a revocation with a covering filing and
the termination of a grant left unrectified are no ``service_unfiled`` (art. 27, 39(7)), while
a provider's termination with no filing is."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.access.model import grant_table
from ckanext.govshare.core import clock
from ckanext.govshare.tests import factories as gs

from .conftest import World, another_entry, request_form

pytestmark = [
    pytest.mark.usefixtures("with_request_context"),
    pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025"),
]


def _findings(world: World, kind: str) -> list[dict[str, Any]]:
    answer = world.call(
        "authority", "govshare_findings_list", year=clock.today().year, kind=kind, limit=1000
    )
    return answer["results"]


def _return(world: World, request_id: str, *fields: str) -> None:
    items = [{"field": f, "note": f"请补充{f}"} for f in fields]
    world.call(
        "provider_officer",
        "govshare_request_decide",
        id=request_id,
        decision="return",
        reason="材料不全",
        missing_items=items,
    )


def _returned_twice(world: World, second: str) -> dict[str, Any]:
    """Returned for its basis, resubmitted with a new basis, returned again for ``second``;
    on an entry of its own (one open request per entry and department, issue 19)."""
    form = request_form(world, package_id=another_entry(world)["id"])
    request = world.call("requester_officer", "govshare_request_create", **form)
    _return(world, request["id"], "basis")
    world.call(
        "requester_officer",
        "govshare_request_resubmit",
        id=request["id"],
        basis="《税收征收管理法》第十五条第二款",
        reason="已补充依据",
    )
    _return(world, request["id"], second)
    return request


def test_a_second_return_for_what_was_there_from_the_start(world: World) -> None:
    late = _returned_twice(world, "scenario")  # the scenario was never changed
    fair = _returned_twice(world, "basis")  # the new basis itself falls short
    found = {f["object_id"]: f for f in _findings(world, "repeated_return")}
    assert late["id"] in found and fair["id"] not in found
    finding = found[late["id"]]
    assert finding["article"] == "art. 21"
    assert finding["organization_id"] == world.provider["id"]
    assert finding["detail"]["not_changed"] == ["scenario"]
    assert finding["detail"]["returns"] == 2


def _obtain(world: World, purpose: str) -> dict[str, Any]:
    return world.call(
        "requester",
        "govshare_access_obtain",
        package_id=world.unconditional["id"],
        requesting_org=world.requester_org["name"],
        purpose=purpose,
        purpose_detail="统计分析",
        pledge=True,
    )


def test_only_an_unfiled_end_of_service_is_a_finding(world: World, monkeypatch: Any) -> None:
    filed, misused = _obtain(world, "work_reference"), _obtain(world, "data_verification")
    unrectified, unfiled = _obtain(world, "other"), _obtain(world, "business_collaboration")
    filing = world.call(
        "provider_officer",
        "govshare_service_filing_create",
        package_id=world.unconditional["name"],
        kind="end",
        description="该数据系统下线",
        consultation="书面征求需求部门意见，均无异议",
        effective_date=clock.today().isoformat(),
        grant_ids=[filed["id"]],
    )
    world.call(
        "provider_officer",
        "govshare_grant_revoke",
        id=filed["id"],
        reason="数据系统下线",
        filing_id=filing["id"],
    )
    world.call(
        "provider_officer",
        "govshare_grant_revoke",
        id=misused["id"],
        reason="超范围使用",
        misuse=True,
    )
    world.call(
        "provider_officer",
        "govshare_grant_suspend",
        id=unrectified["id"],
        reason="向第三方提供",
        rectify_by=(clock.today() + dt.timedelta(days=3)).isoformat(),
    )
    after = clock.local_date(clock.now() + dt.timedelta(days=4))
    if after.year != clock.today().year:
        pytest.skip("the rectification period would cross into next year's report")
    moment = clock.now() + dt.timedelta(days=4)
    monkeypatch.setattr(clock, "today", lambda: after)
    monkeypatch.setattr(clock, "now", lambda: moment)
    world.call(
        "provider_officer", "govshare_grant_terminate", id=unrectified["id"], reason="逾期未整改"
    )
    # A provider's termination with no filing (as written before the rule was on): a finding.
    model.Session.execute(
        sa.update(grant_table)
        .where(grant_table.c.id == unfiled["id"])
        .values(
            status="terminated",
            terminated_at=clock.now(),
            terminated_by=world.users["provider_officer"]["id"],
            terminate_reason="停止服务",
        )
    )
    model.Session.commit()
    found = {f["object_id"]: f for f in _findings(world, "service_unfiled")}
    names = {filed["id"]: "filed", misused["id"]: "misused", unrectified["id"]: "unrectified"}
    assert [names[i] for i in found if i in names] == []
    assert found[unfiled["id"]]["article"] == "art. 39(7)"
    assert found[unfiled["id"]]["organization_id"] == world.provider["id"]


# Monday 2026-09-14, 10:00 in Beijing.
MONDAY = dt.datetime(2026, 9, 14, 2, 0, tzinfo=dt.timezone.utc)


def _ids(world: World, kind: str) -> set[str]:
    return {f["object_id"] for f in _findings(world, kind)}


def test_delivery_usage_records_and_disposal_as_the_actions_record_them(
    world: World, frozen: Any
) -> None:
    frozen(MONDAY)
    request = world.call("requester_officer", "govshare_request_create", **request_form(world))
    approved = world.call(
        "provider_officer", "govshare_request_decide", id=request["id"], decision="approve"
    )["grant"]  # due 2026-10-16 (20 working days)
    obtained = _obtain(world, "work_reference")  # delivered at once
    ended = world.call(
        "authority", "govshare_grant_revoke", id=_obtain(world, "other")["id"], reason="违规"
    )
    assert approved["delivery_due"] == "2026-10-16" and ended["disposal_due"]
    # On the due date nothing is late yet.
    frozen(dt.datetime(2026, 10, 16, 2, 0, tzinfo=dt.timezone.utc))
    assert approved["id"] not in _ids(world, "delivery_late")
    assert obtained["id"] not in _ids(world, "no_usage_records")  # 20 working days: not more
    # Three weeks later: undelivered past its due date, no usage record after 20 working days,
    # the ended grant's data not disposed of.
    frozen(dt.datetime(2026, 11, 6, 2, 0, tzinfo=dt.timezone.utc))
    (late,) = [f for f in _findings(world, "delivery_late") if f["object_id"] == approved["id"]]
    assert late["detail"]["state"] == "overdue" and late["article"] == "art. 39(4)"
    assert obtained["id"] in _ids(world, "no_usage_records")
    assert ended["id"] in _ids(world, "no_disposal")
    # Each is put right through its action: the finding of a late delivery stays, as late.
    world.call("provider_officer", "govshare_grant_deliver", id=approved["id"])
    (late,) = [f for f in _findings(world, "delivery_late") if f["object_id"] == approved["id"]]
    assert late["detail"]["state"] == "late" and late["detail"]["delivered_on"] == "2026-11-06"
    world.call(
        "requester",
        "govshare_usage_record_create",
        grant_id=obtained["id"],
        kind="scenario",
        description="用于企业注销核验",
    )
    assert obtained["id"] not in _ids(world, "no_usage_records")
    world.call(
        "requester_officer",
        "govshare_grant_dispose",
        id=ended["id"],
        method="deleted",
        description="已删除全部副本",
    )
    assert ended["id"] not in _ids(world, "no_disposal")


def test_a_late_answer_counts_against_the_extended_due_date(world: World, frozen: Any) -> None:
    frozen(MONDAY)  # due Monday 2026-09-28
    # One open request per entry and department (issue 19): two entries.
    within, beyond = (
        world.call(
            "requester_officer",
            "govshare_request_create",
            **request_form(world, package_id=another_entry(world)["id"]),
        )
        for _ in range(2)
    )
    extensions = {}
    for request in (within, beyond):
        asked = world.call(
            "provider_officer",
            "govshare_request_extend",
            id=request["id"],
            days=3,
            reason="数据量大",
        )
        extensions[request["id"]] = world.call(
            "authority", "govshare_extension_decide", id=asked["id"], decision="approve"
        )  # due Thursday 2026-10-08, after the National Day holiday
    frozen(dt.datetime(2026, 10, 8, 2, 0, tzinfo=dt.timezone.utc))
    world.call("provider_officer", "govshare_request_decide", id=within["id"], decision="approve")
    frozen(dt.datetime(2026, 10, 9, 2, 0, tzinfo=dt.timezone.utc))
    world.call("provider_officer", "govshare_request_decide", id=beyond["id"], decision="approve")
    found = {f["object_id"]: f for f in _findings(world, "answer_late")}
    assert within["id"] not in found  # after its first due date, within the extended one
    late = found[beyond["id"]]
    assert late["due_date"] == "2026-10-08" and late["detail"]["extended_days"] == 3
    assert late["article"] == "art. 39(4)"
    extension = extensions[beyond["id"]]["id"]
    assert ("request_extension", extension) in {(e["type"], e["id"]) for e in late["evidence"]}


def test_a_catalogue_review_late_is_the_authoritys(world: World, frozen: Any) -> None:
    frozen(MONDAY)  # the review is due in 2 working days: Wednesday 2026-09-16
    late, prompt = (
        gs.SharingEntry(
            context={"user": world.users["provider_officer"]["name"], "ignore_auth": False},
            owner_org=world.provider["id"],
            reviewed=False,
        )
        for _ in range(2)
    )
    frozen(dt.datetime(2026, 9, 16, 2, 0, tzinfo=dt.timezone.utc))
    world.call("authority", "govshare_catalogue_review", id=prompt["id"], decision="approve")
    frozen(dt.datetime(2026, 9, 17, 2, 0, tzinfo=dt.timezone.utc))
    (pending,) = [
        f
        for f in _findings(world, "review_late")
        if f["detail"]["package_id"] in (late["id"], prompt["id"])
    ]
    assert pending["detail"]["package_id"] == late["id"]
    assert pending["detail"]["state"] == "overdue" and pending["due_date"] == "2026-09-16"
    assert pending["organization_id"] == world.authority["id"]
    assert pending["article"] == "art. 17"
    world.call("authority", "govshare_catalogue_review", id=late["id"], decision="approve")
    (decided,) = [
        f for f in _findings(world, "review_late") if f["object_id"] == pending["object_id"]
    ]
    assert decided["detail"]["state"] == "late" and decided["detail"]["decided_on"] == "2026-09-17"
    # The provider's report holds none of the authority's findings.
    provider = world.call(
        "provider_officer", "govshare_findings_list", year=2026, organization=world.provider["name"]
    )
    assert "review_late" not in {f["kind"] for f in provider["results"]}

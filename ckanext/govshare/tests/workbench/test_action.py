"""``govshare_workbench_show``: what waits for each role, with counts, working days left and
links, and nothing of what the user may not see (issue 19, item 2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import pytest

from ckanext.govshare.tests import factories as gs

from .conftest import World, request_form

# Monday 2026-09-28, 10:00 in Beijing: 10 working days end Friday 2026-10-16 (National Day
# 10-01..10-07 off, Saturday 10-10 worked; workflows.md, "Deadlines and working days").
MONDAY = dt.datetime(2026, 9, 28, 2, 0, tzinfo=dt.timezone.utc)
# Friday 2026-10-09: 10-10, 10-12 .. 10-16 are left, six working days.
FRIDAY_AFTER = dt.datetime(2026, 10, 9, 2, 0, tzinfo=dt.timezone.utc)


def board(world: World, who: str | None) -> dict[str, Any]:
    return world.call(who, "govshare_workbench_show")


def sections(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["key"]: s for s in answer["sections"]}


def _negotiate_and_escalate(world: World) -> dict[str, Any]:
    form = request_form(world, package_id=world.not_shared["id"], message="请协商共享")
    negotiation = world.call("requester", "govshare_negotiation_open", **form)
    return world.call(
        "requester", "govshare_request_escalate", id=negotiation["id"], message="协商未果"
    )


def test_anonymous_callers_are_refused_in_both_languages(world: World):
    with pytest.raises(tk.NotAuthorized) as refused:
        board(world, None)
    assert "Log in to see your workbench" in str(refused.value)
    assert "请登录后查看工作台" in str(refused.value)


def test_the_providers_data_officer_sees_requests_with_working_days_left(world: World, frozen: Any):
    frozen(MONDAY)
    request = world.submit(**request_form(world))
    answer = board(world, "provider_officer")
    assert answer["roles"]["data_officer"] and not answer["roles"]["authority"]
    assert [d["title"] for d in answer["departments"]] == ["市场监管局"]
    found = sections(answer)
    assert list(found) == [
        "requests_to_answer",
        "feedback_to_answer",
        "obligations_due",
        "requests_returned",
        "feedback_to_verify",
        "grants",
        "notices",
    ]
    to_answer = found["requests_to_answer"]
    assert to_answer["count"] == 1
    assert to_answer["link"].endswith("/govshare/inbox")
    assert to_answer["title"] == {"en": "Requests to answer", "zh_Hans_CN": "待答复的共享申请"}
    (row,) = to_answer["results"]
    assert row["id"] == request["id"]
    assert row["department"] == "税务局"  # the requesting department, by its title
    assert (row["due_date"], row["working_days_left"], row["overdue"]) == ("2026-10-16", 10, False)
    assert row["link"].endswith(f"/govshare/requests/{request['id']}")
    # Over National Day the count goes by working days, not calendar days.
    frozen(FRIDAY_AFTER)
    (later,) = sections(board(world, "provider_officer"))["requests_to_answer"]["results"]
    assert later["working_days_left"] == 6
    # The new request was a notice to the provider's officer: counted unread.
    assert board(world, "provider_officer")["unread_notices"] >= 1


def test_feedback_and_obligations_wait_for_the_provider(world: World):
    entry = world.conditional
    reported = world.call(
        "requester",
        "govshare_feedback_create",
        package_id=entry["name"],
        kind="error",
        description="法定代表人与工商登记不一致",
    )
    world.call(
        "authority",
        "govshare_obligation_create",
        organization=world.provider["name"],
        kind="law_revised",
        description="《数据安全法》修订",
        effective_date=dt.date.today().isoformat(),
    )
    found = sections(board(world, "provider_officer"))
    assert found["feedback_to_answer"]["count"] == 1
    (row,) = found["feedback_to_answer"]["results"]
    assert row["id"] == reported["id"] and row["department"] == "税务局"
    assert row["working_days_left"] is not None and row["due_date"]
    assert found["obligations_due"]["count"] == 1
    assert found["obligations_due"]["results"][0]["title"] == "《数据安全法》修订"
    # The reporter's department sees the answer once it comes, not before.
    assert sections(board(world, "requester"))["feedback_to_verify"]["count"] == 0
    world.call(
        "provider_officer",
        "govshare_feedback_resolve",
        id=reported["id"],
        resolution="corrected",
        reason="已按工商登记更正",
    )
    assert sections(board(world, "provider_officer"))["feedback_to_answer"]["count"] == 0
    to_verify = sections(board(world, "requester"))["feedback_to_verify"]
    assert to_verify["count"] == 1
    assert to_verify["results"][0]["resolution_label"]["zh_Hans_CN"] == "已更正"


def test_the_requesting_staff_see_returns_and_their_live_grants(world: World):
    request = world.submit(**request_form(world))
    world.call(
        "provider_officer",
        "govshare_request_decide",
        id=request["id"],
        decision="return",
        reason="请补充申请依据原文",
    )
    grant = world.call(
        "requester",
        "govshare_access_obtain",
        package_id=world.unconditional["id"],
        requesting_org=world.requester_org["name"],
        purpose="work_reference",
        purpose_detail="比对",
        pledge=True,
    )
    answer = board(world, "requester")
    found = sections(answer)
    # A member of the requesting department answers nothing under the 2016 Measures.
    assert "requests_to_answer" not in found and "feedback_to_answer" not in found
    assert found["requests_returned"]["count"] == 1
    assert found["requests_returned"]["results"][0]["department"] == "市场监管局"
    grants = found["grants"]
    assert grants["count"] == 1
    (row,) = grants["results"]
    assert row["id"] == grant["id"]
    assert row["department"] == "市场监管局"
    assert (row["downloads_used"], row["downloads_left"]) == (0, None)  # no limit
    assert row["period_end"]
    # The provider does not see the requester's grants as its own.
    assert sections(board(world, "provider_officer"))["grants"]["count"] == 0


def test_the_authority_sees_disputes_and_nobody_else_does(world: World):
    escalated = _negotiate_and_escalate(world)
    answer = board(world, "authority")
    found = sections(answer)
    assert answer["roles"]["authority"]
    assert "requests_to_answer" not in found
    assert found["disputes"]["count"] == 1
    assert found["disputes"]["results"][0]["id"] == escalated["id"]
    assert found["disputes"]["link"].endswith("/govshare/escalations")
    assert found["extensions"]["count"] == 0
    # The joint conference's queue holds only what reached it.
    assert sections(board(world, "conference"))["disputes"]["count"] == 0
    # An unrelated department sees neither the dispute nor the request anywhere.
    other = board(world, "other")
    assert escalated["id"] not in {r["id"] for s in other["sections"] for r in s["results"]}
    assert "disputes" not in sections(other)


def test_a_sysadmin_sees_the_authoritys_queues(world: World):
    escalated = _negotiate_and_escalate(world)
    answer = board(world, "sysadmin")
    found = sections(answer)
    assert answer["roles"]["sysadmin"] and answer["departments"] == []
    assert [r["id"] for r in found["disputes"]["results"]] == [escalated["id"]]
    assert "extensions" in found and "grants" not in found


def test_a_user_with_no_department_has_only_notices(world: World):
    answer = board(world, "outsider")
    assert answer["departments"] == []
    assert [s["key"] for s in answer["sections"]] == ["notices"]
    assert answer["sections"][0]["count"] == 0 and answer["unread_notices"] == 0


REGULATION_2025 = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")


@REGULATION_2025
def test_under_2025_heads_sign_off_and_the_authority_reviews_the_catalogue(world: World):
    # A member's request waits for the department's head (art. 20).
    waiting = world.call("requester", "govshare_request_create", **request_form(world))
    assert waiting["status"] == "awaiting_signoff"
    head = sections(board(world, "requester_officer"))
    assert [r["id"] for r in head["signoff"]["results"]] == [waiting["id"]]
    assert "signoff" not in sections(board(world, "requester"))
    # Staff of the provider draft the answers: the request waits for them once it is sent.
    world.call(
        "requester_officer", "govshare_request_signoff", id=waiting["id"], decision="approve"
    )
    staff = sections(board(world, "provider_staff"))
    assert [r["id"] for r in staff["requests_to_answer"]["results"]] == [waiting["id"]]
    # A new entry waits for the authority's review (art. 16); returned, for its department.
    entry = gs.SharingEntry(
        context={"user": world.users["provider_officer"]["name"], "ignore_auth": False},
        owner_org=world.provider["id"],
        reviewed=False,
        title="企业登记信息",
    )
    reviews = sections(board(world, "authority"))["catalogue_reviews"]
    assert reviews["count"] == 1
    assert reviews["results"][0]["title"] == "企业登记信息"
    assert reviews["results"][0]["working_days_left"] is not None
    assert reviews["link"].endswith("/govshare/catalogue/reviews")
    assert sections(board(world, "provider_officer"))["entries_returned"]["count"] == 0
    world.call(
        "authority",
        "govshare_catalogue_review",
        id=entry["id"],
        decision="return",
        reasons=["请补充数据项说明"],
    )
    assert sections(board(world, "authority"))["catalogue_reviews"]["count"] == 0
    returned = sections(board(world, "provider_officer"))["entries_returned"]
    assert [r["title"] for r in returned["results"]] == ["企业登记信息"]

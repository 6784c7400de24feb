"""The authority's dispute queue keeps decided disputes (issue 19 item 5): filters by every
status with counts, each row linking to the request and its history."""

from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import helpers

from .conftest import World, request_form

EN = "/en"


def _escalated(world: World, reason: str = "请协商共享") -> dict[str, Any]:
    form = request_form(world, package_id=world.not_shared["id"], reason=reason)
    negotiation = world.call("requester", "govshare_negotiation_open", **form)
    return world.call(
        "requester", "govshare_request_escalate", id=negotiation["id"], reason="协商未果"
    )


def _three_disputes(world: World) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """One dispute granted, one denied, one still open before the authority (one after the
    other: a department has one open request per entry)."""
    granted = _escalated(world, "协商一")
    world.call(
        "authority", "govshare_escalation_decide", id=granted["id"], decision="grant", reason="准予"
    )
    denied = _escalated(world, "协商二")
    world.call(
        "authority", "govshare_escalation_decide", id=denied["id"], decision="deny", reason="不予"
    )
    return granted, denied, _escalated(world, "协商三")


def _statuses(answer: dict[str, Any]) -> dict[str, int]:
    return {s["status"]: s["count"] for s in answer["counts"]["statuses"]}


def test_decided_disputes_stay_in_the_authoritys_queue(world: World):
    granted, denied, open_ = _three_disputes(world)
    every = world.call("authority", "govshare_dispute_list")
    assert every["count"] == 3
    # Open first, then the decided ones, newest first.
    assert [d["id"] for d in every["results"]] == [open_["id"], denied["id"], granted["id"]]
    assert every["counts"]["open"] == 1 and every["counts"]["decided"] == 2
    assert _statuses(every)["granted"] == 1
    assert _statuses(every)["denied"] == 1
    assert _statuses(every)["escalated_authority"] == 1
    labels = {s["status"]: s["status_label"] for s in every["counts"]["statuses"]}
    assert labels["granted"] == {"en": "Granted", "zh_Hans_CN": "已准予共享"}
    # "已准予共享": the granted one, with what the queue row shows.
    shown = world.call("authority", "govshare_dispute_list", status="granted")
    assert shown["count"] == 1
    (row,) = shown["results"]
    assert row["id"] == granted["id"] and row["decided"] is True
    assert row["escalation_level"] == "authority"
    assert row["escalation_level_label"]["zh_Hans_CN"] == "共享主管部门"
    assert row["escalated_at"] and row["requesting_org_title"] == "税务局"
    # Open and decided, as filters of their own.
    assert [
        d["id"] for d in world.call("authority", "govshare_dispute_list", status="open")["results"]
    ] == [open_["id"]]
    decided = world.call("authority", "govshare_dispute_list", status="decided")
    assert {d["id"] for d in decided["results"]} == {granted["id"], denied["id"]}
    # The counts are over every dispute, whatever the filter.
    assert decided["counts"] == every["counts"]
    # The sysadmin carries them too.
    assert world.call("sysadmin", "govshare_dispute_list")["count"] == 3


def test_only_the_bodies_see_the_queue(world: World):
    _three_disputes(world)
    for who in ("requester", "provider_officer", "other"):
        with pytest.raises(tk.NotAuthorized) as refused:
            world.call(who, "govshare_dispute_list")
        assert "共享主管部门" in str(refused.value)
    with pytest.raises(tk.NotAuthorized):
        world.call(None, "govshare_dispute_list")
    # The joint conference carries only what reached it (none of these did).
    assert world.call("conference", "govshare_dispute_list")["count"] == 0
    with pytest.raises(tk.ValidationError) as wrong:
        world.call("authority", "govshare_dispute_list", status="archived")
    assert "status" in wrong.value.error_dict


def test_the_conference_keeps_what_it_decided(world: World):
    # A central department is involved: the dispute goes on to the joint conference (2016).
    helpers.call_action(
        "organization_patch",
        context={"ignore_auth": True, "user": world.users["sysadmin"]["name"]},
        id=world.provider["id"],
        is_central="true",
    )
    dispute = _escalated(world)
    world.call("authority", "govshare_request_escalate", id=dispute["id"], reason="涉及中央部门")
    world.call(
        "conference", "govshare_escalation_decide", id=dispute["id"], decision="deny", reason="不予"
    )
    mine = world.call("conference", "govshare_dispute_list", status="denied")
    assert [d["id"] for d in mine["results"]] == [dispute["id"]]
    assert mine["results"][0]["escalation_level_label"]["en"] == "Joint conference"


def _pill(page: str, status: str) -> str:
    found = re.search(
        rf'<a class="nav-link[^"]*" data-status="{status}"[^>]*>(.*?)</a>', page, re.S
    )
    assert found, status
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def test_the_disputes_page_filters_by_every_status_with_counts(app, world: World, as_user):
    granted, denied, open_ = _three_disputes(world)
    authority = as_user("authority")
    page = app.get(f"{EN}/govshare/escalations", headers=authority).body
    assert _pill(page, "all") == "All 3"
    assert _pill(page, "open") == "Open 1"
    assert _pill(page, "decided") == "Decided 2"
    assert _pill(page, "granted") == "Granted 1"
    assert _pill(page, "denied") == "Denied 1"
    for dispute in (granted, denied, open_):
        assert f'data-request-id="{dispute["id"]}"' in page
        assert f"/govshare/requests/{dispute['id']}#request-history" in page
    assert "税务局" in page and "市场监管局" in page
    # The granted filter shows the granted dispute only, and says which filter is on.
    only = app.get(f"{EN}/govshare/escalations?status=granted", headers=authority).body
    assert f'data-request-id="{granted["id"]}"' in only
    assert f'data-request-id="{denied["id"]}"' not in only
    assert f'data-request-id="{open_["id"]}"' not in only
    assert re.search(r'data-status="granted"\s+href="[^"]*"\s*aria-current="page"', only)
    # In Chinese, the filter is "已准予共享".
    zh = app.get("/zh_Hans_CN/govshare/escalations?status=granted", headers=authority).body
    assert "已准予共享" in zh
    # The row's link opens the request with its history.
    history = app.get(f"{EN}/govshare/requests/{granted['id']}", headers=authority).body
    assert 'id="request-history"' in history and "Granted sharing" in history
    # An unknown status is a bad request, not an empty page or a 500.
    assert app.get(f"{EN}/govshare/escalations?status=nope", headers=authority).status_code == 400
    # Nobody else sees the queue.
    assert app.get(f"{EN}/govshare/escalations", headers=as_user("requester")).status_code == 403

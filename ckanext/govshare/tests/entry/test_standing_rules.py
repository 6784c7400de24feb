"""Where a department stands on an entry, and one open request per entry and department
(issue 19, item 3): the plain rules (``access.rules``, ``access.standing``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ckanext.govshare.access import rules, standing, workflow
from ckanext.govshare.core.messages import halves

pytestmark = pytest.mark.unit

TODAY = dt.date(2026, 3, 2)
ENTRY = {
    "id": "entry-1",
    "resources": [{"id": "r1", "name": "登记表.csv"}, {"id": "r2", "name": "变更表.csv"}],
    "data_items": [{"name": "统一社会信用代码"}, {"name": "法定代表人"}, {"name": "住所"}],
}
DEPT = {"id": "tax", "title": "税务局"}
OTHER = {"id": "edu", "title": "教育局"}


def _request(status: str, kind: str = "request", **extra: Any) -> dict[str, Any]:
    return {
        "id": f"req-{status}-{kind}",
        "status": status,
        "kind": kind,
        "package_id": "entry-1",
        "requesting_org_id": "tax",
        "submitted_at": "2026-03-01T01:00:00+00:00",
        **extra,
    }


def _grant(**extra: Any) -> dict[str, Any]:
    grant = {
        "id": "g1",
        "package_id": "entry-1",
        "requesting_org_id": "tax",
        "status": "active",
        "period_start": "2026-03-01",
        "period_end": "2026-08-31",
        "resource_ids": None,
        "data_items": None,
        "row_filter": None,
        "max_downloads": None,
        "downloads_left": None,
        "max_calls_per_day": None,
    }
    grant.update(extra)
    return grant


# ---------------------------------------------------------------- one open request


@pytest.mark.parametrize("status", sorted(workflow.OPEN_STATES))
@pytest.mark.parametrize("kind", ["request", "negotiation"])
def test_every_open_state_of_a_request_or_negotiation_counts(status: str, kind: str):
    assert rules.counts_as_open({"status": status, "kind": kind})
    errors = rules.duplicate_errors([_request(status, kind)])
    assert list(errors) == ["package_id"]
    en, zh = halves(errors["package_id"][0])
    assert f"req-{status}-{kind}" in en and "already has an open request" in en
    assert f"req-{status}-{kind}" in zh and "尚未办结的申请" in zh


@pytest.mark.parametrize("status", sorted(workflow.FINAL_STATES))
def test_a_decided_withdrawn_or_expired_request_does_not_count(status: str):
    assert not rules.counts_as_open({"status": status, "kind": "request"})
    assert rules.duplicate_errors([_request(status)]) == {}


def test_a_use_change_does_not_block_a_request_for_the_entry():
    # A use change (2025 art. 25) concerns a grant already held, not the entry's data anew.
    assert rules.duplicate_errors([_request("submitted", "use_change")]) == {}
    assert rules.duplicate_errors([]) == {}


def test_the_refusal_names_the_first_open_request_among_several():
    found = rules.duplicate_errors(
        [_request("withdrawn"), _request("returned"), _request("submitted")]
    )
    assert "req-returned-request" in found["package_id"][0]


# ---------------------------------------------------------------- a grant's state


@pytest.mark.parametrize(
    ("grant", "state"),
    [
        (_grant(), standing.LIVE),
        (_grant(max_downloads=3, downloads_left=1), standing.LIVE),
        (_grant(max_downloads=3, downloads_left=0), standing.LIMIT_USED),
        (_grant(period_start="2026-03-03"), standing.PENDING),
        (
            _grant(status="suspended", suspend_reason="超范围使用", rectify_by="2026-04-01"),
            standing.SUSPENDED,
        ),
        (_grant(status="expired", period_end="2026-02-28"), standing.ENDED),
        (_grant(period_end="2026-03-01"), standing.ENDED),  # past its last day, not yet marked
        (_grant(status="revoked", revoked_at="2026-02-20T03:00:00+00:00"), standing.ENDED),
        (_grant(status="terminated", terminated_at="2026-02-21T03:00:00+00:00"), standing.ENDED),
    ],
)
def test_the_state_of_a_grant_on_a_day(grant: dict[str, Any], state: str):
    assert standing.grant_state(grant, TODAY) == state
    why = standing.reason(grant, state)
    assert (why is None) == (state == standing.LIVE)


def test_first_and_last_day_of_the_period_are_live():
    assert standing.grant_state(_grant(period_start="2026-03-02"), TODAY) == standing.LIVE
    assert standing.grant_state(_grant(period_end="2026-03-02"), TODAY) == standing.LIVE


def test_each_reason_says_why_in_both_languages():
    used = standing.reason(_grant(max_downloads=3, downloads_left=0), standing.LIMIT_USED)
    assert halves(used) == (
        "The download limit of the grant is used up (3 of 3 downloads): nothing more can be "
        "downloaded under it",
        "该授权的下载次数已用完（3次，已全部使用），不能再下载",
    )
    pending = halves(standing.reason(_grant(period_start="2026-03-09"), standing.PENDING))
    assert "2026-03-09" in pending[0] and "2026-03-09起生效" in pending[1]
    suspended = _grant(status="suspended", suspend_reason="超范围使用", rectify_by="2026-04-01")
    en, zh = halves(standing.reason(suspended, standing.SUSPENDED))
    assert "超范围使用" in en and "2026-04-01" in en and "暂停共享" in zh
    expired = halves(
        standing.reason(_grant(status="expired", period_end="2026-02-28"), standing.ENDED)
    )
    assert "ended on 2026-02-28" in expired[0] and "2026-02-28到期" in expired[1]
    revoked = _grant(
        status="revoked", revoked_at="2026-02-20T03:00:00+00:00", revoke_reason="超出用途"
    )
    en, zh = halves(standing.reason(revoked, standing.ENDED))
    assert "revoked on 2026-02-20: 超出用途" in en and "2026-02-20撤销：超出用途" in zh
    terminated = _grant(status="terminated", terminated_at="2026-02-21T03:00:00+00:00")
    assert "terminated on 2026-02-21" in halves(standing.reason(terminated, standing.ENDED))[0]


# ---------------------------------------------------------------- a department's standing


def _one(requests=(), grants=(), departments=(DEPT,)) -> list[standing.Standing]:
    return standing.standing(ENTRY, list(departments), list(requests), list(grants), TODAY)


def test_nothing_yet_the_department_may_apply():
    (one,) = _one()
    assert one.state == standing.NONE and one.request is None and one.grant is None
    assert one.may_apply and one.reason is None


def test_an_open_request_is_shown_and_no_second_is_offered():
    (one,) = _one(requests=[_request("returned")])
    assert one.request is not None and one.request["id"] == "req-returned-request"
    assert not one.may_apply


def test_another_departments_request_or_grant_is_not_this_ones():
    other_request = _request("submitted", requesting_org_id="edu")
    other_grant = _grant(requesting_org_id="edu")
    tax, edu = _one([other_request], [other_grant], departments=(DEPT, OTHER))
    assert tax.may_apply and tax.request is None and tax.grant is None
    assert not edu.may_apply and edu.request is not None and edu.state == standing.LIVE


@pytest.mark.parametrize(
    ("grant", "may_apply"),
    [
        (_grant(), False),
        (_grant(max_downloads=1, downloads_left=0), False),
        (_grant(period_start="2026-04-01"), False),  # not yet in effect counts
        (_grant(status="suspended"), False),
        (_grant(status="expired", period_end="2026-02-28"), True),
        (_grant(status="revoked"), True),
    ],
)
def test_a_grant_held_blocks_a_new_request_an_ended_one_does_not(grant, may_apply):
    (one,) = _one(grants=[grant])
    assert one.may_apply is may_apply


def test_the_best_grant_is_shown_and_only_usable_ones_download():
    ended = _grant(id="old", status="expired", period_start="2025-01-01", period_end="2025-12-31")
    used = _grant(id="used", max_downloads=2, downloads_left=0)
    live = _grant(id="live", resource_ids=["r2"], period_end="2026-05-31")
    (one,) = _one(grants=[ended, used, live])
    assert one.grant is not None and one.grant["id"] == "live" and one.state == standing.LIVE
    assert [g["id"] for g in one.usable] == ["live"]
    assert set(standing.downloadable([one], ENTRY)) == {"r2"}
    (only_used,) = _one(grants=[ended, used])
    assert only_used.state == standing.LIMIT_USED and only_used.reason
    assert standing.downloadable([only_used], ENTRY) == {}


def test_the_scope_of_a_grant_names_resources_items_and_rows():
    limited = _grant(
        resource_ids=["r1"],
        data_items=["统一社会信用代码"],
        row_filter={"column": "region", "values": ["330100", "330200"]},
    )
    assert standing.scope(limited, ENTRY) == {
        "resources": ["登记表.csv"],
        "resources_total": 2,
        "data_items": ["统一社会信用代码"],
        "data_items_total": 3,
        "rows": {"column": "region", "values": ["330100", "330200"]},
    }
    everything = standing.scope(_grant(), ENTRY)
    assert everything["resources"] is None and everything["data_items"] is None
    assert everything["rows"] is None


def test_calls_left_today_under_a_quota():
    assert standing.calls_left(_grant(max_calls_per_day=100), 30) == 70
    assert standing.calls_left(_grant(max_calls_per_day=100), 130) == 0
    assert standing.calls_left(_grant(), 5) is None

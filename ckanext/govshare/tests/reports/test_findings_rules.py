"""The findings of the 2025 Regulations (art. 39, 40; issue 18, item 9) on plain rows, and the
article every finding cites under each profile: no plugin, no database."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ckanext.govshare.reports import findings, labels
from ckanext.govshare.workdays.calendar import WorkCalendar

pytestmark = pytest.mark.unit

BEIJING = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()
TODAY = dt.date(2026, 11, 25)
SINCE = dt.datetime(2026, 1, 1, tzinfo=BEIJING)
UNTIL = dt.datetime(2027, 1, 1, tzinfo=BEIJING)


def at(y: int, m: int, d: int, hh: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hh, tzinfo=BEIJING)


def local(moment: dt.datetime) -> dt.date:
    return moment.astimezone(BEIJING).date()


def grant(gid: str, **values: Any) -> dict[str, Any]:
    return {
        "id": gid,
        "package_id": "e1",
        "provider_org_id": "P",
        "organization_id": "R",
        "request_id": None,
        "status": "active",
        **values,
    }


# --- delivery_late (art. 22, 39(4)) ---------------------------------------------------------


def test_delivery_late_and_undelivered_past_due():
    due = dt.date(2026, 6, 1)
    rows = [
        grant("late", delivery_due=due, delivered_at=at(2026, 6, 2), request_id="q1"),
        grant("on_time", delivery_due=due, delivered_at=at(2026, 6, 1, 23)),
        grant("overdue", delivery_due=due),
        grant("not_yet", delivery_due=dt.date(2026, 12, 1)),
        grant("no_deadline"),  # a grant from before the rule, or under the 2016 Measures
        # Revoked undelivered before the due date: nothing was owed after it ended.
        grant("ended_early", delivery_due=due, status="revoked", revoked_at=at(2026, 5, 20)),
        grant("ended_late", delivery_due=due, status="revoked", revoked_at=at(2026, 6, 10)),
    ]
    found = {f["object_id"]: f for f in findings.delivery(rows, local, TODAY)}
    assert sorted(found) == ["ended_late", "late", "overdue"]
    late = found["late"]
    assert late["kind"] == "delivery_late" and late["organization_id"] == "P"
    assert late["detail"]["state"] == "late" and late["detail"]["delivered_on"] == "2026-06-02"
    assert late["due_date"] == "2026-06-01"
    assert late["evidence"] == [
        {"type": "grant", "id": "late", "link": "/govshare/grants/late"},
        {"type": "access_request", "id": "q1", "link": "/govshare/requests/q1"},
    ]
    assert found["overdue"]["detail"]["state"] == "overdue"


# --- repeated_return (art. 21) --------------------------------------------------------------


def _event(eid: int, day: int, action: str, **detail: Any) -> dict[str, Any]:
    return {"id": eid, "time": at(2026, 5, day), "action": action, "detail": detail}


def _items(*fields: str) -> list[dict[str, str]]:
    return [{"field": f, "note": "补充"} for f in fields]


REQUEST = {"id": "q1", "provider_org_id": "P", "requesting_org_id": "R", "package_id": "e1"}


def test_second_return_naming_only_what_changed_is_no_finding():
    events = {
        "q1": [
            _event(1, 4, "submit"),
            _event(2, 5, "return", missing_items=_items("basis", "attachment")),
            _event(3, 6, "resubmit", changed=["basis", "attachment"]),
            # The new attachment is unreadable: only what the resubmission changed.
            _event(4, 7, "return", missing_items=_items("attachment")),
        ]
    }
    assert findings.repeated_returns([REQUEST], events) == []
    # One return only: never a finding, whatever it lists.
    assert findings.repeated_returns([REQUEST], {"q1": events["q1"][:2]}) == []


def test_second_return_naming_an_unchanged_item_is_a_finding():
    events = {
        "q1": [
            _event(1, 4, "submit"),
            _event(2, 5, "return", missing_items=_items("basis")),
            _event(3, 6, "resubmit", changed=["basis"]),
            # The scenario was there from the start: it should have been told at once.
            _event(4, 7, "return", missing_items=_items("basis", "scenario")),
            _event(5, 8, "resubmit", changed=["scenario"]),
            _event(6, 11, "return", missing_items=[{"note": "其他"}]),  # no field: other
        ]
    }
    (found,) = findings.repeated_returns([REQUEST], events)
    assert found["kind"] == "repeated_return" and found["organization_id"] == "P"
    assert found["detail"]["returns"] == 3
    assert found["detail"]["not_changed"] == ["other", "scenario"]
    cited = [e["id"] for e in found["evidence"] if e["type"] == "access_request_event"]
    assert cited == [3, 4, 5, 6]  # each offending return and the resubmission before it


# --- review_late (art. 17) ------------------------------------------------------------------


def test_review_late_is_the_authoritys():
    due = dt.date(2026, 4, 3)
    base = {"package_id": "e1", "organization_id": "P", "kind": "new", "due_date": due}
    rows = [
        {**base, "id": "late", "status": "approved", "decided_at": at(2026, 4, 7)},
        {**base, "id": "on_time", "status": "returned", "decided_at": at(2026, 4, 3, 20)},
        {**base, "id": "pending", "status": "pending", "decided_at": None},
        {**base, "id": "fresh", "status": "pending", "due_date": dt.date(2026, 11, 27)},
        {**base, "id": "superseded", "status": "superseded", "decided_at": None},
    ]
    found = {f["object_id"]: f for f in findings.reviews(rows, "AUTH", local, TODAY)}
    assert sorted(found) == ["late", "pending"]
    assert {f["organization_id"] for f in found.values()} == {"AUTH"}
    assert found["late"]["detail"]["state"] == "late"
    assert found["pending"]["detail"]["state"] == "overdue"
    assert found["late"]["evidence"][0] == {
        "type": "catalogue_review",
        "id": "late",
        "link": "/dataset/e1",
    }


# --- service_unfiled (art. 27, 39(7)) -------------------------------------------------------


def test_service_ended_by_the_provider_without_a_filing():
    ended = at(2026, 7, 1)
    mine = {"ended_by_provider": True}
    rows = [
        grant("unfiled", status="terminated", terminated_at=ended, **mine),
        grant("revoked", status="revoked", revoked_at=ended, **mine),
        grant("filed", status="terminated", terminated_at=ended, **mine),
        # A filing of a change does not cover an end.
        grant("changed", status="terminated", terminated_at=ended, **mine),
        # The authority ended it (art. 27 sanction by the authority): no filing owed.
        grant("by_authority", status="terminated", terminated_at=ended, ended_by_provider=False),
        # Revoked for the holder's misuse: the sanction of art. 27.
        grant("misuse", status="revoked", revoked_at=ended, misuse=True, **mine),
        # Still suspended after the date to rectify by: ending it is the sanction too.
        grant(
            "unrectified",
            status="terminated",
            terminated_at=ended,
            suspended_at=at(2026, 6, 1),
            rectify_by=dt.date(2026, 6, 20),
            **mine,
        ),
        # Suspended, but ended before the date to rectify by: an end of service.
        grant(
            "early",
            status="terminated",
            terminated_at=ended,
            suspended_at=at(2026, 6, 1),
            rectify_by=dt.date(2026, 7, 10),
            **mine,
        ),
        # Suspended, resumed, then ended: an end of service again.
        grant(
            "resumed",
            status="terminated",
            terminated_at=ended,
            suspended_at=at(2026, 5, 1),
            rectify_by=dt.date(2026, 5, 15),
            resumed_at=at(2026, 5, 20),
            **mine,
        ),
        grant("expired", status="expired", expired_at=ended, ended_by_provider=False),
    ]
    filed = {"filed": [{"id": "f1", "kind": "end"}], "changed": [{"id": "f2", "kind": "change"}]}
    found = {f["object_id"]: f for f in findings.service_unfiled(rows, filed, local)}
    assert sorted(found) == ["changed", "early", "resumed", "revoked", "unfiled"]
    assert found["unfiled"]["organization_id"] == "P"
    assert found["unfiled"]["detail"]["ended_on"] == "2026-07-01"


# --- no_disposal (art. 27, 40(4)) -----------------------------------------------------------


def test_no_disposal_past_due():
    rows = [
        grant("owed", status="expired", disposal_due=dt.date(2026, 11, 24)),
        grant("today", status="expired", disposal_due=TODAY),  # due today: not yet late
        grant(
            "done", status="revoked", disposal_due=dt.date(2026, 3, 1), disposed_at=at(2026, 3, 5)
        ),
    ]
    (found,) = findings.no_disposal(rows, TODAY)
    assert found["object_id"] == "owed" and found["organization_id"] == "R"  # the holder
    assert found["due_date"] == "2026-11-24"


# --- no_usage_records (art. 29, 40(5)) ------------------------------------------------------


def test_no_usage_records_after_the_configured_working_days():
    rows = [
        grant("silent", delivered_at=at(2026, 10, 9)),  # 31 working days before 25 Nov
        grant("kept", delivered_at=at(2026, 10, 9)),
        grant("recent", delivered_at=at(2026, 11, 2)),  # 17 working days
        grant("undelivered"),
    ]
    found = findings.no_usage_records(rows, {"kept": 2}, 20, CAL, local, TODAY)
    assert [f["object_id"] for f in found] == ["silent"]
    assert found[0]["organization_id"] == "R"
    assert found[0]["detail"]["workdays_since"] == CAL.workdays_between(dt.date(2026, 10, 9), TODAY)
    # With 40 working days allowed, nobody is late yet.
    assert findings.no_usage_records(rows, {}, 40, CAL, local, TODAY) == []


# --- use_outside_grant (art. 25, 40(2), 40(3)) ----------------------------------------------


def refusal(seq: int, reason: str, **detail: Any) -> dict[str, Any]:
    return {
        "seq": seq,
        "time": at(2026, 6, 10),
        "actor_id": "u1",
        "actor_name": "holder",
        "actor_department": "R",
        "action": "govshare_api_query",
        "outcome": "refused",
        "detail": {"reason": reason, **detail},
    }


def test_use_outside_grant_distinguished_from_refused_attempts():
    events = [
        refusal(1, "column_not_granted", grant_id="g1"),
        refusal(2, "not_verification", grant_id="g1"),
        refusal(3, "suspended", grant_id="g1"),
        refusal(4, "wrong_user", token_id="t1", grant_id="g1"),
        refusal(5, "no_grant", grant_id=None),  # not a holder: an ordinary refusal
        refusal(6, "column_not_granted"),  # through no grant or token
        refusal(7, "quota_exceeded", grant_id="g1"),  # a quota is no use beyond the grant
    ]
    found = findings.use_outside_grant(events, SINCE, UNTIL)
    assert [(f["object_id"], f["detail"]["third_party"]) for f in found] == [
        ("g1", False),
        ("g1", True),
    ]
    beyond, passed_on = found
    assert beyond["organization_id"] == "R" and beyond["detail"]["attempts"] == 3
    assert beyond["detail"]["shows"] == ["columns", "purpose", "suspended"]
    assert beyond["evidence"][0] == {"type": "grant", "id": "g1", "link": "/govshare/grants/g1"}
    assert [e["id"] for e in beyond["evidence"][1:]] == [1, 2, 3]
    assert [e["id"] for e in passed_on["evidence"] if e["type"] == "audit_event"] == [4]
    # refused_attempts counts only what use_outside_grant does not report.
    (attempts,) = findings.refused_attempts(events, 3, SINCE, UNTIL, apart=findings.beyond_grant)
    assert sorted(e["id"] for e in attempts["evidence"]) == [5, 6, 7]
    assert findings.refused_attempts(events, 4, SINCE, UNTIL, apart=findings.beyond_grant) == []
    (everything,) = findings.refused_attempts(events, 4, SINCE, UNTIL)  # 2016: every refusal
    assert everything["detail"]["attempts"] == 7


# --- the articles ---------------------------------------------------------------------------


def test_kinds_per_profile():
    assert findings.kinds(lambda rule: False) == findings.KINDS  # the 2016 Measures
    assert findings.kinds(lambda rule: True) == findings.ALL_KINDS
    only = findings.kinds(lambda rule: rule == "disposal")
    assert only == (*findings.KINDS, "no_disposal")
    for kind in findings.ALL_KINDS:
        assert kind in labels.TEXT, kind  # every kind has its label in both languages
        assert findings.ARTICLES[kind]["regulation-2025"], kind
    for kind in findings.KINDS:
        (article, _item) = findings.ARTICLES[kind]["measures-2016"][0]
        assert article == 24, kind  # 2016: the rectification notices of art. 24


@pytest.mark.parametrize(
    ("kind", "detail", "profile", "article", "zh"),
    [
        ("answer_late", {}, "measures-2016", "art. 24(2)", "第二十四条第（二）项"),
        ("answer_late", {}, "regulation-2025", "art. 39(4)", "第三十九条第（四）项"),
        ("catalogue_overdue", {}, "regulation-2025", "art. 39(1)", "第三十九条第（一）项"),
        ("feedback_overdue", {}, "regulation-2025", "art. 39(6)", "第三十九条第（六）项"),
        ("no_return", {}, "regulation-2025", "art. 39(5)", "第三十九条第（五）项"),
        ("delivery_late", {}, "regulation-2025", "art. 39(4)", "第三十九条第（四）项"),
        ("repeated_return", {}, "regulation-2025", "art. 21", "第二十一条"),
        ("review_late", {}, "regulation-2025", "art. 17", "第十七条"),
        ("service_unfiled", {}, "regulation-2025", "art. 39(7)", "第三十九条第（七）项"),
        ("no_disposal", {}, "regulation-2025", "art. 40(4)", "第四十条第（四）项"),
        ("no_usage_records", {}, "regulation-2025", "art. 40(5)", "第四十条第（五）项"),
        ("use_outside_grant", {}, "regulation-2025", "art. 40(2)", "第四十条第（二）项"),
        (
            "use_outside_grant",
            {"third_party": True},
            "regulation-2025",
            "art. 40(3)",
            "第四十条第（三）项",
        ),
    ],
)
def test_each_finding_cites_its_article(
    kind: str, detail: dict[str, Any], profile: str, article: str, zh: str
):
    (cited,) = findings.cite([{"kind": kind, "detail": detail}], profile, labels.TEXT)
    assert cited["article"] == article
    name = (
        "《政务数据共享条例》"
        if profile == "regulation-2025"
        else "《政务信息资源共享管理暂行办法》"
    )
    assert cited["article_label"]["zh_Hans_CN"] == name + zh
    assert cited["article_label"]["en"].endswith(article)
    assert cited["kind_label"] == {"en": labels.en(kind), "zh_Hans_CN": labels.zh(kind)}


def test_a_kind_the_profile_lacks_cites_nothing():
    (cited,) = findings.cite([{"kind": "no_disposal", "detail": {}}], "measures-2016", {})
    assert cited["article"] is None and cited["article_label"] is None


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "一"), (10, "十"), (17, "十七"), (21, "二十一"), (39, "三十九"), (40, "四十")],
)
def test_chinese_numbers(n: int, text: str):
    assert findings.chinese_number(n) == text

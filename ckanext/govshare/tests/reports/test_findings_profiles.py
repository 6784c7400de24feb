"""The findings of one seeded year under each rule profile (issue 18, item 9): the 2016
Measures keep their kinds and cite art. 24; the 2025 Regulations add theirs and cite art. 39,
40 (17, 21 where the duty has no item), through ``govshare_findings_list``, the report page
and the spreadsheet.

The rows are written straight into their tables, as the actions write them (the data
contracts of foundation.md): the year is 2026, the report made on 25 November 2026.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.common import config
from ckan.tests import factories, helpers
from openpyxl import load_workbook

from ckanext.govshare.access.model import event_table, extension_table, grant_table, request_table
from ckanext.govshare.audit import store
from ckanext.govshare.core import clock
from ckanext.govshare.reports import build, findings
from ckanext.govshare.review.model import review_table
from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401
from ckanext.govshare.usage.model import filing_table, usage_table

BEIJING = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 25)


def at(y: int, m: int, d: int, hh: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hh, tzinfo=BEIJING)


@dataclass
class World:
    orgs: dict[str, dict[str, Any]]
    users: dict[str, dict[str, Any]]
    ids: dict[str, str]

    def call(self, who: str, action: str, **data: Any) -> Any:
        context = {"ignore_auth": False, "user": self.users[who]["name"]}
        return helpers.call_action(action, context=context, **data)


def _member(org: dict[str, Any], user: dict[str, Any], capacity: str) -> None:
    helpers.call_action(
        "organization_member_create",
        context={"ignore_auth": True},
        id=org["id"],
        username=user["name"],
        role=capacity,
    )


def _request(rid: str, P: str, R: str, user: str, **values: Any) -> None:
    submitted = values.pop("submitted_at")
    model.Session.execute(
        sa.insert(request_table).values(
            id=rid,
            kind="request",
            package_id="pkg-e1",
            provider_org_id=P,
            requesting_org_id=R,
            requester_id=user,
            purpose="administrative_basis",
            purpose_detail="核验",
            resource_ids=[],
            data_items=[],
            pledge=True,
            submitted_at=submitted,
            last_submitted_at=submitted,
            updated_at=submitted,
            **values,
        )
    )


def _event(rid: str, time: dt.datetime, action: str, frm: str | None, to: str, **detail: Any):
    model.Session.execute(
        sa.insert(event_table).values(
            request_id=rid,
            time=time,
            role="requester" if action in ("submit", "resubmit") else "provider",
            action=action,
            from_state=frm,
            to_state=to,
            detail=detail,
        )
    )


def _grant(gid: str, P: str, R: str, **values: Any) -> None:
    model.Session.execute(
        sa.insert(grant_table).values(
            id=gid,
            package_id="pkg-e1",
            provider_org_id=P,
            organization_id=R,
            source="approval",
            purpose="administrative_basis",
            purpose_detail="核验",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2027, 12, 31),
            status=values.pop("status", "active"),
            created_at=values.pop("created_at", at(2026, 5, 4)),
            **values,
        )
    )


def _build() -> World:
    # ``module_world`` resets the database, the audit trail included, before this build: the
    # refusals other modules recorded this year would be findings here.
    orgs = {
        "P": gs.Department(name=gs.unique_name("fp"), title="市场监管局"),
        "R": gs.Department(name=gs.unique_name("fr"), title="税务局"),
        "authority": gs.Department(name=config["ckanext.govshare.authority_org"], title="数据局"),
    }
    users = {name: factories.User(name=gs.unique_name(name)) for name in ("po", "rm", "auth")}
    _member(orgs["P"], users["po"], "admin")
    _member(orgs["R"], users["rm"], "member")
    _member(orgs["authority"], users["auth"], "member")
    users["sysadmin"] = factories.Sysadmin()
    P, R = orgs["P"]["id"], orgs["R"]["id"]
    po, rm = users["po"]["id"], users["rm"]["id"]
    ids = {k: str(uuid.uuid4()) for k in ("Q1", "Q2", "Q3", "X1", "X2", "RV1", "RV2")}
    grants = ("GL", "GS", "GT", "GF", "GD", "GM")
    ids.update({k: f"g-{k.lower()}-{uuid.uuid4().hex[:8]}" for k in grants})

    # Q1: decided on 25 June, after its first due date (15 June) but within the one an
    # approved extension moved it to (29 June): on time.
    _request(
        ids["Q1"],
        P,
        R,
        rm,
        status="approved",
        submitted_at=at(2026, 6, 1),
        due_date=dt.date(2026, 6, 29),
        extended_days=10,
        decided_at=at(2026, 6, 25),
    )
    # Q2: extended too, and still decided after the extended due date: late.
    _request(
        ids["Q2"],
        P,
        R,
        rm,
        status="approved",
        submitted_at=at(2026, 6, 1),
        due_date=dt.date(2026, 6, 22),
        extended_days=5,
        decided_at=at(2026, 6, 24),
    )
    for rid, xid, days, before, after in (
        ("Q1", "X1", 10, dt.date(2026, 6, 15), dt.date(2026, 6, 29)),
        ("Q2", "X2", 5, dt.date(2026, 6, 15), dt.date(2026, 6, 22)),
    ):
        model.Session.execute(
            sa.insert(extension_table).values(
                id=ids[xid],
                request_id=ids[rid],
                days=days,
                reason="数据量大",
                status="approved",
                requested_by=po,
                requested_at=at(2026, 6, 10),
                decided_by=users["auth"]["id"],
                decided_at=at(2026, 6, 11),
                due_before=before,
                due_after=after,
            )
        )
    for rid, decided in (("Q1", at(2026, 6, 25)), ("Q2", at(2026, 6, 24))):
        _event(ids[rid], at(2026, 6, 1), "submit", None, "submitted")
        _event(ids[rid], decided, "approve", "submitted", "approved")
    # Q3: returned for its basis, resubmitted with the basis, returned again for the scenario
    # (there from the start): not told at once (art. 21).
    _request(
        ids["Q3"],
        P,
        R,
        rm,
        status="returned",
        submitted_at=at(2026, 5, 11),
        due_date=dt.date(2026, 6, 8),
        return_count=2,
        missing_items=[{"field": "scenario", "note": "办事场景"}],
    )
    _event(ids["Q3"], at(2026, 5, 11), "submit", None, "submitted")
    _event(
        ids["Q3"],
        at(2026, 5, 12),
        "return",
        "submitted",
        "returned",
        missing_items=[{"field": "basis", "note": "申请依据"}],
    )
    _event(ids["Q3"], at(2026, 5, 13), "resubmit", "returned", "submitted", changed=["basis"])
    _event(
        ids["Q3"],
        at(2026, 5, 14),
        "return",
        "submitted",
        "returned",
        missing_items=[{"field": "scenario", "note": "办事场景"}],
    )

    # GL: delivered on 10 July, due 1 July (art. 22); its holder keeps usage records.
    _grant(ids["GL"], P, R, delivery_due=dt.date(2026, 7, 1), delivered_at=at(2026, 7, 10))
    # GS: delivered on time on 1 September, and not one usage record since (art. 29).
    _grant(ids["GS"], P, R, delivery_due=dt.date(2026, 9, 2), delivered_at=at(2026, 9, 1))
    # GT: the provider's officer terminated it with no filing (art. 27, 39(7)).
    _grant(
        ids["GT"],
        P,
        R,
        status="terminated",
        terminated_at=at(2026, 8, 3),
        terminated_by=po,
        terminate_reason="系统下线",
    )
    # GF: terminated too, after consulting the holder and filing with the authority.
    _grant(
        ids["GF"],
        P,
        R,
        status="terminated",
        terminated_at=at(2026, 8, 3),
        terminated_by=po,
        terminate_reason="系统升级",
    )
    model.Session.execute(
        sa.insert(filing_table).values(
            id=str(uuid.uuid4()),
            package_id="pkg-e1",
            provider_org_id=P,
            grant_ids=[ids["GF"]],
            kind="end",
            description="系统升级",
            consultation="已与税务局协商",
            effective_date=dt.date(2026, 8, 3),
            filed_by=po,
            filed_at=at(2026, 7, 20),
        )
    )
    # GM: revoked by the provider's officer for the holder's misuse: a sanction, no filing.
    _grant(
        ids["GM"],
        P,
        R,
        status="revoked",
        revoked_at=at(2026, 8, 4),
        revoked_by=po,
        revoke_reason="超范围使用",
    )
    # GD: expired in September; its data was due to be disposed of by 1 October.
    _grant(
        ids["GD"],
        P,
        R,
        status="expired",
        expired_at=at(2026, 9, 16),
        disposal_due=dt.date(2026, 10, 1),
    )
    model.Session.execute(
        sa.insert(usage_table).values(
            id=str(uuid.uuid4()),
            grant_id=ids["GL"],
            organization_id=R,
            kind="scenario",
            description="用于纳税核验",
            recorded_by=rm,
            recorded_at=at(2026, 7, 13),
            retain_until=dt.date(2029, 7, 13),
        )
    )
    # RV1: a new entry the authority had to review by 3 April and has not (art. 17).
    # RV2: reviewed in time.
    for rid, status, decided in (("RV1", "pending", None), ("RV2", "approved", at(2026, 4, 2))):
        model.Session.execute(
            sa.insert(review_table).values(
                id=ids[rid],
                package_id="pkg-e1",
                organization_id=P,
                kind="new",
                status=status,
                submitted_by=po,
                submitted_at=at(2026, 4, 1),
                due_date=dt.date(2026, 4, 3),
                decided_by=users["auth"]["id"] if decided else None,
                decided_at=decided,
            )
        )
    model.Session.commit()
    # The holder's member asked the interface for a column GS does not grant (art. 25).
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(clock, "now", lambda: at(2026, 10, 12))
        store.record(
            "govshare_api_query",
            actor_id=rm,
            actor_name=users["rm"]["name"],
            actor_department=R,
            object_type="resource",
            object_id="res-1",
            object_department=P,
            outcome="refused",
            detail={"reason": "column_not_granted", "grant_id": ids["GS"], "token_id": None},
        )
        mp.setattr(clock, "now", lambda: at(2026, 8, 4))
        store.record(
            "govshare_grant_revoke",
            actor_id=po,
            actor_name=users["po"]["name"],
            actor_department=P,
            object_type="grant",
            object_id=ids["GM"],
            object_department=P,
            detail={"holder": R, "reason": "超范围使用", "misuse": True},
        )
    model.Session.commit()
    return World(orgs=orgs, users=users, ids=ids)


@pytest.fixture
def world(module_world: Any, monkeypatch: pytest.MonkeyPatch, ckan_config: Any) -> World:
    made = module_world(_build)
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    # One refusal is enough for a finding here: the 2016 Measures count it as an attempt.
    ckan_config[build.THRESHOLD_KEY] = 1
    return made


def _found(world: World, **data: Any) -> dict[str, Any]:
    return world.call("auth", "govshare_findings_list", year=2026, limit=1000, **data)


EXPECTED_2016 = {
    ("answer_late", "Q2", "art. 24(2)"),
    ("refused_attempts", "rm", "art. 24(4)"),
}
EXPECTED_2025 = {
    ("answer_late", "Q2", "art. 39(4)"),
    ("repeated_return", "Q3", "art. 21"),
    ("delivery_late", "GL", "art. 39(4)"),
    ("no_usage_records", "GS", "art. 40(5)"),
    ("service_unfiled", "GT", "art. 39(7)"),
    ("no_disposal", "GD", "art. 40(4)"),
    ("review_late", "RV1", "art. 17"),
    ("use_outside_grant", "GS", "art. 40(2)"),
}


def test_the_kinds_and_articles_of_each_profile(world: World, rule_profile: str):  # noqa: F811
    answer = _found(world)
    names = {v: k for k, v in world.ids.items()} | {world.users["rm"]["id"]: "rm"}
    got = {
        (f["kind"], names.get(f["object_id"], f["object_id"]), f["article"])
        for f in answer["results"]
    }
    if rule_profile == "measures-2016":
        assert got == EXPECTED_2016
        assert tuple(answer["by_kind"]) == findings.KINDS
    else:
        assert got == EXPECTED_2025
        assert tuple(answer["by_kind"]) == findings.ALL_KINDS
        # The refusal is use beyond the grant, no longer a refused attempt as well.
        assert answer["by_kind"]["refused_attempts"] == 0
    for finding in answer["results"]:
        assert finding["evidence"] and all(e["type"] and e["link"] for e in finding["evidence"])
        assert finding["article_label"]["zh_Hans_CN"].startswith("《")
        assert finding["kind_label"]["en"] and finding["kind_label"]["zh_Hans_CN"]


@pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
def test_evidence_of_the_2025_findings(world: World):
    ids = world.ids
    by_kind = {f["kind"]: f for f in _found(world)["results"]}
    late = by_kind["answer_late"]
    assert late["due_date"] == "2026-06-22" and late["detail"]["extended_days"] == 5
    assert {
        "type": "request_extension",
        "id": ids["X2"],
        "link": f"/govshare/requests/{ids['Q2']}",
    } in late["evidence"]
    # Q1 was decided after its first due date, within the extended one: no finding.
    assert ids["Q1"] not in {f["object_id"] for f in _found(world)["results"]}
    assert by_kind["review_late"]["organization_id"] == world.orgs["authority"]["id"]
    assert by_kind["service_unfiled"]["organization_id"] == world.orgs["P"]["id"]
    assert by_kind["no_disposal"]["organization_id"] == world.orgs["R"]["id"]
    assert by_kind["no_usage_records"]["organization_id"] == world.orgs["R"]["id"]
    beyond = by_kind["use_outside_grant"]
    assert beyond["organization_id"] == world.orgs["R"]["id"]
    assert [e["type"] for e in beyond["evidence"]] == ["grant", "audit_event"]
    assert beyond["detail"]["shows"] == ["columns"]
    assert by_kind["repeated_return"]["detail"]["not_changed"] == ["scenario"]
    # One kind at a time, and each department sees its own.
    only = _found(world, kind="service_unfiled")
    assert only["count"] == 1 and only["results"][0]["object_id"] == ids["GT"]
    provider = world.call(
        "po", "govshare_findings_list", year=2026, organization=world.orgs["P"]["name"]
    )
    assert {f["kind"] for f in provider["results"]} == {
        "answer_late",
        "repeated_return",
        "delivery_late",
        "service_unfiled",
    }


@pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
def test_usage_record_days_are_configurable(world: World, ckan_config: Any):
    ckan_config["ckanext.govshare.findings.usage_record_days"] = 80  # GS: 60 working days
    assert _found(world, kind="no_usage_records")["count"] == 0


@pytest.mark.ckan_config("ckanext.govshare.rule_profile", "measures-2016")
def test_a_2025_kind_finds_nothing_under_the_2016_measures(world: World):
    answer = _found(world, kind="no_disposal")
    assert answer["count"] == 0 and "no_disposal" not in answer["by_kind"]


@pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
def test_the_page_and_the_spreadsheet_cite_the_articles(app: Any, world: World):
    sysadmin = world.users["sysadmin"]
    token = helpers.call_action(
        "api_token_create",
        context={"user": sysadmin["name"], "ignore_auth": True},
        user=sysadmin["name"],
        name="findings",
    )["token"]
    headers = {"Authorization": token}
    page = app.get(f"/en/govshare/reports/{world.orgs['P']['name']}/2026", headers=headers)
    assert page.status_code == 200
    assert "govshare-finding-delivery_late" in page.body
    assert "Regulations art. 39(7)" in page.body  # service_unfiled
    assert "Service ended without filing" in page.body
    zh = app.get(f"/govshare/reports/{world.orgs['P']['name']}/2026", headers=headers)
    assert "《政务数据共享条例》第三十九条第（七）项" in zh.body
    assert "擅自终止或变更共享服务" in zh.body
    platform = app.get("/en/govshare/reports/2026", headers=headers)
    assert platform.status_code == 200 and "Use beyond the grant" in platform.body
    exported = world.call(
        "sysadmin",
        "govshare_report_export",
        year=2026,
        organization=world.orgs["R"]["name"],
        format="xlsx",
    )
    book = load_workbook(io.BytesIO(base64.b64decode(exported["content"])))
    rows = list(book["问题 Findings"].iter_rows(values_only=True))
    assert rows[0][:2] == ("类型 Kind", "依据条款 Article")
    cited = {(r[0], r[1]) for r in rows[1:]}
    assert (
        "未记录共享数据使用情况 No usage records",
        "《政务数据共享条例》第四十条第（五）项 Regulations art. 40(5)",
    ) in cited
    pdf = world.call("sysadmin", "govshare_report_export", year=2026, format="pdf")
    assert base64.b64decode(pdf["content"])[:5] == b"%PDF-"

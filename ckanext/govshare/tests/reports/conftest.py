"""One seeded year (2026) of a small platform, built once per test module.

Departments: P (provider, ``rep-provider``), R (requester, ``rep-requester``), O (other,
``rep-other``), the sharing authority and the joint conference. Entries are made through
``package_create`` (the catalogue's rules apply); requests, their history, grants, downloads,
feedback and obligations are inserted straight into their tables with known local dates
(Asia/Shanghai), as the actions would have written them; refused attempts go through the audit
trail with a pinned clock. The expected numbers are in ``test_report.py``, worked out by hand.

Reports are computed here, once, right after seeding (``today`` pinned to 2026-11-25), so
that the refusals the auth tests record later cannot change them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import ckan.plugins
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.common import config
from ckan.tests import factories, helpers

from ckanext.govshare.access.model import event_table, grant_table, request_table
from ckanext.govshare.audit import store
from ckanext.govshare.core import clock
from ckanext.govshare.downloads.model import download_table
from ckanext.govshare.feedback.model import feedback_table
from ckanext.govshare.obligations.model import obligation_table
from ckanext.govshare.reports import build
from ckanext.govshare.tests import factories as gs

TODAY = dt.date(2026, 11, 25)
BEIJING = ZoneInfo("Asia/Shanghai")
THRESHOLD = 3


def local(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    """A Beijing wall-clock time as an aware datetime."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=BEIJING)


@dataclass
class Scenario:
    orgs: dict[str, dict[str, Any]]
    users: dict[str, dict[str, Any]]
    entries: dict[str, dict[str, Any]]
    ids: dict[str, str]
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)

    def call(self, who: str | None, action: str, **data: Any) -> Any:
        context = {"ignore_auth": False, "user": self.users[who]["name"] if who else ""}
        return helpers.call_action(action, context=context, **data)


def _admin() -> dict[str, Any]:
    return {"user": _SYSADMIN["name"], "ignore_auth": True}


_SYSADMIN: dict[str, Any] = {}


def _member(org: dict[str, Any], user: dict[str, Any], capacity: str) -> None:
    helpers.call_action(
        "organization_member_create",
        context=_admin(),
        id=org["id"],
        username=user["name"],
        role=capacity,
    )


def _entry(org: dict[str, Any], name: str, share_type: str, cycle: str, **extra: Any) -> Any:
    fields: dict[str, Any] = {
        **gs.entry_fields(),
        "share_type": share_type,
        "update_cycle": cycle,
        "resources": [{"url": f"http://example.org/{name}.csv", "name": f"{name}.csv"}],
        **extra,
    }
    if share_type == "conditional":
        fields["share_conditions"] = "仅限本部门履职使用"
        fields["open_to_public"] = "not_open"
    if share_type == "not_shared":
        fields.setdefault("legal_basis", "《中华人民共和国保守国家秘密法》第九条")
        fields["open_to_public"] = "not_open"
    return helpers.call_action(
        "package_create",
        context=_admin(),
        name=f"rep-{name}",
        title=f"entry {name}",
        notes="摘要",
        owner_org=org["id"],
        **fields,
    )


def _age_resources(package_id: str, moment: dt.datetime) -> None:
    """The entry's data last changed at ``moment`` (naive UTC, as CKAN stores it)."""
    naive = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    r = model.resource_table.c
    model.Session.execute(
        sa.update(model.resource_table)
        .where(r.package_id == package_id)
        .values(created=naive, last_modified=naive, metadata_modified=naive)
    )


def _request(
    rid: str,
    provider: str,
    requester: str,
    user: str,
    package_id: str,
    submitted: dt.datetime,
    status: str,
    *,
    purpose: str = "administrative_basis",
    due: dt.date | None = None,
    decided: dt.datetime | None = None,
    reason: str | None = None,
    kind: str = "request",
    last_submitted: dt.datetime | None = None,
) -> None:
    model.Session.execute(
        sa.insert(request_table).values(
            id=rid,
            kind=kind,
            status=status,
            package_id=package_id,
            provider_org_id=provider,
            requesting_org_id=requester,
            requester_id=user,
            purpose=purpose,
            purpose_detail="核验",
            resource_ids=[],
            data_items=[],
            pledge=True,
            submitted_at=submitted,
            last_submitted_at=last_submitted or submitted,
            due_date=due,
            decided_at=decided,
            decision_reason=reason,
            updated_at=decided or submitted,
        )
    )


def _events(rid: str, *steps: tuple[dt.datetime, str | None, str, str]) -> None:
    for time, from_state, to_state, action in steps:
        model.Session.execute(
            sa.insert(event_table).values(
                request_id=rid,
                time=time,
                role="provider" if action in ("approve", "reject", "return") else "requester",
                action=action,
                from_state=from_state,
                to_state=to_state,
            )
        )


def _grant(gid: str, provider: str, holder: str, package_id: str, purpose: str, at: Any) -> None:
    model.Session.execute(
        sa.insert(grant_table).values(
            id=gid,
            package_id=package_id,
            provider_org_id=provider,
            organization_id=holder,
            source="approval",
            purpose=purpose,
            purpose_detail="核验",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2027, 12, 31),
            status="active",
            created_at=at,
        )
    )


def _download(user: str, org: str, grant: str, package_id: str, purpose: str, size, at, route):
    model.Session.execute(
        sa.insert(download_table).values(
            time=at,
            user_id=user,
            organization_id=org,
            grant_id=grant,
            package_id=package_id,
            resource_id="r",
            purpose=purpose,
            bytes=size,
            route=route,
        )
    )


def _feedback(fid, package_id, reporter, reporter_org, provider, kind, created, due, **done):
    model.Session.execute(
        sa.insert(feedback_table).values(
            id=fid,
            package_id=package_id,
            kind=kind,
            description="数据有误",
            user_id=reporter,
            organization_id=reporter_org,
            provider_org_id=provider,
            state="resolved" if done else "open",
            created=created,
            due_date=due,
            **done,
        )
    )


def _obligation(oid, org, kind, effective, due, user, discharged=None) -> None:
    model.Session.execute(
        sa.insert(obligation_table).values(
            id=oid,
            organization_id=org,
            kind=kind,
            description="职能调整",
            effective_date=effective,
            due_date=due,
            created_by=user,
            created=local(effective.year, effective.month, effective.day),
            state="discharged" if discharged else "open",
            discharged_at=discharged,
            discharged_by=user if discharged else None,
        )
    )


def _refused(user: dict[str, Any], org_id: str, action: str, at: dt.datetime) -> None:
    """One refused attempt in the audit trail, as if made at ``at``."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(clock, "now", lambda: at)
        store.record(
            action,
            actor_id=user["id"],
            actor_name=user["name"],
            actor_department=org_id,
            object_type="resource",
            object_id="somewhere",
            outcome="refused",
        )


def _seed() -> Scenario:
    _SYSADMIN.update(factories.Sysadmin())
    orgs = {
        "P": gs.Department(name="rep-provider", title="市场监管局"),
        "R": gs.Department(name="rep-requester", title="税务局"),
        "O": gs.Department(name="rep-other", title="教育局"),
        "authority": gs.Department(name=config["ckanext.govshare.authority_org"], title="数据局"),
        "conference": gs.Department(
            name=config["ckanext.govshare.joint_conference_org"], title="联席会议"
        ),
    }
    names = {
        "p_officer": ("P", "admin"),
        "p_editor": ("P", "editor"),
        "p_member": ("P", "member"),
        "r_officer": ("R", "admin"),
        "r_member": ("R", "member"),
        "o_member": ("O", "member"),
        "authority": ("authority", "member"),
        "conference": ("conference", "member"),
        "outsider": (None, None),
    }
    users = {}
    for name, (org, capacity) in names.items():
        users[name] = factories.User(name=gs.unique_name(name.replace("_", "-")))
        if org:
            _member(orgs[org], users[name], capacity)
    users["sysadmin"] = dict(_SYSADMIN)
    P, R, O = (orgs[k]["id"] for k in "PRO")  # noqa: E741 (the departments of the docstring)

    entries = {
        "e1": _entry(orgs["P"], "e1", "unconditional", "monthly"),
        "e2": _entry(orgs["P"], "e2", "conditional", "monthly"),
        "e3": _entry(orgs["P"], "e3", "not_shared", "irregular"),
        "e4": _entry(orgs["P"], "e4", "not_shared", "annual"),
        "e5": _entry(
            orgs["P"],
            "e5",
            "unconditional",
            "quarterly",
            resource_category="thematic",
            theme="health",
        ),
        "draft": _entry(orgs["P"], "draft", "unconditional", "monthly", private=True),
        "r1": _entry(orgs["R"], "r1", "unconditional", "daily"),
    }
    # Entries catalogued in March 2026, whatever day the suite runs on.
    model.Session.execute(
        sa.update(model.package_table)
        .where(model.package_table.c.id.in_([e["id"] for e in entries.values()]))
        .values(metadata_created=dt.datetime(2026, 3, 1))
    )
    _age_resources(entries["e2"]["id"], local(2026, 1, 5))  # monthly: stale by 25 Nov
    _age_resources(entries["e3"]["id"], local(2025, 1, 5))  # irregular: never stale
    _age_resources(entries["r1"]["id"], local(2026, 11, 1))  # daily: stale by 25 Nov
    # e4 lost its legal basis (an entry from before the rule): not counted as having one.
    pkg = model.Package.get(entries["e4"]["id"])
    pkg.extras = {**pkg.extras, "legal_basis": ""}
    model.Session.add(pkg)
    model.Session.commit()

    e1, e2 = entries["e1"]["id"], entries["e2"]["id"]
    req, rof = users["r_member"]["id"], users["p_officer"]["id"]
    ids = {f"Q{n}": str(uuid.uuid4()) for n in range(1, 12)}
    q = ids
    # Q1: National Day in the clock; approved on time.
    _request(
        q["Q1"],
        P,
        R,
        req,
        e2,
        local(2026, 9, 28, 9),
        "approved",
        due=dt.date(2026, 10, 16),
        decided=local(2026, 10, 15),
    )
    _events(
        q["Q1"],
        (local(2026, 9, 28, 9), None, "submitted", "submit"),
        (local(2026, 10, 15), "submitted", "approved", "approve"),
    )
    # Q2: Spring Festival in the clock; rejected two working days late.
    _request(
        q["Q2"],
        P,
        R,
        req,
        e2,
        local(2026, 2, 10),
        "rejected",
        due=dt.date(2026, 3, 2),
        decided=local(2026, 3, 4),
        reason="涉及个人隐私，不予提供",
        purpose="work_reference",
    )
    _events(
        q["Q2"],
        (local(2026, 2, 10), None, "submitted", "submit"),
        (local(2026, 3, 4), "submitted", "rejected", "reject"),
    )
    # Q3: returned (clock stops), resubmitted, approved on time.
    _request(
        q["Q3"],
        P,
        R,
        req,
        e2,
        local(2026, 4, 28, 9),
        "approved",
        due=dt.date(2026, 5, 21),
        decided=local(2026, 5, 13),
        last_submitted=local(2026, 5, 11, 9),
    )
    _events(
        q["Q3"],
        (local(2026, 4, 28, 9), None, "submitted", "submit"),
        (local(2026, 4, 30, 15), "submitted", "returned", "return"),
        (local(2026, 5, 11, 9), "returned", "submitted", "resubmit"),
        (local(2026, 5, 13), "submitted", "approved", "approve"),
    )
    # Q4: never answered, past its due date.
    _request(q["Q4"], P, R, req, e2, local(2026, 6, 1), "submitted", due=dt.date(2026, 6, 15))
    _events(q["Q4"], (local(2026, 6, 1), None, "submitted", "submit"))
    # Q5: not yet due on 25 November.
    _request(q["Q5"], P, R, req, e2, local(2026, 11, 20), "submitted", due=dt.date(2026, 12, 4))
    _events(q["Q5"], (local(2026, 11, 20), None, "submitted", "submit"))
    # Q6: withdrawn by the requester.
    _request(q["Q6"], P, R, req, e2, local(2026, 3, 10), "withdrawn", due=dt.date(2026, 3, 24))
    _events(
        q["Q6"],
        (local(2026, 3, 10), None, "submitted", "submit"),
        (local(2026, 3, 11), "submitted", "withdrawn", "withdraw"),
    )
    # Q7: 31 December 2025, 23:30 in Beijing: last year's.
    _request(
        q["Q7"],
        P,
        R,
        req,
        e2,
        local(2025, 12, 31, 23, 30),
        "approved",
        due=dt.date(2026, 1, 16),
        decided=local(2026, 1, 5),
    )
    # Q8: 1 January 2026, 00:30 in Beijing (still 2025 in UTC): this year's.
    _request(
        q["Q8"],
        P,
        R,
        req,
        e2,
        local(2026, 1, 1, 0, 30),
        "approved",
        due=dt.date(2026, 1, 16),
        decided=local(2026, 1, 9),
        purpose="data_verification",
    )
    _events(
        q["Q8"],
        (local(2026, 1, 1, 0, 30), None, "submitted", "submit"),
        (local(2026, 1, 9), "submitted", "approved", "approve"),
    )
    # Q9: a negotiation from O on a not-shared entry.
    _request(
        q["Q9"],
        P,
        O,
        users["o_member"]["id"],
        entries["e3"]["id"],
        local(2026, 7, 1),
        "negotiating",
        kind="negotiation",
    )
    # Q10: P asks R; R answers in two working days.
    _request(
        q["Q10"],
        R,
        P,
        users["p_member"]["id"],
        entries["r1"]["id"],
        local(2026, 8, 3),
        "approved",
        due=dt.date(2026, 8, 17),
        decided=local(2026, 8, 5),
        purpose="business_collaboration",
    )
    _events(
        q["Q10"],
        (local(2026, 8, 3), None, "submitted", "submit"),
        (local(2026, 8, 5), "submitted", "approved", "approve"),
    )
    # Q11: expired while the provider's clock ran: never answered.
    _request(q["Q11"], P, R, req, e2, local(2026, 7, 6), "expired", due=dt.date(2026, 7, 20))
    _events(
        q["Q11"],
        (local(2026, 7, 6), None, "submitted", "submit"),
        (local(2026, 8, 1), "submitted", "expired", "expire"),
    )

    g = {k: str(uuid.uuid4()) for k in ("G1", "G2", "G3", "G4", "G5")}
    ids.update(g)
    _grant(g["G1"], P, R, e2, "administrative_basis", local(2026, 10, 15))
    _grant(g["G2"], P, R, e1, "data_verification", local(2026, 3, 2))
    _grant(g["G3"], P, O, e1, "work_reference", local(2026, 5, 5))
    _grant(g["G4"], R, P, entries["r1"]["id"], "business_collaboration", local(2026, 8, 5))
    _grant(g["G5"], P, R, e1, "other", local(2025, 6, 1))
    rm, om, pm = users["r_member"]["id"], users["o_member"]["id"], users["p_member"]["id"]
    _download(rm, R, g["G2"], e1, "data_verification", 1000, local(2026, 3, 3), "token")
    _download(rm, R, g["G2"], e1, "data_verification", 500, local(2026, 3, 4), "bulk")
    _download(rm, R, g["G1"], e2, "administrative_basis", None, local(2026, 10, 16), "token")
    _download(om, O, g["G3"], e1, "work_reference", 200, local(2026, 5, 6), "open")
    _download(rm, R, g["G2"], e1, "data_verification", 999, local(2025, 12, 31, 23, 59), "token")
    _download(
        pm,
        P,
        g["G4"],
        entries["r1"]["id"],
        "business_collaboration",
        300,
        local(2026, 8, 6),
        "token",
    )

    f = {k: str(uuid.uuid4()) for k in ("F1", "F2", "F3", "F4", "F5", "F6")}
    ids.update(f)
    _feedback(
        f["F1"],
        e1,
        rm,
        R,
        P,
        "error",
        local(2026, 3, 2),
        dt.date(2026, 3, 9),
        resolution="corrected",
        resolved_at=local(2026, 3, 6),
        resolved_by=rof,
    )
    _feedback(
        f["F2"],
        e2,
        om,
        O,
        P,
        "doubt",
        local(2026, 4, 1),
        dt.date(2026, 4, 9),
        resolution="confirmed_correct",
        resolved_at=local(2026, 4, 10),
        resolved_by=rof,
    )
    _feedback(
        f["F3"], entries["e5"]["id"], rm, R, P, "doubt", local(2026, 6, 1), dt.date(2026, 6, 8)
    )
    _feedback(f["F4"], e1, rm, R, P, "error", local(2026, 11, 24), dt.date(2026, 12, 1))
    _feedback(f["F5"], e1, om, O, P, "error", local(2025, 11, 1), dt.date(2025, 11, 8))
    _feedback(
        f["F6"],
        entries["r1"]["id"],
        pm,
        P,
        R,
        "error",
        local(2026, 9, 1),
        dt.date(2026, 9, 8),
        resolution="corrected",
        resolved_at=local(2026, 9, 7),
        resolved_by=users["r_officer"]["id"],
    )

    o = {k: str(uuid.uuid4()) for k in ("O1", "O2", "O3", "O4")}
    ids.update(o)
    _obligation(
        o["O1"],
        P,
        "law_revised",
        dt.date(2026, 2, 2),
        dt.date(2026, 2, 27),
        rof,
        discharged=local(2026, 2, 26),
    )
    _obligation(
        o["O2"],
        P,
        "functions_changed",
        dt.date(2026, 9, 1),
        dt.date(2026, 9, 22),
        rof,
        discharged=local(2026, 9, 30),
    )
    _obligation(o["O3"], P, "other", dt.date(2026, 11, 2), dt.date(2026, 11, 23), rof)
    _obligation(o["O4"], P, "other", dt.date(2025, 12, 20), dt.date(2026, 1, 14), rof)

    # Refused attempts: o_member 3 in 2026 (+ a failed login and one in 2025, not counted);
    # r_member 2 (under the threshold of 3).
    for action in ("ckan_resource_download", "govshare_token_create", "govshare_request_show"):
        _refused(users["o_member"], O, action, local(2026, 6, 10))
    _refused(users["o_member"], O, "user_login_failed", local(2026, 6, 11))
    _refused(users["o_member"], O, "ckan_resource_download", local(2025, 12, 31, 23))
    for _ in range(2):
        _refused(users["r_member"], R, "ckan_resource_download", local(2026, 7, 1))
    model.Session.commit()
    return Scenario(orgs=orgs, users=users, entries=entries, ids=ids)


@pytest.fixture(scope="module")
def scenario(reset_database: Callable[[], None]) -> Iterator[Scenario]:
    ckan.plugins.load_all()
    try:
        # The suite's reset (tests/conftest.py): the plugins' tables migrated back, and an
        # empty audit trail (the refusals earlier tests recorded would count as this year's
        # findings).
        reset_database()
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(clock, "today", lambda: TODAY)
            mp.setitem(config, build.THRESHOLD_KEY, THRESHOLD)
            # The reports are made here, before any test's ``ckan_config``: the profile the
            # suite's expected numbers state (the 2016 Measures' kinds and articles).
            mp.setitem(config, "ckanext.govshare.rule_profile", "measures-2016")
            world = _seed()
            world.reports = {
                "P": world.call(
                    "sysadmin", "govshare_report_show", organization="rep-provider", year=2026
                ),
                "R": world.call(
                    "sysadmin", "govshare_report_show", organization="rep-requester", year=2026
                ),
                "O": world.call(
                    "sysadmin", "govshare_report_show", organization="rep-other", year=2026
                ),
                "platform": world.call("sysadmin", "govshare_report_show", year=2026),
            }
    finally:
        # As CKAN's ``with_plugins`` ends (the name changed in CKAN 2.12).
        unload = getattr(ckan.plugins, "unload_non_system_plugins", None)
        (unload or ckan.plugins.unload_all)()
    yield world


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch, ckan_config: Any) -> None:
    """The report day and the refusal threshold of the scenario, for one test."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    monkeypatch.setitem(ckan_config, build.THRESHOLD_KEY, THRESHOLD)

"""Yearly-report benchmark: how long the reports take on a year of a large platform.

    python bench/reports.py --ckan-ini config/bench-reports.ini
    python bench/reports.py --ckan-ini config/bench-reports.ini --entries 300 --requests 2000 \
        --downloads 20000                                   # scaled down

Seeds one year (2026) straight into the tables (departments, entries with one resource each,
requests with their history, grants, downloads, feedback, obligations, refused attempts in the
audit trail), then times, each the best of ``--repeat`` runs:

1. ``govshare_report_show`` of the busiest department (``build.department_report``);
2. the platform-wide report (``build.platform_report``);
3. every department's report and the platform's from one read (``build.all_reports``, what
   ``ckan govshare report`` does), and writing all of them as .xlsx and .pdf.

Use a database of its own (see docs/benchmarks.md): the seed is added on every run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
import uuid
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
YEAR = 2026
PURPOSES = (
    "administrative_basis",
    "work_reference",
    "data_verification",
    "business_collaboration",
    "other",
)
SHARE_TYPES = ("unconditional",) * 6 + ("conditional",) * 3 + ("not_shared",)
CYCLES = ("daily", "weekly", "monthly", "quarterly", "annual", "irregular", "realtime")


def moment(rng: random.Random) -> dt.datetime:
    day = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(330))
    return dt.datetime(day.year, day.month, day.day, rng.randrange(8, 19), tzinfo=BEIJING)


def _chunks(rows: list[dict[str, Any]], size: int = 5000):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def seed(args: argparse.Namespace) -> None:
    import sqlalchemy as sa
    from ckan import model

    from ckanext.govshare.access.model import event_table, grant_table, request_table
    from ckanext.govshare.audit import store
    from ckanext.govshare.downloads.model import download_table
    from ckanext.govshare.feedback.model import feedback_table
    from ckanext.govshare.obligations.model import obligation_table

    rng = random.Random(2016)
    run = uuid.uuid4().hex[:6]
    conn = model.Session
    orgs = []
    for i in range(args.departments):
        org = model.Group(name=f"bench-{run}-dept-{i}", title=f"部门{i}", is_organization=True)
        org.type = "organization"
        org.state = "active"
        conn.add(org)
        orgs.append(org)
    conn.flush()
    org_ids = [o.id for o in orgs]
    user = model.User(name=f"bench-{run}-user", email=f"bench-{run}@example.org", password="x" * 20)
    conn.add(user)
    conn.flush()

    packages, extras, resources = [], [], []
    old = dt.datetime(YEAR, 1, 5)
    for i in range(args.entries):
        pid = str(uuid.uuid4())
        share = rng.choice(SHARE_TYPES)
        fields = {
            "share_type": share,
            "resource_category": rng.choice(("basic", "thematic", "departmental")),
            "update_cycle": rng.choice(CYCLES),
            "legal_basis": "《保守国家秘密法》"
            if share == "not_shared" and rng.random() < 0.9
            else "",
        }
        row = {
            "id": pid,
            "name": f"bench-{run}-entry-{i}",
            "title": f"entry {i}",
            "type": "dataset",
            "owner_org": rng.choice(org_ids),
            "state": "active",
            "private": False,
            "metadata_created": dt.datetime(YEAR, 2, 1),
            "metadata_modified": dt.datetime(YEAR, 2, 1),
        }
        if hasattr(model, "package_extra_table"):  # CKAN 2.11: a table of extras
            extras += [
                {
                    "id": str(uuid.uuid4()),
                    "package_id": pid,
                    "key": k,
                    "value": v,
                    "state": "active",
                }
                for k, v in fields.items()
            ]
        else:
            row["extras"] = fields
        packages.append(row)
        resources.append(
            {
                "id": str(uuid.uuid4()),
                "package_id": pid,
                "url": "http://example.org/x.csv",
                "state": "active",
                "position": 0,
                "created": old if rng.random() < 0.5 else dt.datetime(YEAR, 11, 20),
                "extras": "{}",
            }
        )
    for chunk in _chunks(packages):
        conn.execute(sa.insert(model.package_table), chunk)
    if extras:
        for chunk in _chunks(extras):
            conn.execute(sa.insert(model.package_extra_table), chunk)
    for chunk in _chunks(resources):
        conn.execute(sa.insert(model.resource_table), chunk)

    requests, events, grants = [], [], []
    for _ in range(args.requests):
        rid = str(uuid.uuid4())
        pkg = rng.choice(packages)
        at = moment(rng)
        due = at.date() + dt.timedelta(days=14)
        status = rng.choice(("approved", "approved", "rejected", "submitted", "withdrawn"))
        decided = (
            at + dt.timedelta(days=rng.randrange(1, 25))
            if status in ("approved", "rejected")
            else None
        )
        requests.append(
            {
                "id": rid,
                "kind": "request",
                "status": status,
                "package_id": pkg["id"],
                "provider_org_id": pkg["owner_org"],
                "requesting_org_id": rng.choice(org_ids),
                "requester_id": user.id,
                "purpose": rng.choice(PURPOSES),
                "purpose_detail": "bench",
                "resource_ids": [],
                "data_items": [],
                "pledge": True,
                "submitted_at": at,
                "last_submitted_at": at,
                "due_date": due,
                "decided_at": decided,
                "decision_reason": "不符合共享条件" if status == "rejected" else None,
                "updated_at": decided or at,
            }
        )
        events.append(
            {"request_id": rid, "time": at, "role": "requester", "action": "submit",
             "from_state": None, "to_state": "submitted", "detail": {}}
        )  # fmt: skip
        if decided:
            events.append(
                {"request_id": rid, "time": decided, "role": "provider", "action": "approve",
                 "from_state": "submitted", "to_state": status, "detail": {}}
            )  # fmt: skip
            if status == "approved":
                grants.append(
                    {
                        "id": str(uuid.uuid4()),
                        "package_id": pkg["id"],
                        "provider_org_id": pkg["owner_org"],
                        "organization_id": requests[-1]["requesting_org_id"],
                        "request_id": rid,
                        "source": "approval",
                        "purpose": requests[-1]["purpose"],
                        "purpose_detail": "bench",
                        "period_start": dt.date(YEAR, 1, 1),
                        "period_end": dt.date(YEAR + 1, 12, 31),
                        "status": "active",
                        "created_at": decided,
                    }
                )
    for table, rows in ((request_table, requests), (event_table, events), (grant_table, grants)):
        for chunk in _chunks(rows):
            conn.execute(sa.insert(table), chunk)
    downloads = []
    for _ in range(args.downloads):
        grant = rng.choice(grants)
        downloads.append(
            {
                "time": moment(rng),
                "user_id": user.id,
                "organization_id": grant["organization_id"],
                "grant_id": grant["id"],
                "package_id": grant["package_id"],
                "resource_id": "r",
                "purpose": grant["purpose"],
                "bytes": rng.randrange(1, 10_000_000),
                "route": rng.choice(("token", "bulk", "open")),
            }
        )
    for chunk in _chunks(downloads):
        conn.execute(sa.insert(download_table), chunk)
    feedback = []
    for _ in range(args.feedback):
        pkg = rng.choice(packages)
        at = moment(rng)
        resolved = at + dt.timedelta(days=rng.randrange(1, 12)) if rng.random() < 0.8 else None
        feedback.append(
            {
                "id": str(uuid.uuid4()),
                "package_id": pkg["id"],
                "kind": rng.choice(("doubt", "error")),
                "description": "bench",
                "user_id": user.id,
                "organization_id": rng.choice(org_ids),
                "provider_org_id": pkg["owner_org"],
                "state": "resolved" if resolved else "open",
                "created": at,
                "due_date": at.date() + dt.timedelta(days=7),
                "resolution": "corrected" if resolved else None,
                "resolved_at": resolved,
            }
        )
    for chunk in _chunks(feedback):
        conn.execute(sa.insert(feedback_table), chunk)
    obligations = []
    for _ in range(args.obligations):
        at = moment(rng)
        done = at + dt.timedelta(days=rng.randrange(5, 30)) if rng.random() < 0.7 else None
        obligations.append(
            {
                "id": str(uuid.uuid4()),
                "organization_id": rng.choice(org_ids),
                "kind": "law_revised",
                "description": "bench",
                "effective_date": at.date(),
                "due_date": at.date() + dt.timedelta(days=21),
                "created_by": user.id,
                "created": at,
                "state": "discharged" if done else "open",
                "discharged_at": done,
            }
        )
    for chunk in _chunks(obligations):
        conn.execute(sa.insert(obligation_table), chunk)
    for _ in range(args.refused):
        store.record(
            "ckan_resource_download",
            actor_id=f"bench-{run}-user-{rng.randrange(50)}",
            actor_department=rng.choice(org_ids),
            object_type="resource",
            object_id="r",
            outcome="refused",
        )
    model.Session.commit()
    print(
        f"seeded: {args.departments} departments, {args.entries} entries, {len(requests)} "
        f"requests ({len(events)} events), {len(grants)} grants, {len(downloads)} downloads, "
        f"{len(feedback)} feedback, {len(obligations)} obligations, {args.refused} refusals"
    )


def best(label: str, repeat: int, work: Callable[[], Any]) -> Any:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    print(f"{label}: best {min(times):.3f} s, mean {sum(times) / len(times):.3f} s")
    return result


def measure(args: argparse.Namespace) -> None:
    import sqlalchemy as sa
    from ckan import model

    from ckanext.govshare.access.model import request_table
    from ckanext.govshare.reports import build, export

    busiest = model.Session.execute(
        sa.select(request_table.c.provider_org_id, sa.func.count())
        .group_by(request_table.c.provider_org_id)
        .order_by(sa.func.count().desc())
        .limit(1)
    ).first()[0]
    org = model.Group.get(busiest)
    org_dict = {"id": org.id, "name": org.name, "title": org.title}
    dept = best("department report", args.repeat, lambda: build.department_report(org_dict, YEAR))
    print(f"  busiest department: {dept['requests_received']['total']} requests received")
    platform = best("platform report", args.repeat, lambda: build.platform_report(YEAR))
    print(
        f"  platform: {platform['entries']['total']} entries, "
        f"{platform['requests_received']['total']} requests, {len(platform['findings'])} findings"
    )
    _, departments = best("every report (one read)", args.repeat, lambda: build.all_reports(YEAR))
    best("platform .xlsx", args.repeat, lambda: export.xlsx(platform))
    best("platform .pdf", args.repeat, lambda: export.pdf(platform))
    best(
        f"all {len(departments)} department files (.xlsx + .pdf)",
        1,
        lambda: [(export.xlsx(r), export.pdf(r)) for r in departments],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ckan-ini", required=True)
    parser.add_argument("--departments", type=int, default=30)
    parser.add_argument("--entries", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--downloads", type=int, default=200000)
    parser.add_argument("--feedback", type=int, default=3000)
    parser.add_argument("--obligations", type=int, default=300)
    parser.add_argument("--refused", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-seed", action="store_true", help="measure what is there")
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.ckan_ini))
    flask_app = getattr(app, "_wsgi_app", app)
    with flask_app.test_request_context():
        if not args.no_seed:
            seed(args)
        measure(args)


if __name__ == "__main__":
    main()

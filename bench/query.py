"""Service-interface benchmark: ``GET /govshare/query`` against CKAN's ``datastore_search``.

    python bench/query.py --ckan-ini config/bench-dataplane.ini                 # 1,000,000 rows
    python bench/query.py --ckan-ini config/bench-dataplane.ini --rows 100000 \
        --repeat 50 --seconds 5                                                  # a quick run

Issue 16, item 10. One run, one server process (Werkzeug, threaded, as ``ckan run``) that this
script starts, one DataStore table of ``--rows`` synthetic legal-entity registrations (8
columns: credit code, name, legal representative, district, industry, registered capital,
date of establishment, status), and an entry whose 8 data items map to those columns
(``data_items[].column``). A department obtains a grant, narrowed as an approval would narrow
it (share method ``api``, 5 of the 8 data items, rows of 2 of the 100 districts, a daily
quota never reached) and takes an interface token; CKAN's side is a sysadmin's API token
(restricted resources answer ``datastore_search`` only to the provider and sysadmins).

1. latency: ``--repeat`` sequential calls of each route per query, interleaved, after a
   warm-up; p50/p95/mean and the p95 ratio govshare / CKAN (target <= 1.2). Both routes ask
   for the same fields and rows: CKAN's call carries the grant's row filter as a filter.
   Queries: a lookup by credit code (the query-and-verify of legal-entity data), and a page of
   100 rows filtered on status. The answers of both routes are compared once (same total,
   same records).
2. throughput: ``--clients`` (8) client threads calling each route for ``--seconds``; calls/s.
   The server's log (its errors, for a call that failed) is ``var/bench-query/server-<port>.log``.
3. the cost of quota counting and the call log per call. Every answered govshare call takes
   a unit of the grant's daily quota (``interface.quota.take``: one upsert, committed at once
   on a connection of its own, for grants with and without a limit alike) and writes its row
   of the call log (``interface.calls.record``, committed with the answer), so there is no
   "without" over HTTP to compare with: the two are timed directly (``cost_direct``), 1000
   calls each in this process, beside an empty transaction; and the run checks that every
   govshare call it made has exactly one call-log row and one quota unit.

The table is built once per ``--rows`` and reused: ``datastore_create`` with the fields and no
records, then the rows generated here and sent with ``COPY`` straight into the table over the
DataStore's write URL (its indexes dropped during the load and built again after, then
``ANALYZE``). The entry and resource ids are kept in ``var/bench-query/``. Use a database of
its own (docs/benchmarks.md); each run adds a department, a user and a grant to it.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench-query"
SEED = 16
DATA_VERSION = 2  # of generated_rows: a table made by another version is built again

# (column, DataStore type, data item, catalogue data type)
COLUMNS: list[tuple[str, str, str, str]] = [
    ("credit_code", "text", "统一社会信用代码", "string"),
    ("name", "text", "企业名称", "string"),
    ("legal_rep", "text", "法定代表人", "string"),
    ("district", "text", "行政区划代码", "string"),
    ("industry", "text", "行业门类", "string"),
    ("capital", "numeric", "注册资本（万元）", "decimal"),
    ("established", "date", "成立日期", "date"),
    ("status", "text", "登记状态", "string"),
]
# The narrowed grant: 5 of the 8 data items, and the rows of two districts.
GRANTED_ITEMS = ["统一社会信用代码", "企业名称", "行政区划代码", "注册资本（万元）", "登记状态"]
DISTRICTS = [f"33{city:02d}{county:02d}" for city in range(1, 11) for county in range(2, 12)]
ROW_FILTER = {"column": "district", "values": [DISTRICTS[0], DISTRICTS[37]]}
INDEXES = "credit_code,district"

CITIES = ["杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水"]
WORDS = list("华信达恒通盛泰丰源博創宏远鑫隆安康瑞祥和兴力新明德正中天海金")
TRADES = ["科技", "贸易", "建设", "物流", "餐饮", "电子", "机械", "服装", "食品", "文化", "咨询"]
FORMS = ["有限公司", "有限责任公司", "股份有限公司", "个人独资企业", "合伙企业（有限合伙）"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红")
INDUSTRIES = [
    "农、林、牧、渔业",
    "采矿业",
    "制造业",
    "电力、热力、燃气及水生产和供应业",
    "建筑业",
    "批发和零售业",
    "交通运输、仓储和邮政业",
    "住宿和餐饮业",
    "信息传输、软件和信息技术服务业",
    "金融业",
    "房地产业",
    "租赁和商务服务业",
    "科学研究和技术服务业",
    "居民服务、修理和其他服务业",
    "教育",
    "卫生和社会工作",
    "文化、体育和娱乐业",
]
STATUSES = [("存续", 70), ("在业", 10), ("注销", 12), ("吊销", 5), ("迁出", 3)]


# ---------------------------------------------------------------------------- the table


def generated_rows(n: int, seed: int = SEED) -> Iterator[tuple[str, ...]]:
    """``n`` registrations, as text tuples in COPY's CSV (credit codes valid, GB 32100)."""
    from ckanext.govshare.catalogue import credit_code

    rng = random.Random(seed)
    alphabet = credit_code.ALPHABET
    statuses = [s for s, _ in STATUSES]
    weights = [w for _, w in STATUSES]
    epoch = dt.date(1990, 1, 1).toordinal()
    for i in range(n):
        district = DISTRICTS[rng.randrange(len(DISTRICTS))]
        body = "91" + district + "".join(rng.choices(alphabet, k=9))
        name = (
            CITIES[int(district[2:4]) - 1]
            + "".join(rng.choices(WORDS, k=2))
            + rng.choice(TRADES)
            + rng.choice(FORMS)
        )
        yield (
            credit_code.with_check_character(body),
            name,
            rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
            district,
            INDUSTRIES[i % len(INDUSTRIES)] if i % 7 else rng.choice(INDUSTRIES),
            str(Decimal(round(rng.lognormvariate(5, 1.5), 2)).quantize(Decimal("0.01"))),
            dt.date.fromordinal(epoch + rng.randrange(12_800)).isoformat(),
            rng.choices(statuses, weights)[0],
        )


def copy_rows(write_url: str, resource_id: str, n: int) -> float:
    """The rows sent with COPY into the resource's table, its indexes dropped during the load
    and built again after; seconds taken."""
    import psycopg2

    started = time.perf_counter()
    conn = psycopg2.connect(write_url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", (resource_id,)
            )
            indexes = [(n_, d) for n_, d in cur.fetchall() if not n_.endswith("_pkey")]
            for name, _ in indexes:
                cur.execute(f'DROP INDEX "{name}"')
            cols = ", ".join(f'"{c}"' for c, *_ in COLUMNS)
            sql = f'COPY "{resource_id}" ({cols}) FROM STDIN WITH (FORMAT csv)'
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            for i, row in enumerate(generated_rows(n), 1):
                writer.writerow(row)
                if i % 50_000 == 0 or i == n:
                    buffer.seek(0)
                    cur.copy_expert(sql, buffer)
                    buffer = io.StringIO()
                    writer = csv.writer(buffer, lineterminator="\n")
                    print(f"\r  copied {i:,}/{n:,} rows", end="", flush=True)
            print()
            for _, definition in indexes:
                cur.execute(definition)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'VACUUM ANALYZE "{resource_id}"')
    finally:
        conn.close()
    return time.perf_counter() - started


def entry_fields(resource_name: str) -> dict[str, Any]:
    from ckanext.govshare.tests import factories as gs

    return {
        **gs.entry_fields(),
        "title": "市场主体登记信息（基准）",
        "notes": "bench/query.py: synthetic legal-entity registrations",
        "share_methods": ["api", "online_query", "file_download"],
        "daily_capacity": 1_000_000,
        "data_items": [
            {"name": item, "data_type": kind, "column": column} for column, _, item, kind in COLUMNS
        ],
        "resources": [{"name": resource_name, "url": "http://example.org/" + resource_name}],
    }


def ensure_admin() -> None:
    """The sysadmin ``bench-admin`` (its password random, never used)."""
    from ckan import model
    from ckan.plugins import toolkit as tk

    if model.User.get("bench-admin") is not None:
        return
    tk.get_action("user_create")(
        {"user": "", "ignore_auth": True},
        {"name": "bench-admin", "email": "bench@localhost", "password": secrets.token_urlsafe(16)},
    )
    admin = model.User.get("bench-admin")
    admin.sysadmin = True
    model.Session.commit()


def admin_ctx() -> dict[str, Any]:
    return {"user": "bench-admin", "ignore_auth": True}


def ensure_table(rows: int) -> dict[str, Any]:
    """The entry and the DataStore table of ``rows`` registrations: the one built by an
    earlier run when it is still whole (ids in ``var/bench-query/``), else a new one.

    Call inside a request context of the site's app."""
    import sqlalchemy as sa
    from ckan.plugins import toolkit as tk

    from ckanext.govshare.tests import factories as gs

    ensure_admin()
    write_url = tk.config["ckan.datastore.write_url"]
    db = tk.config["sqlalchemy.url"].rsplit("/", 1)[-1]
    marker = CACHE / f"{db}-{rows}-v{DATA_VERSION}.json"
    if marker.exists():
        known = json.loads(marker.read_text())
        try:
            entry = tk.get_action("package_show")(admin_ctx(), {"id": known["package_id"]})
            engine = sa.create_engine(write_url)
            with engine.connect() as c:
                count = c.execute(sa.text(f'SELECT count(*) FROM "{known["resource_id"]}"'))
                if count.scalar() == rows:
                    print(f"reusing the table of {rows:,} rows ({known['resource_id']})")
                    return {**known, "entry": entry}
        except (tk.ObjectNotFound, sa.exc.ProgrammingError):
            pass
    print(f"building a DataStore table of {rows:,} rows …", flush=True)
    suffix = secrets.token_hex(3)
    provider = tk.get_action("organization_create")(
        admin_ctx(),
        {
            "name": f"bench-registry-{suffix}",
            "title": "市场监督管理局（基准）",
            "provider_code": gs.provider_code(),
            "department_level": "provincial",
        },
    )
    entry = tk.get_action("package_create")(
        admin_ctx(),
        {
            **entry_fields("enterprises.csv"),
            "name": f"bench-registrations-{suffix}",
            "owner_org": provider["id"],
        },
    )
    resource_id = entry["resources"][0]["id"]
    tk.get_action("datastore_create")(
        admin_ctx(),
        {
            "resource_id": resource_id,
            "force": True,
            "fields": [{"id": c, "type": t} for c, t, *_ in COLUMNS],
            "records": [],
            "indexes": INDEXES,
        },
    )
    seconds = copy_rows(write_url, resource_id, rows)
    print(f"  {rows:,} rows in {seconds:.1f} s ({rows / seconds:,.0f} rows/s, indexes + ANALYZE)")
    known = {"package_id": entry["id"], "resource_id": resource_id, "provider": provider["id"]}
    CACHE.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(known))
    entry = tk.get_action("package_show")(admin_ctx(), {"id": entry["id"]})
    return {**known, "entry": entry}


def holder(suffix: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new department with one member: the grants' holder."""
    from ckan.plugins import toolkit as tk

    from ckanext.govshare.tests import factories as gs

    user = tk.get_action("user_create")(
        admin_ctx(),
        {
            "name": f"bench-user-{suffix}",
            "email": f"u{suffix}@localhost",
            "password": secrets.token_urlsafe(16),
        },
    )
    org = tk.get_action("organization_create")(
        admin_ctx(),
        {
            "name": f"bench-holder-{suffix}",
            "title": "税务局（基准）",
            "provider_code": gs.provider_code(),
            "department_level": "provincial",
        },
    )
    tk.get_action("organization_member_create")(
        admin_ctx(), {"id": org["id"], "username": user["name"], "role": "member"}
    )
    return user, org


def narrowed_grant(
    user: dict[str, Any],
    package_id: str,
    purpose: str,
    *,
    share_method: str,
    data_items: list[str] | None,
    row_filter: dict[str, Any] | None,
    max_calls_per_day: int | None,
) -> dict[str, Any]:
    """A grant obtained by ``user``'s department (``govshare_access_obtain``, audited), then
    narrowed in its row as an approval narrows one (share method, data items, row filter,
    daily quota), and a token on it taken through ``govshare_token_create``."""
    import sqlalchemy as sa
    from ckan import model
    from ckan.plugins import toolkit as tk

    from ckanext.govshare.access.model import grant_table

    as_user = {"user": user["name"], "ignore_auth": False}
    grant = tk.get_action("govshare_access_obtain")(
        dict(as_user),
        {"package_id": package_id, "purpose": purpose, "purpose_detail": "基准", "pledge": True},
    )
    model.Session.execute(
        sa.update(grant_table)
        .where(grant_table.c.id == grant["id"])
        .values(
            share_method=share_method,
            data_items=data_items,
            row_filter=row_filter,
            max_calls_per_day=max_calls_per_day,
        )
    )
    model.Session.commit()
    token = tk.get_action("govshare_token_create")(
        dict(as_user), {"grant_id": grant["id"], "expires_in": 86400}
    )
    return {"id": grant["id"], "token": token["token"]}


def set_up(args: argparse.Namespace) -> dict[str, Any]:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from ckan.plugins import toolkit as tk

    app = make_app(load_config(args.ckan_ini))
    with app._wsgi_app.test_request_context():
        table = ensure_table(args.rows)
        user, _ = holder(secrets.token_hex(3))
        # The quota is one an approval could set; never reached here, but counted on every call.
        grant = narrowed_grant(
            user,
            table["package_id"],
            "work_reference",
            share_method="api",
            data_items=GRANTED_ITEMS,
            row_filter=ROW_FILTER,
            max_calls_per_day=10**9,
        )
        api = tk.get_action("api_token_create")(
            admin_ctx(), {"user": "bench-admin", "name": "bench-query"}
        )
        codes = sample_codes(tk.config["ckan.datastore.write_url"], table["resource_id"])
    return {**table, "grant": grant, "api_token": api["token"], "codes": codes, "app": app}


def sample_codes(write_url: str, resource_id: str, n: int = 500) -> list[str]:
    """Credit codes of rows inside the grant's row filter, to look up."""
    import psycopg2

    conn = psycopg2.connect(write_url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                f'SELECT credit_code FROM "{resource_id}" WHERE district = ANY(%s) '
                "ORDER BY md5(credit_code) LIMIT %s",
                (ROW_FILTER["values"], n),
            )
            return [r[0] for r in cur.fetchall()]
    finally:
        conn.close()


# ---------------------------------------------------------------------------- the server


def serve(ckan_ini: str, port: int) -> None:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from werkzeug.serving import run_simple

    app = make_app(load_config(ckan_ini))
    run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False, use_debugger=False)


def start_server(script: str, ckan_ini: str, port: int) -> tuple[subprocess.Popen, str]:
    """``script --serve port`` in a process of its own; returns it and its base URL."""
    import requests

    cmd = [sys.executable, script, "--ckan-ini", ckan_ini, "--serve", str(port)]
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"server-{port}.log", "wb") as log:  # its errors, for a failed call
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            requests.get(f"{base}/api/3/action/status_show", timeout=2)
            return proc, base
        except requests.RequestException:
            if proc.poll() is not None:
                raise RuntimeError("the server exited") from None
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the server did not start")


# ---------------------------------------------------------------------------- the calls

Call = Callable[[Any, int], dict[str, Any]]


def answer(response: Any, what: str) -> dict[str, Any]:
    if response.status_code != 200:
        raise RuntimeError(f"{what}: HTTP {response.status_code} {response.text[:300]}")
    body = response.json()
    return body["result"] if isinstance(body, dict) and "result" in body else body


def calls(
    base: str, site: dict[str, Any], token: str, made: list[int]
) -> dict[str, dict[str, Call]]:
    """Per query, the govshare call (bearer ``token``) and CKAN's (the sysadmin's API token)
    for the same fields and rows; each takes a session and a call number."""
    rid = site["resource_id"]
    codes = site["codes"]
    ours = f"{base}/govshare/query/{rid}"
    theirs = f"{base}/api/3/action/datastore_search"
    bearer = {"Authorization": f"Bearer {token}"}
    ckan = {"Authorization": site["api_token"]}
    shapes = {
        "lookup by credit code": lambda i: (
            ["credit_code", "name", "status"],
            {"credit_code": codes[i % len(codes)]},
            10,
        ),
        "page of 100, status filter": lambda i: (
            ["credit_code", "name", "capital"],
            {"status": "存续"},
            100,
        ),
    }
    out: dict[str, dict[str, Call]] = {}
    lock = threading.Lock()
    for label, shape in shapes.items():

        def govshare(s: Any, i: int, shape: Any = shape) -> dict[str, Any]:
            fields, filters, limit = shape(i)
            params = {
                "fields": ",".join(fields),
                "filters": json.dumps(filters, ensure_ascii=False),
                "limit": limit,
            }
            result = answer(s.get(ours, params=params, headers=bearer, timeout=60), "govshare")
            with lock:
                made[0] += 1
            return result

        def datastore(s: Any, i: int, shape: Any = shape) -> dict[str, Any]:
            fields, filters, limit = shape(i)
            filters = {**filters, ROW_FILTER["column"]: ROW_FILTER["values"]}
            params = {
                "resource_id": rid,
                "fields": ",".join(fields),
                "filters": json.dumps(filters, ensure_ascii=False),
                "limit": limit,
            }
            return answer(s.get(theirs, params=params, headers=ckan, timeout=60), "ckan")

        out[label] = {"govshare": govshare, "ckan": datastore}
    return out


def same_answer(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Same total and the same records (numbers compared as numbers: a whole numeric value
    comes as 100 from one route and 100.0 from the other)."""

    def value(v: Any) -> Any:
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v

    def rows(x: dict[str, Any]) -> list[dict[str, Any]]:
        return [{k: value(v) for k, v in r.items() if k != "_id"} for r in x["records"]]

    return a["total"] == b["total"] and rows(a) == rows(b)


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def interleaved(routes: dict[str, Call], repeat: int, warm: int = 10) -> dict[str, list[float]]:
    """``repeat`` sequential calls of each route, one after the other; ms each."""
    import requests

    session = requests.Session()
    times: dict[str, list[float]] = {k: [] for k in routes}
    for i in range(warm):
        for call in routes.values():
            call(session, i)
    for i in range(repeat):
        for name, call in routes.items():
            started = time.perf_counter()
            call(session, warm + i)
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def concurrent(call: Call, clients: int, seconds: float) -> tuple[float, int, int, str]:
    """``clients`` threads calling for ``seconds``: (calls/s, calls answered, failures, the
    first failure)."""
    import requests

    done = [0] * clients
    failed = [0] * clients
    first: list[str] = []
    stop = time.perf_counter() + seconds

    def client(k: int) -> None:
        session = requests.Session()
        i = k * 100_000
        while time.perf_counter() < stop:
            try:
                call(session, i)
                done[k] += 1
            except Exception as error:  # counted, not raised: a failure is part of the measure
                failed[k] += 1
                if not first:
                    first.append(str(error)[:200])
            i += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return sum(done) / elapsed, sum(done), sum(failed), (first or [""])[0]


def row_counts(ckan_ini: str, grant_id: str) -> tuple[int, int]:
    """The grant's rows in the call log, and its quota counter summed over its days."""
    import sqlalchemy as sa
    from ckan.cli import load_config

    engine = sa.create_engine(load_config(ckan_ini)["sqlalchemy.url"])
    with engine.connect() as c:
        logged = c.execute(
            sa.text("SELECT count(*) FROM govshare_api_call WHERE grant_id = :g"), {"g": grant_id}
        ).scalar()
        counted = c.execute(
            sa.text("SELECT coalesce(sum(calls), 0) FROM govshare_api_quota WHERE grant_id = :g"),
            {"g": grant_id},
        ).scalar()
    engine.dispose()
    return int(logged or 0), int(counted or 0)


def cost_direct(app: Any, grant_id: str, n: int) -> dict[str, float]:
    """ms per call of what the interface writes for each call, timed in this process by
    calling its own functions ``n`` times: ``interface.quota.take`` (one upsert on a connection
    of its own, committed at once) and ``interface.calls.record`` with the commit an answered
    call's row has to itself; beside an empty transaction (``SELECT 1`` and commit) on the
    same session, the floor of any write; and the call log's row committed with
    ``synchronous_commit = off`` (what a commit costs that does not wait for the disk). The
    quota is taken on a day of its own
    (2000-01-01), and the rows written here are deleted after."""
    import sqlalchemy as sa
    from ckan import model

    from ckanext.govshare.interface import calls as call_log
    from ckanext.govshare.interface import quota
    from ckanext.govshare.interface.model import call_table, quota_table

    day = dt.date(2000, 1, 1)
    fields = ["credit_code", "name", "status"]

    def empty() -> None:
        model.Session.execute(sa.text("SELECT 1"))
        model.Session.commit()

    def take() -> None:
        quota.take(grant_id, 10**9, day=day)

    def record() -> None:
        call_log.record(
            method="query",
            resource_id="bench-direct",
            outcome=call_log.ANSWERED,
            status_code=200,
            grant_id=grant_id,
            fields=fields,
            rows=1,
            milliseconds=3,
            client_address="bench-direct",
        )
        model.Session.commit()

    def record_async() -> None:
        model.Session.execute(sa.text("SET LOCAL synchronous_commit = off"))
        record()

    out: dict[str, float] = {}
    with app._wsgi_app.test_request_context():
        for name, fn in (
            ("empty transaction", empty),
            ("quota.take", take),
            ("calls.record + commit", record),
            ("the same, async commit", record_async),
        ):
            fn()
            started = time.perf_counter()
            for _ in range(n):
                fn()
            out[name] = (time.perf_counter() - started) * 1000 / n
        model.Session.execute(
            sa.delete(quota_table).where(
                quota_table.c.grant_id == grant_id, quota_table.c.day == day
            )
        )
        model.Session.execute(
            sa.delete(call_table).where(call_table.c.resource_id == "bench-direct")
        )
        model.Session.commit()
    return out


def profile(site: dict[str, Any], n: int, top: int) -> None:
    """Where a call's time goes: ``n`` lookups of each route through the whole WSGI app in
    this process (no server, no socket), under cProfile; ms a call and the ``top`` functions
    by cumulative time."""
    import cProfile
    import pstats

    from werkzeug.test import Client

    client = Client(site["app"])
    rid, codes = site["resource_id"], site["codes"]
    fields = "credit_code,name,status"
    wanted = {
        "govshare": lambda i: client.get(
            f"/govshare/query/{rid}",
            query_string={
                "fields": fields,
                "filters": json.dumps({"credit_code": codes[i % len(codes)]}),
            },
            headers={"Authorization": f"Bearer {site['grant']['token']}"},
        ),
        "ckan": lambda i: client.get(
            "/api/3/action/datastore_search",
            query_string={
                "resource_id": rid,
                "fields": fields,
                "filters": json.dumps(
                    {"credit_code": codes[i % len(codes)], "district": ROW_FILTER["values"]}
                ),
            },
            headers={"Authorization": site["api_token"]},
        ),
    }
    for name, call in wanted.items():
        for i in range(5):
            response = call(i)
            if response.status_code != 200:
                raise RuntimeError(f"{name}: HTTP {response.status_code} {response.text[:300]}")
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for i in range(n):
            call(i)
        profiler.disable()
        ms = (time.perf_counter() - started) * 1000 / n
        print(f"\n== {name}: {ms:.2f} ms a call in process, under cProfile ({n} lookups)")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(top)


# ---------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--ckan-ini", default="config/bench-dataplane.ini")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200, help="sequential calls per route")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20, help="per route, concurrent")
    parser.add_argument("--port", type=int, default=5092)
    parser.add_argument("--build-only", action="store_true", help="build the table and stop")
    parser.add_argument(
        "--profile", type=int, metavar="N", help="profile N lookups of each route, in process"
    )
    parser.add_argument("--top", type=int, default=40, help="functions shown by --profile")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.ckan_ini, args.serve)
        return
    if args.build_only:
        from ckan.cli import load_config
        from ckan.config.middleware import make_app

        app = make_app(load_config(args.ckan_ini))
        with app._wsgi_app.test_request_context():
            ensure_table(args.rows)
        return

    print("setting up …", flush=True)
    site = set_up(args)
    if args.profile:
        profile(site, args.profile, args.top)
        return
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    proc, base = start_server(__file__, args.ckan_ini, args.port)
    made = [0]  # govshare calls answered: each must have its call-log row and quota unit
    try:
        import requests

        routes = calls(base, site, site["grant"]["token"], made)
        session = requests.Session()
        print(
            f"\n0. the same answer from both routes ({args.rows:,} rows, grant: 5 of 8 columns,"
            f" districts {', '.join(ROW_FILTER['values'])})"
        )
        for label, pair in routes.items():
            a, b = pair["govshare"](session, 0), pair["ckan"](session, 0)
            same = same_answer(a, b)
            print(f"   {label:<28} total {a['total']:>7,}  same records: {'yes' if same else 'NO'}")
            if not same:
                raise SystemExit(f"the answers differ: {a['total']} / {b['total']}")

        print(f"\n1. latency, {args.repeat} sequential calls per route, interleaved (ms)")
        print(f"   {'query':<28} {'route':<9} {'p50':>7} {'p95':>7} {'mean':>7}")
        ratios = {}
        lookup_p50 = 0.0
        for label, pair in routes.items():
            times = interleaved(pair, args.repeat)
            for name, values in times.items():
                print(
                    f"   {label:<28} {name:<9} {statistics.median(values):7.2f}"
                    f" {pct(values, 95):7.2f} {statistics.fmean(values):7.2f}"
                )
            ratios[label] = pct(times["govshare"], 95) / pct(times["ckan"], 95)
            if label.startswith("lookup"):
                lookup_p50 = statistics.median(times["govshare"])
        for label, ratio in ratios.items():
            print(f"   p95 ratio govshare/ckan, {label}: {ratio:.3f}  (target <= 1.2)")

        print(f"\n2. throughput, {args.clients} concurrent clients, {args.seconds:.0f} s per route")
        print(f"   {'query':<28} {'route':<9} {'calls/s':>8} {'calls':>7} {'failed':>6}")
        for label, pair in routes.items():
            for name, call in pair.items():
                rate, ok, bad, error = concurrent(call, args.clients, args.seconds)
                print(f"   {label:<28} {name:<9} {rate:8.1f} {ok:7d} {bad:6d}")
                if error:
                    print(f"      first failure: {error[:120]}")

        print("\n3. cost of the quota and the call log per call")
        logged, counted = row_counts(args.ckan_ini, site["grant"]["id"])
        print(
            f"   calls made on the grant so far: {made[0]}; rows in its call log: {logged};"
            f" its quota counter: {counted}"
        )
        direct = cost_direct(site["app"], site["grant"]["id"], 1000)
        for name, ms in direct.items():
            print(f"   {name:<24} {ms:6.3f} ms a call (1000 calls, in this process)")
        share = direct["quota.take"] + direct["calls.record + commit"]
        print(
            f"   quota + call log: {share:.2f} ms a call, of the lookup's p50"
            f" {lookup_p50:.2f} ms through govshare"
        )
        load = os.getloadavg()
        print(f"\nload average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()

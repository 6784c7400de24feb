"""Search benchmark: latency of typical catalogue queries on the embedded PostgreSQL backend.

Loads N synthetic catalogue entries (Chinese titles, departments, tags, formats, share
metadata) into the search index of the configured site, then times ``package_search`` — CKAN's
whole search path, as an anonymous visitor — for text, facet, filter and paging queries, and
prints p50/p95 per query and overall.

    make bench N=100000          # uses its own database, govshare_bench
    python bench/search.py --ckan-ini config/bench.ini -n 100000 --repeat 50

Entries are written straight into the index (as ``PackageSearchIndex`` would write them) under
their own ``ckan.site_id``, so loading 100,000 takes minutes, not hours of ``package_create``.

Then a live site's writing: ``--writes`` changes (default 5,000), one transaction each as CKAN
commits an edit: entries re-indexed with new facet values and titles, some made private or
public again, some deleted and added back. Queries are timed before and after that load (the
GIN indexes' pending lists, dead rows and kept facet counts all grow with it), and the kept
facet counts are checked against a scan of the index after it.

    python bench/search.py -n 100000 --writes 5000 --gin-fastupdate on   # PostgreSQL's default
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

REGIONS = [
    "北京",
    "上海",
    "广东",
    "江苏",
    "浙江",
    "四川",
    "湖北",
    "山东",
    "河南",
    "福建",
    "陕西",
    "云南",
    "广西",
    "辽宁",
    "吉林",
    "黑龙江",
    "安徽",
    "江西",
    "湖南",
    "贵州",
]
SUBJECTS = [
    "人口",
    "法人",
    "户籍",
    "社会保险",
    "医疗机构",
    "食品生产",
    "不动产",
    "营业执照",
    "税务",
    "教育",
    "交通",
    "环境监测",
    "气象",
    "水利",
    "农业",
    "林业",
    "住房公积金",
    "就业",
    "养老",
    "婚姻",
    "出生",
    "死亡",
    "残疾人",
    "退役军人",
    "企业",
    "信用",
    "行政处罚",
    "行政许可",
    "药品",
    "疫苗",
    "道路",
    "公交",
    "电力",
    "燃气",
    "文物",
]
KINDS = [
    "基础信息",
    "登记信息",
    "统计数据",
    "许可信息",
    "监测数据",
    "名录",
    "变更记录",
    "年度报告",
    "办理结果",
    "核查结果",
]
TAGS = [
    "人口",
    "法人",
    "空间地理",
    "电子证照",
    "社会信用",
    "公共服务",
    "健康保障",
    "社会保障",
    "食品药品安全",
    "安全生产",
    "价格监管",
    "能源安全",
    "城乡建设",
    "社区治理",
    "生态环保",
    "应急维稳",
    "统计",
    "登记",
    "许可",
    "监管",
]
FORMATS = ["CSV", "XLSX", "JSON", "XML", "PDF", "API", "SHP"]
LICENSES = ["other-closed", "cc-by", "odc-by", "other-open"]
SHARE = [("unconditional", 60), ("conditional", 30), ("not_shared", 10)]
DEPARTMENTS = [f"dept-{i:02d}" for i in range(30)]

BENCH_SITE = "govshare-bench"


def _pick_share(rng: random.Random) -> str:
    return rng.choices([s for s, _ in SHARE], weights=[w for _, w in SHARE])[0]


def synthetic_doc(i: int, rng: random.Random) -> dict[str, Any]:
    """An index document shaped as CKAN's PackageSearchIndex builds one."""
    pid = str(uuid.UUID(int=rng.getrandbits(128)))
    region, subject, kind = rng.choice(REGIONS), rng.choice(SUBJECTS), rng.choice(KINDS)
    title = f"{region}{subject}{kind}"
    org = rng.choice(DEPARTMENTS)
    tags = rng.sample(TAGS, k=rng.randint(1, 4))
    formats = rng.sample(FORMATS, k=rng.randint(1, 3))
    created = datetime(2020, 1, 1, tzinfo=timezone.utc) + timedelta(
        minutes=rng.randint(0, 3_000_000)
    )
    modified = created + timedelta(minutes=rng.randint(0, 500_000))
    share = _pick_share(rng)
    notes = f"{region}{subject}相关的{kind}，由{org}按月更新，供各部门共享使用。第{i}号资源。"
    pkg = {
        "id": pid,
        "name": f"entry-{i:06d}",
        "title": title,
        "notes": notes,
        "type": "dataset",
        "state": "active",
        "private": False,
        "owner_org": org,
        "license_id": rng.choice(LICENSES),
        "metadata_created": created.isoformat()[:-6],
        "metadata_modified": modified.isoformat()[:-6],
        "tags": [{"name": t} for t in tags],
        "share_type": share,
        "resources": [{"format": f, "name": f"{title}.{f.lower()}"} for f in formats],
        "organization": {"name": org, "title": org},
    }
    blob = json.dumps(pkg, ensure_ascii=False)
    return {
        "index_id": f"bench-{i}",
        "id": pid,
        "site_id": BENCH_SITE,
        "entity_type": "package",
        "dataset_type": "dataset",
        "type": "dataset",
        "state": "active",
        "capacity": "public",
        "name": pkg["name"],
        "title": title,
        "title_string": title,
        "notes": notes,
        "owner_org": org,
        "organization": org,
        "license_id": pkg["license_id"],
        "tags": tags,
        "groups": [],
        "res_format": formats,
        "res_name": [r["name"] for r in pkg["resources"]],
        "share_type": share,
        "extras_share_type": share,
        "metadata_created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "metadata_modified": modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "permission_labels": ["public"],
        "data_dict": blob,
        "validated_data_dict": blob,
    }


def load(n: int, seed: int) -> float:
    """Loads the N entries unless exactly those are there already; returns seconds taken."""
    import sqlalchemy as sa
    from ckan import model

    from ckanext.govshare.search.connection import PostgresSearchConnection

    count = sa.text("SELECT count(*) FROM govshare_search_index WHERE site_id = :s")
    if model.Session.execute(count, {"s": BENCH_SITE}).scalar() == n:
        return 0.0
    model.Session.execute(
        sa.text("DELETE FROM govshare_search_index WHERE site_id = :s"), {"s": BENCH_SITE}
    )
    conn = PostgresSearchConnection()
    rng = random.Random(seed)
    started = time.perf_counter()
    batch: list[dict[str, Any]] = []
    for i in range(n):
        batch.append(synthetic_doc(i, rng))
        if len(batch) == 1000 or i == n - 1:
            conn.add(batch)
            model.Session.commit()
            batch = []
            print(f"\r  loaded {i + 1}/{n}", end="", flush=True)
    conn.optimize()  # ANALYZE, so the planner knows the table's new size
    model.Session.commit()
    print()
    return time.perf_counter() - started


QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("text: 人口", {"q": "人口"}),
    ("text: 社会保险登记信息", {"q": "社会保险登记信息"}),
    ("text: two words", {"q": "北京 营业执照"}),
    ("3 facets, no query", {"facet.field": ["organization", "tags", "res_format"]}),
    ("text + 3 facets", {"q": "登记", "facet.field": ["organization", "tags", "res_format"]}),
    ("filters: org + format", {"fq": "organization:dept-07 res_format:CSV"}),
    ("filter: share_type + tag", {"fq": "share_type:conditional tags:人口"}),
    ("date range", {"fq": "metadata_modified:[2024-01-01T00:00:00Z TO NOW]"}),
    ("paging: page 50", {"start": 1000, "rows": 20, "sort": "metadata_modified desc"}),
    ("sort by title", {"q": "信息", "sort": "title_string asc"}),
    (
        "catalogue page",
        {
            "q": "疫苗",
            "fq": "organization:dept-03",
            "facet.field": ["organization", "tags", "res_format", "license_id"],
            "rows": 20,
        },
    ),
]


GIN_INDEXES = (
    "ix_govshare_search_index_tsv",
    "ix_govshare_search_index_terms",
    "ix_govshare_search_index_facets",
)


def set_gin_fastupdate(value: str, pending_limit_kb: int | None = None) -> None:
    """``--gin-fastupdate`` (and ``--gin-pending-limit``): the GIN indexes' settings for this
    run, their pending lists merged first."""
    import sqlalchemy as sa
    from ckan import model

    for name in GIN_INDEXES:
        model.Session.execute(sa.text(f"ALTER INDEX {name} SET (fastupdate = {value})"))
        if pending_limit_kb:
            model.Session.execute(
                sa.text(f"ALTER INDEX {name} SET (gin_pending_list_limit = {pending_limit_kb})")
            )
        model.Session.execute(sa.text(f"SELECT gin_clean_pending_list('{name}'::regclass)"))
    model.Session.commit()


def write_load(n: int, writes: int, seed: int) -> None:
    """``writes`` changes as a live site makes them, one transaction each (see the docstring)."""
    from ckan import model

    from ckanext.govshare.search.connection import PostgresSearchConnection

    conn = PostgresSearchConnection()
    rng = random.Random(seed + 1)
    times: list[float] = []
    started = time.perf_counter()
    for w in range(writes):
        i = rng.randrange(n)
        doc = synthetic_doc(i, random.Random(rng.getrandbits(64)))
        doc["name"] = f"entry-{i:06d}"
        kind = rng.random()
        t0 = time.perf_counter()
        if kind < 0.02:  # deleted, and added back by the next change of the entry
            conn.delete(id=f"bench-{i}")
            model.Session.commit()
            conn.add([doc])
        elif kind < 0.07:  # private to its department
            doc["capacity"] = "private"
            doc["permission_labels"] = [f"member-{doc['owner_org']}"]
            conn.add([doc])
        else:  # new facet values and title (a public entry again, if it was private)
            conn.add([doc])
        model.Session.commit()
        times.append((time.perf_counter() - t0) * 1000)
        if (w + 1) % 500 == 0:
            print(f"\r  {w + 1}/{writes} changes", end="", flush=True)
    took = time.perf_counter() - started
    print(
        f"\n  {writes / took:.0f} changes/s; per change p50 {percentile(times, 50):.1f} ms, "
        f"p95 {percentile(times, 95):.1f} ms"
    )


def vacuum() -> None:
    """``VACUUM (ANALYZE)`` of the index tables, as autovacuum would run it after the load
    (the migration sets its thresholds to 2 % of the index's rows and 1,000 counts rows).
    Test and CI servers here run with ``autovacuum = off``; a live site does not."""
    from ckan import model

    engine = model.meta.engine
    assert engine is not None
    model.Session.remove()
    started = time.perf_counter()
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.exec_driver_sql(
            "VACUUM (ANALYZE) govshare_search_index, govshare_search_facet_count, "
            "govshare_search_facet_change"
        )
    took = time.perf_counter() - started
    print(f"\n  VACUUM (ANALYZE) of the index and the kept counts: {took:.1f} s")


def check_kept_counts() -> None:
    """The kept facet counts against a scan of the index (the two must be equal)."""
    import sqlalchemy as sa
    from ckan import model

    key = "site_id, state, capacity, dataset_type, entity_type"
    kept = model.Session.execute(
        sa.text(
            f"SELECT {key}, labels, code, sum(n) FROM govshare_search_facet_count "
            f"GROUP BY {key}, labels, code HAVING sum(n) <> 0 "
            f"EXCEPT SELECT {key}, permission_labels, c.code, count(*) "
            f"FROM govshare_search_index, unnest(facet_ids || CAST(0 AS bigint)) AS c(code) "
            f"GROUP BY {key}, permission_labels, c.code"
        )
    ).fetchall()
    rows = model.Session.execute(sa.text("SELECT count(*) FROM govshare_search_facet_count"))
    print(
        f"  kept facet counts: {rows.scalar()} rows; "
        f"{'equal to a scan of the index' if not kept else f'{len(kept)} DIFFER from the scan'}"
    )
    model.Session.rollback()


def check_postings() -> None:
    """This process's facet bitmaps, brought up to date from the change log, against the index
    (the two must be equal: every code's rows, exactly)."""
    from ckan import model

    from ckanext.govshare.search import facet_postings

    kept = facet_postings.POSTINGS.current(model.meta.engine)
    scan = facet_postings.from_index(model.Session)
    model.Session.rollback()
    differ = [code for code in set(kept) | set(scan) if kept.get(code) != scan.get(code)]
    print(
        f"  facet bitmaps: {len(kept)} codes, rebuilt {facet_postings.POSTINGS.rebuilds} times; "
        f"{'equal to the index' if not differ else f'{len(differ)} DIFFER from the index'}"
    )


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def _backend_cpu_ns() -> tuple[int, dict[int, int]]:
    """CKAN's session backend, and the CPU time every client backend of this database has used
    (nanoseconds, ``/proc/<pid>/schedstat``): a search may read on a second connection (the
    facet bitmaps' refresh, ``search/facet_postings.py``). ``(0, {})`` where that cannot be
    read (another host, not Linux)."""
    import sqlalchemy as sa
    from ckan import model

    pid = int(model.Session.execute(sa.text("SELECT pg_backend_pid()")).scalar() or 0)
    pids = model.Session.execute(
        sa.text(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND backend_type = 'client backend'"
        )
    ).scalars()
    used: dict[int, int] = {}
    for backend in pids:
        try:
            with open(f"/proc/{backend}/schedstat") as f:
                used[int(backend)] = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            if backend == pid:
                return 0, {}
    return pid, used


def run(repeat: int, *, cached: bool) -> None:
    """Times every query; ``cached=False`` measures the index itself (every answer computed).

    Beside the wall-clock times, the CPU time each search used — CKAN's process plus its
    PostgreSQL backends — which is what it takes on an idle core: on a machine whose cores
    other work is using, the wall clock measures the queue as much as the search. (Parallel
    query workers' CPU is not counted: ``--serial`` runs without them.)
    """
    import ckan.plugins.toolkit as tk

    tk.config["ckanext.govshare.search.cache_ttl"] = 300 if cached else 0
    search = tk.get_action("package_search")
    print(
        f"{'query':28} {'hits':>7} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}"
        f" {'cpu p50':>8} {'cpu p95':>8}"
    )
    everything: list[float] = []
    cpu_everything: list[float] = []
    for label, params in QUERIES:
        times = []
        cpu = []
        hits = 0
        for i in range(repeat + 2):
            pid, backend_before = _backend_cpu_ns()
            client_before = time.process_time_ns()
            started = time.perf_counter()
            result = search({"user": "", "ignore_auth": False}, dict(params))
            elapsed = (time.perf_counter() - started) * 1000
            client = time.process_time_ns() - client_before
            pid_after, backend_after = _backend_cpu_ns()
            if i >= 2:  # two warm-up runs
                times.append(elapsed)
                if pid and pid == pid_after:
                    backends = sum(
                        ns - backend_before.get(backend, 0) for backend, ns in backend_after.items()
                    )
                    cpu.append((client + backends) / 1e6)
            hits = result["count"]
        everything.extend(times)
        cpu_everything.extend(cpu)
        cpu_cols = (
            f" {percentile(cpu, 50):8.1f} {percentile(cpu, 95):8.1f}"
            if cpu
            else f" {'-':>8} {'-':>8}"
        )
        print(
            f"{label:28} {hits:7d} {percentile(times, 50):8.1f} {percentile(times, 95):8.1f} "
            f"{statistics.mean(times):8.1f}{cpu_cols}"
        )
    cpu_cols = (
        f" {percentile(cpu_everything, 50):8.1f} {percentile(cpu_everything, 95):8.1f}"
        if cpu_everything
        else ""
    )
    print(
        f"{'ALL QUERIES':28} {'':7} {percentile(everything, 50):8.1f} "
        f"{percentile(everything, 95):8.1f} {statistics.mean(everything):8.1f}{cpu_cols}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--ckan-ini", default="config/bench.ini")
    parser.add_argument("-n", type=int, default=10000, help="catalogue entries to load")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per query")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--writes", type=int, default=5000, help="changes of the write load")
    parser.add_argument(
        "--gin-fastupdate",
        choices=["on", "off"],
        help="set the GIN indexes' fastupdate for this run (default: as migrated)",
    )
    parser.add_argument(
        "--gin-pending-limit",
        type=int,
        help="with --gin-fastupdate: the indexes' gin_pending_list_limit, in kB",
    )
    parser.add_argument(
        "--serial",
        action="store_true",
        help="no parallel query workers (so the CPU column counts all of a query's work)",
    )
    parser.add_argument(
        "--scan-facets",
        action="store_true",
        help="count a search's facets by a scan of its matches, not the kept bitmaps "
        "(the way before migration c8f2a4d6e1b9, for comparison)",
    )
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    config = load_config(args.ckan_ini)
    config["ckan.site_id"] = BENCH_SITE
    make_app(config)
    import ckan.plugins.toolkit as tk

    tk.config["ckan.site_id"] = BENCH_SITE
    print(f"Loading {args.n} synthetic entries (site_id {BENCH_SITE})...")
    took = load(args.n, args.seed)
    if took:
        print(f"  {args.n / took:.0f} entries/s indexed ({took:.1f} s)")
        vacuum()  # as autovacuum does after a bulk load
    else:
        print("  already loaded")
    if args.serial:
        from ckan import model
        from sqlalchemy import event

        def serial(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET max_parallel_workers_per_gather = 0")

        engine = model.meta.engine
        assert engine is not None
        model.Session.remove()
        engine.dispose()
        event.listen(engine, "connect", serial)
        print("Parallel query workers: off")
    if args.gin_fastupdate:
        set_gin_fastupdate(args.gin_fastupdate, args.gin_pending_limit)
        limit = f", gin_pending_list_limit = {args.gin_pending_limit} kB"
        limit = limit if args.gin_pending_limit else ""
        print(f"GIN indexes: fastupdate = {args.gin_fastupdate}{limit}")
    if args.scan_facets:
        from ckanext.govshare.search import facet_postings

        facet_postings.available = lambda session: False  # type: ignore[assignment]
        print("Facets of searches' matches: counted by a scan (--scan-facets)")
    print(f"\npackage_search as an anonymous visitor, {args.repeat} runs per query.")
    print("Uncached (cache_ttl = 0: every answer computed from the index):")
    run(args.repeat, cached=False)
    if args.writes:
        print(f"\nWrite load: {args.writes} changes, one transaction each...")
        write_load(args.n, args.writes, args.seed)
        check_kept_counts()
        check_postings()
        print("\nUncached, after the write load (nothing vacuumed since):")
        run(args.repeat, cached=False)
        vacuum()
        print("\nUncached, after the write load and a vacuum (what autovacuum does next):")
        run(args.repeat, cached=False)
    print("\nCached (the default: answers kept until the index changes):")
    run(args.repeat, cached=True)


if __name__ == "__main__":
    main()

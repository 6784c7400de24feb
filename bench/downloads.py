"""Download benchmark: govshare's download route against CKAN's own, and the bulk ZIP.

    python bench/downloads.py --ckan-ini config/bench-downloads.ini
    python bench/downloads.py --ckan-ini config/bench-downloads.ini --big-mb 256 \
        --bulk-mb 512 --bulk-files 50 --repeat 100          # scaled down

Both routes are measured in one run, against one server process (Werkzeug, threaded, as
``ckan run``) that this script starts, on the same files:

1. latency of a ``--small-kb`` (10) KB file: ``--repeat`` sequential GETs of each route,
   interleaved; p50/p95/mean and the ratio govshare / CKAN (target ≤ 1.10). The govshare route
   checks the token, counts the download and writes its audit event before each response.
2. throughput of a ``--big-mb`` (1024) MB file, each route twice, best run; MB/s beside
   ``cat file > /dev/null`` (warm page cache; target ≥ 0.95 of CKAN's route).
3. ``POST /govshare/bulk`` of ``--bulk-mb`` (2048) MB across ``--bulk-files`` (200) files:
   MB/s, and the server's peak RSS growth over its RSS before the request (target < 100 MB).
4. a CSV cut to a narrowed grant (issue 16, items 3 and 10): ``GET /govshare/download/<rid>``
   of the ``--cut-rows`` (1,000,000) row DataStore table of ``bench/query.py`` with a token
   of a grant narrowed to 5 of its 8 columns, every row; MB/s and rows/s beside the floor,
   ``COPY (SELECT <the same columns> FROM "<rid>") TO STDOUT WITH CSV`` over the DataStore's
   read URL (psycopg2), and the server's peak RSS growth during the cut (constant memory).
   Beside them, the same COPY in keyset batches of 50,000 rows (``_id`` order): what a
   server could stream in constant memory with PostgreSQL writing the CSV.
   The file is checked: its header holds exactly the granted columns, and it has every row.

``--only files`` runs 1–3, ``--only cut`` runs 4 (the table is built once by
``bench/query.py``'s builder and reused by both benchmarks).

The files are generated once under ``var/bench-downloads/`` and hard-linked into
``ckan.storage_path``. Use a database of its own (see docs/benchmarks.md); each run adds a
department, a user, an entry, a grant and a token to it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench-downloads"
MB = 1024 * 1024


# ---------------------------------------------------------------------------- files


def ensure_file(path: Path, size: int, seed: int) -> Path:
    """A file of ``size`` bytes of incompressible data (made once, then reused)."""
    if path.exists() and path.stat().st_size == size:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    block = os.urandom(MB)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        left, i = size, seed
        while left > 0:
            chunk = block[i % 997 :] + block[: i % 997]  # varies per block, cheaply
            f.write(chunk[: min(left, MB)])
            left -= MB
            i += 1
    tmp.rename(path)
    return path


# ---------------------------------------------------------------------------- the site


def set_up(args: argparse.Namespace) -> dict[str, Any]:
    """A provider, a holding department with a user, one entry with every file, a grant."""
    import secrets

    from ckan import model
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from ckan.lib.uploader import get_resource_uploader
    from ckan.plugins import toolkit as tk

    from ckanext.govshare.tests import factories as gs

    config = load_config(args.ckan_ini)
    app = make_app(config)
    suffix = secrets.token_hex(3)
    with_files = args.only in (None, "files")
    if with_files:
        small = ensure_file(CACHE / f"small-{args.small_kb}k.bin", args.small_kb * 1024, 1)
        big = ensure_file(CACHE / f"big-{args.big_mb}m.bin", args.big_mb * MB, 2)
        per = max(args.bulk_mb * MB // args.bulk_files, 1)
        bulk = [
            ensure_file(CACHE / f"bulk-{per}-{i:04d}.bin", per, 100 + i)
            for i in range(args.bulk_files)
        ]
    else:
        small = big = Path()
        bulk = []
    with app._wsgi_app.test_request_context():
        site = {"user": "", "ignore_auth": True}
        admin = model.User.get("bench-admin")
        if admin is None:
            tk.get_action("user_create")(
                site,
                {
                    "name": "bench-admin",
                    "email": "bench@localhost",
                    "password": secrets.token_urlsafe(16),
                },
            )
            admin = model.User.get("bench-admin")
            admin.sysadmin = True
            model.Session.commit()
        ctx = lambda: {"user": "bench-admin", "ignore_auth": True}  # noqa: E731
        user = tk.get_action("user_create")(
            ctx(),
            {
                "name": f"bench-user-{suffix}",
                "email": f"u{suffix}@localhost",
                "password": secrets.token_urlsafe(16),
            },
        )
        orgs = []
        for role in ("provider", "holder"):
            orgs.append(
                tk.get_action("organization_create")(
                    ctx(),
                    {
                        "name": f"bench-{role}-{suffix}",
                        "title": f"bench {role}",
                        "provider_code": gs.provider_code(),
                        "department_level": "provincial",
                    },
                )
            )
        tk.get_action("organization_member_create")(
            ctx(), {"id": orgs[1]["id"], "username": user["name"], "role": "member"}
        )
        # Two entries: CKAN's route reads the whole entry (package_show) on every download,
        # so the single files sit in a small entry of their own, as most entries are.
        singles = [("small.bin", small), ("big.bin", big)]
        parts = [(f"part-{i:04d}.bin", p) for i, p in enumerate(bulk)]
        as_user = {"user": user["name"], "ignore_auth": False}
        entries, tokens = [], []
        cut: dict[str, Any] = {}
        if args.only in (None, "cut") and args.cut_rows:
            cut = set_up_cut(args.cut_rows, user)
        for title, files in (("下载基准", singles), ("批量下载基准", parts)) if with_files else ():
            entry = tk.get_action("package_create")(
                ctx(),
                {
                    **gs.entry_fields(),
                    "name": f"bench-entry-{len(entries)}-{suffix}",
                    "title": title,
                    "notes": "bench",
                    "owner_org": orgs[0]["id"],
                    "resources": [
                        {"name": n, "url": n, "url_type": "upload", "size": p.stat().st_size}
                        for n, p in files
                    ],
                },
            )
            for res, (_, path) in zip(entry["resources"], files, strict=True):
                target = get_resource_uploader(res).get_path(res["id"])
                os.makedirs(os.path.dirname(target), exist_ok=True)
                if not os.path.exists(target):
                    os.link(path, target)
            grant = tk.get_action("govshare_access_obtain")(
                dict(as_user),
                {
                    "package_id": entry["id"],
                    "purpose": "work_reference",
                    "purpose_detail": "benchmark",
                    "pledge": True,
                },
            )
            token = tk.get_action("govshare_token_create")(
                dict(as_user), {"grant_id": grant["id"], "expires_in": 86400}
            )
            entries.append(entry)
            tokens.append(token["token"])
        api = tk.get_action("api_token_create")(ctx(), {"user": user["name"], "name": "bench"})
    if not with_files:
        return {"cut": cut}
    return {
        "package": entries[0]["name"],
        "small": entries[0]["resources"][0],
        "big": entries[0]["resources"][1],
        "bulk": entries[1]["resources"],
        "small_path": str(small),
        "big_path": str(big),
        "token": tokens[0],
        "bulk_token": tokens[1],
        "api_token": api["token"],
        "cut": cut,
    }


def set_up_cut(rows: int, user: dict[str, Any]) -> dict[str, Any]:
    """The DataStore table of ``rows`` registrations (``bench/query.py`` builds it once), a
    grant of ``user``'s department narrowed to 5 of its 8 columns (every row; share method
    file download) and a download token on it. Call inside the site's request context."""
    from ckan.plugins import toolkit as tk

    sys.path.insert(0, str(ROOT / "bench"))
    import query  # bench/query.py: the table, the entry and the narrowed grant

    table = query.ensure_table(rows)
    grant = query.narrowed_grant(
        user,
        table["package_id"],
        "administrative_basis",
        share_method="file_download",
        data_items=query.GRANTED_ITEMS,
        row_filter=None,
        max_calls_per_day=None,
    )
    columns = [c for c, _, item, _ in query.COLUMNS if item in query.GRANTED_ITEMS]
    return {
        "resource_id": table["resource_id"],
        "rows": rows,
        "token": grant["token"],
        "columns": columns,
        "read_url": tk.config["ckan.datastore.read_url"],
    }


# ---------------------------------------------------------------------------- the server


def serve(ckan_ini: str, port: int) -> None:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from werkzeug.serving import run_simple

    app = make_app(load_config(ckan_ini))
    run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False, use_debugger=False)


def start_server(args: argparse.Namespace) -> tuple[subprocess.Popen, str]:
    import requests

    cmd = [sys.executable, __file__, "--ckan-ini", args.ckan_ini, "--serve", str(args.port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    for _ in range(120):
        try:
            requests.get(f"{base}/api/3/action/status_show", timeout=2)
            return proc, base
        except requests.RequestException:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the server did not start")


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# ---------------------------------------------------------------------------- measuring


def fetch(session: Any, method: str, url: str, **kw: Any) -> int:
    """Bytes of the whole body, read in 1 MiB chunks and dropped."""
    with session.request(method, url, stream=True, timeout=600, **kw) as r:
        if r.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {r.status_code} {r.text[:200]}")
        return sum(len(c) for c in r.iter_content(MB))


def latency(session: Any, urls: dict[str, tuple[str, dict[str, str]]], repeat: int) -> dict:
    times: dict[str, list[float]] = {k: [] for k in urls}
    for _ in range(5):  # warm-up
        for url, headers in urls.values():
            fetch(session, "GET", url, headers=headers)
    for _ in range(repeat):
        for name, (url, headers) in urls.items():
            started = time.perf_counter()
            fetch(session, "GET", url, headers=headers)
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def throughput(session: Any, url: str, headers: dict[str, str], runs: int = 2) -> float:
    best = 0.0
    for _ in range(runs):
        started = time.perf_counter()
        size = fetch(session, "GET", url, headers=headers)
        best = max(best, size / MB / (time.perf_counter() - started))
    return best


def cat_speed(path: str, runs: int = 2) -> float:
    best = 0.0
    size = os.path.getsize(path)
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(f"cat '{path}' > /dev/null", shell=True, check=True)
        best = max(best, size / MB / (time.perf_counter() - started))
    return best


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


class Sink:
    """A file-like end of COPY's output: counts bytes and lines, keeps nothing."""

    def __init__(self) -> None:
        self.bytes = 0
        self.lines = 0

    def write(self, data: bytes | str) -> int:
        raw = data.encode() if isinstance(data, str) else data
        self.bytes += len(raw)
        self.lines += raw.count(b"\n")
        return len(raw)


def copy_floor(read_url: str, resource_id: str, columns: list[str], runs: int = 2) -> dict:
    """``COPY (SELECT <columns> FROM "<rid>") TO STDOUT WITH CSV`` over the DataStore's read
    URL: the floor of any CSV of those columns (best of ``runs``)."""
    import psycopg2

    cols = ", ".join(f'"{c}"' for c in columns)
    sql = f'COPY (SELECT {cols} FROM "{resource_id}") TO STDOUT WITH CSV'
    best: dict = {}
    conn = psycopg2.connect(read_url)
    try:
        for _ in range(runs):
            sink = Sink()
            started = time.perf_counter()
            with conn.cursor() as cur:
                cur.copy_expert(sql, sink)
            elapsed = time.perf_counter() - started
            conn.rollback()
            if not best or elapsed < best["seconds"]:
                best = {"seconds": elapsed, "bytes": sink.bytes, "rows": sink.lines}
    finally:
        conn.close()
    return best


def copy_batches(read_url: str, resource_id: str, columns: list[str], batch: int = 50_000) -> dict:
    """The same columns as CSV from ``COPY`` in keyset batches of ``batch`` rows (``_id`` >
    the last one, in ``_id`` order), each batch read whole before the next: what a server
    could stream in constant memory with PostgreSQL writing the CSV."""
    import psycopg2

    cols = ", ".join(f'"{c}"' for c in columns)
    conn = psycopg2.connect(read_url)
    sink = Sink()
    started = time.perf_counter()
    try:
        after = 0
        with conn.cursor() as cur:
            while True:
                cur.execute(
                    f'SELECT max("_id") FROM (SELECT "_id" FROM "{resource_id}" '
                    'WHERE "_id" > %s ORDER BY "_id" LIMIT %s) s',
                    (after, batch),
                )
                last = cur.fetchone()[0]
                if last is None:
                    break
                part = Sink()
                cur.copy_expert(
                    f'COPY (SELECT {cols} FROM "{resource_id}" WHERE "_id" > {int(after)} '
                    f'AND "_id" <= {int(last)} ORDER BY "_id") TO STDOUT WITH CSV',
                    part,
                )
                sink.bytes += part.bytes
                sink.lines += part.lines
                after = last
        conn.rollback()
    finally:
        conn.close()
    return {"seconds": time.perf_counter() - started, "bytes": sink.bytes, "rows": sink.lines}


def cut_download(session: Any, url: str, headers: dict[str, str], pid: int) -> dict:
    """One cut download, read in 1 MiB chunks: seconds, bytes, lines, the header line, the
    first bytes' delay and the server's RSS before and at its peak (sampled every 50 ms)."""
    peak = [0]
    before = rss_kb(pid)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_kb(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    first = None
    size = lines = 0
    head = b""
    try:
        with session.get(url, headers=headers, stream=True, timeout=3600) as r:
            if r.status_code != 200:
                raise RuntimeError(f"cut: HTTP {r.status_code} {r.text[:300]}")
            for chunk in r.iter_content(MB):
                if first is None:
                    first = time.perf_counter() - started
                if len(head) < 4096:
                    head += chunk[:4096]
                size += len(chunk)
                lines += chunk.count(b"\n")
    finally:
        done.set()
        sampler.join()
    return {
        "seconds": time.perf_counter() - started,
        "bytes": size,
        "lines": lines,
        "header": head.split(b"\n", 1)[0].decode("utf-8-sig").strip(),
        "first": first or 0.0,
        "rss_before": before,
        "rss_peak": max(peak[0], before),
    }


def cut_section(session: Any, base: str, cut: dict[str, Any], pid: int) -> None:
    rows = cut["rows"]
    print(
        f"\n4. CSV cut to a narrowed grant: {rows:,} rows, {len(cut['columns'])} of 8 columns"
        f" ({', '.join(cut['columns'])}), GET /govshare/download/<rid>, bearer token"
    )
    floor = copy_floor(cut["read_url"], cut["resource_id"], cut["columns"])
    batched = copy_batches(cut["read_url"], cut["resource_id"], cut["columns"])
    url = f"{base}/govshare/download/{cut['resource_id']}"
    bearer = {"Authorization": f"Bearer {cut['token']}"}
    runs = [cut_download(session, url, bearer, pid) for _ in range(2)]
    best = min(runs, key=lambda r: r["seconds"])
    header = best["header"].split(",")
    if header != cut["columns"] or best["lines"] != rows + 1:
        raise RuntimeError(f"the cut is not the grant's: header {header}, {best['lines'] - 1} rows")
    print(f"   {'':<36} {'MB':>8} {'s':>7} {'MB/s':>8} {'rows/s':>10}")
    for name, r in (
        ("COPY ... TO STDOUT (floor)", floor),
        ("COPY in keyset batches of 50,000", batched),
        ("govshare cut CSV (best of 2)", best),
    ):
        print(
            f"   {name:<36} {r['bytes'] / MB:8.1f} {r['seconds']:7.2f}"
            f" {r['bytes'] / MB / r['seconds']:8.1f} {rows / r['seconds']:10,.0f}"
        )
    ratio = (best["bytes"] / best["seconds"]) / (floor["bytes"] / floor["seconds"])
    print(f"   ratio cut / floor (MB/s): {ratio:.3f}")
    print(f"   header {header}, {best['lines'] - 1:,} rows: the grant's columns, every row")
    print(f"   first bytes after     {best['first'] * 1000:8.0f} ms")
    for i, r in enumerate(runs, 1):
        print(
            f"   run {i}: {r['seconds']:.2f} s; server RSS {r['rss_before'] / 1024:.1f} MB before,"
            f" peak {r['rss_peak'] / 1024:.1f} MB,"
            f" growth {(r['rss_peak'] - r['rss_before']) / 1024:.1f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ckan-ini", default="config/bench-downloads.ini")
    parser.add_argument("--small-kb", type=int, default=10)
    parser.add_argument("--big-mb", type=int, default=1024)
    parser.add_argument("--bulk-mb", type=int, default=2048)
    parser.add_argument("--bulk-files", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--cut-rows", type=int, default=1_000_000, help="0: no cut CSV")
    parser.add_argument("--only", choices=("files", "cut"), help="sections 1-3, or 4 only")
    parser.add_argument("--port", type=int, default=5091)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.ckan_ini, args.serve)
        return

    import requests

    print("setting up (files are generated once, under var/bench-downloads/) …", flush=True)
    site = set_up(args)
    proc, base = start_server(args)
    try:
        session = requests.Session()
        if args.only == "cut":
            cut_section(session, base, site["cut"], proc.pid)
            return
        bearer = {"Authorization": f"Bearer {site['token']}"}
        ckan_auth = {"Authorization": site["api_token"]}

        def ours(res: dict[str, Any]) -> tuple[str, dict[str, str]]:
            return f"{base}/govshare/download/{res['id']}", bearer

        def theirs(res: dict[str, Any]) -> tuple[str, dict[str, str]]:
            name = res["url"].rsplit("/", 1)[-1]
            url = f"{base}/dataset/{site['package']}/resource/{res['id']}/download/{name}"
            return url, ckan_auth

        print(f"\n1. latency, {args.small_kb} KB file, {args.repeat} requests per route (ms)")
        times = latency(
            session, {"govshare": ours(site["small"]), "ckan": theirs(site["small"])}, args.repeat
        )
        print(f"   {'route':<10} {'p50':>7} {'p95':>7} {'mean':>7}")
        for name, values in times.items():
            print(
                f"   {name:<10} {statistics.median(values):7.2f} {pct(values, 95):7.2f}"
                f" {statistics.fmean(values):7.2f}"
            )
        ratio = statistics.median(times["govshare"]) / statistics.median(times["ckan"])
        print(f"   ratio govshare/ckan (p50): {ratio:.3f}  (target <= 1.10)")

        print(f"\n2. throughput, {args.big_mb} MB file (MB/s, best of 2)")
        cat = cat_speed(site["big_path"])
        gov = throughput(session, *ours(site["big"]))
        ck = throughput(session, *theirs(site["big"]))
        print(f"   cat file > /dev/null  {cat:8.1f}")
        print(f"   ckan route            {ck:8.1f}")
        print(f"   govshare route        {gov:8.1f}")
        print(f"   ratio govshare/ckan: {gov / ck:.3f}  (target >= 0.95)")

        total = sum(r["size"] for r in site["bulk"])
        print(
            f"\n3. bulk ZIP, {total / MB:.0f} MB across {len(site['bulk'])} files"
            " (POST /govshare/bulk, bearer token)"
        )
        peak = [0]
        before = rss_kb(proc.pid)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], rss_kb(proc.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        first = None
        with session.post(
            f"{base}/govshare/bulk",
            json={"resource_ids": [r["id"] for r in site["bulk"]]},
            headers={"Authorization": f"Bearer {site['bulk_token']}"},
            stream=True,
            timeout=3600,
        ) as r:
            if r.status_code != 200:
                raise RuntimeError(f"bulk: HTTP {r.status_code} {r.text[:300]}")
            size = 0
            for chunk in r.iter_content(MB):
                if first is None:
                    first = time.perf_counter() - started
                size += len(chunk)
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
        print(f"   first bytes after     {first * 1000:8.0f} ms")
        print(f"   archive               {size / MB:8.0f} MB in {elapsed:.1f} s")
        print(f"   throughput            {size / MB / elapsed:8.1f} MB/s")
        print(
            f"   server RSS            {before / 1024:8.1f} MB before, peak {peak[0] / 1024:.1f} MB"
            f", growth {(peak[0] - before) / 1024:.1f} MB  (target < 100)"
        )
        if site["cut"]:
            cut_section(session, base, site["cut"], proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()

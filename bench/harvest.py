"""Harvest benchmark: entries/second for an upper platform harvesting N entries of a lower one.

Starts the two loopback sites of the federation tests (``ckanext/govshare/tests/federation/
sites.py``: the lower platform and an upper one in its harvesting role, each on its own
database derived from the bench config's), loads N synthetic catalogue entries with every
catalogue field into the lower's search index (the documents of ``bench/catalog_export.py``),
then times a full first harvest of them by each harvester, one after the other, into the upper
site: ``govshare_dcat_rdf`` (ckanext-dcat's RDF harvester reading ``/catalog.ttl`` through the
govshare profile) and ``govshare_ckan`` (the CKAN harvester reading ``package_search``). The
time is the harvest job's, gather to the last import, in one process (CKAN's start excluded;
beside it the CPU time that process spent, which the machine's other work does not inflate),
run by ``harvest/jobs.py`` (``ckan govshare harvest run``). Beside them, stock ckanext-harvest's
``ckan`` harvester on the same entries, run as its own consumers run it; it is slow, so by
default it imports a sample of 1,000 records and the whole job is extrapolated from it
(``--stock-sample``, printed as such).
It checks that the upper site holds N entries from each source. ``--runs 2`` then times a
second harvest with nothing changed upstream (a platform's daily re-harvest).

    python bench/harvest.py --ckan-ini config/bench-harvest.ini            # 10,000
    python bench/harvest.py --ckan-ini config/bench-harvest.ini -n 1000 --only ckan
    python bench/harvest.py --ckan-ini config/bench-harvest.ini -n 2000 --runs 2  # and a re-run

The bench config is written like the others (own database, own Redis DB; the sites use the
DB names ``<db>_lower``, ``<db>_upper``, ``<db>_fedtpl`` and Redis DB + 8):
``CKAN_INI=$PWD/config/bench-harvest.ini DB_NAME=govshare_bench_harvest REDIS_DB=5 bash
scripts/setup.sh database config migrate i18n``. ``GOVSHARE_HARVEST_BATCH`` sets ``jobs.run``'s
batch; ``--workers N`` imports with N processes (``harvest run --workers``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SOURCES = {
    "dcat": ("govshare_dcat_rdf", "/catalog.ttl", '{{"rdf_format": "turtle"}}'),
    "ckan": ("govshare_ckan", "", "{{}}"),
    # ckanext-harvest's own CKAN harvester, run as its consumers run it (run_harvest ``:stock``).
    # (A config of its own: ckanext-harvest refuses two sources of one URL and config.)
    "stock": ("ckan", "", '{{"api_version": 3}}'),
}


def load_into(ini: str, site_id: str, n: int, seed: int) -> None:
    """Inside a process configured as the lower site: load the synthetic entries."""
    import catalog_export
    import search
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    make_app(load_config(ini))
    catalog_export.EXPORT_SITE = site_id
    search.BENCH_SITE = site_id
    search.synthetic_doc = catalog_export.catalogue_doc
    took = search.load(n, seed)
    print(f"  {n} entries indexed on the lower site in {took:.1f} s")


def _spec(key: str, args: argparse.Namespace) -> str:
    if key != "stock":
        return f"bench-{key}"
    sample = args.stock_sample if 0 < args.stock_sample < args.n else 0
    return f"bench-stock:stock:{sample}" if sample else "bench-stock:stock"


def harvest(upper: Any, chosen: list[str], args: argparse.Namespace) -> None:
    """One job per chosen source, one after the other, in one process; prints each one's time."""
    started = time.perf_counter()
    profile = ["-m", "cProfile", "-o", args.profile] if args.profile else []
    run = subprocess.Popen(
        [
            sys.executable,
            *profile,
            "-m",
            "ckanext.govshare.tests.federation.run_harvest",
            str(upper.ini),
            *[_spec(key, args) for key in chosen],
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={
            **os.environ,
            **({"GOVSHARE_HARVEST_STRICT_COMMITS": "1"} if args.strict_commits else {}),
            "GOVSHARE_HARVEST_WORKERS": str(args.workers),
        },
    )
    for line in run.stdout:  # one line per source, as each job ends
        if not line.startswith("{"):
            continue
        result = json.loads(line)
        key = result["source"].removeprefix("bench-")
        found = upper.action("package_search", fq=f"organization:via-{key}", rows=0)["count"]
        errors = upper.sql(
            "select count(*) from harvest_object_error e join harvest_object o "
            "on o.id = e.harvest_object_id join harvest_job j on j.id = o.harvest_job_id "
            "join package p on p.id = j.source_id where p.name = :name "
            "and j.created = (select max(created) from harvest_job where source_id = p.id)",
            name=result["source"],
        )[0][0]
        gather = upper.sql(
            "select extract(epoch from j.gather_finished - j.gather_started) "
            "from harvest_job j join package p on p.id = j.source_id "
            "where p.name = :name order by j.created desc limit 1",
            name=result["source"],
        )[0][0]
        seconds = result["seconds"]
        imported = seconds - float(gather or 0)
        statuses = ", ".join(f"{n} {s}" for s, n in sorted(result["statuses"].items()))
        records = sum(result["statuses"].values())
        print(
            f"  {SOURCES[key][0]}: {found} of {args.n} entries in {seconds:.1f} s: "
            f"{found / seconds:.1f} entries/s ({errors} import errors); gather "
            f"{float(gather or 0):.1f} s, import {imported:.1f} s "
            f"({records / max(imported, 1e-9):.1f} records/s: {statuses or 'none'})",
            flush=True,
        )
        if "cpu_seconds" in result:
            print(
                "    CPU of the harvesting process (and its workers): "
                f"{result['cpu_seconds']:.1f} s, "
                f"{1000 * result['cpu_seconds'] / max(records, 1):.1f} ms a record",
                flush=True,
            )
        if key == "stock" and 0 < records < args.n:
            whole = float(gather or 0) + imported * args.n / records
            print(
                f"    extrapolated from the sample of {records}: {args.n} entries in "
                f"{whole:.0f} s, {args.n / whole:.1f} entries/s",
                flush=True,
            )
    if run.wait():
        sys.exit(run.stderr.read()[-3000:])
    print(f"  (whole run with CKAN's start: {time.perf_counter() - started:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ckan-ini", default="config/bench-harvest.ini")
    parser.add_argument("-n", type=int, default=10_000, help="catalogue entries to harvest")
    parser.add_argument("--only", choices=sorted(SOURCES), help="one harvester only")
    parser.add_argument(
        "--strict-commits",
        action="store_true",
        help="commits wait for the disk, as before harvest/commits.py (for comparison)",
    )
    parser.add_argument(
        "--stock-sample",
        type=int,
        default=1000,
        metavar="K",
        help="import only the first K records with the stock harvester and extrapolate "
        "(0: all of them)",
    )
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument(
        "--workers", type=int, default=1, help="import processes of each govshare job (--workers)"
    )
    parser.add_argument("--profile", metavar="FILE", help="cProfile the harvest into FILE")
    parser.add_argument(
        "--runs", type=int, default=1, help="harvest again this often less one (nothing changed)"
    )
    parser.add_argument("--load-into", nargs=2, metavar=("INI", "SITE_ID"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load_into:
        load_into(*args.load_into, args.n, args.seed)
        return

    from ckanext.govshare.tests.federation.sites import Federation

    workdir = ROOT / "var" / f"bench-harvest-{Path(args.ckan_ini).stem}"
    workdir.mkdir(parents=True, exist_ok=True)
    federation = Federation(Path(args.ckan_ini).resolve(), workdir)
    extra = {"ckanext.dcat.rdf.profiles": "govshare", "ckanext.dcat.datasets_per_page": "100"}
    chosen = [args.only] if args.only else list(SOURCES)
    # The stock CKAN harvester harvests into a stock CKAN of its own: the platform's rules
    # refuse what it sends (a resource code without an origin), and it creates its entries
    # under the source's ids, as govshare_ckan does. The same search backend and activities.
    roles = {"lower": extra, "upper": extra}
    if "stock" in chosen:
        roles["upper-stock"] = {
            **extra,
            "ckan.plugins": "activity harvest ckan_harvester govshare_search",
        }
    try:
        federation.start(roles)
        lower = federation.wait(federation.sites["lower"])
        site_id = re.search(r"^ckan\.site_id\s*=\s*(\S+)", lower.ini.read_text(), re.M)[1]
        print(f"Loading {args.n} synthetic entries into the lower site ({lower.url})...")
        subprocess.run(
            [sys.executable, __file__, "-n", str(args.n), "--load-into", str(lower.ini), site_id],
            check=True,
        )
        targets = {
            key: federation.wait(federation.sites["upper-stock" if key == "stock" else "upper"])
            for key in chosen
        }
        for key in chosen:
            source_type, path, config = SOURCES[key]
            targets[key].action(
                "organization_create", name=f"via-{key}", title=key, department_level="national"
            )
            targets[key].action(
                "harvest_source_create",
                name=f"bench-{key}",
                title="Lower platform",
                url=lower.url + path,
                source_type=source_type,
                owner_org=f"via-{key}",
                config=config.format(),
            )
        for number in range(1, args.runs + 1):
            if number == 2 and "stock" in chosen and 0 < args.stock_sample < args.n:
                # A sampled job left records unimported: the stock harvester's next job would
                # read everything again, not what changed.
                chosen = [key for key in chosen if key != "stock"]
                print("  (the stock harvester, sampled, is not run again)")
            if not chosen:
                break
            what = "first harvest" if number == 1 else f"harvest {number} (nothing changed)"
            for name in dict.fromkeys(targets[key].name for key in chosen):
                site = federation.sites[name]
                keys = [key for key in chosen if targets[key].name == name]
                print(
                    f"{what.capitalize()} with {', '.join(keys)} into {site.name} ({site.url})..."
                )
                harvest(site, keys, args)
    finally:
        federation.stop()


if __name__ == "__main__":
    main()

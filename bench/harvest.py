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

``--catalogue M`` (M > N) times that re-harvest against a catalogue of M entries without a
first harvest of all of them (at an import rate of 7–15 entries/s, M = 100,000 would take 2–4
hours a harvester): after the first harvest of N, the lower site gets the other M - N entries
of the same synthetic catalogue (modified before that harvest, as a catalogue that has not
changed since), and the upper site, for each source, a harvest record and an entry row for
each of them, copied in SQL from one record the first harvest wrote (its job, its source, its
content) with the new entry's guid. A re-harvest of an unchanged catalogue reads nothing else
of them: the current guids, the catalogue's count or its ids, and what changed since the last
job (none). So the re-harvest works against M records as after a real first harvest of M.
``--delete K`` then takes K entries out of the lower site before each run from the third: the
re-harvest must mirror those deletions (the DCAT harvester then walks the whole catalogue).

    python bench/harvest.py --ckan-ini config/bench-harvest.ini            # 10,000
    python bench/harvest.py --ckan-ini config/bench-harvest.ini -n 1000 --only ckan
    python bench/harvest.py --ckan-ini config/bench-harvest.ini -n 2000 --runs 2  # and a re-run
    python bench/harvest.py --ckan-ini config/bench-harvest.ini -n 300 --runs 4 --catalogue 100000 \
        --delete 100

The bench config is written like the others (own database, own Redis DB; the sites use the
DB names ``<db>_lower``, ``<db>_upper``, ``<db>_fedtpl`` and Redis DB + 8):
``CKAN_INI=$PWD/config/bench-harvest.ini DB_NAME=govshare_bench_harvest REDIS_DB=5 bash
scripts/setup.sh database config migrate i18n``. ``GOVSHARE_HARVEST_BATCH`` sets ``jobs.run``'s
batch; ``--workers N`` imports with N processes (``harvest run --workers``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
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


def grow_into(ini: str, site_id: str, start: int, end: int, seed: int) -> None:
    """Inside a process configured as the lower site: add entries ``start`` to ``end`` - 1 of
    the synthetic catalogue ``load_into`` began (the same documents a load of ``end`` writes)."""
    import random

    import catalog_export
    import search
    from ckan import model
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    from ckanext.govshare.search.connection import PostgresSearchConnection

    make_app(load_config(ini))
    catalog_export.EXPORT_SITE = site_id
    search.BENCH_SITE = site_id
    rng = random.Random(seed)
    conn = PostgresSearchConnection()
    started = time.perf_counter()
    batch: list[dict[str, Any]] = []
    for i in range(end):
        doc = catalog_export.catalogue_doc(i, rng)  # every one: the generator's sequence
        if i < start:
            continue
        batch.append(doc)
        if len(batch) == 1000 or i == end - 1:
            conn.add(batch)
            model.Session.commit()
            batch = []
    conn.optimize()
    model.Session.commit()
    search.vacuum()
    print(
        f"  {end - start} more entries indexed on the lower site in "
        f"{time.perf_counter() - started:.1f} s"
    )


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _columns(site: Any, table: str) -> list[str]:
    return [
        row[0]
        for row in site.sql(
            "select column_name from information_schema.columns where table_schema = 'public' "
            "and table_name = :t order by ordinal_position",
            t=table,
        )
    ]


@contextlib.contextmanager
def _transaction(site: Any) -> Iterator[Any]:
    """A connection to ``site``'s database in a transaction committed at the end (``Site.sql``
    does not commit what it writes)."""
    import sqlalchemy as sa

    engine = sa.create_engine(site.db_url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def seed_records(site: Any, source: str, lower_ids: list[str]) -> int:
    """The upper site's harvest record and entry row of each of ``lower_ids`` not harvested
    yet from ``source``, copied from one record its first job wrote (``--catalogue``)."""
    import uuid

    import sqlalchemy as sa

    template = site.sql(
        "select o.id, o.guid, o.package_id from harvest_object o join package s "
        "on s.id = o.harvest_source_id where s.name = :name and o.current "
        "and o.package_id is not null order by o.guid limit 1",
        name=source,
    )[0]
    found = _UUID.findall(template.guid)
    assert len(found) == 1, f"no single lower id in the guid {template.guid!r}"
    keeps_ids = template.package_id == found[0]  # govshare_ckan and stock ckan keep them
    known = {
        _UUID.search(guid)[0]
        for (guid,) in site.sql(
            "select o.guid from harvest_object o join package s on s.id = o.harvest_source_id "
            "where s.name = :name and o.current",
            name=source,
        )
    }
    new = [i for i in lower_ids if i not in known]
    package_cols = _columns(site, "package")
    object_cols = _columns(site, "harvest_object")
    over_package = {"id": "n.pid", "name": "n.pname"}
    over_object = {"id": "n.oid", "guid": "n.guid", "package_id": "n.pid"}
    insert_package = (
        f"insert into package ({', '.join(package_cols)}) select "
        + ", ".join(over_package.get(c, f"p.{c}") for c in package_cols)
        + " from package p, unnest(cast(:pids as text[]), cast(:pnames as text[])) "
        "as n(pid, pname) where p.id = :tpl"
    )
    insert_object = (
        f"insert into harvest_object ({', '.join(object_cols)}) select "
        + ", ".join(over_object.get(c, f"o.{c}") for c in object_cols)
        + " from harvest_object o, unnest(cast(:oids as text[]), cast(:guids as text[]), "
        "cast(:pids as text[])) as n(oid, guid, pid) where o.id = :tpl"
    )
    with _transaction(site) as conn:
        for start in range(0, len(new), 10_000):
            part = new[start : start + 10_000]
            pids = part if keeps_ids else [str(uuid.uuid4()) for _ in part]
            conn.execute(
                sa.text(insert_package),
                {
                    "pids": pids,
                    "pnames": [f"seeded-{source}-{i}" for i in part],
                    "tpl": template.package_id,
                },
            )
            conn.execute(
                sa.text(insert_object),
                {
                    "oids": [str(uuid.uuid4()) for _ in part],
                    "guids": [template.guid.replace(found[0], i) for i in part],
                    "pids": pids,
                    "tpl": template.id,
                },
            )
        conn.exec_driver_sql("analyze package; analyze harvest_object")
    return len(new)


def grow(federation: Any, lower: Any, site_id: str, chosen: list[str], args: Any) -> None:
    """``--catalogue``: the lower site and each source's records grown to that many entries."""
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--seed",
            str(args.seed),
            "--grow-into",
            str(lower.ini),
            site_id,
            str(args.n),
            str(args.catalogue),
        ],
        check=True,
    )
    lower_ids = [
        row[0]
        for row in lower.sql(
            "select package_id from govshare_search_index where site_id = :s", s=site_id
        )
    ]
    assert len(lower_ids) == args.catalogue, (len(lower_ids), args.catalogue)
    for key in chosen:
        site = federation.sites["upper-stock" if key == "stock" else "upper"]
        seeded = seed_records(site, f"bench-{key}", lower_ids)
        print(f"  {SOURCES[key][0]}: {seeded} harvest records and entries copied in SQL")
    print(f"  (grown to {args.catalogue} entries in {time.perf_counter() - started:.1f} s)")


def delete_upstream(lower: Any, site_id: str, k: int) -> list[str]:
    """``--delete``: ``k`` of the lower site's entries taken out of its index (its triggers
    keep the counts), committed; the ids taken."""
    import sqlalchemy as sa

    with _transaction(lower) as conn:
        return [
            row[0]
            for row in conn.execute(
                sa.text(
                    "with gone as (select index_id from govshare_search_index "
                    "where site_id = :s order by index_id limit :k) "
                    "delete from govshare_search_index i using gone "
                    "where i.index_id = gone.index_id returning i.package_id"
                ),
                {"s": site_id, "k": k},
            )
        ]


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
        if args.grown:
            # The copied entries are not in the upper's index: count the current records.
            found = upper.sql(
                "select count(*) from harvest_object o join package s "
                "on s.id = o.harvest_source_id where s.name = :name and o.current",
                name=result["source"],
            )[0][0]
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
            f"  {SOURCES[key][0]}: {found} of {args.expected} "
            f"entries in {seconds:.1f} s: "
            f"{found / seconds:.1f} entries/s ({errors} import errors); gather "
            f"{float(gather or 0):.1f} s, import {imported:.1f} s "
            f"({records / max(imported, 1e-9):.1f} records/s: {statuses or 'none'})",
            flush=True,
        )
        if "cpu_seconds" in result and not records:
            print(f"    CPU of the harvesting process: {result['cpu_seconds']:.1f} s", flush=True)
        elif "cpu_seconds" in result:
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
    parser.add_argument(
        "--catalogue",
        type=int,
        default=0,
        metavar="M",
        help="re-harvest a catalogue of M entries: after the first harvest of N, the others "
        "are added to the lower site and copied to the upper's records in SQL",
    )
    parser.add_argument(
        "--delete",
        type=int,
        default=0,
        metavar="K",
        help="before each run from the third, delete K entries from the lower site "
        "(mirrored deletions; the first such run may build the lower's RDF, the next reads "
        "what it kept)",
    )
    parser.add_argument("--load-into", nargs=2, metavar=("INI", "SITE_ID"), help=argparse.SUPPRESS)
    parser.add_argument("--grow-into", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.grown = False
    args.expected = args.n  # entries the upper should hold after the next job
    if args.load_into:
        load_into(*args.load_into, args.n, args.seed)
        return
    if args.grow_into:
        ini, site_id, start, end = args.grow_into
        grow_into(ini, site_id, int(start), int(end), args.seed)
        return
    if args.catalogue and (args.catalogue <= args.n or args.runs < 2):
        parser.error("--catalogue M needs M > N and --runs 2 or more")

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
            if number == 2 and args.catalogue:
                print(f"Growing the catalogue to {args.catalogue} entries...")
                grow(federation, lower, site_id, chosen, args)
                args.grown = True
                args.expected = args.catalogue
            what = "first harvest" if number == 1 else f"harvest {number} (nothing changed)"
            if number >= 3 and args.delete:
                gone = delete_upstream(lower, site_id, args.delete)
                args.expected -= len(gone)
                what = f"harvest {number} ({len(gone)} entries deleted upstream)"
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

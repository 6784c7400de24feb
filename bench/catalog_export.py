"""DCAT export benchmark: entries/second for a full export of the catalogue over DCAT.

Loads N synthetic catalogue entries with every catalogue field (the loader of
``bench/search.py``, its documents enriched with resource codes, data items, share metadata
and resources with links) into the embedded search index, then reads the whole catalogue as
an upper-level platform's harvester does: ``/catalog.ttl?page=1, 2, …`` through CKAN's whole
request path (the govshare profile, the link policy, the search backend), anonymously.

Three walks (issue 20 item 3):

1. the first walk with nothing kept: every entry's RDF is built by the profile and kept
   (``govshare_dcat_rdf``, ``dcat/cache.py``); the pages must hold every entry exactly once
   (read from their N-Triples lines; every ``--parse-every``-th page parsed with rdflib, which
   must find the same entries);
2. the full walk again, from what is kept (what a harvester's next daily walk costs): timed,
   each page's entries counted from its N-Triples lines;
3. ckanext-dcat's stock ``euro_dcat_ap_3`` profile (``?profiles=euro_dcat_ap_3``) on the same
   entries: on ``--stock-pages`` pages spread over the catalogue, its full-walk rate
   extrapolated from them (``--stock-pages 0``: the whole walk).

Rates count the time of the requests only (the client's parsing is left out). Then the first,
a middle and the last page are timed on their own.

    python bench/catalog_export.py --ckan-ini config/bench-dcat.ini            # 100,000
    python bench/catalog_export.py --ckan-ini config/bench-dcat.ini -n 10000 --format xml
    python bench/catalog_export.py --ckan-ini config/bench-dcat.ini --harvest 10000

``--harvest N`` then times an upper platform harvesting N entries with each harvester: it runs
``bench/harvest.py`` (two loopback sites; its own config, ``--harvest-ini``).

The bench config is written like the others (own database, own Redis DB):
``CKAN_INI=$PWD/config/bench-dcat.ini DB_NAME=govshare_bench_dcat REDIS_DB=6 bash
scripts/setup.sh database config migrate i18n``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search  # bench/search.py: the synthetic loader

EXPORT_SITE = "govshare-bench-dcat"
FORMATS = {"ttl": "turtle", "xml": "xml", "jsonld": "json-ld"}
UPDATE_CYCLES = ["realtime", "daily", "weekly", "monthly", "quarterly", "annual", "irregular"]
DATA_TYPES = ["string", "integer", "decimal", "date", "datetime", "boolean"]
METHODS = ["api", "exchange_node", "online_query", "bulk_download", "file_download"]
_search_doc = search.synthetic_doc


def catalogue_doc(i: int, rng: random.Random) -> dict[str, Any]:
    """``search.synthetic_doc`` with the catalogue fields an entry has (catalogue.md)."""
    doc = _search_doc(i, rng)
    pkg = json.loads(doc["validated_data_dict"])
    share = pkg["share_type"]
    public = "not_open" if share == "not_shared" else rng.choice(["open", "not_open"])
    org_id = str(uuid.UUID(int=rng.getrandbits(128)))
    pkg["organization"] = {"id": org_id, "name": pkg["owner_org"], "title": pkg["owner_org"]}
    pkg.update(
        resource_code=f"3{rng.randint(1, 99):02d}{rng.randint(1, 999):03d}/{i:06d}",
        provider_code="11100000000013338W",
        resource_category="departmental",
        format_type="database",
        share_methods=sorted(rng.sample(METHODS, k=rng.randint(1, 3))),
        open_to_public=public,
        update_cycle=rng.choice(UPDATE_CYCLES),
        release_date=pkg["metadata_created"][:10],
        usage_requirements="仅作为行政依据使用",
        data_items=[
            {
                "name": f"信息项{j}",
                "data_type": rng.choice(DATA_TYPES),
                "length": rng.randint(1, 256),
                "base_item": "false",
            }
            for j in range(rng.randint(3, 12))
        ],
    )
    if share == "conditional":
        pkg["share_conditions"] = "仅限相关部门履职使用"
    if share == "not_shared":
        pkg["legal_basis"] = "《中华人民共和国个人信息保护法》第十三条"
    for j, resource in enumerate(pkg["resources"]):
        resource.update(
            id=str(uuid.UUID(int=rng.getrandbits(128))),
            package_id=pkg["id"],
            url=f"http://files.example.gov.cn/{pkg['id']}/{j}.{resource['format'].lower()}",
        )
    blob = json.dumps(pkg, ensure_ascii=False)
    doc.update(data_dict=blob, validated_data_dict=blob, site_id=EXPORT_SITE)
    doc["index_id"] = f"bench-dcat-{i}"
    doc["extras_open_to_public"] = public
    return doc


def load(n: int, seed: int) -> float:
    """``search.load`` with these documents, under their own site id."""
    search.BENCH_SITE = EXPORT_SITE
    search.synthetic_doc = catalogue_doc
    took = search.load(n, seed)
    # As autovacuum would after a bulk load (servers here run with it off: bench/search.py).
    search.vacuum()
    return took


DATASET_LINE = re.compile(
    r"^<([^>]+)> <http://www\.w3\.org/1999/02/22-rdf-syntax-ns#type> "
    r"<http://www\.w3\.org/ns/dcat#Dataset> \.$",
    re.M,
)


def export(
    client: Any, fmt: str, n: int, per_page: int, *, parse: int = 1, query: str = ""
) -> tuple[float, list[float]]:
    """Reads every page; checks each entry came exactly once; returns (seconds in requests,
    page times). Every ``parse``-th page is parsed with rdflib (``0``: none), the others'
    entries are read from their N-Triples lines (the kept RDF's, Turtle and N3 only)."""
    from rdflib import Graph
    from rdflib.namespace import DCAT, RDF

    pages = -(-n // per_page)
    seen: set[str] = set()
    times = []
    for page in range(1, pages + 1):
        t = time.perf_counter()
        response = client.get(f"/catalog.{fmt}?{query}page={page}")
        times.append(time.perf_counter() - t)
        assert response.status_code == 200, (page, response.status_code)
        text = response.get_data(as_text=True)
        if parse and page % parse == 1 % parse:
            graph = Graph().parse(data=text, format=FORMATS[fmt])
            found = {str(d) for d in graph.subjects(RDF.type, DCAT.Dataset)}
            lines = set(DATASET_LINE.findall(text))
            assert not lines or lines == found, f"page {page}: lines and graph differ"
        else:
            found = set(DATASET_LINE.findall(text))
        assert not found & seen, f"page {page} repeats entries"
        seen |= found
        print(f"\r  page {page}/{pages}", end="", flush=True)
    print()
    assert len(seen) == n, f"{len(seen)} entries exported, {n} loaded"
    return sum(times), times


def sampled(client: Any, fmt: str, n: int, per_page: int, samples: int, query: str) -> float:
    """Entries/s over ``samples`` pages spread evenly over the catalogue (each page parsed and
    checked to hold its entries)."""
    from rdflib import Graph
    from rdflib.namespace import DCAT, RDF

    pages = -(-n // per_page)
    picked = sorted({1 + (pages - 1) * i // max(samples - 1, 1) for i in range(samples)})
    took = 0.0
    entries = 0
    for count, page in enumerate(picked, 1):
        t = time.perf_counter()
        response = client.get(f"/catalog.{fmt}?{query}page={page}")
        took += time.perf_counter() - t
        assert response.status_code == 200, (page, response.status_code)
        graph = Graph().parse(data=response.get_data(as_text=True), format=FORMATS[fmt])
        found = len(set(graph.subjects(RDF.type, DCAT.Dataset)))
        assert found == min(per_page, n - (page - 1) * per_page), (page, found)
        entries += found
        print(f"\r  page {page} ({count}/{len(picked)})", end="", flush=True)
    print()
    return entries / took


def report(label: str, n: int, took: float, times: list[float]) -> None:
    print(f"  {label}: {n} entries in {took:.1f} s of requests: {n / took:.0f} entries/s")
    print(
        f"    page times: median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms"
    )


def page_time(client: Any, fmt: str, page: int, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        assert client.get(f"/catalog.{fmt}?page={page}").status_code == 200
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--ckan-ini", default="config/bench.ini")
    parser.add_argument("-n", type=int, default=100_000, help="catalogue entries to load")
    parser.add_argument("--format", choices=sorted(FORMATS), default="ttl")
    parser.add_argument("--per-page", type=int, default=100, help="ckanext.dcat.datasets_per_page")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of single pages")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument(
        "--parse-every", type=int, default=20, help="first walk: pages parsed with rdflib"
    )
    parser.add_argument(
        "--stock-pages",
        type=int,
        default=25,
        help="pages the stock euro_dcat_ap_3 profile is timed on (0: its whole walk)",
    )
    parser.add_argument("--harvest", type=int, metavar="N", help="then time a harvest of N entries")
    parser.add_argument("--harvest-ini", default="config/bench-harvest.ini")
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    config = load_config(args.ckan_ini)
    config["ckan.site_id"] = EXPORT_SITE
    config["ckanext.dcat.rdf.profiles"] = "govshare"
    config["ckanext.dcat.datasets_per_page"] = str(args.per_page)
    config["ckanext.govshare.search.cache_ttl"] = "0"  # every page computed
    app = make_app(config)
    import ckan.plugins.toolkit as tk
    from rdflib import Graph, Namespace

    HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
    tk.config["ckan.site_id"] = EXPORT_SITE
    tk.config["ckanext.govshare.search.cache_ttl"] = 0
    print(f"Loading {args.n} synthetic entries (site_id {EXPORT_SITE})...")
    took = load(args.n, args.seed)
    print(f"  {args.n / took:.0f} entries/s indexed ({took:.1f} s)" if took else "  loaded")

    client = app._wsgi_app.test_client()  # the Flask app inside CKAN's middleware
    from ckan import model

    model.Session.execute(sa.text("DELETE FROM govshare_dcat_rdf"))  # nothing kept yet
    model.Session.commit()
    fmt, per = args.format, args.per_page
    print(f"\nFull export: /catalog.{fmt}, {per} entries a page, anonymous, govshare profile")
    lines = fmt == "ttl"  # other formats: every page parsed
    print("1. First walk, nothing kept: every entry's RDF built and kept")
    took, times = export(client, fmt, args.n, per, parse=args.parse_every if lines else 1)
    report("first walk (building)", args.n, took, times)
    print("2. Full walk from the kept RDF")
    took, times = export(client, fmt, args.n, per, parse=0 if lines else 1)
    report("full walk (kept)", args.n, took, times)
    kept_rate = args.n / took
    stock = "profiles=euro_dcat_ap_3&"
    if args.stock_pages:
        print(f"3. Stock euro_dcat_ap_3 profile on {args.stock_pages} pages spread over the walk")
        rate = sampled(client, fmt, args.n, per, args.stock_pages, stock)
        print(
            f"  stock euro_dcat_ap_3: {rate:.0f} entries/s (extrapolated full walk: "
            f"{args.n / rate / 60:.1f} min)"
        )
    else:
        print("3. Stock euro_dcat_ap_3 profile, full walk")
        took, times = export(client, fmt, args.n, per, query=stock)
        report("stock euro_dcat_ap_3", args.n, took, times)
        rate = args.n / took
    print(f"  kept RDF: {kept_rate:.0f} entries/s, {kept_rate / rate:.1f}x the stock profile")
    last = -(-args.n // args.per_page)
    for label, page in (("first", 1), ("middle", (last + 1) // 2), ("last", last)):
        ms = page_time(client, args.format, page, args.repeat)
        print(f"  {label} page ({page}): median {ms:.0f} ms over {args.repeat} runs")
    tk.config["ckanext.govshare.export_not_shared"] = False
    first = Graph().parse(data=client.get(f"/catalog.{args.format}").get_data(as_text=True))
    shared = int(str(next(first.objects(None, HYDRA.totalItems))))
    last = -(-shared // args.per_page)
    ms = page_time(client, args.format, last, args.repeat)
    print(
        f"  with export_not_shared = false ({shared} entries), last page ({last}): "
        f"median {ms:.0f} ms over {args.repeat} runs"
    )
    if args.harvest:
        print(f"\nHarvest of {args.harvest} entries (bench/harvest.py, {args.harvest_ini})")
        sys.stdout.flush()
        command = [sys.executable, str(Path(__file__).with_name("harvest.py"))]
        command += ["--ckan-ini", args.harvest_ini, "-n", str(args.harvest)]
        raise SystemExit(subprocess.run(command, check=False).returncode)


if __name__ == "__main__":
    main()

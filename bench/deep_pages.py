"""Deep pages benchmark: the search behind each page of a DCAT walk, by depth and sort.

ckanext-dcat asks ``package_search`` for ``/catalog.ttl?page=N`` with ``sort=metadata_modified
desc``, ``start=(N-1)*100`` and ``-dataset_type:harvest -dataset_type:showcase`` (issue 20,
item 3). This times that search, anonymously and uncached, at pages spread over the
catalogue, for each sort on an index column, two ways in the same run: the page's ids found by
one index first, then its documents read (``search/connection.py``, ``_page``), and the plain
query that reads every row it skips (``--plain`` column). The hit count comes from the kept
facet counts in both.

    python bench/deep_pages.py --ckan-ini config/bench.ini -n 100000

Entries are those of ``bench/search.py`` (loaded if the count differs, else reused).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time
from pathlib import Path
from typing import cast

from ckan.types import Context

SORTS = ["metadata_modified desc", "metadata_created asc", "name asc", "title_string desc"]


def _search_bench():
    spec = importlib.util.spec_from_file_location(
        "bench_search", Path(__file__).with_name("search.py")
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--ckan-ini", default="config/bench.ini")
    parser.add_argument("-n", type=int, default=100_000, help="catalogue entries")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--per-page", type=int, default=100)
    parser.add_argument("--pages", type=int, default=9, help="pages timed, spread over the walk")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each page")
    args = parser.parse_args()

    bench = _search_bench()
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    config = load_config(args.ckan_ini)
    config["ckan.site_id"] = bench.BENCH_SITE
    config["ckanext.govshare.search.cache_ttl"] = "0"
    app = make_app(config)
    import ckan.plugins.toolkit as tk
    from ckan import model

    from ckanext.govshare.search import connection

    tk.config["ckan.site_id"] = bench.BENCH_SITE
    tk.config["ckanext.govshare.search.cache_ttl"] = 0
    took = bench.load(args.n, args.seed)
    print(f"{args.n} entries " + ("loaded" if took else "already loaded"))
    context = cast(Context, {"model": model, "session": model.Session, "user": ""})
    with app._wsgi_app.test_request_context():
        visible = tk.get_action("package_search")(context, {"rows": 0})["count"]
    last = -(-visible // args.per_page)  # an anonymous reader's last page
    pages = sorted({1 + round(i * (last - 1) / max(args.pages - 1, 1)) for i in range(args.pages)})
    ids_first = connection._on_columns

    def timed(sort: str, page: int) -> float:
        data = {
            "q": "*:*",
            "rows": args.per_page,
            "start": (page - 1) * args.per_page,
            "sort": sort,
            "fq_list": ["-dataset_type:harvest", "-dataset_type:showcase"],
        }
        runs = []
        for _ in range(args.repeat):
            context = cast(Context, {"model": model, "session": model.Session, "user": ""})
            t = time.perf_counter()
            result = tk.get_action("package_search")(context, dict(data))
            runs.append((time.perf_counter() - t) * 1000)
            want = max(0, min(args.per_page, result["count"] - data["start"]))
            assert len(result["results"]) == want
        return statistics.median(runs)

    with app._wsgi_app.test_request_context():
        for sort in SORTS:
            print(
                f"\nsort={sort!r}: package_search ms (median of {args.repeat}), ids first | plain"
            )
            means = {True: [], False: []}
            for page in pages:
                row = []
                for first in (True, False):
                    connection._on_columns = ids_first if first else (lambda _order: False)
                    ms = timed(sort, page)
                    means[first].append(ms)
                    row.append(ms)
                connection._on_columns = ids_first
                print(f"  page {page:5d}: {row[0]:7.1f} | {row[1]:7.1f}")
            a, b = statistics.mean(means[True]), statistics.mean(means[False])
            print(f"  mean over the walk: {a:.1f} | {b:.1f} ms a page ({b / a:.1f}x)")


if __name__ == "__main__":
    main()

"""What the ``govshare`` profile costs per entry, by kind of resource (issue 20, items 1-2).

Builds the RDF graph of N synthetic entries (``tests/dcat/samples.py``) with the profile, as
the catalogue endpoints do before the kept RDF (``dcat/cache.py``) takes over, and prints
entries/second and ms/entry for:

- ``stock``: ckanext-dcat's ``euro_dcat_ap_3`` on one CSV link per entry (the baseline);
- ``govshare-link``: the govshare profile on the same entries;
- ``stock-kinds``: ``euro_dcat_ap_3`` on the entries of ``govshare-kinds``;
- ``govshare-kinds``: six resources each (an upload with CKAN's ``text/csv``, a link, a
  ``datastore_create`` table, no format, an odd format, a CSV in the DataStore), offered
  through the service interface: formats and media types as IRIs, two DataServices;
- ``govshare-kinds-cut``: the same as a department that may not download reads them (links
  cut by the link policy): one statement per entry asks the database which tables the
  interface serves (``dcat/cut_resources.py``).

    python bench/dcat_profile.py --ckan-ini config/gs_h_dcat.ini -n 2000
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _kinds(entry: dict[str, Any]) -> dict[str, Any]:
    from ckanext.govshare.tests.dcat.test_resource_kinds import KINDS

    entry = copy.deepcopy(entry)
    entry["share_methods"] = ["api", "file_download"]
    resources = []
    for resource in KINDS.values():
        rid = str(uuid.uuid4())
        resources.append({**copy.deepcopy(resource), "id": rid, "package_id": entry["id"]})
    entry["resources"] = resources
    return entry


def _entries(n: int, kinds: bool, cut: bool) -> list[dict[str, Any]]:
    from ckanext.govshare.tests.dcat import samples
    from ckanext.govshare.tests.dcat.test_profile import _restricted

    out = []
    for i in range(n):
        entry = samples.entry(samples.SHARE_TYPES[i % 3])
        entry["id"] = str(uuid.uuid4())
        entry["name"] = f"bench-{i}"
        entry["resources"][0]["id"] = str(uuid.uuid4())
        entry["resources"][0]["package_id"] = entry["id"]
        if kinds:
            entry = _kinds(entry)
        out.append(_restricted(entry) if cut else entry)
    return out


def _run(profile: str, entries: list[dict[str, Any]]) -> float:
    from ckanext.dcat.processors import RDFSerializer
    from rdflib import ConjunctiveGraph

    serializer = RDFSerializer(profiles=[profile])  # one per page, as the endpoints make it
    started = time.perf_counter()
    for entry in entries:
        serializer.g = ConjunctiveGraph()  # each entry alone, as dcat/cache.py builds it
        serializer.graph_from_dataset(entry)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--ckan-ini", required=True)
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.ckan_ini))
    with app._wsgi_app.test_request_context():
        cases = [
            ("stock", "euro_dcat_ap_3", _entries(args.n, kinds=False, cut=False)),
            ("govshare-link", "govshare", _entries(args.n, kinds=False, cut=False)),
            ("stock-kinds", "euro_dcat_ap_3", _entries(args.n, kinds=True, cut=False)),
            ("govshare-kinds", "govshare", _entries(args.n, kinds=True, cut=False)),
            ("govshare-kinds-cut", "govshare", _entries(args.n, kinds=True, cut=True)),
        ]
        _run("govshare", cases[-1][2][:50])  # warm up: imports, the code lists, the pool
        print(
            f"{'case':<20} {'entries/s':>10} {'ms/entry':>9}  (best of {args.rounds}, n={args.n})"
        )
        for name, profile, entries in cases:
            best = min(_run(profile, entries) for _ in range(args.rounds))
            print(f"{name:<20} {args.n / best:>10.0f} {1000 * best / args.n:>9.2f}")


if __name__ == "__main__":
    main()

"""Run harvest sources synchronously in one process (``ckan harvester run-test``, batched).

``python -m ckanext.govshare.tests.federation.run_harvest <ini> <source>...``: the sources
run one after the other, as ``ckan harvester run-test`` runs one, but CKAN starts once. Prints
one JSON line per source with the seconds its job took (``bench/harvest.py`` reads them).
"""

from __future__ import annotations

import json
import sys
import time


def main(ini: str, sources: list[str]) -> None:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from ckanext.harvest import utils

    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        for source in sources:
            started = time.perf_counter()
            utils.run_test_harvester(source, None)
            took = time.perf_counter() - started
            print(json.dumps({"source": source, "seconds": round(took, 3)}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])

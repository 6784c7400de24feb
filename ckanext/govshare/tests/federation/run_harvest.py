"""Run harvest sources synchronously in one process (``ckan harvester run-test``, batched).

``python -m ckanext.govshare.tests.federation.run_harvest <ini> <source>...``: the sources
run one after the other, as ``ckan harvester run-test`` runs one, but CKAN starts once.
"""

from __future__ import annotations

import sys


def main(ini: str, sources: list[str]) -> None:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from ckanext.harvest import utils

    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        for source in sources:
            utils.run_test_harvester(source, None)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])

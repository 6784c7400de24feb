"""The two federation sites, started once for the module that asks for them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .sites import Federation

PROFILES = {"ckanext.dcat.rdf.profiles": "govshare"}


@pytest.fixture(scope="module")
def federation(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Federation]:
    ini = Path(request.config.getoption("ckan_ini")).resolve()
    federation = Federation(ini, tmp_path_factory.mktemp("federation"))
    try:
        federation.start({"lower": PROFILES, "upper": PROFILES})
        yield federation
    finally:
        federation.stop()


@pytest.fixture(autouse=True)
def _load_plugins() -> None:
    """The round trip talks to its own two sites: this process needs no plugins loaded."""

"""A single-use token under 20 parallel requests: exactly one download (a live server)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.downloads.model import download_table
from ckanext.govshare.tests.live_server import serve

from .conftest import FILE, Shared, events

PARALLEL = 20


@pytest.fixture
def live_server(ckan_config: Any, shared: Shared) -> Iterator[str]:
    """The CKAN app on a free loopback port, one thread a request."""
    with serve(ckan_config) as url:
        yield url


def test_max_uses_one_under_twenty_parallel_requests(live_server: str, shared: Shared) -> None:
    token = shared.token(max_uses=1)
    url = f"{live_server}/govshare/download/{shared.upload['id']}"
    barrier = threading.Barrier(PARALLEL)
    results: list[tuple[int, Any]] = []
    lock = threading.Lock()

    def fetch() -> None:
        with requests.Session() as session:
            barrier.wait()
            response = session.get(
                url, headers={"Authorization": f"Bearer {token['token']}"}, timeout=60
            )
            body = response.content if response.status_code == 200 else response.json()
            with lock:
                results.append((response.status_code, body))

    threads = [threading.Thread(target=fetch) for _ in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == PARALLEL
    ok = [body for status, body in results if status == 200]
    refused = [body for status, body in results if status == 403]
    assert ok == [FILE]
    assert len(refused) == PARALLEL - 1
    assert {r["reason"] for r in refused} == {"exhausted"}
    with model.meta.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(download_table)).scalar() == 1
    grant = shared.world.call("requester", "govshare_grant_show", id=shared.grant["id"])
    assert grant["downloads_used"] == 1
    audited = events(action="govshare_download", object_id=shared.upload["id"])
    assert sorted(e["outcome"] for e in audited)[-PARALLEL:] == ["refused"] * (PARALLEL - 1) + [
        "success"
    ]

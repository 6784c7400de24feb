"""One request per catalogue page (harvest/pages.py)."""

from __future__ import annotations

import io
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter

from ckanext.govshare.harvest.pages import OneRequestPerPage

pytestmark = pytest.mark.unit


class _Site(BaseAdapter):
    """Answers every request with a page, counting them by method."""

    def __init__(self, status: int = 200) -> None:
        super().__init__()
        self.status = status
        self.sent: list[tuple[str, str]] = []

    def send(self, request: Any, **_kw: Any) -> requests.Response:
        self.sent.append((request.method, request.url))
        response = requests.Response()
        response.status_code = self.status
        response.headers["Content-Length"] = "5"
        response.raw = io.BytesIO(b"page!")
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        pass


def _session(site: _Site) -> OneRequestPerPage:
    session = OneRequestPerPage({"Authorization": "token"})
    session.mount("http://", site)
    return session


def test_the_head_and_get_of_a_page_are_one_get() -> None:
    site = _Site()
    session = _session(site)
    head = session.head("http://low.example/catalog.ttl?page=2")
    assert head.headers["Content-Length"] == "5"
    got = session.get("http://low.example/catalog.ttl?page=2", stream=True)
    assert got.content == b"page!"
    assert site.sent == [("GET", "http://low.example/catalog.ttl?page=2")]
    assert session.headers["Authorization"] == "token"


def test_another_url_or_a_second_get_is_requested() -> None:
    site = _Site()
    session = _session(site)
    session.head("http://low.example/catalog.ttl")
    session.get("http://low.example/catalog.ttl?page=2", stream=True)
    session.get("http://low.example/catalog.ttl?page=2", stream=True)
    assert [url for _, url in site.sent] == [
        "http://low.example/catalog.ttl",
        "http://low.example/catalog.ttl?page=2",
        "http://low.example/catalog.ttl?page=2",
    ]


def test_a_failed_page_fails_the_same() -> None:
    site = _Site(status=404)
    session = _session(site)
    assert not session.head("http://low.example/catalog.ttl").ok
    with pytest.raises(requests.HTTPError):
        session.get("http://low.example/catalog.ttl", stream=True).raise_for_status()
    assert len(site.sent) == 1

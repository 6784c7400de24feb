"""The sharing world of the access tests, with files to download and a grant to download them.

The unconditional entry gets an uploaded file (``ckan.storage_path`` in a temporary folder)
and a link resource on a local HTTP server that the test allows; the requesting department
obtains the entry (a grant with no limits).
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers

from ckanext.govshare.audit.model import event_table
from ckanext.govshare.tests.access.conftest import World, frozen, world  # noqa: F401

FILE = bytes(range(256)) * 40  # 10,240 bytes
LINKED = b"id,name\n" + b"".join(b"%d,row %d\n" % (i, i) for i in range(2000))


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``LINKED`` at any path (single byte ranges honoured), or 404 under /missing."""

    def do_GET(self) -> None:
        if self.path.startswith("/missing"):
            self.send_error(404)
            return
        body, status = LINKED, 200
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes="):
            start, _, end = rng[6:].partition("-")
            first, last = int(start), int(end) if end else len(LINKED) - 1
            body, status = LINKED[first : last + 1], 206
        self.send_response(status)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        if status == 206:
            self.send_header("Content-Range", f"bytes {first}-{last}/{len(LINKED)}")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def link_host() -> Iterator[str]:
    """``127.0.0.1:<port>`` of a local HTTP server serving ``LINKED``."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@dataclass
class Shared:
    world: World
    upload: dict[str, Any]  # the uploaded file resource
    link: dict[str, Any]  # the link resource on the allowed local host
    outside: dict[str, Any]  # the link resource on example.org (not allowed)
    grant: dict[str, Any]  # the requesting department's grant on the entry

    def token(self, who: str = "requester", **data: Any) -> dict[str, Any]:
        return self.world.call(who, "govshare_token_create", grant_id=self.grant["id"], **data)


@pytest.fixture
def shared(
    world: World,  # noqa: F811
    create_with_upload: Any,
    link_host: str,
    ckan_config: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Shared:
    monkeypatch.setitem(ckan_config, "ckanext.govshare.download.allowed_hosts", [link_host])
    admin = {"user": world.users["sysadmin"]["name"], "ignore_auth": True}
    entry = world.unconditional
    upload = create_with_upload(
        FILE, "人口 数据.csv", context=admin, package_id=entry["id"], name="人口数据"
    )
    link = helpers.call_action(
        "resource_create",
        context=admin,
        package_id=entry["id"],
        url=f"http://{link_host}/files/linked.csv",
        name="linked",
    )
    outside = next(r for r in entry["resources"] if "example.org" in r["url"])
    grant = world.call(
        "requester",
        "govshare_access_obtain",
        package_id=entry["id"],
        requesting_org=world.requester_org["name"],
        purpose="data_verification",
        purpose_detail="核验纳税人登记信息",
        pledge=True,
    )
    return Shared(world, upload, link, outside, grant)


@pytest.fixture
def as_user(world: World):  # noqa: F811
    """Request headers that authenticate as a user of the world with a CKAN API token."""
    made: dict[str, str] = {}

    def headers(who: str) -> dict[str, str]:
        if who not in made:
            made[who] = helpers.call_action(
                "api_token_create",
                context={"user": world.users["sysadmin"]["name"], "ignore_auth": True},
                user=world.users[who]["name"],
                name="download-test",
            )["token"]
        return {"Authorization": made[who]}

    return headers


def events(**where: Any) -> list[dict[str, Any]]:
    """Committed audit events (read on a fresh connection), oldest first."""
    query = sa.select(event_table).order_by(event_table.c.seq)
    for name, value in where.items():
        query = query.where(event_table.c[name] == value)
    with model.meta.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]

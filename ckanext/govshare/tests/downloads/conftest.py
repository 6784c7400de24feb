"""The sharing world of the access tests, with files to download and a grant to download them.

The unconditional entry gets an uploaded file (``ckan.storage_path`` in a temporary folder)
and a link resource on a local HTTP server that the test allows; the requesting department
obtains the entry (a grant with no limits).
"""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers
from ckan.tests.pytest_ckan.fixtures import FakeFileStorage

from ckanext.govshare.audit.model import event_table
from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import World, build_world, frozen  # noqa: F401

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


@pytest.fixture(scope="module")
def link_host() -> Iterator[str]:
    """``127.0.0.1:<port>`` of a local HTTP server serving ``LINKED``, for the module."""
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


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> str:
    """``ckan.storage_path`` of the module: the uploaded file outlives one test."""
    return str(tmp_path_factory.mktemp("storage"))


def _upload(data: bytes, filename: str, context: dict[str, Any], **fields: Any) -> Any:
    """CKAN's ``create_with_upload`` without its ``clean_db`` (the world is the module's)."""
    upload = FakeFileStorage(io.BytesIO(data), filename)
    return helpers.call_action("resource_create", context, upload=upload, **fields)


def build_shared(link_host: str) -> Shared:
    """The sharing world with the uploaded file, the link resources and the grant."""
    world = build_world()
    admin = {"user": world.users["sysadmin"]["name"], "ignore_auth": True}
    entry = world.unconditional
    upload = _upload(FILE, "人口 数据.csv", admin, package_id=entry["id"], name="人口数据")
    link = helpers.call_action(
        "resource_create",
        context=admin,
        package_id=entry["id"],
        url=f"http://{link_host}/files/linked.csv",
        name="linked",
    )
    outside = next(r for r in entry["resources"] if "example.org" in r["url"])
    grant = gs.Grant(
        user=world.users["requester"],
        package_id=entry["id"],
        requesting_org=world.requester_org["name"],
        purpose="data_verification",
        purpose_detail="核验纳税人登记信息",
    )
    return Shared(world, upload, link, outside, grant)


@pytest.fixture
def shared(
    module_world: Any,
    link_host: str,
    storage: str,
    ckan_config: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Shared:
    """Built once per module (``module_world``); what a test writes is gone for the next."""
    monkeypatch.setitem(ckan_config, "ckanext.govshare.download.allowed_hosts", [link_host])
    monkeypatch.setitem(ckan_config, "ckan.storage_path", storage)

    def build() -> Shared:
        return build_shared(link_host)

    return module_world(build)


@pytest.fixture
def world(shared: Shared) -> World:
    """The sharing world of ``shared`` (one world a module)."""
    return shared.world


@pytest.fixture
def as_user(world: World):
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

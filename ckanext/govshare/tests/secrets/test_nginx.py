"""docker/nginx/default.conf, run by a real nginx: no secret in its logs, no token in a URL, the
one-click download handed over with X-Accel-Redirect (issue 14, item 2).

The production file is run as it is, with only what ties it to docker replaced (listen port,
the upstream's address, the log and storage paths); CKAN is a stand-in that answers like the
download routes do. Skipped where nginx is not installed (``apt-get install nginx-core``).
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.unit

CONF = Path(__file__).resolve().parents[4] / "docker" / "nginx" / "default.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
SECRET = "gsd_" + "Q" * 20 + "-n_" + "7" * 20
FILE = b"resource bytes\n" * 100


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Ckan(http.server.BaseHTTPRequestHandler):
    """Answers like CKAN: the one-click POST and token GETs hand the file to nginx."""

    seen: list[str] = []

    def _answer(self) -> None:
        self.seen.append(f"{self.command} {self.path}")
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(200)
        if self.path.split("?")[0].endswith(("/start", "/r1")):
            self.send_header("X-Accel-Redirect", "/_govshare_accel/resources/r1")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"page"
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    if NGINX is None:
        pytest.skip("nginx is not installed")
    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Ckan)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    _Ckan.seen = []
    storage = tmp_path / "storage"
    (storage / "resources").mkdir(parents=True)
    (storage / "resources" / "r1").write_bytes(FILE)
    port = _port()
    site = CONF.read_text(encoding="utf-8")
    replacements = {
        "resolver 127.0.0.11 valid=10s ipv6=off;": "",
        "listen 80 default_server;": f"listen 127.0.0.1:{port};",
        "http://ckan:5000": f"http://127.0.0.1:{backend.server_port}",
        "/var/log/nginx/access.log": str(tmp_path / "access.log"),
        "/var/lib/ckan/": f"{storage}/",
    }
    for old, new in replacements.items():
        assert old in site, old  # the production file still has what this test replaces
        site = site.replace(old, new)
    temp = "\n".join(
        f"    {name}_temp_path {tmp_path / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Run as root, nginx's workers would be "nobody", who cannot read pytest's folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'} info;\n"
        "events {}\nhttp {\n    default_type application/octet-stream;\n"
        f"{temp}\n{site}\n}}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            if process.poll() is not None:
                pytest.fail(f"nginx did not start: {process.stderr.read().decode()}")
            try:
                requests.get(url + "/ready", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield url, tmp_path
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        backend.shutdown()


def test_the_access_log_keeps_no_token_and_a_token_in_a_url_is_refused(
    nginx: tuple[str, Path],
) -> None:
    url, folder = nginx
    refused = requests.get(f"{url}/govshare/download/r1?token={SECRET}", timeout=10)
    assert refused.status_code == 400
    assert refused.headers["Content-Type"].startswith("application/json")
    body = refused.json()
    assert body["reason"] == "token_in_url" and "Authorization: Bearer" in body["message_zh"]
    assert not any("token=" in line for line in _Ckan.seen)  # never reached CKAN
    assert (
        requests.get(f"{url}/en/govshare/download/r1?Token={SECRET}", timeout=10).status_code == 400
    )
    bearer = requests.get(
        f"{url}/govshare/download/r1?dl=1",
        headers={"Authorization": f"Bearer {SECRET}"},
        timeout=10,
    )
    assert bearer.status_code == 200 and bearer.content == FILE
    clicked = requests.post(
        f"{url}/govshare/download/r1/start", data={"_csrf_token": "x"}, timeout=10
    )
    assert clicked.status_code == 200 and clicked.content == FILE  # X-Accel-Redirect after a POST
    assert requests.get(f"{url}/dataset/?q=a&api_token%3D{SECRET}", timeout=10).ok
    assert requests.get(f"{url}/dataset/?q=plain+words", timeout=10).ok
    assert requests.get(
        f"{url}/dataset/x", headers={"Referer": f"{url}/page?x=1&token={SECRET}"}, timeout=10
    ).ok
    requests.get(f"{url}/some/{SECRET}", timeout=10)
    # nginx writes a request's line when it is done with it: wait for the last one.
    log = folder / "access.log"
    for _ in range(200):
        if '"GET [masked] HTTP/1.1"' in log.read_text(encoding="utf-8"):
            break
        time.sleep(0.05)
    text = log.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) >= 8, text
    assert '"GET /govshare/download/r1?[masked] HTTP/1.1" 400' in text
    assert '"GET /en/govshare/download/r1?[masked] HTTP/1.1" 400' in text
    assert '"GET /govshare/download/r1?[masked] HTTP/1.1" 200' in text
    assert '"POST /govshare/download/r1/start HTTP/1.1" 200' in text
    assert '"GET /dataset/?[masked] HTTP/1.1" 200' in text
    assert '"GET /dataset/?q=plain+words HTTP/1.1" 200' in text  # other queries are kept
    assert f'"{url}/page?[masked]"' in text
    everything = text + (folder / "error.log").read_text(encoding="utf-8")
    assert SECRET not in everything and not re.search(r"gsd_[A-Za-z0-9]", everything)
    assert "Q" * 20 not in everything

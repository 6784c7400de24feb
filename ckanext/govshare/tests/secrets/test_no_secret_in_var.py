"""No download token in any file under var/ (issue 14, item 2), against the real thing.

``scripts/setup.sh serve`` starts ``ckan run`` and ``ckan jobs worker`` as it does for the
development site, logging to ``var/ckan.log`` and ``var/worker.log``; here ``VAR`` points to a
fresh folder, the site runs on its own database (a copy of the federation tests' migrated
template, ``tests/federation/sites.py``) and logs at DEBUG. A department member then downloads
a file both ways (``Authorization: Bearer`` and the entry page's button after logging in
through the login form), sends a token in a URL (refused, but its request line is logged),
and a background job gets a token as its argument and fails with it. Once both servers have
stopped, no file under ``var/`` holds a token, while the logs show that each of those requests
and the job were logged (the test could see a token if one were written). The folder and its
files are not readable by other accounts, including files an earlier run left readable.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from redis import Redis
from rq import Queue
from rq.job import Job

from ckanext.govshare.tests import factories as gs_factories
from ckanext.govshare.tests.federation.sites import Federation, Site, free_port

ROOT = Path(__file__).resolve().parents[4]
SETUP = ROOT / "scripts" / "setup.sh"
FILE = bytes(range(256)) * 64
TOKEN = re.compile(rb"gsd_[A-Za-z0-9_\-]{8,}")
PASSWORD = "Secret-pass-2026"


@dataclass
class Served:
    site: Site
    var: Path
    env: dict[str, str]
    federation: Federation
    db: str
    pids: list[int] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)

    def stop(self) -> None:
        subprocess.run(["bash", str(SETUP), "stop"], env=self.env, capture_output=True)
        for pid in self.pids:  # stop sends SIGTERM; wait until the logs are complete
            for _ in range(300):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)


def _logging_at_debug(text: str) -> str:
    """Every logger of the site's config at DEBUG, the root at INFO (rq, werkzeug)."""
    text = re.sub(r"(\[logger_root\]\nlevel = )\w+", r"\1INFO", text)
    return re.sub(r"(\[logger_ckan(?:ext)?\]\nlevel = )\w+", r"\1DEBUG", text)


@pytest.fixture(scope="module")
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    ini = Path(request.config.getoption("ckan_ini")).resolve()
    root = tmp_path_factory.mktemp("served")
    var = root / "var"
    federation = Federation(ini, root)
    meta = federation.template()
    db = f"{federation.base_db}_secrets"
    federation._drop(db)
    federation._admin(
        f'create database "{db}" owner "{federation.owner}" template "{federation.base_db}_fedtpl"'
    )
    port = free_port()
    site = federation._site_config(
        "secrets",
        db,
        federation.lower_plugins,
        port=port,
        extra={"ckan.storage_path": str(var / "storage"), "ckanext.govshare.search.cache_ttl": "0"},
    )
    site.ini.write_text(_logging_at_debug(site.ini.read_text(encoding="utf-8")), encoding="utf-8")
    site.token = meta["token"]
    # What an earlier set-up left: var/ and a log readable by everyone (fixed by this run).
    (var / "storage").mkdir(parents=True)
    var.chmod(0o755)
    (var / "ckan.log").write_text("an old log line\n")
    (var / "ckan.log").chmod(0o644)
    (var / "storage" / "old-upload.bin").write_bytes(b"old")
    (var / "storage" / "old-upload.bin").chmod(0o644)
    env = {
        **os.environ,
        "VAR": str(var),
        "PORT": str(port),
        "CKAN_INI": str(site.ini),
        "VENV": str(Path(sys.executable).parent.parent),
    }
    served = Served(site=site, var=var, env=env, federation=federation, db=db)
    try:
        started = subprocess.run(
            ["bash", str(SETUP), "serve"], env=env, capture_output=True, text=True, timeout=300
        )
        served.pids = [int((var / f"{name}.pid").read_text()) for name in ("web", "worker")]
        assert started.returncode == 0, started.stdout + started.stderr
        yield served
    finally:
        served.stop()
        federation._drop(db)
        federation.admin.dispose()


def _api(site: Site, action: str, token: str, **data: Any) -> Any:
    return site.action(action, token, **data)


def _csrf(html: str, form_action: str | None = None) -> str:
    if form_action:
        html = html[html.index(form_action) :]
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture(scope="module")
def downloaded(served: Served) -> dict[str, Any]:
    """Two downloads of one file (token header; button after a form login), a token in a URL,
    and a job handed a token; then both servers stop."""
    site, admin = served.site, served.site.token
    orgs = {}
    for role in ("provider", "requester"):
        orgs[role] = _api(
            site,
            "organization_create",
            admin,
            name=f"sec-{role}",
            title=f"{role} 部门",
            provider_code=gs_factories.provider_code(),
            department_level="provincial",
        )
    user = _api(
        site,
        "user_create",
        admin,
        name="sec-requester",
        email="sec-requester@example.org",
        password=PASSWORD,
    )
    _api(
        site,
        "organization_member_create",
        admin,
        id=orgs["requester"]["id"],
        username=user["name"],
        role="member",
    )
    entry = _api(
        site,
        "package_create",
        admin,
        name="sec-entry",
        title="人口数据",
        notes="摘要",
        owner_org=orgs["provider"]["id"],
        **{**gs_factories.entry_fields(), "open_to_public": "not_open"},
    )
    uploaded = site.session.post(
        f"{site.url}/api/3/action/resource_create",
        data={"package_id": entry["id"], "name": "人口数据"},
        files={"upload": ("people.csv", FILE, "text/csv")},
        headers={"Authorization": admin},
        timeout=60,
    ).json()
    assert uploaded["success"], uploaded
    resource = uploaded["result"]
    user_token = _api(site, "api_token_create", admin, user=user["name"], name="sec")["token"]
    grant = _api(
        site,
        "govshare_access_obtain",
        user_token,
        package_id=entry["id"],
        requesting_org=orgs["requester"]["name"],
        purpose="data_verification",
        purpose_detail="核验",
        pledge=True,
    )
    header, in_url, for_job = (
        _api(site, "govshare_token_create", user_token, grant_id=grant["id"])["token"]
        for _ in range(3)
    )
    served.secrets += [header, in_url, for_job]
    url = f"{site.url}/govshare/download/{resource['id']}"

    by_header = requests.get(url, headers={"Authorization": f"Bearer {header}"}, timeout=60)
    refused = requests.get(url, params={"token": in_url}, timeout=60)

    browser = requests.Session()
    login = browser.get(f"{site.url}/user/login", timeout=60).text
    browser.post(
        f"{site.url}/user/login",
        data={"login": user["name"], "password": PASSWORD, "_csrf_token": _csrf(login)},
        timeout=60,
    )
    page = browser.get(f"{site.url}/dataset/{entry['name']}", timeout=60).text
    start = f"/govshare/download/{resource['id']}/start"
    clicked = browser.post(
        site.url + start,
        data={"_csrf_token": _csrf(page, start)},
        allow_redirects=False,
        timeout=60,
    )

    queue = Queue(
        f"ckan:{served.db}:default", connection=Redis.from_url(served.federation.redis_url)
    )
    job = queue.enqueue("ckanext.govshare.tests.secrets.jobs.handle", for_job)
    for _ in range(600):
        status = Job.fetch(job.id, connection=queue.connection).get_status()
        if status in ("finished", "failed"):
            break
        time.sleep(0.1)
    served.stop()
    return {
        "resource": resource,
        "by_header": by_header,
        "refused": refused,
        "clicked": clicked,
        "job_status": status,
    }


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_both_downloads_worked(downloaded: dict[str, Any]) -> None:
    assert downloaded["by_header"].status_code == 200
    assert downloaded["by_header"].content == FILE
    clicked = downloaded["clicked"]
    assert clicked.status_code == 200 and clicked.content == FILE  # the file, no redirect
    assert "Location" not in clicked.headers
    refused = downloaded["refused"]
    assert refused.status_code == 400 and refused.json()["reason"] == "token_in_url"
    assert downloaded["job_status"] == "failed"


def test_no_token_anywhere_under_var(served: Served, downloaded: dict[str, Any]) -> None:
    files = _files(served.var)
    assert {"ckan.log", "worker.log"} <= {p.name for p in files}
    for path in files:
        data = path.read_bytes()
        for secret in served.secrets:
            assert secret.encode() not in data, path
        assert not TOKEN.search(data), (path, TOKEN.search(data))
    # Nor in the project's own var/ (the development site's logs and uploads).
    for path in _files(ROOT / "var"):
        data = path.read_bytes()
        assert not any(secret.encode() in data for secret in served.secrets), path


def test_the_logs_did_record_the_requests_and_the_job(
    served: Served, downloaded: dict[str, Any]
) -> None:
    """What makes the test able to fail: each line that carried a token was written."""
    rid = downloaded["resource"]["id"]
    web = (served.var / "ckan.log").read_text(encoding="utf-8", errors="replace")
    assert f'"GET /govshare/download/{rid} HTTP/1.1" 200' in web
    ansi = r"(?:\x1b\[[0-9;]*m)*"  # werkzeug colours a 400's request line
    assert re.search(
        rf'"{ansi}GET /govshare/download/{rid}\?token=\[masked\] HTTP/1.1{ansi}" 400', web
    ), web[-3000:]
    assert f'"POST /govshare/download/{rid}/start HTTP/1.1" 200' in web
    worker = (served.var / "worker.log").read_text(encoding="utf-8", errors="replace")
    assert "job got the download token gsd_[masked]" in worker
    assert "raised an exception: refusing download token gsd_[masked]" in worker
    assert "ValueError: refusing download token gsd_[masked]" in worker  # the traceback


def test_var_and_its_files_are_for_the_owner_only(
    served: Served, downloaded: dict[str, Any]
) -> None:
    assert stat.S_IMODE(served.var.stat().st_mode) == 0o750
    for path in [served.var, *served.var.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o007 == 0, (path, oct(mode))  # nothing for other accounts
        assert mode & 0o020 == 0, (path, oct(mode))  # the group reads at most
    for name in ("ckan.log", "worker.log"):
        assert stat.S_IMODE((served.var / name).stat().st_mode) == 0o640

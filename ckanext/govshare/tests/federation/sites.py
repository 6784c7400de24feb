"""Two CKAN sites on loopback for the federation round trip (issue 7, item 4).

The *lower* site runs the platform as deployed; the *upper* one runs CKAN with
ckanext-harvest, ckanext-dcat and govshare in its harvesting role. Both are real servers
(``ckan run``) on free ports, each on its own database and the Redis DB of the test config
plus 8 (1 → 9, 3 → 11, 7 → 15), so that the suites of two CKAN versions running side by side
on one machine never meet. Their databases are copies of a template
(``<test db>_fedtpl``), migrated once and rebuilt when a migration or the config secret
changes, so a run starts from an empty catalogue in a second.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

CKAN = str(Path(sys.executable).with_name("ckan"))
MIGRATED = ("activity", "harvest", "govshare_search", "govshare")
# The upper site adds the harvesting role to the platform's own plugins.
HARVESTING = ("govshare_dcat_harvester", "govshare_ckan_harvester")
ADMIN = "fed-admin"
_PACKAGE = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def derived_redis_url(url: str) -> str:
    """The test config's Redis URL with DB n + 8 (1 → 9, 3 → 11, 7 → 15)."""
    head, _, db = url.rstrip("/").rpartition("/")
    number = int(db) if db.isdigit() else 0
    return f"{head}/{(number + 8) % 16}"


def admin_url(url: str) -> str:
    """A superuser connection to the server of ``url`` (to create and drop databases)."""
    override = os.environ.get("GOVSHARE_PG_ADMIN_URL")
    if override:
        return override
    parsed = make_url(url)
    return parsed.set(username="postgres", password=None, database="postgres").render_as_string(
        hide_password=False
    )


def upper_plugins(base: str) -> str:
    """The platform's plugins (the test config's) with the harvesting role's added."""
    names = base.split()
    for name in ("harvest", "dcat"):
        if name not in names:
            names.insert(0, name)
    at = names.index("govshare") if "govshare" in names else len(names)
    return " ".join(names[:at] + [n for n in HARVESTING if n not in names] + names[at:])


def _set(text: str, key: str, value: str) -> str:
    """Set ``key = value`` in the ``[app:main]`` section of an ini text."""
    pattern = re.compile(rf"^{re.escape(key)}\s*=.*$", re.M)
    line = f"{key} = {value}"
    if pattern.search(text):
        return pattern.sub(lambda _: line, text, count=1)
    return text.replace("[app:main]\n", f"[app:main]\n{line}\n", 1)


@dataclass
class Site:
    name: str
    ini: Path
    url: str
    db_url: str
    token: str = ""
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    session: requests.Session = field(default_factory=requests.Session)

    def cli(self, *args: str, timeout: int = 300) -> str:
        done = subprocess.run(
            [CKAN, "-c", str(self.ini), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise RuntimeError(f"ckan {' '.join(args)} on {self.name}: {done.stderr[-3000:]}")
        return done.stdout

    def action(self, _action: str, _token: str | None = None, **data: Any) -> Any:
        answer = self.session.post(
            f"{self.url}/api/3/action/{_action}",
            json=data,
            headers={"Authorization": _token if _token is not None else self.token},
            timeout=60,
        )
        body = answer.json()
        if not body.get("success"):
            raise RuntimeError(
                f"{_action} on {self.name}: {answer.status_code} {body.get('error')}"
            )
        return body["result"]

    def get(self, path: str, token: str | None = None, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": token} if token else {}
        return self.session.get(self.url + path, headers=headers, timeout=60, **kwargs)

    def sql(self, statement: str, **params: Any) -> list[Any]:
        engine = sa.create_engine(self.db_url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                result = conn.execute(sa.text(statement), params)
                return list(result) if result.returns_rows else []
        finally:
            engine.dispose()


def _fingerprint(base_ini: str) -> str:
    """What the template depends on: the migration scripts and the config's token secret."""
    import ckan

    digest = hashlib.sha256(ckan.__version__.encode())
    for path in sorted((_PACKAGE / "migration").rglob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    secret = re.search(r"^api_token\.jwt\.encode\.secret\s*=(.*)$", base_ini, re.M)
    digest.update((secret.group(1) if secret else "").encode())
    return digest.hexdigest()[:16]


class Federation:
    """Builds the template, the two sites' databases and configs, starts and stops them."""

    def __init__(self, base_ini: Path, workdir: Path) -> None:
        self.base_text = base_ini.read_text(encoding="utf-8")
        self.workdir = workdir
        self.db_url = re.search(r"^sqlalchemy\.url\s*=\s*(\S+)", self.base_text, re.M).group(1)
        redis = re.search(r"^ckan\.redis\.url\s*=\s*(\S+)", self.base_text, re.M)
        self.redis_url = derived_redis_url(redis.group(1) if redis else "redis://127.0.0.1:6379/0")
        self.base_db = make_url(self.db_url).database
        self.owner = make_url(self.db_url).username
        self.admin = self._admin_engine()
        self.sites: dict[str, Site] = {}
        plugins = re.search(r"^ckan\.plugins\s*=(.*)$", self.base_text, re.M)
        self.lower_plugins = plugins.group(1).strip() if plugins else ""
        self.upper_plugins = upper_plugins(self.lower_plugins)

    # -- databases --------------------------------------------------------------------------
    def _admin_engine(self) -> sa.engine.Engine:
        """The test config's own role if it may create databases, else a superuser."""
        own = sa.create_engine(
            self.db_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
        )
        with own.connect() as conn:
            may = conn.execute(
                sa.text("select rolcreatedb or rolsuper from pg_roles where rolname = current_user")
            ).scalar()
        if may and not os.environ.get("GOVSHARE_PG_ADMIN_URL"):
            return own
        own.dispose()
        return sa.create_engine(
            admin_url(self.db_url), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
        )

    def _db_url(self, name: str) -> str:
        return make_url(self.db_url).set(database=name).render_as_string(hide_password=False)

    def _admin(self, statement: str) -> list[Any]:
        with self.admin.connect() as conn:
            result = conn.execute(sa.text(statement))
            return list(result) if result.returns_rows else []

    def _exists(self, name: str) -> bool:
        return bool(self._admin(f"select 1 from pg_database where datname = '{name}'"))

    def _comment(self, name: str) -> dict[str, Any]:
        rows = self._admin(
            "select shobj_description(oid, 'pg_database') from pg_database "
            f"where datname = '{name}'"
        )
        try:
            return json.loads(rows[0][0]) if rows and rows[0][0] else {}
        except ValueError:
            return {}

    def _drop(self, name: str) -> None:
        self._admin(f'drop database if exists "{name}" with (force)')

    def template(self) -> dict[str, Any]:
        """The migrated template database with a sysadmin and its API token (made once)."""
        name = f"{self.base_db}_fedtpl"
        fingerprint = _fingerprint(self.base_text)
        meta = self._comment(name) if self._exists(name) else {}
        if meta.get("fingerprint") == fingerprint and meta.get("token"):
            return meta
        self._drop(name)
        self._admin(
            f'create database "{name}" owner "{self.owner}" encoding \'utf8\' template template0'
        )
        site = self._site_config("fedtpl", name, self.upper_plugins, port=free_port())
        site.cli("db", "upgrade")
        for plugin in MIGRATED:
            site.cli("db", "upgrade", "-p", plugin)
        site.cli(
            "user",
            "add",
            ADMIN,
            f"email={ADMIN}@localhost",
            f"password={secrets.token_urlsafe(16)}",
        )
        site.cli("sysadmin", "add", ADMIN)
        out = site.cli("user", "token", "add", ADMIN, "federation-tests")
        token = out.strip().splitlines()[-1].strip()
        meta = {"fingerprint": fingerprint, "token": token}
        comment = json.dumps(meta).replace("'", "''")
        self._admin(f"comment on database \"{name}\" is '{comment}'")
        return meta

    # -- sites ------------------------------------------------------------------------------
    def _site_config(
        self, role: str, db: str, plugins: str, *, port: int, extra: dict[str, str] | None = None
    ) -> Site:
        url = f"http://127.0.0.1:{port}"
        text = self.base_text
        storage = self.workdir / f"storage-{role}"
        storage.mkdir(parents=True, exist_ok=True)
        values = {
            "sqlalchemy.url": self._db_url(db),
            "ckan.redis.url": self.redis_url,
            "ckan.site_id": db,
            "ckan.site_url": url,
            "ckan.storage_path": str(storage),
            "ckan.plugins": plugins,
            "ckan.site_title": f"{role} platform",
            "ckanext.govshare.search.cache_ttl": "0",
            # The round trip is a suite of the baseline profile (tests/conftest.py): under
            # regulation-2025 the lower site's entries would need grading and the authority's
            # review before anyone else, the upper platform included, sees them.
            "ckanext.govshare.rule_profile": "measures-2016",
            **(extra or {}),
        }
        for key, value in values.items():
            text = _set(text, key, value)
        ini = self.workdir / f"{role}.ini"
        ini.write_text(text, encoding="utf-8")
        return Site(name=role, ini=ini, url=url, db_url=self._db_url(db))

    def start(self, roles: dict[str, dict[str, str]]) -> dict[str, Site]:
        """Copy the template for each role, write its config, start every server at once
        (without waiting: ``wait``).

        ``roles``: role name (``lower``, ``upper``) → extra config options."""
        meta = self.template()
        for role, extra in roles.items():
            plugins = self.upper_plugins if role == "upper" else self.lower_plugins
            db = f"{self.base_db}_{role}"
            self._drop(db)
            self._admin(
                f'create database "{db}" owner "{self.owner}" template "{self.base_db}_fedtpl"'
            )
            site = self._site_config(role, db, plugins, port=free_port(), extra=extra)
            site.token = meta["token"]
            site.log = self.workdir / f"{role}.log"
            site.process = subprocess.Popen(
                [
                    CKAN,
                    "-c",
                    str(site.ini),
                    "run",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    site.url.rsplit(":", 1)[1],
                    "--disable-reloader",
                ],
                stdout=site.log.open("wb"),
                stderr=subprocess.STDOUT,
            )
            self.sites[role] = site
        return self.sites

    def wait(self, site: Site, seconds: float = 120) -> Site:
        """Until ``site`` answers (servers start side by side; wait for each when needed)."""
        deadline = time.monotonic() + seconds
        while True:
            with contextlib.suppress(requests.RequestException):
                if site.session.get(site.url + "/api/3/action/status_show", timeout=2).ok:
                    return site
            if site.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"{site.name} did not start:\n" + site.log.read_text(errors="replace")[-3000:]
                )
            time.sleep(0.2)

    def stop(self) -> None:
        for site in self.sites.values():
            if site.process and site.process.poll() is None:
                site.process.terminate()
                try:
                    site.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    site.process.kill()
        self.admin.dispose()

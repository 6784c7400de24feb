"""Fault benchmark (issue 14, item 9): PostgreSQL restarted, Redis stopped, nothing lost.

    python bench/faults.py                          # CKAN 2.11 (.venv)
    python bench/faults.py --ckan-version 2.12.0    # CKAN 2.12 (.venv-ckan-2.12.0)
    python bench/faults.py --gap 20 --threads 8     # longer phases, more clients

Everything runs on services of its own, never on the machine's shared ones: a throwaway
PostgreSQL cluster (``initdb`` under ``var/bench-faults/<version>/``, a free port, run as the
``postgres`` user when started as root) and a ``redis-server`` on a free port with no
persistence. The script writes a CKAN config for them (``config/bench-faults.ini``, or
``config/bench-faults-ckan-<version>.ini``; git-ignored) from ``config/ckan.ini.template``,
migrates (CKAN and every plugin, as ``scripts/setup.sh migrate``), starts one CKAN server
process (``ckan run --threaded``) and the jobs worker the way the set-up does
(``ckan govshare worker``), and seeds a small world through the action API: providing and
requesting departments with data officers and staff, entries of every share type with an
uploaded file, grants and download tokens.

Then ``--threads`` clients drive load (request creation, decisions, negotiations, obtains,
token creation, downloads with ``Authorization: Bearer``, API and page searches, page views)
while the script, every ``--gap`` seconds: restarts PostgreSQL (``pg_ctl restart -m fast``),
stops Redis while the worker runs a job, starts it again, freezes Redis (SIGSTOP: connections
accepted, never answered) and thaws it, and restarts PostgreSQL with ``-m immediate`` (a
crash). Afterwards it checks, on the same server process (never restarted):

- the site answers normally (status, pages, a search, a new request, a download);
- no half-written record: every request has its history rows, each history row its audit
  event and its notices, every approval its grant, every grant and token its audit event and
  notices, every counted download its audit event and its count on the token and the grant,
  and nothing the clients were told had succeeded is missing; the audit chain verifies; no
  notice is marked emailed (no email can be sent: ``smtp.server`` points at a closed port, so
  a notice marked emailed would never be retried by ``ckan govshare remind``);
- searches answered while Redis was down or frozen;
- a job enqueued after Redis came back is run by the worker.

It prints requests attempted, succeeded, failed cleanly (4xx/503), 500s (any 5xx but 503),
unanswered, and records lost; exits 1 if any record was lost or the site did not recover.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
VENVS = {"2.11.6": ROOT / ".venv", "2.12.0": ROOT / ".venv-ckan-2.12.0"}
PLUGINS_MIGRATED = ("activity", "harvest", "govshare_search", "govshare")
PURPOSES = (
    "administrative_basis",
    "work_reference",
    "data_verification",
    "business_collaboration",
)
WORDS = ("人口", "信息", "登记", "统计", "faults", "户籍", "社会保险")
FILE_BYTES = 64 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------------------- services


class Postgres:
    """A PostgreSQL cluster of this run's own: initdb'd, started, restarted, removed."""

    def __init__(self, workdir: Path, port: int, bindir: Path) -> None:
        self.as_postgres = os.geteuid() == 0
        self.dir = workdir / "pg"
        if self.as_postgres and not self._reachable(workdir):
            # var/ is 0750 once the set-up ran (issue 14, item 2): the postgres user cannot
            # reach a cluster there, so it goes to a temporary directory of its own.
            self.dir = Path(tempfile.mkdtemp(prefix="govshare-faults-pg-"))
            self.dir.chmod(0o755)
        self.data = self.dir / "data"
        self.logfile = self.dir / "postgres.log"
        self.port = port
        self.bindir = bindir

    @staticmethod
    def _reachable(path: Path) -> bool:
        """Whether the postgres user can reach ``path`` (every directory above it)."""
        done = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-x", str(path)])
        return done.returncode == 0

    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        return ["runuser", "-u", "postgres", "--", *cmd] if self.as_postgres else cmd

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(self._cmd(*args), capture_output=True, text=True)
        if check and done.returncode:
            raise RuntimeError(f"{' '.join(args[:2])}: {done.stderr[-2000:] or done.stdout}")
        return done

    def init(self) -> None:
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )

    def _options(self) -> str:
        return (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c max_connections=60 -c shared_buffers=32MB"
        )

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.logfile),
            "-w",
            "-t",
            "60",
            "-o",
            self._options(),
            "start",
        )

    def restart(self, mode: str) -> float:
        """``pg_ctl restart -m <mode>``; returns the seconds it took (the outage)."""
        started = time.monotonic()
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.logfile),
            "-w",
            "-t",
            "60",
            "-m",
            mode,
            "-o",
            self._options(),
            "restart",
        )
        return time.monotonic() - started

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def sql(self, db: str, statement: str) -> None:
        self._run(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            db,
            "-v",
            "ON_ERROR_STOP=1",
            "-qc",
            statement,
        )


class Redis:
    """A redis-server of this run's own, no persistence; stopped and started at will."""

    def __init__(self, workdir: Path, port: int) -> None:
        self.dir = workdir / "redis"
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
                "--logfile",
                str(self.dir / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1) as s,
            ):
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections, nothing answers (a hung Redis)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def command(self, *args: str) -> Any:
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5).execute_command(
            *args
        )

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


# ---------------------------------------------------------------------------- the site


def write_config(path: Path, *, db_url: str, redis_url: str, port: int, storage: Path) -> None:
    """The committed template with this run's values (as scripts/setup.sh step_config)."""
    text = (ROOT / "config" / "ckan.ini.template").read_text(encoding="utf-8")
    values = {
        "SQLALCHEMY_URL": db_url,
        "REDIS_URL": redis_url,
        "SITE_ID": "govshare_faults",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "STORAGE_PATH": str(storage),
        "SECRET_KEY": secrets.token_urlsafe(32),
        "JWT_SECRET": secrets.token_urlsafe(32),
    }
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    extra = {
        # Nothing listens there: every email fails at once and stays for `remind` to retry.
        "smtp.server": f"127.0.0.1:{free_port()}",
        "ckan.site_title": "faults bench",
    }
    for key, value in extra.items():
        line = f"{key} = {value}"
        pattern = re.compile(rf"^{re.escape(key)}\s*=.*$", re.M)
        if pattern.search(text):
            text = pattern.sub(lambda _, line=line: line, text, count=1)
        else:
            text = text.replace("[app:main]\n", f"[app:main]\n{line}\n", 1)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)


@dataclass
class Site:
    venv: Path
    ini: Path
    url: str
    workdir: Path
    server: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    admin_token: str = ""

    @property
    def ckan(self) -> str:
        return str(self.venv / "bin" / "ckan")

    def cli(self, *args: str, timeout: int = 600, tries: int = 3) -> str:
        """``ckan -c INI args``; tried again after a pause (a source tree being edited)."""
        for attempt in range(tries):
            done = subprocess.run(
                [self.ckan, "-c", str(self.ini), *args],
                capture_output=True,
                text=True,
                timeout=timeout,
            )
            if not done.returncode:
                return done.stdout
            if attempt + 1 < tries:
                time.sleep(10)
        raise RuntimeError(f"ckan {' '.join(args)}: {done.stderr[-3000:]}")

    def migrate(self) -> None:
        self.cli("db", "upgrade")
        for plugin in PLUGINS_MIGRATED:
            self.cli("db", "upgrade", "-p", plugin)

    def start_server(self, port: int) -> None:
        logfile = (self.workdir / "ckan.log").open("ab")
        self.server = subprocess.Popen(
            [
                self.ckan,
                "-c",
                str(self.ini),
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--disable-reloader",
                "--disable-debugger",
                "--threaded",
            ],
            stdout=logfile,
            stderr=subprocess.STDOUT,
        )
        for _ in range(240):
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/api/3/action/status_show", timeout=2).ok:
                    return
            if self.server.poll() is not None:
                raise RuntimeError("CKAN did not start:\n" + self.log_tail())
            time.sleep(0.5)
        raise RuntimeError("CKAN did not answer within 120 s")

    def start_worker(self, command: list[str]) -> None:
        logfile = (self.workdir / "worker.log").open("ab")
        self.worker = subprocess.Popen(
            [self.ckan, "-c", str(self.ini), *command],
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def enqueue_sleep(self, seconds: float) -> str:
        """A job that sleeps ``seconds`` (enqueued with CKAN's own ``enqueue``); its id."""
        done = subprocess.run(
            [str(self.venv / "bin" / "python"), "-", str(self.ini), str(seconds)],
            input=_ENQUEUE_SLEEP,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode:
            raise RuntimeError(f"enqueue: {done.stderr[-2000:]}")
        return done.stdout.strip().splitlines()[-1]

    def log_tail(self, name: str = "ckan.log", chars: int = 3000) -> str:
        path = self.workdir / name
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop(self) -> None:
        for proc in (self.server, self.worker):
            if proc is not None and proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM) if proc is self.worker else proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()


_ENQUEUE_SLEEP = """
import sys, time
from ckan.cli import load_config
from ckan.config.middleware import make_app
make_app(load_config(sys.argv[1]))
from ckan.lib import jobs
print(jobs.enqueue(time.sleep, [float(sys.argv[2])], title="faults bench: a job in hand").id)
"""


class ActionError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {str(body)[:300]}")
        self.status = status
        self.body = body


def call(
    session: requests.Session,
    base: str,
    action: str,
    token: str,
    files: Any = None,
    /,
    **data: Any,
) -> Any:
    """An action over HTTP as the token's user; raises ActionError on failure."""
    headers = {"Authorization": token} if token else {}
    if files:
        answer = session.post(
            f"{base}/api/3/action/{action}", data=data, files=files, headers=headers, timeout=60
        )
    else:
        answer = session.post(
            f"{base}/api/3/action/{action}", json=data, headers=headers, timeout=60
        )
    try:
        body = answer.json()
    except ValueError:
        body = answer.text
    if answer.status_code != 200 or not isinstance(body, dict) or not body.get("success"):
        raise ActionError(answer.status_code, body)
    return body["result"]


# ---------------------------------------------------------------------------- the world


@dataclass
class Person:
    name: str
    token: str
    org: str  # the department's id


@dataclass
class World:
    providers: list[dict[str, Any]] = field(default_factory=list)
    requesters: list[dict[str, Any]] = field(default_factory=list)
    officers: dict[str, Person] = field(default_factory=dict)  # provider id → officer
    staff: list[Person] = field(default_factory=list)
    unconditional: list[dict[str, Any]] = field(default_factory=list)
    conditional: list[dict[str, Any]] = field(default_factory=list)
    not_shared: list[dict[str, Any]] = field(default_factory=list)
    # Live download tokens: (secret, token id, resource id, expected bytes).
    tokens: list[tuple[str, str, str, int]] = field(default_factory=list)
    # Grants each department holds (org id → grant ids), to take tokens from.
    grants: dict[str, list[str]] = field(default_factory=dict)
    # Every seeded user's password (logins go through the login throttle, which counts in Redis).
    password: str = ""


def _entry(kind: str, org: dict[str, Any], index: int) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": f"faults-{kind}-{org['name']}-{index}",
        "title": f"{org['title']}人口信息登记统计{index}（{kind}）",
        "notes": "faults bench entry",
        "owner_org": org["id"],
        "resource_category": "departmental",
        "format_type": "spreadsheet",
        "share_type": kind,
        "share_methods": ["file_download"],
        "open_to_public": "open" if kind == "unconditional" else "not_open",
        "update_cycle": "monthly",
        "release_date": "2026-01-15",
        "data_items": [{"name": "编号", "data_type": "string"}],
    }
    if kind == "conditional":
        fields["share_conditions"] = "仅用于行政审批核验"
    elif kind == "not_shared":
        fields["legal_basis"] = "《中华人民共和国个人信息保护法》第十三条"
    return fields


def seed(site: Site, providers: int, requesters: int, entries: int) -> World:
    """Departments, people, entries with a file each, grants and tokens: all through actions."""
    from ckanext.govshare.catalogue import credit_code

    rng = random.Random(2016)
    s = requests.Session()
    admin = site.admin_token
    world = World()
    password = world.password = secrets.token_urlsafe(16)

    def code() -> str:
        body = "11" + "".join(rng.choice(credit_code.ALPHABET) for _ in range(15))
        return credit_code.with_check_character(body)

    def person(name: str, org: dict[str, Any], role: str) -> Person:
        call(
            s,
            site.url,
            "user_create",
            admin,
            name=name,
            email=f"{name}@localhost",
            password=password,
        )
        call(
            s, site.url, "organization_member_create", admin, id=org["id"], username=name, role=role
        )
        token = call(s, site.url, "api_token_create", admin, user=name, name="faults")["token"]
        return Person(name, token, org["id"])

    for i in range(providers):
        org = call(
            s,
            site.url,
            "organization_create",
            admin,
            name=f"faults-provider-{i}",
            title=f"提供部门{i}",
            provider_code=code(),
            department_level="provincial",
        )
        world.providers.append(org)
        world.officers[org["id"]] = person(f"faults-provider-{i}-officer", org, "admin")
    for i in range(requesters):
        org = call(
            s,
            site.url,
            "organization_create",
            admin,
            name=f"faults-requester-{i}",
            title=f"使用部门{i}",
            provider_code=code(),
            department_level="municipal",
        )
        world.requesters.append(org)
        world.staff.append(person(f"faults-requester-{i}-staff", org, "member"))
    payload = os.urandom(FILE_BYTES)
    for org in world.providers:
        for kind, bucket in (
            ("unconditional", world.unconditional),
            ("conditional", world.conditional),
            ("not_shared", world.not_shared),
        ):
            for i in range(entries):
                entry = call(s, site.url, "package_create", admin, **_entry(kind, org, i))
                res = call(
                    s,
                    site.url,
                    "resource_create",
                    admin,
                    {"upload": (f"data-{i}.csv", payload, "text/csv")},
                    package_id=entry["id"],
                    name=f"数据{i}.csv",
                    url=f"data-{i}.csv",
                )
                entry["resources"] = [res]
                bucket.append(entry)
    for staff in world.staff:
        for entry in world.unconditional:
            grant = call(
                s,
                site.url,
                "govshare_access_obtain",
                staff.token,
                package_id=entry["id"],
                purpose="work_reference",
                purpose_detail="故障演练",
                pledge=True,
            )
            world.grants.setdefault(staff.org, []).append(grant["id"])
            token = call(
                s,
                site.url,
                "govshare_token_create",
                staff.token,
                grant_id=grant["id"],
                expires_in=86400,
            )
            world.tokens.append(
                (token["token"], token["id"], entry["resources"][0]["id"], FILE_BYTES)
            )
    return world


# ---------------------------------------------------------------------------- load


@dataclass
class Outcome:
    at: float
    phase: str
    op: str
    status: int  # 0: no answer (connection refused, reset, timeout)
    took: float  # seconds


class Load:
    """Client threads doing what departments do, recording every answer and every success."""

    def __init__(self, site: Site, world: World, threads: int, seed: int) -> None:
        self.site = site
        self.world = world
        self.threads = threads
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.phase = "baseline"
        self.started = time.monotonic()
        self.outcomes: list[Outcome] = []
        # The first answer of each failing (operation, status), to say what failed.
        self.examples: dict[tuple[str, int], str] = {}
        # What the clients were told had succeeded (each must be in the database).
        self.requests: set[str] = set()
        self.decisions: list[tuple[str, str]] = []
        self.grants: set[str] = set()
        self.tokens: set[str] = set()
        self.downloads: collections.Counter[str] = collections.Counter()
        self.pending: dict[str, collections.deque[str]] = {
            p["id"]: collections.deque() for p in world.providers
        }
        self.live_tokens = list(world.tokens)
        self.weights = {
            "request_create": 4,
            "decide": 3,
            "negotiate": 1,
            "obtain": 2,
            "token_create": 1,
            "download": 5,
            "search_api": 3,
            "search_page": 2,
            "page": 3,
            "login": 1,
        }

    # -- bookkeeping -------------------------------------------------------------------
    def note(self, op: str, status: int, phase: str, at: float) -> None:
        took = time.monotonic() - at
        with self.lock:
            self.outcomes.append(Outcome(at - self.started, phase, op, status, took))

    def run_op(self, session: requests.Session, op: str) -> None:
        phase, at = self.phase, time.monotonic()
        try:
            status = getattr(self, f"op_{op}")(session)
        except ActionError as error:
            status = error.status
            with self.lock:
                self.examples.setdefault((op, status), str(error.body)[:300])
        except requests.RequestException as error:
            status = 0
            with self.lock:
                self.examples.setdefault((op, status), repr(error)[:300])
        self.note(op, status, phase, at)

    def client(self, index: int) -> None:
        rng = random.Random(index)
        session = requests.Session()
        ops, weights = zip(*self.weights.items(), strict=True)
        while not self.stop.is_set():
            self.run_op(session, rng.choices(ops, weights)[0])

    def start(self) -> list[threading.Thread]:
        self.started = time.monotonic()
        threads = [
            threading.Thread(target=self.client, args=(i,), daemon=True)
            for i in range(self.threads)
        ]
        for t in threads:
            t.start()
        return threads

    # -- operations: each returns the HTTP status -----------------------------------------
    def _staff(self) -> Person:
        return self.rng.choice(self.world.staff)

    def _form(self, entry: dict[str, Any], staff: Person) -> dict[str, Any]:
        today = dt.date.today()
        return {
            "package_id": entry["id"],
            "requesting_org": staff.org,
            "purpose": self.rng.choice(PURPOSES),
            "purpose_detail": "故障演练：办件核验",
            "scenario": "“一网通办”业务协同",
            "basis": "《政务信息资源共享管理暂行办法》第十二条",
            "share_method": "file_download",
            "period_start": today.isoformat(),
            "period_end": (today + dt.timedelta(days=90)).isoformat(),
            "pledge": True,
        }

    def op_request_create(self, s: requests.Session) -> int:
        staff = self._staff()
        entry = self.rng.choice(self.world.conditional)
        request = call(
            s, self.site.url, "govshare_request_create", staff.token, **self._form(entry, staff)
        )
        with self.lock:
            self.requests.add(request["id"])
            self.pending[entry["owner_org"]].append(request["id"])
        return 200

    def op_negotiate(self, s: requests.Session) -> int:
        staff = self._staff()
        entry = self.rng.choice(self.world.not_shared)
        request = call(
            s, self.site.url, "govshare_negotiation_open", staff.token, **self._form(entry, staff)
        )
        with self.lock:
            self.requests.add(request["id"])
        return 200

    def op_decide(self, s: requests.Session) -> int:
        provider = self.rng.choice(self.world.providers)["id"]
        with self.lock:
            queue = self.pending[provider]
            request_id = queue.popleft() if queue else None
        if request_id is None:
            return self.op_page(s)
        officer = self.world.officers[provider]
        decision = self.rng.choice(("approve", "approve", "reject"))
        extra = {"reason": "材料不全，请补充用途说明"} if decision == "reject" else {}
        try:
            result = call(
                s,
                self.site.url,
                "govshare_request_decide",
                officer.token,
                id=request_id,
                decision=decision,
                **extra,
            )
        except ActionError as error:
            if error.status >= 500 or error.status == 0:
                with self.lock:  # it may or may not have happened: try again later
                    self.pending[provider].append(request_id)
            raise
        with self.lock:
            self.decisions.append((request_id, decision))
            if result.get("grant"):
                self.grants.add(result["grant"]["id"])
        return 200

    def op_obtain(self, s: requests.Session) -> int:
        staff = self._staff()
        entry = self.rng.choice(self.world.unconditional)
        grant = call(
            s,
            self.site.url,
            "govshare_access_obtain",
            staff.token,
            package_id=entry["id"],
            purpose=self.rng.choice(PURPOSES),
            purpose_detail="故障演练",
            pledge=True,
        )
        with self.lock:
            self.grants.add(grant["id"])
            self.world.grants.setdefault(staff.org, []).append(grant["id"])
        return 200

    def op_token_create(self, s: requests.Session) -> int:
        staff = self._staff()
        with self.lock:
            grants = list(self.world.grants.get(staff.org, []))
        if not grants:
            return self.op_obtain(s)
        token = call(
            s,
            self.site.url,
            "govshare_token_create",
            staff.token,
            grant_id=self.rng.choice(grants),
            expires_in=86400,
        )
        resource = next(iter(token["download_urls"]))
        with self.lock:
            self.tokens.add(token["id"])
            self.live_tokens.append((token["token"], token["id"], resource, FILE_BYTES))
        return 200

    def op_download(self, s: requests.Session) -> int:
        with self.lock:
            secret, token_id, resource_id, size = self.rng.choice(self.live_tokens)
        with s.get(
            f"{self.site.url}/govshare/download/{resource_id}",
            headers={"Authorization": f"Bearer {secret}"},
            stream=True,
            timeout=60,
        ) as answer:
            got = sum(len(c) for c in answer.iter_content(65536))
        if answer.status_code == 200 and got == size:
            with self.lock:
                self.downloads[token_id] += 1
        return answer.status_code

    def op_search_api(self, s: requests.Session) -> int:
        call(
            s,
            self.site.url,
            "package_search",
            "",
            q=self.rng.choice(WORDS),
            **{"facet.field": ["organization", "share_type"]},
        )
        return 200

    def op_search_page(self, s: requests.Session) -> int:
        return s.get(
            f"{self.site.url}/dataset/", params={"q": self.rng.choice(WORDS)}, timeout=60
        ).status_code

    def op_login(self, s: requests.Session) -> int:
        """A login through the form (a session of its own; the right password)."""
        staff = self._staff()
        browser = requests.Session()
        form = browser.get(f"{self.site.url}/user/login", timeout=60)
        if form.status_code != 200:
            return form.status_code
        csrf = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
        data = {"login": staff.name, "password": self.world.password}
        if csrf:
            data["_csrf_token"] = csrf[1]
        answer = browser.post(
            f"{self.site.url}/user/login", data=data, allow_redirects=False, timeout=60
        )
        if answer.status_code == 200:  # the form again: the login was refused
            alert = re.search(r'class="alert[^"]*"[^>]*>(.*?)</div>', answer.text, re.S)
            said = re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", alert[1])) if alert else "no alert"
            raise ActionError(403, f"login refused: {said.strip()}")
        return answer.status_code

    def op_page(self, s: requests.Session) -> int:
        staff = self._staff()
        entry = self.rng.choice(self.world.unconditional + self.world.conditional)
        public = self.rng.choice(self.world.unconditional)  # open: anonymous visitors see it
        path, token = self.rng.choice(
            [
                (f"/dataset/{public['name']}", ""),
                ("/organization/", ""),
                ("/", ""),
                ("/govshare/requests", staff.token),
                ("/dashboard/", staff.token),
                (f"/dataset/{entry['name']}", staff.token),
            ]
        )
        headers = {"Authorization": token} if token else {}
        return s.get(self.site.url + path, headers=headers, timeout=60).status_code


# ---------------------------------------------------------------------------- checking


def check_records(db_url: str, load: Load) -> dict[str, int]:
    """Counts of records that are not whole, or that the clients were told exist but do not."""
    import psycopg2
    import psycopg2.extras

    problems: collections.Counter[str] = collections.Counter()
    with (
        psycopg2.connect(db_url) as conn,
        conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur,
    ):

        def rows(statement: str) -> list[dict[str, Any]]:
            cur.execute(statement)
            return list(cur.fetchall())

        requests_ = {r["id"]: r for r in rows("select id, kind from govshare_access_request")}
        events = rows(
            "select id, request_id, action, from_state from govshare_access_request_event "
            "order by id"
        )
        audit = rows(
            "select action, object_id, detail::text as detail from govshare_audit_event "
            "where outcome = 'success' and action like 'govshare_%'"
        )
        notices = {(r["key"]) for r in rows("select key from govshare_notice")}
        grants = {
            r["id"]: r for r in rows("select id, request_id, downloads_used from govshare_grant")
        }
        tokens = {
            r["id"]: r for r in rows("select id, grant_id, uses from govshare_download_token")
        }
        downloads = rows("select token_id, grant_id from govshare_download")

    audit_by: dict[tuple[str, str], list[dict[str, Any]]] = collections.defaultdict(list)
    for a in audit:
        a["detail"] = json.loads(a["detail"] or "{}")
        audit_by[(a["action"], a["object_id"])].append(a)

    # Requests: history, audit event per history row, notices, the grant of an approval.
    by_request: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for e in events:
        by_request[e["request_id"]].append(e)
        if e["request_id"] not in requests_:
            problems["history row without its request"] += 1
    grant_of = {g["request_id"] for g in grants.values() if g["request_id"]}
    for rid in requests_:
        history = by_request.get(rid, [])
        if not history or history[0]["action"] not in ("submit", "negotiate"):
            problems["request without its first history row"] += 1
        for e in history:
            found = audit_by.get((f"govshare_request_{e['action']}", rid), [])
            if e["from_state"] is not None:
                found = [a for a in found if a["detail"].get("event") == e["id"]]
            if not found:
                problems["history row without its audit event"] += 1
            wanted = {
                "submit": [f"submitted:{rid}", f"received:{rid}"],
                "negotiate": [f"negotiation:{rid}"] if e["from_state"] is None else [],
                "approve": [f"approve:{rid}:{e['id']}"],
                "reject": [f"reject:{rid}:{e['id']}"],
            }.get(e["action"], [])
            if any(key not in notices for key in wanted):
                problems["history row without its notices"] += 1
            if e["action"] == "approve" and rid not in grant_of:
                problems["approval without its grant"] += 1
    for (action, object_id), found in audit_by.items():
        if action.startswith("govshare_request_") and object_id not in requests_:
            problems["audit event of a request that does not exist"] += len(found)
    for key in notices:
        kind, _, rest = key.partition(":")
        if (
            kind in ("submitted", "received", "negotiation", "approve", "reject")
            and rest.split(":")[0] not in requests_
        ):
            problems["notice of a request that does not exist"] += 1
        if kind == "grant_created" and rest not in grants:
            problems["notice of a grant that does not exist"] += 1

    # Grants and tokens: their audit events, a grant's notice.
    for gid in grants:
        if not audit_by.get(("govshare_grant_create", gid)):
            problems["grant without its audit event"] += 1
        if f"grant_created:{gid}" not in notices:
            problems["grant without its notice"] += 1
    for (action, object_id), found in audit_by.items():
        if action == "govshare_grant_create" and object_id not in grants:
            problems["audit event of a grant that does not exist"] += len(found)
        if action == "govshare_token_create" and object_id not in tokens:
            problems["audit event of a token that does not exist"] += len(found)
    for tid in tokens:
        if not audit_by.get(("govshare_token_create", tid)):
            problems["token without its audit event"] += 1

    # Downloads: each counted one has its audit event and its count on the token and grant.
    rows_per_token = collections.Counter(d["token_id"] for d in downloads)
    rows_per_grant = collections.Counter(d["grant_id"] for d in downloads)
    audited = collections.Counter(
        a["detail"].get("token_id")
        for (action, _), found in audit_by.items()
        if action == "govshare_download"
        for a in found
    )
    for tid in set(rows_per_token) | set(audited):
        missing = rows_per_token[tid] - audited[tid]
        if missing > 0:
            problems["download without its audit event"] += missing
        elif missing < 0:
            problems["download audit event without its row"] += -missing
    for tid, token in tokens.items():
        if token["uses"] != rows_per_token[tid]:
            problems["token count differing from its downloads"] += abs(
                token["uses"] - rows_per_token[tid]
            )
    for gid, grant in grants.items():
        if grant["downloads_used"] != rows_per_grant[gid]:
            problems["grant count differing from its downloads"] += abs(
                grant["downloads_used"] - rows_per_grant[gid]
            )

    # What the clients were told had succeeded.
    problems["acknowledged request missing"] += len(load.requests - set(requests_))
    actions_of = collections.defaultdict(set)
    for e in events:
        actions_of[e["request_id"]].add(e["action"])
    problems["acknowledged decision missing"] += sum(
        1 for rid, decision in load.decisions if decision not in actions_of.get(rid, set())
    )
    problems["acknowledged grant missing"] += len(load.grants - set(grants))
    problems["acknowledged token missing"] += len(load.tokens - set(tokens))
    problems["acknowledged download not counted"] += sum(
        max(0, n - rows_per_token[tid]) for tid, n in load.downloads.items()
    )
    problems["_requests"] = len(requests_)
    problems["_history"] = len(events)
    problems["_grants"] = len(grants)
    problems["_tokens"] = len(tokens)
    problems["_downloads"] = len(downloads)
    problems["_notices"] = len(notices)
    return dict(problems)


def unsent_notices(db_url: str) -> dict[str, int]:
    """Notices by email state: claimed-but-unsent ones would never be retried."""
    import psycopg2

    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "select count(*) filter (where emailed_at is null), "
            "count(*) filter (where emailed_at is not null and email_error is null), "
            "count(*) from govshare_notice"
        )
        waiting, claimed, total = cur.fetchone()
    return {"waiting for remind": waiting, "marked emailed": claimed, "total": total}


def job_runs(site: Site, redis: Redis, timeout: float) -> tuple[bool, float]:
    """Enqueue CKAN's test job; True when the worker finished it within ``timeout``."""
    try:
        out = site.cli("jobs", "test")
    except RuntimeError as error:
        log(f"  could not enqueue a job: {str(error)[-300:]}")
        return False, 0.0
    job_id = re.search(r"Added test job (\S+)", out)[1]
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with contextlib.suppress(Exception):
            status = redis.command("HGET", f"rq:job:{job_id}", "status")
            if status in (b"finished",):
                return True, time.monotonic() - started
        time.sleep(0.5)
    return False, time.monotonic() - started


def recovered(site: Site, world: World) -> list[str]:
    """What does not answer normally on the same server process after the faults."""
    s = requests.Session()
    failures: list[str] = []
    staff = world.staff[0]
    entry = world.conditional[0]
    public = world.unconditional[0]
    checks: list[tuple[str, Any]] = [
        ("status_show", lambda: s.get(f"{site.url}/api/3/action/status_show", timeout=30)),
        ("home page", lambda: s.get(f"{site.url}/", timeout=30)),
        ("dataset page", lambda: s.get(f"{site.url}/dataset/{public['name']}", timeout=30)),
        ("search", lambda: s.get(f"{site.url}/dataset/?q=人口", timeout=30)),
        (
            "new request",
            lambda: s.post(
                f"{site.url}/api/3/action/govshare_request_create",
                json={
                    "package_id": entry["id"],
                    "requesting_org": staff.org,
                    "purpose": "work_reference",
                    "purpose_detail": "恢复检查",
                    "scenario": "“一网通办”业务协同",
                    "basis": "《政务信息资源共享管理暂行办法》第十二条",
                    "share_method": "file_download",
                    "period_start": dt.date.today().isoformat(),
                    "period_end": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
                    "pledge": True,
                },
                headers={"Authorization": staff.token},
                timeout=30,
            ),
        ),
        (
            "download",
            lambda: s.get(
                f"{site.url}/govshare/download/{world.tokens[0][2]}",
                headers={"Authorization": f"Bearer {world.tokens[0][0]}"},
                timeout=30,
            ),
        ),
    ]
    for name, check in checks:
        try:
            answer = check()
            if answer.status_code != 200:
                failures.append(f"{name}: HTTP {answer.status_code}")
        except requests.RequestException as error:
            failures.append(f"{name}: {error.__class__.__name__}")
    return failures


def server_errors(site: Site) -> collections.Counter[str]:
    """Exception types in the server's log (the last line of each traceback)."""
    text = (site.workdir / "ckan.log").read_text(errors="replace")
    found: collections.Counter[str] = collections.Counter()
    for block in text.split("Traceback (most recent call last):")[1:]:
        for line in block.splitlines():
            if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Refused|Timeout)\b", line):
                found[line.split(":")[0]] += 1
                break
    return found


# ---------------------------------------------------------------------------- the run


def summarise(load: Load) -> dict[str, Any]:
    def kind(status: int) -> str:
        if status == 0:
            return "unanswered"
        if status < 400:
            return "succeeded"
        if status < 500 or status == 503:
            return "failed cleanly"
        return "500s"

    total = collections.Counter(kind(o.status) for o in load.outcomes)
    by_phase: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for o in load.outcomes:
        by_phase[o.phase][kind(o.status)] += 1
    latency: dict[str, list[float]] = collections.defaultdict(list)
    for o in load.outcomes:
        latency[o.phase].append(o.took * 1000)
    statuses = collections.Counter(o.status for o in load.outcomes)
    by_op: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for o in load.outcomes:
        by_op[o.op][kind(o.status)] += 1
    redis_down = [
        o for o in load.outcomes if o.phase.startswith("redis ") and o.op.startswith("search")
    ]
    return {
        "total": total,
        "by_phase": by_phase,
        "latency": {phase: percentiles(times) for phase, times in latency.items()},
        "statuses": statuses,
        "by_op": by_op,
        "searches_redis_down": (sum(1 for o in redis_down if o.status == 200), len(redis_down)),
    }


def percentiles(values: list[float]) -> tuple[float, float, float]:
    """p50, p95 and max of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return 0.0, 0.0, 0.0
    return (
        ordered[len(ordered) // 2],
        ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
        ordered[-1],
    )


def first_success_after(load: Load, since: float, ops: tuple[str, ...]) -> float | None:
    """Seconds from ``since`` (load clock) to the first write that succeeded after it."""
    times = [o.at for o in load.outcomes if o.at >= since and o.op in ops and 200 <= o.status < 300]
    return min(times) - since if times else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ckan-version", choices=sorted(VENVS), default="2.11.6")
    parser.add_argument("--venv", help="the virtualenv with CKAN (default: by --ckan-version)")
    parser.add_argument("--threads", type=int, default=6, help="concurrent clients")
    parser.add_argument("--gap", type=float, default=15, help="seconds between faults")
    parser.add_argument("--port", type=int, default=0, help="CKAN's port (default: a free one)")
    parser.add_argument("--providers", type=int, default=2)
    parser.add_argument("--requesters", type=int, default=3)
    parser.add_argument(
        "--entries", type=int, default=3, help="entries per share type and provider"
    )
    parser.add_argument(
        "--worker",
        default="govshare worker",
        help="the jobs worker command after `ckan -c INI` (default: the set-up's)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print failed answers")
    parser.add_argument("--keep", action="store_true", help="keep var/bench-faults/<version>/")
    parser.add_argument("--pg-bin", help="PostgreSQL's bin directory (default: the newest)")
    args = parser.parse_args()

    venv = Path(args.venv) if args.venv else VENVS[args.ckan_version]
    tag = args.ckan_version
    workdir = ROOT / "var" / "bench-faults" / tag
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    os.chmod(workdir, 0o755)
    pg_bin = (
        Path(args.pg_bin)
        if args.pg_bin
        else sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]
    )
    ini = (
        ROOT
        / "config"
        / ("bench-faults.ini" if tag == "2.11.6" else f"bench-faults-ckan-{tag}.ini")
    )
    port = args.port or free_port()
    pg = Postgres(workdir, free_port(), pg_bin)
    redis = Redis(workdir, free_port())
    site = Site(venv=venv, ini=ini, url=f"http://127.0.0.1:{port}", workdir=workdir)
    lost = 0
    ok = True
    try:
        log(f"PostgreSQL {pg_bin.parent.name} cluster on port {pg.port}, Redis on {redis.port}")
        pg.init()
        pg.start()
        pg.sql("postgres", "create database govshare_faults encoding 'utf8' template template0")
        redis.start()
        write_config(
            ini,
            db_url=pg.url("govshare_faults"),
            redis_url=redis.url,
            port=port,
            storage=workdir / "storage",
        )
        log(f"Migrating ({ini.relative_to(ROOT)}, CKAN in {venv.name})")
        site.migrate()
        site.cli(
            "user",
            "add",
            "faults-admin",
            "email=faults-admin@localhost",
            f"password={secrets.token_urlsafe(16)}",
        )
        site.cli("sysadmin", "add", "faults-admin")
        site.admin_token = site.cli("user", "token", "add", "faults-admin", "faults")
        site.admin_token = site.admin_token.strip().splitlines()[-1].strip()
        log(f"Starting CKAN at {site.url} and the jobs worker (ckan {args.worker})")
        site.start_server(port)
        site.start_worker(args.worker.split())
        server_pid = site.server.pid
        log("Seeding departments, people, entries, grants and tokens through the action API")
        world = seed(site, args.providers, args.requesters, args.entries)
        ran, took = job_runs(site, redis, 60)
        log(f"Worker runs a job before the faults: {ran} ({took:.1f} s)")

        # One page of each kind first: CKAN builds its asset bundles on the first render, and
        # the dev server's threads racing to build them answer 500 (webassets), fault or not.
        for path in (
            "/",
            "/dataset/",
            "/organization/",
            f"/dataset/{world.unconditional[0]['name']}",
        ):
            requests.get(site.url + path, timeout=60)
        load = Load(site, world, args.threads, seed=14)
        threads = load.start()
        gap = args.gap
        faults: dict[str, float] = {}
        log(f"Load: {args.threads} clients")
        time.sleep(gap)

        load.phase = "postgres restart (fast)"
        log("pg_ctl restart -m fast")
        faults["pg_fast"] = time.monotonic() - load.started
        down = pg.restart("fast")
        faults["pg_fast_back"] = time.monotonic() - load.started
        load.phase = "after postgres restart"
        log(f"  PostgreSQL back after {down:.1f} s")
        time.sleep(gap)

        # A job in hand when Redis goes: RQ's worker needs Redis to finish it, and exits.
        busy = site.enqueue_sleep(gap / 2)
        time.sleep(1)
        load.phase = "redis down"
        log(f"Redis stopped (the worker is running job {busy})")
        redis.stop()
        time.sleep(gap)
        worker_alive_during = site.worker.poll() is None
        redis.start()
        faults["redis_back"] = time.monotonic() - load.started
        load.phase = "after redis restart"
        log("Redis started")
        time.sleep(gap)

        load.phase = "redis frozen"
        log("Redis frozen (SIGSTOP: connections open, no answer)")
        redis.freeze()
        time.sleep(gap)
        redis.thaw()
        load.phase = "after redis thawed"
        log("Redis thawed (SIGCONT)")
        time.sleep(gap)

        load.phase = "postgres crash (immediate)"
        log("pg_ctl restart -m immediate")
        faults["pg_immediate"] = time.monotonic() - load.started
        down_immediate = pg.restart("immediate")
        faults["pg_immediate_back"] = time.monotonic() - load.started
        load.phase = "after postgres crash"
        log(f"  PostgreSQL back after {down_immediate:.1f} s (crash recovery)")
        time.sleep(gap)
        load.stop.set()
        for t in threads:
            t.join(timeout=120)

        log("Checking recovery, records, the audit chain and the worker")
        same_process = site.server.poll() is None and site.server.pid == server_pid
        failures = recovered(site, world)
        worker_ran, worker_took = job_runs(site, redis, 120)
        worker_alive = site.worker.poll() is None
        try:
            verified = site.cli("govshare", "audit", "verify").strip()
        except RuntimeError as error:
            verified = f"FAILED {str(error)[-300:]}"
        problems = check_records(pg.url("govshare_faults"), load)
        emails = unsent_notices(pg.url("govshare_faults"))
        # No email can be sent (nothing listens at smtp.server): a notice marked emailed is
        # an email lost, never to be retried by `ckan govshare remind`.
        problems["notice marked emailed though never sent"] = emails["marked emailed"]
        summary = summarise(load)
        errors = server_errors(site)

        total = summary["total"]
        attempted = sum(total.values())
        print()
        print(f"Fault bench, CKAN {tag} ({venv.name}), {args.threads} clients, gap {gap:.0f} s")
        print(f"  requests attempted   {attempted:6d}")
        print(f"  succeeded            {total['succeeded']:6d}")
        print(f"  failed cleanly       {total['failed cleanly']:6d}  (4xx or 503)")
        print(f"  500s                 {total['500s']:6d}  (5xx other than 503)")
        print(f"  unanswered           {total['unanswered']:6d}  (connection refused/reset)")
        lost = sum(v for k, v in problems.items() if not k.startswith("_"))
        print(f"  records lost         {lost:6d}")
        print()
        print("  by phase (succeeded / failed cleanly / 500s / unanswered; ms p50 / p95 / max):")
        for phase, counts in summary["by_phase"].items():
            p50, p95, top = summary["latency"][phase]
            print(
                f"    {phase:<28} {counts['succeeded']:5d} {counts['failed cleanly']:5d}"
                f" {counts['500s']:5d} {counts['unanswered']:5d}"
                f"   {p50:7.0f} {p95:7.0f} {top:7.0f}"
            )
        print("  by operation (succeeded / failed cleanly / 500s / unanswered):")
        for op, counts in sorted(summary["by_op"].items()):
            print(
                f"    {op:<28} {counts['succeeded']:5d} {counts['failed cleanly']:5d}"
                f" {counts['500s']:5d} {counts['unanswered']:5d}"
            )
        print(f"  statuses: {dict(sorted(summary['statuses'].items()))}")
        writes = ("request_create", "decide", "obtain", "token_create", "download")
        for name, since in (
            ("PostgreSQL fast restart", faults["pg_fast_back"]),
            ("PostgreSQL crash", faults["pg_immediate_back"]),
        ):
            first = first_success_after(load, since, writes)
            print(
                f"  first write after the {name} came back: "
                + (f"{first:.2f} s" if first is not None else "none")
            )
        frozen: dict[str, list[float]] = collections.defaultdict(list)
        for o in load.outcomes:
            if o.phase == "redis frozen":
                frozen[o.op].append(o.took * 1000)
        print(
            "  while Redis was frozen, ms p50/max by operation: "
            + ", ".join(
                f"{op} {percentiles(times)[0]:.0f}/{percentiles(times)[2]:.0f}"
                for op, times in sorted(frozen.items())
            )
        )
        good, searched = summary["searches_redis_down"]
        print(f"  searches while Redis was down or frozen: {good} of {searched} answered 200")
        restarts = site.log_tail("worker.log", 10**7).count("starting a new one")
        print(
            f"  worker: alive while Redis was down {worker_alive_during}, alive at the end "
            f"{worker_alive}, ran a job enqueued after Redis came back {worker_ran}"
            f" ({worker_took:.1f} s); workers started again: {restarts}"
        )
        print(
            f"  same CKAN process answering normally afterwards: {same_process and not failures}"
            + (f" ({'; '.join(failures)})" if failures else "")
        )
        print(f"  audit chain: {verified[:300]}")
        print(
            "  records: "
            + ", ".join(f"{k[1:]} {v}" for k, v in problems.items() if k.startswith("_"))
        )
        for name, count in problems.items():
            if not name.startswith("_") and count:
                print(f"    LOST {count}: {name}")
        print(f"  notice emails: {emails}")
        if args.verbose:
            for (op, status), body in sorted(load.examples.items()):
                print(f"  first {op} answered {status}: {body}")
        if errors:
            print(
                "  exceptions in the server log: "
                + ", ".join(f"{name} {n}" for name, n in errors.most_common(8))
            )
        ok = (
            lost == 0
            and same_process
            and not failures
            and worker_ran
            and verified.startswith("OK")
            and good == searched
        )
    finally:
        site.stop()
        redis.stop()
        pg.stop()
        if not args.keep and ok:
            shutil.rmtree(pg.dir, ignore_errors=True)
        else:
            log(f"Kept: {workdir} (PostgreSQL cluster in {pg.dir})")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

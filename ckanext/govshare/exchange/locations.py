"""Where exchanged data goes (前置机, 2016 Measures art. 12; batch exchange, 2025 Regulations
art. 22): a PostgreSQL connection string or a directory under the exchange root, and the name
and kind of an exchange target.

Plain rules: no CKAN, Flask or SQLAlchemy (libpq's own parser through psycopg2 reads the
connection string, as the connection will). Every problem is a :class:`LocationError`: a
``ValueError`` naming the field and saying it in English and Chinese
(``core.messages.message``). A connection string's password is never in a message, in
:func:`display` or in text passed through :func:`scrub`.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote

import psycopg2
import psycopg2.extensions

from ..core.messages import message

__all__ = [
    "DIRECTORY",
    "KINDS",
    "MAX_DESCRIPTION",
    "MAX_DSN",
    "MAX_NAME",
    "MAX_PATH",
    "POSTGRESQL",
    "LocationError",
    "display",
    "kind_problem",
    "name_problem",
    "parse_dsn",
    "password",
    "resolve",
    "scrub",
]

POSTGRESQL = "postgresql"
DIRECTORY = "directory"
#: The kinds of exchange target: a PostgreSQL database, or a directory of CSV files.
KINDS = (POSTGRESQL, DIRECTORY)

MAX_NAME = 100
MAX_DESCRIPTION = 4000
MAX_DSN = 1000
#: A target's path (relative to the root) and each of its parts.
MAX_PATH = 500
MAX_PART = 255

#: libpq connection parameters a target may set. Others read files or services of the
#: platform's own machine (``passfile``, ``service``, ``sslkey``, ``sslcert``…): refused.
ALLOWED_KEYS = frozenset(
    {
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "password",
        "sslmode",
        "connect_timeout",
        "application_name",
        "target_session_attrs",
        "channel_binding",
    }
)
MASK = "[masked]"


class LocationError(ValueError):
    """A problem with a target's name, kind, connection string or path: ``field`` and a
    bilingual ``text``."""

    def __init__(self, field: str, text: str) -> None:
        super().__init__(text)
        self.field = field
        self.text = text


NAME_REQUIRED = message("A target needs a name", "请填写交换目标名称")
NAME_TOO_LONG = message(
    f"A target's name has at most {MAX_NAME} characters", f"交换目标名称不超过{MAX_NAME}个字符"
)
NAME_CONTROL = message(
    "A target's name is one line without control characters",
    "交换目标名称须为单行文本，不含控制字符",
)
BAD_KIND = message(
    f"Not a kind of exchange target: {', '.join(KINDS)}",
    f"交换目标类型无效，可选：{'、'.join(KINDS)}",
)
DSN_REQUIRED = message(
    "A PostgreSQL target needs a connection string (dsn)", "PostgreSQL 交换目标须填写连接串（dsn）"
)
DSN_TOO_LONG = message(
    f"A connection string has at most {MAX_DSN} characters", f"连接串不超过{MAX_DSN}个字符"
)
DSN_UNREADABLE = message(
    "Not a PostgreSQL connection string: use postgresql://user:password@host:5432/database "
    "or host=… port=… dbname=… user=… password=…",
    "不是有效的 PostgreSQL 连接串：请使用 postgresql://用户:密码@主机:5432/数据库 "
    "或 host=… port=… dbname=… user=… password=… 形式",
)
DSN_NO_HOST = message(
    "The connection string must name the exchange database's host (a host name or an "
    "address; no local socket)",
    "连接串须写明交换数据库的主机（主机名或地址，不可使用本机套接字）",
)
DSN_NO_DATABASE = message(
    "The connection string must name the database (dbname) and the user",
    "连接串须写明数据库（dbname）和用户（user）",
)
PATH_REQUIRED = message(
    "A directory target needs a path (relative to the exchange root)",
    "目录交换目标须填写路径（相对于交换根目录）",
)
PATH_TOO_LONG = message(
    f"A path has at most {MAX_PATH} characters, {MAX_PART} in each part",
    f"路径不超过{MAX_PATH}个字符，每级不超过{MAX_PART}个字符",
)
PATH_CHARACTERS = message(
    "A path may not hold control characters (such as NUL) or backslashes",
    "路径不得含有控制字符（如 NUL）或反斜杠",
)
PATH_ABSOLUTE = message(
    "The path is relative to the exchange root: it may not start with /",
    "路径相对于交换根目录，不得以 / 开头",
)
PATH_PARENT = message("The path may not hold ..", "路径不得含有 ..")
PATH_OUTSIDE = message(
    "The path leads outside the exchange root (a link pointing elsewhere?)",
    "该路径指向交换根目录之外（可能是指向别处的链接）",
)
PATH_IS_ROOT = message(
    "The path must name a directory under the exchange root, not the root itself",
    "路径须为交换根目录下的子目录，不能是根目录本身",
)
NO_ROOT = message(
    "Directory targets are not available: ckanext.govshare.exchange.root is not set",
    "未配置 ckanext.govshare.exchange.root，不能使用目录交换目标",
)

_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def unsupported_key(key: str) -> str:
    return message(
        f"The connection string may not set {key}: only "
        f"{', '.join(sorted(ALLOWED_KEYS))}",
        f"连接串不得设置 {key}，仅可设置：{'、'.join(sorted(ALLOWED_KEYS))}",
    )


# --- name and kind ---------------------------------------------------------------------------


def name_problem(name: object) -> str | None:
    """Non-empty, one line, at most ``MAX_NAME`` characters (uniqueness per department is the
    service's to check)."""
    if not isinstance(name, str) or not name.strip():
        return NAME_REQUIRED
    if len(name) > MAX_NAME:
        return NAME_TOO_LONG
    if _CONTROLS.search(name):
        return NAME_CONTROL
    return None


def kind_problem(kind: object) -> str | None:
    return None if kind in KINDS else BAD_KIND


# --- PostgreSQL connection strings -----------------------------------------------------------


def parse_dsn(dsn: object) -> dict[str, str]:
    """The parameters of a connection string (a ``postgresql://`` URL or libpq key=value
    pairs), read by libpq; ``LocationError`` on ``dsn`` unless it names a host, a database and
    a user and sets no parameter outside ``ALLOWED_KEYS``.

    libpq's own error text is never passed on: it can quote the string, password and all.
    """
    if not isinstance(dsn, str) or not dsn.strip():
        raise LocationError("dsn", DSN_REQUIRED)
    if len(dsn) > MAX_DSN:
        raise LocationError("dsn", DSN_TOO_LONG)
    if "\x00" in dsn or _CONTROLS.search(dsn.strip()):
        raise LocationError("dsn", DSN_UNREADABLE)
    try:
        params = psycopg2.extensions.parse_dsn(dsn.strip())
    except (psycopg2.Error, ValueError, TypeError):
        raise LocationError("dsn", DSN_UNREADABLE) from None
    for key in sorted(params):
        if key not in ALLOWED_KEYS:
            raise LocationError("dsn", unsupported_key(key))
    hosts = (params.get("host") or params.get("hostaddr") or "").split(",")
    if any(not h.strip() or h.startswith(("/", "@")) for h in hosts):
        raise LocationError("dsn", DSN_NO_HOST)
    if not params.get("dbname") or not params.get("user"):
        raise LocationError("dsn", DSN_NO_DATABASE)
    return {str(k): str(v) for k, v in params.items()}


def password(dsn: str) -> str | None:
    """The password a connection string holds, or ``None`` (also when it is unreadable)."""
    try:
        return parse_dsn(dsn).get("password") or None
    except LocationError:
        return None


def display(dsn: str) -> str:
    """The connection string as it may be shown: ``postgresql://user@host:port/dbname``,
    never the password (nor any other parameter)."""
    params = parse_dsn(dsn)
    host = params.get("host") or params.get("hostaddr") or ""
    hosts = ",".join(
        f"[{h}]" if ":" in h else quote(h, safe=".-_~") for h in host.split(",")
    )
    port = params.get("port") or "5432"
    user = quote(params["user"], safe="")
    dbname = quote(params["dbname"], safe="")
    return f"postgresql://{user}@{hosts}:{quote(port, safe=',')}/{dbname}"


_URL_PASSWORD = re.compile(r"(//[^:/@\s\"']*:)[^\s\"']*@")
_KV_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s'\"]+)", re.IGNORECASE)


def scrub(text: str, dsn: str | None = None) -> str:
    """``text`` (an error from libpq or a server) without the password: the password of
    ``dsn`` wherever it appears, and any ``password=…`` or ``scheme://user:…@`` form."""
    secret = password(dsn) if dsn else None
    if secret:
        text = text.replace(secret, MASK)
        encoded = quote(secret, safe="")
        if encoded != secret:
            text = text.replace(encoded, MASK)
    text = _URL_PASSWORD.sub(lambda m: m.group(1) + MASK + "@", text)
    return _KV_PASSWORD.sub(lambda m: m.group(1) + MASK, text)


# --- directories -----------------------------------------------------------------------------


def relative_problem(path: object) -> str | None:
    """What is wrong with ``path`` as a target's path, before the file system is asked."""
    if not isinstance(path, str) or not path.strip():
        return PATH_REQUIRED
    if len(path) > MAX_PATH:
        return PATH_TOO_LONG
    if "\\" in path or _CONTROLS.search(path):
        return PATH_CHARACTERS
    if path.startswith("/"):
        return PATH_ABSOLUTE
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        return PATH_PARENT
    if not parts:
        return PATH_IS_ROOT
    if any(len(p) > MAX_PART or len(p.encode("utf-8")) > MAX_PART for p in parts):
        return PATH_TOO_LONG
    return None


def normalise(path: str) -> str:
    """``path`` as stored: its parts joined by ``/``, without empty and ``.`` parts."""
    return "/".join(p for p in path.split("/") if p not in ("", "."))


def resolve(root: str, path: object) -> str:
    """The absolute directory ``path`` names under ``root``, links followed; ``LocationError``
    on ``path`` when it is absolute, holds ``..``, a control character or a backslash, is too
    long, is the root itself, or leads outside the root through a link."""
    if not root or not os.path.isabs(root):
        raise LocationError("path", NO_ROOT)
    problem = relative_problem(path)
    if problem:
        raise LocationError("path", problem)
    assert isinstance(path, str)
    try:
        real_root = os.path.realpath(root)
        candidate = os.path.realpath(os.path.join(real_root, normalise(path)))
        inside = os.path.commonpath([real_root, candidate]) == real_root
    except (OSError, ValueError):
        raise LocationError("path", PATH_OUTSIDE) from None
    if not inside:
        raise LocationError("path", PATH_OUTSIDE)
    if candidate == real_root:
        raise LocationError("path", PATH_IS_ROOT)
    return candidate

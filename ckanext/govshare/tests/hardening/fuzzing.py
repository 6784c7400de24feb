"""What the property-based tests of issue 14, item 4 generate and how they judge an answer.

Keys come from the platform itself: the action registry (every ``govshare_*`` action), each
action's documented parameters, the keys of every schema in ``logic/schema`` and the
application's URL map. Values are valid ones (ids of live objects, allowed codes, today's date)
mixed with adversarial ones: NUL and control characters, unpaired surrogates, 100,000-character
strings, integers far beyond 64 bits, floats, nested lists and dicts, ``None``, booleans and
impossible or out-of-range dates.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

from ckan.common import config
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder, run_wsgi_app
from werkzeug.wrappers import Response

import ckanext.govshare.logic.schema as schema_package

# --------------------------------------------------------------------------- keys


def govshare_actions() -> dict[str, Callable[..., Any]]:
    """Every registered action whose name starts with ``govshare_`` (CKAN's registry)."""
    import ckan.logic
    import ckan.plugins.toolkit as tk

    tk.get_action("package_show")  # fills the registry
    return {
        name: function
        for name, function in sorted(ckan.logic._actions.items())
        if name.startswith("govshare_")
    }


def documented_params(function: Callable[..., Any]) -> list[str]:
    """``:param a:`` and ``:param a, b, c:`` of the action's docstring."""
    names: list[str] = []
    for group in re.findall(r":param ([\w, ]+):", function.__doc__ or ""):
        names += [n.strip() for n in group.split(",") if n.strip()]
    return names


def validated_keys(name: str, context: dict[str, Any], data: dict[str, Any]) -> set[str]:
    """The keys of the schemas the action validates with, seen as it runs once on ``data``.

    The action runs with ``defer_commit`` and is rolled back: only its schemas are kept.
    """
    from unittest import mock

    import ckan.plugins.toolkit as tk
    from ckan import model

    seen: set[str] = set()
    original = tk.navl_validate

    def spy(data_dict: Any, schema: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        seen.update(_keys(schema))
        return original(data_dict, schema, *args, **kwargs)

    with mock.patch.object(tk, "navl_validate", spy):
        try:
            tk.get_action(name)({**context, "defer_commit": True}, dict(data))
        except Exception:
            pass  # the probe only watches which schemas are used
        finally:
            model.Session.rollback()
    return seen


def _keys(schema: dict[str, Any]) -> set[str]:
    keys: set[str] = set()
    for key, value in schema.items():
        if key.startswith("__"):
            continue
        keys.add(key)
        if isinstance(value, dict):
            keys |= _keys(value)
    return keys


def schema_keys() -> set[str]:
    """The keys of every ``*_schema`` function in ``ckanext.govshare.logic.schema``."""
    keys: set[str] = set()
    for info in pkgutil.iter_modules(schema_package.__path__):
        module = importlib.import_module(f"{schema_package.__name__}.{info.name}")
        for name, function in vars(module).items():
            if not (name.endswith("_schema") and inspect.isfunction(function)):
                continue
            if function.__module__ != module.__name__:
                continue
            params = inspect.signature(function).parameters.values()
            kwargs = {p.name: True for p in params if p.kind is p.KEYWORD_ONLY}
            keys |= _keys(function(**kwargs))
    return keys


# --------------------------------------------------------------------------- values

NUL_AND_CONTROL = ["a\x00b", "\x00", "\x01\x02", "x\x1b[31my", "\x7f", "\x0b\x0c", "\x1f"]
SURROGATES = ["\udcff", "a\ud800b"]
LONG = ["a" * 100_000, "长" * 100_000, "word " * 20_000]
HUGE_INTS = [10**20, -(10**20), 2**63, 2**63 - 1, -(2**63) - 1, 2**31, -1, 0]
FLOATS = [1.5, -0.0, 1e308, float("inf"), float("nan")]
DATES = [
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-13-45",
    "10000-01-01",
    "-0001-01-01",
    "2026-01-01T25:61",
    "1e20",
    "２０２６-０１-０１",
    "2026-01-01T00:00:00+99:00",
]
NUMERIC_STRINGS = ["100000000000000000000", "-100000000000000000000", "1e3", " 5 ", "0x10", "٣"]
NESTED: list[Any] = [[], {}, [[]], [{}], {"a": [1, {"b": None}]}, ["a", ["b"]], ["x"] * 2000]
FIXED: list[Any] = [
    *NUL_AND_CONTROL,
    *SURROGATES,
    *LONG,
    *HUGE_INTS,
    *FLOATS,
    *DATES,
    *NUMERIC_STRINGS,
    *NESTED,
    None,
    True,
    False,
    "",
    " ",
    "../../etc/passwd",
    "' OR 1=1 --",
    '"unbalanced',
]


def adversarial() -> st.SearchStrategy[Any]:
    """One kind of bad value at a time, each kind as likely as the others."""
    scalars = st.one_of(
        st.text(st.characters(exclude_categories=()), max_size=40),
        st.integers(min_value=-(10**22), max_value=10**22),
        st.floats(allow_nan=True, allow_infinity=True),
    )
    nested = st.recursive(
        st.one_of(scalars, st.booleans(), st.none()),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=6,
    )
    kinds = (
        NUL_AND_CONTROL,
        SURROGATES,
        LONG,
        HUGE_INTS,
        FLOATS,
        DATES,
        NUMERIC_STRINGS,
        NESTED,
        [None, True, False, "", " ", "../../etc/passwd", "' OR 1=1 --", '"unbalanced'],
    )
    return st.one_of(*(st.sampled_from(kind) for kind in kinds), scalars, nested)


def mostly(valid: list[Any]) -> st.SearchStrategy[Any]:
    """A valid value nine times in ten, else an adversarial one."""
    return st.integers(0, 9).flatmap(lambda n: st.sampled_from(valid) if n < 9 else adversarial())


@st.composite
def payload(
    draw: Any, keys: Iterable[str], pool: Iterable[str], valid: dict[str, list[Any]]
) -> tuple[dict[str, Any], list[str]]:
    """A mostly valid input for ``keys``, one or two of whose keys (and, one time in five, a
    key of the rest of the ``pool``) carry an adversarial value; returns the input and the
    keys changed."""
    keys = sorted(set(keys))
    others = sorted(set(pool) - set(keys))
    data: dict[str, Any] = {}
    for key in keys:
        if key in valid and draw(st.integers(0, 9)) < 9:
            data[key] = draw(st.sampled_from(valid[key]))
    changed = draw(st.lists(st.sampled_from(keys or others), min_size=1, max_size=2, unique=True))
    if others and draw(st.integers(0, 4)) == 0:
        changed.append(draw(st.sampled_from(others)))
    for key in changed:
        data[key] = draw(adversarial())
    return data, changed


# --------------------------------------------------------------------------- encoding


def _text(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    elif value is None:
        value = ""
    return str(value).encode("utf-8", "surrogatepass")


def query_string(data: dict[str, Any]) -> str:
    """Values as a browser would send them: lists repeat the key, the rest as text (an
    unpaired surrogate goes as its raw, invalid UTF-8 bytes)."""
    pairs: list[tuple[bytes, bytes]] = []
    for key, value in data.items():
        values = value if isinstance(value, list) and value else [value]
        for item in values:
            pairs.append((_text(key), _text(item)))
    return urllib.parse.urlencode(pairs)


def form_fields(data: dict[str, Any]) -> dict[str, list[str]]:
    """A form post: only text survives (surrogates replaced, as a browser would)."""
    return {
        key: [
            _text(item).decode("utf-8", "replace")
            for item in (value if isinstance(value, list) and value else [value])
        ]
        for key, value in data.items()
    }


def json_body(data: Any) -> str:
    return json.dumps(data, ensure_ascii=True, allow_nan=True)


# --------------------------------------------------------------------------- judging

ANSWERED = {200, 400, 403, 404, 409}
# CKAN's answers when the search backend (Solr or the embedded one) cannot run a query.
BACKEND_ERRORS = ("Search Error", "Search Query Error")


def _messages(error: Any) -> list[str]:
    if isinstance(error, str):
        return [error]
    if isinstance(error, dict):
        return [m for k, v in error.items() if k != "__type" for m in _messages(v)]
    if isinstance(error, list):
        return [m for v in error for m in _messages(v)]
    return []


def api_problem(response: Any) -> str | None:
    """What is wrong with an action API answer: a 5xx, anything but JSON, or a validation
    error without both languages (``"English | 中文"``)."""
    status = response.status_code
    if status >= 500:
        return f"HTTP {status}"
    try:
        body = json.loads(response.get_data(as_text=True))
    except ValueError:
        return f"HTTP {status}, not JSON"
    if not isinstance(body, dict) or "success" not in body:
        return f"HTTP {status}, not an action answer"
    if status not in ANSWERED:
        return f"HTTP {status}"
    if status == 200:
        return None if body["success"] else "HTTP 200 without success"
    error = body.get("error") or {}
    if isinstance(error, dict) and error.get("__type") in BACKEND_ERRORS:
        return None  # a query whose syntax the search backend refused: its own words
    if status == 409:
        lacking = [m for m in _messages(error) if " | " not in m]
        if lacking:
            return f"HTTP 409, not bilingual: {lacking[0][:80]!r}"
    return None


def send(
    app: Any,
    method: str,
    url: str,
    headers: dict[str, str],
    data: Any = None,
    content_type: str | None = None,
) -> Response:
    """One request straight to the WSGI application, with no redirect followed and no cookie.

    The test client rebuilds each request's URL twice for its cookie jar (werkzeug's
    ``get_current_url``), and an adversarial query string percent-encodes 100,000 characters:
    that unquoting cost the fuzzers about as much as CKAN's answers did. The application still
    gets the whole query string and body, and the test client's site URL and client address."""
    builder = EnvironBuilder(
        path=url,
        base_url=config["ckan.site_url"],
        method=method,
        headers=headers,
        data=data,
        content_type=content_type,
        environ_base={"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "govshare-fuzz"},
    )
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    body, status, response_headers = run_wsgi_app(app.app, environ, buffered=True)
    try:
        return Response(b"".join(body), status, response_headers)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


def page_problem(response: Any) -> str | None:
    """A page may answer anything but a server error."""
    return f"HTTP {response.status_code}" if response.status_code >= 500 else None


def describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."

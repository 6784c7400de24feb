"""No 500 on any input (issue 14, item 4): property-based tests over every govshare action,
every govshare route, and ``package_search``.

Each action of CKAN's registry whose name starts with ``govshare_`` (a new one is covered as
soon as it is registered) is called through the action API, as a sysadmin, a provider's data
officer and a department member, with inputs built from its documented parameters and the keys
of every govshare schema: mostly valid values with one to three adversarial ones. Side-effect
free actions are called by GET and by POST with JSON. Every answer must be JSON, 200 or
400/403/404/409, and a validation error must say it in both languages. The routes of the
govshare blueprints (from the application's URL map) and the dataset search page get the same
with adversarial path parts, query arguments and form fields, and must never answer 5xx.

Hypothesis is derandomized (``derandomize=True``, no example database), so CI runs the same
examples every time; ``GOVSHARE_FUZZ_SEED=<n>`` draws another set, as repeatable (the Makefile
gives the CKAN 2.12 suite its own, so CI's two suites try different inputs, and a developer can
explore more with any number). Each call stands alone (the test rolls the session back after
it, so that one bad answer is not counted again in the next: item 3 has its own tests).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import urllib.parse
from typing import Any

import pytest
from ckan import model
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from ckanext.govshare.core import clock

from .conftest import ACTORS, Platform
from .fuzzing import (
    FIXED,
    adversarial,
    api_problem,
    describe,
    documented_params,
    form_fields,
    govshare_actions,
    json_body,
    mostly,
    page_problem,
    payload,
    query_string,
    schema_keys,
    send,
    validated_keys,
)

# The govshare actions registered when this test was written: fewer means one was lost.
KNOWN_ACTIONS = 35
# Examples for an action: a floor, and more for each key it takes.
EXAMPLES_FLOOR, EXAMPLES_PER_KEY, EXAMPLES_CAP = 6, 2, 30
EXAMPLES_PER_ROUTE = 6
KNOWN_ROUTES = 45
SEARCH_EXAMPLES = 100

# Another repeatable set of examples than the derandomized one (see the module's docstring).
FUZZ_SEED = os.environ.get("GOVSHARE_FUZZ_SEED", "")


def seeded(test: Any) -> Any:
    """``test`` with the examples of ``GOVSHARE_FUZZ_SEED`` when it is set (a seed overrides
    ``derandomize``)."""
    return seed(int(FUZZ_SEED))(test) if FUZZ_SEED else test


def drawn() -> str:
    """Which examples ran, for a failure's message: a failure repeats with the same set."""
    return f"examples of GOVSHARE_FUZZ_SEED={FUZZ_SEED}" if FUZZ_SEED else "derandomized examples"


_SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": list(HealthCheck),
}

TEXT = "说明 text\nsecond line\tend"
TEXT_FIELDS = (
    "purpose_detail",
    "scenario",
    "basis",
    "message",
    "reason",
    "explanation",
    "description",
    "note",
    "contact",
    "conditions",
    "name",
)


def valid_values(p: Platform) -> dict[str, list[Any]]:
    w, o = p.world, p.objects
    today = clock.today()
    resource = w.conditional["resources"][0]["id"]
    ids = [o.request["id"], o.grant["id"], o.token["id"], o.feedback["id"], o.obligation["id"]]
    values: dict[str, list[Any]] = {
        "id": ids + ([o.notice] if o.notice else []),
        "request_id": [o.request["id"]],
        "grant_id": [o.grant["id"]],
        "package_id": [w.conditional["id"], w.unconditional["name"], w.not_shared["id"]],
        "resource_id": [resource],
        "resource_ids": [[resource]],
        "data_items": [["统一社会信用代码"]],
        "data_item": ["统一社会信用代码"],
        "entries": [[w.conditional["id"]]],
        "requesting_org": [w.requester_org["name"]],
        "organization": [w.provider["name"], w.requester_org["id"]],
        "department": [w.provider["name"]],
        "actor": [w.users["sysadmin"]["name"]],
        "object_id": [w.conditional["id"]],
        "action": ["package_update"],
        "purpose": ["work_reference"],
        "decision": ["approve", "reject", "return", "grant", "deny"],
        "kind": ["doubt", "error", "law_revised"],
        "resolution": ["corrected", "confirmed_correct"],
        "state": ["open"],
        "status": ["submitted", "active"],
        "direction": ["all", "incoming", "held"],
        "share_method": ["file_download"],
        "period_start": [today.isoformat()],
        "period_end": [(today + dt.timedelta(days=30)).isoformat()],
        "effective_date": [today.isoformat()],
        "day": [dt.date(today.year + 1, 2, 6).isoformat()],
        "since": [(today - dt.timedelta(days=1)).isoformat()],
        "until": [(today + dt.timedelta(days=1)).isoformat()],
        "year": [today.year],
        "years": [[today.year + 1]],
        "days": [[{"day": dt.date(today.year + 1, 2, 6).isoformat(), "is_workday": True}]],
        "is_workday": [True, False],
        "pledge": [True],
        "unread": [True, False],
        "all": [False],
        "mine": [True, False],
        "overdue": [False],
        "escalated": [False],
        "active": [True],
        "limit": [10],
        "offset": [0],
        "max_downloads": [5],
        "max_uses": [3],
        "expires_in": [600],
        "expected_calls_per_day": [100],
    }
    for name in TEXT_FIELDS:
        values[name] = [TEXT]
    x = p.extra
    if x:  # the 2025 objects (tests/hardening/world2025.py)
        values["id"] += [i for kind in x.values() for i in kind if kind is not x["package"]]
        values["request_id"] += x["request"]
        values["grant_id"] += x["grant"]
        values["grant_ids"] = [x["grant"][:1]]
        values["package_id"] += x["package"]
        values["decision"] += ["approve_change"]
        values["kind"] += ["scenario", "end", "change", "scope"]
        values["kinds"] = [["scope"]]
        values["reasons"] = [["请补充数据项说明"]]
        values["days"].append(3)
        values["rectify_by"] = [(today + dt.timedelta(days=3)).isoformat()]
    return values


def _reset_session() -> None:
    """Each call stands alone: whatever the last one left is rolled back."""
    try:
        model.Session.rollback()
    finally:
        model.Session.remove()


def _call_api(p: Platform, name: str, who: str, data: Any, get: bool) -> Any:
    url = f"/api/3/action/{name}"
    headers = p.headers(who)
    if get:
        return send(p.app, "GET", f"{url}?{query_string(data)}", headers)
    return send(p.app, "POST", url, headers, json_body(data), "application/json")


def _fuzz_action(
    platform: Platform, name: str, function: Any, pool: set[str], failures: list[str]
) -> int:
    """Run one action's examples; returns how many calls were made."""
    platform.fresh()
    valid = valid_values(platform)
    documented = documented_params(function)
    probe = {k: valid[k][0] for k in (documented or valid) if k in valid}
    context = {"user": platform.world.users["sysadmin"]["name"]}
    keys = sorted({*documented, *validated_keys(name, context, probe)})
    side_effect_free = bool(getattr(function, "side_effect_free", False))
    examples = min(EXAMPLES_CAP, EXAMPLES_FLOOR + EXAMPLES_PER_KEY * len(keys))
    calls = 0

    @seeded
    @settings(max_examples=examples, **_SETTINGS)
    @given(
        who=st.sampled_from(ACTORS),
        get=st.booleans() if side_effect_free else st.just(False),
        case=payload(keys, pool, valid),
    )
    def fuzz(who: str, get: bool, case: tuple[dict[str, Any], list[str]]) -> None:
        nonlocal calls
        data, changed = case
        calls += 1
        try:
            response = _call_api(platform, name, who, data, get)
            problem = api_problem(response)
        except Exception as error:  # the API view answers every error: this is a bug too
            problem = f"raised {type(error).__name__}: {str(error)[:200]}"
        finally:
            _reset_session()
        if problem:
            shown = {k: describe(data[k]) for k in changed}
            failures.append(f"{name} as {who} ({'GET' if get else 'POST'}) {shown}: {problem}")

    fuzz()
    return calls


def test_every_govshare_action_answers_any_input_without_a_server_error(platform: Platform):
    actions = govshare_actions()
    assert len(actions) >= KNOWN_ACTIONS, sorted(actions)
    pool = schema_keys()
    failures: list[str] = []
    calls = sum(
        _fuzz_action(platform, name, function, pool, failures) for name, function in actions.items()
    )
    print(f"{len(actions)} govshare actions, {calls} calls, {len(failures)} failed")
    assert not failures, f"{len(failures)} of {calls} calls failed ({drawn()}):\n" + "\n".join(
        failures
    )


# --------------------------------------------------------------------------- routes

QUERY_KEYS = (
    "page",
    "status",
    "direction",
    "state",
    "format",
    "year",
    "unread",
    "package_id",
    "organization",
    "q",
    "sort",
    "token",
    "came_from",
    "resource_id",
    "data_item",
    "actor",
    "department",
    "object_id",
    "action",
    "since",
    "until",
    "op",
)
FORM_KEYS = ("op", "decision", "came_from", "unread", "page", "partial", "all")
# Pages of CKAN's own that run package_search with the visitor's arguments.
SEARCH_PAGES = ("dataset.search", "organization.read")
_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _route_rules(platform: Platform) -> list[Any]:
    flask_app = platform.app.flask_app
    rules = [
        rule
        for rule in flask_app.url_map.iter_rules()
        if rule.endpoint.startswith("govshare_") or rule.endpoint in SEARCH_PAGES
    ]
    return sorted(rules, key=lambda r: (r.rule, r.endpoint))


def _path_values(p: Platform) -> dict[str, list[Any]]:
    w, o = p.world, p.objects
    objects = [o.request["id"], o.grant["id"], o.feedback["id"], o.obligation["id"]]
    x = p.extra
    extra = [i for kind in x.values() for i in kind] if x else []
    return {
        "id": [*objects, w.provider["name"], *extra],
        "package_id": [w.unconditional["id"], w.conditional["name"], *x.get("package", [])],
        "resource_id": [w.unconditional["resources"][0]["id"]],
        "extension_id": x.get("extension") or ["x"],
        "org": [w.provider["name"]],
        "year": [clock.today().year - 1],
    }


def _quote(text: str) -> str:
    return urllib.parse.quote(text.encode("utf-8", "surrogatepass"), safe="")


def _path(rule: Any, values: dict[str, Any]) -> str:
    return _ARGUMENT.sub(lambda m: _quote(str(values[m.group(2)])), rule.rule)


_BAD_PATH_PARTS = st.one_of(
    st.sampled_from([v for v in FIXED if isinstance(v, str) and len(v) < 5000]),
    st.text(max_size=30),
    st.just("x" * 3000),
)


def _path_part(valid: list[Any]) -> st.SearchStrategy[Any]:
    return st.integers(0, 9).flatmap(lambda n: st.sampled_from(valid) if n < 6 else _BAD_PATH_PARTS)


@st.composite
def _path_case(draw: Any, rule: Any, valid: dict[str, list[Any]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for match in _ARGUMENT.finditer(rule.rule):
        converter, name = match.group(1), match.group(2)
        if converter == "int":
            values[name] = draw(
                st.one_of(
                    st.sampled_from(valid.get(name) or [1]),
                    st.sampled_from([0, 10**20, 2**63, 99999]),
                )
            )
        else:
            values[name] = draw(_path_part(valid.get(name) or ["x"]))
    return values


def _fuzz_route(
    platform: Platform,
    rule: Any,
    valid: dict[str, list[Any]],
    form_pool: list[str],
    failures: list[str],
) -> int:
    methods = sorted(m for m in rule.methods if m in ("GET", "POST"))
    paths = _path_values(platform)
    calls = 0

    @seeded
    @settings(max_examples=EXAMPLES_PER_ROUTE, **_SETTINGS)
    @given(
        who=st.sampled_from((*ACTORS, None)),
        method=st.sampled_from(methods),
        path=_path_case(rule, paths),
        query=payload([], QUERY_KEYS, valid),
        form=payload([], form_pool, valid),
        as_json=st.booleans(),
    )
    def fuzz(
        who: str | None,
        method: str,
        path: dict[str, Any],
        query: tuple[dict[str, Any], list[str]],
        form: tuple[dict[str, Any], list[str]],
        as_json: bool,
    ) -> None:
        nonlocal calls
        calls += 1
        url = _path(rule, path) + "?" + query_string(query[0])
        headers = platform.headers(who)
        try:
            if method == "GET":
                response = send(platform.app, "GET", url, headers)
            elif as_json:
                response = send(
                    platform.app, "POST", url, headers, json_body(form[0]), "application/json"
                )
            else:
                response = send(platform.app, "POST", url, headers, form_fields(form[0]))
            problem = page_problem(response)
        except Exception as error:  # in tests a view's error reaches the client
            problem = f"raised {type(error).__name__}: {str(error)[:200]}"
        finally:
            _reset_session()
        if problem:
            shown = {
                "path": {k: describe(v) for k, v in path.items()},
                "query": {k: describe(query[0][k]) for k in query[1]},
                "form": {k: describe(form[0][k]) for k in form[1]} if method == "POST" else {},
            }
            failures.append(f"{method} {rule.rule} as {who} {shown}: {problem}")

    fuzz()
    return calls


def test_every_govshare_route_answers_any_input_without_a_server_error(platform: Platform):
    rules = _route_rules(platform)
    assert len(rules) >= KNOWN_ROUTES, [r.rule for r in rules]
    valid = valid_values(platform)
    form_pool = sorted({*schema_keys(), *FORM_KEYS})
    failures: list[str] = []
    calls = sum(_fuzz_route(platform, rule, valid, form_pool, failures) for rule in rules)
    print(f"{len(rules)} routes, {calls} requests, {len(failures)} failed")
    assert not failures, f"{len(failures)} of {calls} requests failed ({drawn()}):\n" + "\n".join(
        failures
    )


# --------------------------------------------------------------------------- package_search

SEARCH_KEYS = (
    "q",
    "fq",
    "fq_list",
    "facet.field",
    "sort",
    "fl",
    "rows",
    "start",
    "qf",
    "facet",
    "facet.limit",
    "facet.mincount",
    "include_private",
    "include_drafts",
    "defType",
    "mm",
    "df",
    "q.op",
)
SOLR_SYNTAX = [
    "title:(",
    '"unbalanced',
    "*:*",
    "{!lucene}x",
    "x~100000",
    "[* TO *]",
    "/regex.*/",
    "a" * 2048,
    "a" * 70_000,
    "name:" + "b" * 5000,
    " ".join(["x"] * 5000),
    "title_string desc, " * 50,
    "AND OR NOT",
    "\\",
]


def test_package_search_answers_any_input_without_a_server_error(platform: Platform):
    """``package_search`` and the dataset search page, over the embedded backend."""
    failures: list[str] = []
    valid = {
        "q": ["数据", "title:entry"],
        "fq": ["share_type:conditional"],
        "facet.field": [["share_type", "organization"]],
        "sort": ["title_string asc"],
        "rows": [5],
        "start": [0],
        "fl": ["id,name"],
    }
    value = st.one_of(adversarial(), st.sampled_from(SOLR_SYNTAX))

    @seeded
    @settings(max_examples=SEARCH_EXAMPLES, **_SETTINGS)
    @given(
        who=st.sampled_from((*ACTORS, None)),
        way=st.sampled_from(("GET", "POST", "page")),
        keys=st.lists(st.sampled_from(SEARCH_KEYS), min_size=1, max_size=3, unique=True),
        base=st.dictionaries(st.sampled_from(sorted(valid)), st.just(None), max_size=3),
        data=st.data(),
    )
    def fuzz(who: str | None, way: str, keys: list[str], base: dict[str, Any], data: Any) -> None:
        query = {k: data.draw(mostly(valid[k])) for k in base}
        for key in keys:
            query[key] = data.draw(value)
        headers = platform.headers(who)
        try:
            search = "/api/3/action/package_search"
            if way == "GET":
                response = send(platform.app, "GET", f"{search}?{query_string(query)}", headers)
                problem = api_problem(response)
            elif way == "POST":
                response = send(
                    platform.app, "POST", search, headers, json_body(query), "application/json"
                )
                problem = api_problem(response)
            else:
                page = {("page" if k == "start" else k): v for k, v in query.items()}
                response = send(platform.app, "GET", f"/dataset/?{query_string(page)}", headers)
                problem = page_problem(response)
        except Exception as error:
            problem = f"raised {type(error).__name__}: {str(error)[:200]}"
        finally:
            _reset_session()
        if problem:
            shown = {k: describe(query[k]) for k in keys}
            failures.append(f"package_search {way} as {who} {shown}: {problem}")

    fuzz()
    print(f"{SEARCH_EXAMPLES} searches, {len(failures)} failed")
    assert not failures, (
        f"{len(failures)} of {SEARCH_EXAMPLES} searches failed ({drawn()}):\n" + "\n".join(failures)
    )


@pytest.mark.unit
def test_the_adversarial_values_include_what_the_issue_names():
    """NUL, 10^20, a list, 0001-01-01 and 9999-12-31, a term of 2,048 characters."""
    assert {"a\x00b", 10**20, "0001-01-01", "9999-12-31"} <= {
        v for v in FIXED if not isinstance(v, (list, dict))
    }
    assert any(isinstance(v, list) for v in FIXED)
    assert "a" * 2048 in SOLR_SYNTAX

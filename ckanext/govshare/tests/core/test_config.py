"""One typed module reads the configuration (``core/config.py``); each default is declared once,
in ``config_declaration.yaml`` (issue 15, item 4)."""

from __future__ import annotations

import ast
import inspect
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.common import config_declaration

from ckanext.govshare import profiles
from ckanext.govshare.core import config

PACKAGE = Path(__file__).resolve().parents[2]
PREFIX = "ckanext.govshare."


def declared() -> set[str]:
    return {str(key) for key in config_declaration.iter_options(pattern=PREFIX + "*")}


def accessors() -> dict[str, Callable[[], Any]]:
    """Each function of ``core.config`` by the one key it reads (``tk.config["..."]``)."""
    tree = ast.parse(inspect.getsource(config))
    found: dict[str, Callable[[], Any]] = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        keys = [
            sub.slice.value
            for sub in ast.walk(node)
            if isinstance(sub, ast.Subscript)
            and ast.unparse(sub.value) == "tk.config"
            and isinstance(sub.slice, ast.Constant)
        ]
        assert len(keys) == 1, f"{node.name} reads {keys}: one key a function"
        assert keys[0] not in found, f"{keys[0]} is read by two functions"
        found[keys[0]] = getattr(config, node.name)
    return found


def allowed_types(fn: Callable[[], Any]) -> tuple[type, ...]:
    """The types a function's return annotation allows (``int | None`` -> int, NoneType)."""
    hint = typing.get_type_hints(fn)["return"]
    args = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    return tuple(typing.get_origin(a) or a for a in args)


def test_every_function_reads_a_declared_option_and_every_option_has_one():
    keys = accessors()
    assert keys, "no accessor found"
    assert set(keys) == declared()


@pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
@pytest.mark.parametrize("key", sorted(accessors()))
def test_each_function_returns_its_declared_type_and_the_declared_default(key: str):
    fn = accessors()[key]
    option = config_declaration.get(key)
    assert option is not None
    default = option.normalize(option.default)
    allowed = allowed_types(fn)
    assert isinstance(default, allowed), f"{key}: declared {default!r}, annotated {allowed}"
    value = fn()
    assert isinstance(value, type(default)) or (default is None and isinstance(value, allowed))
    if key not in Path(tk.config["__file__"]).read_text():
        assert value == default


def test_the_statutory_numbers_come_from_the_profile_unless_an_option_says_otherwise():
    """Empty options: the rule profile's numbers (2016 art. 8: 15 working days to update the
    catalogue; art. 15 names no number for feedback, five here)."""
    assert config.deadline_feedback() is None
    assert config.deadline_catalogue_update() is None
    assert profiles.number("feedback") == 5
    assert profiles.number("catalogue_update") == 15


@pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
def test_the_2025_numbers():
    """2025 art. 26: 10 working days to check data; art. 17: 10 to update the catalogue."""
    assert profiles.number("feedback") == 10
    assert profiles.number("catalogue_update") == 10


@pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
@pytest.mark.ckan_config("ckanext.govshare.deadline.feedback", 7)
def test_an_option_overrides_the_profile():
    assert profiles.number("feedback") == 7


def test_the_declaration_converts_what_an_ini_file_says():
    conditional = config_declaration.get(PREFIX + "deadline.conditional")
    assert conditional is not None
    assert conditional.normalize("15") == 15
    assert conditional.normalize("") is None  # empty: the rule profile's number
    hosts = config_declaration.get(PREFIX + "download.allowed_hosts")
    assert hosts is not None
    assert hosts.normalize("a.example b.example:8443") == ["a.example", "b.example:8443"]


@pytest.mark.parametrize(
    "key", ["deadline.feedback", "deadline.conditional", "login.window", "max_period_years"]
)
def test_a_value_of_the_wrong_type_stops_ckan_at_start_up(key: str):
    # CKAN validates the whole configuration against the declaration when it starts
    # (ckan.config.environment.update_config) and refuses to start on any error.
    _, errors = config_declaration.validate({**tk.config, PREFIX + key: "five"})
    assert PREFIX + key in errors


def test_an_empty_time_zone_stops_ckan_at_start_up():
    """Deadlines count dates in one zone; there is no second default to fall back on."""
    _, errors = config_declaration.validate({**tk.config, PREFIX + "timezone": ""})
    assert PREFIX + "timezone" in errors
    _, errors = config_declaration.validate(dict(tk.config))
    assert not [key for key in errors if key.startswith(PREFIX)]


def _reads(source: str) -> Iterator[tuple[int, str]]:
    """Lines of ``source`` that read a govshare option from CKAN's configuration: ``config[...]``
    or ``config.get(...)`` with a literal key, an f-string or a module constant naming one."""
    tree = ast.parse(source)
    constants = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and str(node.value.value).startswith(PREFIX)
        for target in node.targets
        if isinstance(target, ast.Name)
    }

    def names_option(arg: ast.expr) -> bool:
        if isinstance(arg, ast.Constant):
            return str(arg.value).startswith(PREFIX)
        if isinstance(arg, ast.JoinedStr):
            return ast.unparse(arg).startswith(("f'" + PREFIX, 'f"' + PREFIX))
        if isinstance(arg, ast.Name):
            return arg.id in constants
        if isinstance(arg, ast.Attribute):
            return arg.attr.endswith("_KEY")
        return False

    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("config"):
            if names_option(node.slice):
                yield node.lineno, ast.unparse(node)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and ast.unparse(node.func.value).endswith("config")
            and node.args
            and names_option(node.args[0])
        ):
            yield node.lineno, ast.unparse(node)


def test_no_module_but_core_config_reads_a_govshare_option():
    sources = [
        p
        for p in PACKAGE.rglob("*.py")
        if "tests" not in p.relative_to(PACKAGE).parts and p != PACKAGE / "core" / "config.py"
    ]
    assert len(sources) > 50
    found = [
        f"{p.relative_to(PACKAGE)}:{line}: {code}"
        for p in sources
        for line, code in _reads(p.read_text())
    ]
    assert found == []


def test_the_scan_finds_each_way_of_reading():
    """The scan above is not blind: it finds each form the code used before core/config.py."""
    sample = (
        "import ckan.plugins.toolkit as tk\n"
        "from ckan.common import config\n"
        'KEY = "ckanext.govshare.deadline.feedback"\n'
        'a = tk.config.get("ckanext.govshare.authority_org")\n'
        'b = config["ckanext.govshare.timezone"]\n'
        'c = tk.config.get(f"ckanext.govshare.deadline.{a}")\n'
        "d = tk.config.get(KEY)\n"
        "e = tk.config.get(rules.DEADLINE_KEY)\n"
        'f = tk.config.get("ckan.site_url")\n'
    )
    assert [line for line, _ in _reads(sample)] == [4, 5, 6, 7, 8]

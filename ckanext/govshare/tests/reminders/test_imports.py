"""The scheduler of ``ckan govshare remind`` sits above the domains and ``notices`` (issue 15):
``notices/`` only sends notices and never imports it, no domain imports it, and neither the
scheduler, the domains' reminder steps nor the demo package are part of an import cycle.

Read from the source (``ast``, imports inside functions included), so that a lazy import,
which a run of the tests would not notice, counts too.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

import ckanext.govshare

ROOT = pathlib.Path(ckanext.govshare.__file__).parent
PACKAGE = "ckanext.govshare"
SCHEDULER = f"{PACKAGE}.reminders"


def _module(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([PACKAGE, *parts])


def _imports(source: str, module: str, is_package: bool, modules: set[str]) -> set[str]:
    """The modules of ``modules`` that ``source`` (the text of ``module``) imports, anywhere
    in it. ``from x import y`` imports ``x.y`` when that is a module, else ``x`` (as grimp
    and import-linter count them)."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            for alias in node.names:
                name = f"{origin}.{alias.name}"
                found.add(name if name in modules else origin)
    return (found & modules) - {module}


def _graph() -> dict[str, set[str]]:
    """The package's modules and the package modules each imports (tests left out)."""
    files = {
        _module(p): p
        for p in ROOT.rglob("*.py")
        if "tests" not in p.relative_to(ROOT).parts and "migration" not in p.parts
    }
    modules = set(files)
    return {
        name: _imports(
            path.read_text(encoding="utf-8"), name, path.name == "__init__.py", modules
        )
        for name, path in files.items()
    }


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _cycle_through(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A chain of imports from ``start`` back to itself, if there is one."""
    stack = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                return [*path, nxt]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return _graph()


def test_the_scan_sees_the_scheduler_and_its_steps(graph: dict[str, set[str]]):
    # The checks below would pass on an empty graph: first, that it is the real one.
    scheduler = graph[f"{SCHEDULER}.scheduler"]
    for domain in ("access", "feedback", "obligations", "reports"):
        assert f"{PACKAGE}.{domain}.reminders" in scheduler
    assert f"{PACKAGE}.notices" in scheduler
    assert any(_inside(m, f"{PACKAGE}.notices") for m in graph)


@pytest.mark.parametrize(
    "package", ["notices", "access", "feedback", "obligations", "reports", "tracked", "workdays"]
)
def test_nothing_below_the_scheduler_imports_it(graph: dict[str, set[str]], package: str):
    below = [m for m in graph if _inside(m, f"{PACKAGE}.{package}")]
    assert below
    offending = {m: sorted(i for i in graph[m] if _inside(i, SCHEDULER)) for m in below}
    assert {m: i for m, i in offending.items() if i} == {}


def test_no_import_cycle_through_reminders_notices_or_the_demo(graph: dict[str, set[str]]):
    watched = [
        m
        for m in graph
        if _inside(m, SCHEDULER)
        or _inside(m, f"{PACKAGE}.notices")
        or _inside(m, f"{PACKAGE}.demo")
        or m.endswith(".reminders")
    ]
    assert len(watched) >= 15
    cycles = {m: c for m in watched if (c := _cycle_through(graph, m))}
    assert cycles == {}


def test_the_scan_finds_a_lazy_import_and_a_cycle():
    # The scan itself, on made-up modules: an import inside a function counts, relative
    # imports resolve, and a cycle is found.
    modules = {"x", "x.a", "x.b", "x.c", "x.c.d"}
    source = "import os\nfrom . import b\n\ndef f():\n    from .c.d import g\n    from x import c\n"
    assert _imports(source, "x.a", False, modules) == {"x.b", "x.c.d", "x.c"}
    assert _imports("from .. import a\n", "x.c.d", False, modules) == {"x.a"}
    assert _imports("from . import d\n", "x.c", True, modules) == {"x.c.d"}
    graph = {"x.a": {"x.b"}, "x.b": {"x.c"}, "x.c": {"x.a"}, "x.d": {"x.a"}}
    assert _cycle_through(graph, "x.a") == ["x.a", "x.b", "x.c", "x.a"]
    assert _cycle_through(graph, "x.d") is None

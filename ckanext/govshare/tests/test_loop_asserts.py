"""No test passes without checking anything (issue 15, item 5).

A test whose every assert sits in a loop over data (not over a literal written in the test),
or is ``all(...)``, ``not any(...)`` or ``not [...]`` over a comprehension, passes when the
data is empty. Such a test first asserts that the data is there (``assert items``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

TESTS = Path(__file__).parent
LITERALS = (ast.Tuple, ast.List, ast.Set, ast.Dict, ast.Constant)
WRAPPERS = {"enumerate", "zip", "sorted", "reversed", "list", "tuple"}
COMPREHENSIONS = (ast.GeneratorExp, ast.ListComp, ast.SetComp)
Loop = ast.For | ast.AsyncFor | ast.While


def _over_a_literal(loop: Loop) -> bool:
    if not isinstance(loop, ast.For | ast.AsyncFor):
        return False
    it = loop.iter
    if isinstance(it, LITERALS):
        return True
    return (
        isinstance(it, ast.Call)
        and isinstance(it.func, ast.Name)
        and it.func.id in WRAPPERS
        and all(isinstance(a, LITERALS) for a in it.args)
    )


def _asserts(node: ast.AST, loops: tuple[Loop, ...] = ()) -> Iterator[tuple[ast.Assert, bool]]:
    """Each assert of a test (nested functions left out), and whether a loop over data
    encloses it."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        inner = loops + (child,) if isinstance(child, Loop) else loops
        if isinstance(child, ast.Assert):
            yield child, not all(_over_a_literal(loop) for loop in loops)
        yield from _asserts(child, inner)


def _holds_when_empty(test: ast.expr) -> bool:
    def call_of(name: str, node: ast.expr) -> bool:
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == name
            and len(node.args) == 1
            and isinstance(node.args[0], COMPREHENSIONS)
        )

    if call_of("all", test):
        return True
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return isinstance(test.operand, COMPREHENSIONS) or call_of("any", test.operand)
    return False


def vacuous_tests(root: Path) -> list[str]:
    """``path:line:name`` of the tests under ``root`` that may check nothing."""
    found = []
    for path in sorted(root.rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if not node.name.startswith("test"):
                continue
            asserts = list(_asserts(node))
            if asserts and all(loop or _holds_when_empty(a.test) for a, loop in asserts):
                found.append(f"{path.relative_to(root)}:{node.lineno}:{node.name}")
    return found


def test_no_test_asserts_only_inside_a_loop_over_data() -> None:
    assert not vacuous_tests(TESTS)


def test_the_check_finds_such_a_test(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(
        "def test_loop(items):\n"
        "    for item in items:\n"
        "        assert item\n"
        "def test_all(items):\n"
        "    assert all(i for i in items)\n"
        "def test_guarded(items):\n"
        "    assert items\n"
        "    for item in items:\n"
        "        assert item\n"
        "def test_literal():\n"
        "    for lang in ('en', 'zh'):\n"
        "        assert lang\n"
    )
    assert vacuous_tests(tmp_path) == ["test_sample.py:1:test_loop", "test_sample.py:4:test_all"]

"""docs/compliance.md cannot rot (issue 18, item 10): every test it names exists, every
article of both texts that puts a duty on the software has its row, and every finding kind
its line with the articles the code cites."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from ckanext.govshare.reports import findings

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "compliance.md"
CITED = re.compile(r"`(ckanext/govshare/tests/[\w/]+\.py)::([\w:]+)`")

# The articles of each text with a duty on the software (the domain's article tables:
# measures.md and regulation-2025.md).
ARTICLES = {
    "2016": (
        "2–3", "4", "5(1)", "5(2)", "5(3)", "5(4)", "7", "8", "9", "10(1)", "10(2)", "10(3)",
        "11", "12", "13", "14", "15", "16–18", "20", "21", "24",
    ),
    "2025": (
        "11", "13", "14", "15", "16", "17", "19", "20", "21", "22", "24", "25", "26", "27",
        "28", "29", "31", "34–35", "38", "39", "40",
    ),
}  # fmt: skip


def _text() -> str:
    return DOC.read_text(encoding="utf-8")


def _rows() -> list[list[str]]:
    """The cells of the main table's rows (text, article, duty, feature, tests)."""
    rows = []
    for line in _text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] in ARTICLES:
            rows.append(cells)
    return rows


@cache
def _defined(path: str) -> set[str]:
    """``name`` and ``Class::name`` of every function a test file defines."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(f"{node.name}::{item.name}")
    return names


def test_every_named_test_exists():
    cited = CITED.findall(_text())
    assert len(cited) >= 80  # the table names its tests (a broken pattern finds none)
    missing = [
        f"{path}::{name}"
        for path, name in cited
        if not (ROOT / path).is_file() or name not in _defined(path)
    ]
    assert missing == []
    assert all(name.split("::")[-1].startswith("test_") for _, name in cited)


def test_every_article_has_its_row_with_a_feature_and_a_test():
    rows = _rows()
    found = {(text, article) for text, article, *_ in rows}
    wanted = {(text, article) for text, articles in ARTICLES.items() for article in articles}
    assert wanted - found == set()
    for text, article, duty, feature, tests in rows:
        assert " · " in duty, (text, article)  # Chinese · English
        assert feature, (text, article)
        assert CITED.search(tests), (text, article)


def test_every_finding_kind_has_its_articles():
    text = _text()
    kinds_table = [row for row in text.splitlines() if row.startswith("| `")]
    assert findings.ALL_KINDS
    wrong = []
    for kind in findings.ALL_KINDS:
        (line,) = [row for row in kinds_table if f"`{kind}`" in row.split("|")[1]]
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        for profile, cell in (("measures-2016", cells[1]), ("regulation-2025", cells[2])):
            citation = findings.ARTICLES[kind].get(profile)
            expected = "—" if citation is None else findings.article_codes(citation)
            if not cell.startswith(expected) or (citation is None and cell != "—"):
                wrong.append((kind, profile, cell, expected))
    assert wrong == []


def test_every_named_action_and_option_exists():
    """The feature column names real actions and declared options (no renamed one left)."""
    from ckanext.govshare.logic import action

    text = _text()
    actions = set(re.findall(r"`(govshare_[a-z_]+)`", text))
    assert len(actions) >= 30
    assert sorted(a for a in actions if not callable(getattr(action, a, None))) == []
    declared = (ROOT / "ckanext" / "govshare" / "config_declaration.yaml").read_text("utf-8")
    options = set(re.findall(r"`(ckanext\.govshare\.[a-z_.]+)`", text))
    assert options and sorted(o for o in options if f"key: {o}\n" not in declared) == []

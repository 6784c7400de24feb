"""The Chinese written in the code, templates and demo data (not through the catalog): no known
slip and no traditional character (issue 19, item 7). Notices, refusals ("English | 中文"),
labels and the demo's names are written there."""

from __future__ import annotations

from pathlib import Path

import pytest

from .slips import SLIPS, traditional

PACKAGE = Path(__file__).resolve().parents[2]
SUFFIXES = {".py", ".html", ".txt", ".yaml", ".yml", ".json", ".csv", ".js", ".ttl", ".xml"}
#: Every slip, the data officer's old name included: code, templates and the demo's job titles
#: say 数据管理员 as the catalog does.
SOURCE_SLIPS = SLIPS
#: (path under the package, text) a file may hold on purpose.
ALLOWED = {
    # The earlier wording's doubled 数据, put right when an old notice is read.
    ("notices/texts.py", "数据数据"),
}

pytestmark = pytest.mark.unit


def _sources() -> list[Path]:
    return sorted(
        p
        for p in PACKAGE.rglob("*")
        if p.is_file()
        and p.suffix in SUFFIXES
        and "tests" not in p.relative_to(PACKAGE).parts
        and "node_modules" not in p.parts
    )


def test_no_slip_and_no_traditional_character_in_the_sources():
    assert len(_sources()) > 100, "the package's sources were not found"
    found: dict[str, list[str]] = {}
    for path in _sources():
        name = path.relative_to(PACKAGE).as_posix()
        text = path.read_text("utf-8", errors="replace")
        problems = [
            f"{slip}: use {right}"
            for slip, right in SOURCE_SLIPS.items()
            if slip in text and (name, slip) not in ALLOWED
        ]
        problems += [f"traditional {t}" for t in traditional(text)]
        if problems:
            found[name] = problems
    assert found == {}

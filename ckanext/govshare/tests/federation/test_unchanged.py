"""When an upper platform may skip re-importing a harvested entry (harvest/unchanged.py)."""

from __future__ import annotations

import pytest

from ckanext.govshare.harvest import unchanged

pytestmark = pytest.mark.unit


def test_the_fingerprint_covers_content_source_and_import() -> None:
    base = unchanged.fingerprint("{}", "Lower", "http://low/catalog.ttl")
    assert base == unchanged.fingerprint("{}", "Lower", "http://low/catalog.ttl")
    assert base != unchanged.fingerprint("{ }", "Lower", "http://low/catalog.ttl")
    assert base != unchanged.fingerprint("{}", "Lower platform", "http://low/catalog.ttl")
    assert base != unchanged.fingerprint("{}", "Lower", "https://low/catalog.ttl")
    # The parts are kept apart: moving text from one to the next is a change.
    assert unchanged.fingerprint("a", "bc", "") != unchanged.fingerprint("ab", "c", "")


def test_the_fingerprint_follows_the_import_version(monkeypatch: pytest.MonkeyPatch) -> None:
    before = unchanged.fingerprint("{}", "Lower", "u")
    monkeypatch.setattr(unchanged, "IMPORT_VERSION", unchanged.IMPORT_VERSION + "+1")
    assert unchanged.fingerprint("{}", "Lower", "u") != before


@pytest.mark.parametrize(
    ("previous", "copy_live", "force_all", "expected"),
    [
        ("f", True, False, True),
        ("g", True, False, False),  # the content, source or import changed
        (None, True, False, False),  # never imported completely, or before fingerprints
        ("f", False, False, False),  # its copy was deleted on the upper platform
        ("f", True, True, False),  # the source asks for every entry
    ],
)
def test_may_skip(previous: str | None, copy_live: bool, force_all: bool, expected: bool) -> None:
    assert unchanged.may_skip("f", previous, copy_live=copy_live, force_all=force_all) is expected

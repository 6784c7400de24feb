"""The usage, disposal and filing rules (2025 Regulations art. 27, 29), without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.govshare.usage import rules

pytestmark = pytest.mark.unit

D = dt.date
GRANT = {"id": "g1", "package_id": "e1", "provider_org_id": "p", "status": "active"}
FILING = {
    "id": "f1",
    "package_id": "e1",
    "provider_org_id": "p",
    "kind": "end",
    "grant_ids": ["g1", "g2"],
    "effective_date": D(2026, 6, 1),
}


def test_retention_is_years_later_and_29_february_falls_to_28() -> None:
    assert rules.retain_until(D(2026, 3, 15), 3) == D(2029, 3, 15)
    assert rules.retain_until(D(2028, 2, 29), 3) == D(2031, 2, 28)
    assert rules.retain_until(D(2028, 2, 29), 4) == D(2032, 2, 29)


def test_archive_due_only_past_retention_and_once() -> None:
    record = {"retain_until": D(2029, 3, 15), "archived_at": None}
    assert not rules.archive_due(record, D(2029, 3, 15))
    assert rules.archive_due(record, D(2029, 3, 16))
    assert not rules.archive_due({**record, "archived_at": "2029-03-16"}, D(2029, 4, 1))


@pytest.mark.parametrize("kind", sorted(rules.LIVE_ONLY_KINDS))
def test_use_is_recorded_only_while_live(kind: str) -> None:
    assert rules.record_problem(GRANT, kind, live=True) is None
    assert rules.record_problem(GRANT, kind, live=False) == rules.GRANT_NOT_LIVE


@pytest.mark.parametrize("kind", ["storage", "destruction"])
def test_storage_and_destruction_also_after_the_end(kind: str) -> None:
    assert rules.record_problem({**GRANT, "status": "expired"}, kind, live=False) is None


def test_every_kind_of_art_29_is_known() -> None:
    assert rules.KIND_VALUES == ("scenario", "process", "results", "storage", "destruction")
    assert rules.label(rules.KINDS, "storage") == {"en": "Storage", "zh_Hans_CN": "存储情况"}
    assert rules.label(rules.KINDS, "nonsense") is None


@pytest.mark.parametrize("status", ["expired", "revoked", "terminated"])
def test_disposal_of_an_ended_grant_once(status: str) -> None:
    ended = {**GRANT, "status": status, "disposed_at": None}
    assert rules.disposal_problem(ended) is None
    assert rules.disposal_problem({**ended, "disposed_at": "x"}) == rules.ALREADY_DISPOSED


@pytest.mark.parametrize("status", ["active", "suspended"])
def test_no_disposal_before_the_end(status: str) -> None:
    assert rules.disposal_problem({**GRANT, "status": status}) == rules.NOT_ENDED


def test_a_filing_covers_a_grant_it_names_once_effective() -> None:
    assert rules.filing_problem(FILING, GRANT, D(2026, 6, 1)) is None
    too_early = rules.filing_problem(FILING, GRANT, D(2026, 5, 31))
    assert too_early is not None and "2026-06-01" in too_early


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"provider_org_id": "q"}, rules.FILING_OTHER_PROVIDER),
        ({"package_id": "e2"}, rules.FILING_OTHER_ENTRY),
        ({"kind": "change"}, rules.FILING_NOT_END),
        ({"grant_ids": ["g2"]}, rules.FILING_NOT_NAMING),
        ({"grant_ids": []}, rules.FILING_NOT_NAMING),
    ],
)
def test_a_filing_does_not_cover(change: dict, problem: str) -> None:
    assert rules.filing_problem({**FILING, **change}, GRANT, D(2026, 7, 1)) == problem

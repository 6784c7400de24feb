"""The pure rules of the catalogue review (2025 Regulations art. 13-17)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ckanext.govshare.catalogue import rules as catalogue_rules
from ckanext.govshare.review import rules

pytestmark = pytest.mark.unit

TODAY = dt.date(2026, 12, 7)
T0 = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)


def _row(status: str, hours: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"r{hours}",
        "status": status,
        "kind": "new",
        "submitted_at": T0 + dt.timedelta(hours=hours),
        "due_date": dt.date(2026, 12, 3),
        **extra,
    }


def test_changed_fields_compare_stored_values():
    before = rules.snapshot({"title": "A", "data_items": '[{"name": "x"}]', "theme": ""})
    same = rules.snapshot({"title": "A", "data_items": [{"name": "x"}], "theme": None})
    assert rules.changed_fields(before, same) == []
    after = rules.snapshot({"title": "B", "data_items": '[{"name": "y"}]', "data_grade": "core"})
    assert rules.changed_fields(before, after) == ["title", "data_items", "data_grade"]


def test_a_resource_field_is_no_catalogue_change():
    before = rules.snapshot({"title": "A", "key_item": "id"})
    after = rules.snapshot({"title": "A", "key_item": "code", "daily_capacity": "5"})
    assert rules.changed_fields(before, after) == []


def test_entry_status_and_visibility():
    assert rules.entry_status([])["review_status"] == rules.NONE
    assert not rules.withheld([])  # made before the rule: as it was
    pending = [_row("pending", 1)]
    assert rules.entry_status(pending)["review_status"] == "pending"
    assert rules.entry_status(pending)["review_due"] == dt.date(2026, 12, 3)
    assert rules.withheld(pending)
    returned = [_row("returned", 1), _row("superseded", 0)]
    assert rules.entry_status(returned)["review_status"] == "returned"
    assert rules.withheld(returned)
    changed = [_row("approved", 0), _row("pending", 2, kind="change")]
    status = rules.entry_status(changed)
    assert status["review_status"] == "pending" and status["change_pending"]
    assert not rules.withheld(changed)
    assert rules.kind_for(changed) == rules.CHANGE
    assert rules.kind_for(returned) == rules.NEW
    assert rules.kind_for([]) == rules.CHANGE


def test_decisions():
    pending = _row("pending", 1)
    assert rules.check_decision(pending, "approve", []) == {}
    assert rules.check_decision(pending, "return", []) == {"reasons": [rules.REASONS_REQUIRED]}
    assert rules.check_decision(pending, "return", ["x"] * 21)["reasons"] == [
        rules.TOO_MANY_REASONS
    ]
    assert rules.check_decision(pending, "return", [" "])["reasons"] == [rules.BLANK_REASON]
    assert rules.check_decision(_row("approved", 1), "approve", []) == {
        "id": [rules.NO_PENDING_REVIEW]
    }
    assert rules.check_decision(None, "approve", []) == {"id": [rules.NO_PENDING_REVIEW]}
    assert rules.is_overdue(pending, TODAY)
    assert not rules.is_overdue(pending, dt.date(2026, 12, 3))


GRADED = {
    "data_grade": "general",
    "personal_information": "no",
    "confidentiality_assessment": "不涉密",
    "head_approved_by": "张主任",
    "head_approved_on": "2026-12-01",
}


def _check(entry: dict[str, Any], *, on: bool = True, published: bool = True):
    return catalogue_rules.check_grading(
        entry, grading=on, basis_kinds=on, published=published, today=TODAY
    )


def test_grading_rules_by_profile_and_state():
    assert _check(GRADED) == {}
    assert set(_check({})) == set(catalogue_rules.GRADING_FIELDS)
    assert _check({}, published=False) == {}
    assert _check({}, on=False) == {}
    assert _check({**GRADED, "personal_information": "yes"}) == {
        "pi_impact_assessment": [catalogue_rules.NEEDS_PI_ASSESSMENT]
    }
    not_shared = {**GRADED, "share_type": "not_shared"}
    assert _check(not_shared) == {"legal_basis_type": [catalogue_rules.NEEDS_LEGAL_BASIS_TYPE]}
    policy = {**not_shared, "legal_basis_type": "policy"}
    assert _check(policy, published=False) == {
        "legal_basis_type": [catalogue_rules.POLICY_NO_LONGER_SUFFICES]
    }
    assert _check(policy, on=False) == {}
    assert _check({**GRADED, "head_approved_on": "2026-12-08"}) == {
        "head_approved_on": [catalogue_rules.APPROVAL_IN_FUTURE]
    }
    assert _check({"data_grade": "secret"}, on=False) == {
        "data_grade": [catalogue_rules.unknown_code("data_grade")]
    }


def test_a_legacy_entry_stays_public_while_its_change_waits_or_is_returned():
    legacy_change = [_row("pending", 1, kind="change")]
    assert not rules.withheld(legacy_change)
    assert rules.entry_status(legacy_change)["change_pending"]
    assert rules.kind_for(legacy_change) == rules.CHANGE
    assert not rules.withheld([_row("returned", 1, kind="change")])

"""The pure rules of the dispute path (2025 Regulations art. 28): ``access/rules.py``."""

from __future__ import annotations

import pytest

from ckanext.govshare.access import rules

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("330100", "330000", True),  # a city and its province: levels differ
        ("330100", "320100", True),  # two cities: regions differ
        ("330100", " 330100 ", False),  # the same division, however written
        ("330100", None, False),  # a department without a code
        ("", "330100", False),
        (None, None, False),
    ],
)
def test_cross_level(a: str | None, b: str | None, expected: bool):
    assert rules.cross_level(a, b) is expected


def test_a_referral_to_the_upper_authority_needs_platform_and_number():
    assert set(rules.referral_errors({}, to_upper=True)) == {"upper_platform", "reference"}
    assert (
        rules.referral_errors({"upper_platform": "省平台", "reference": "文号1"}, to_upper=True)
        == {}
    )
    errors = rules.referral_errors({"reference": "文号1"}, to_upper=True)
    assert list(errors) == ["upper_platform"]
    en, _, zh = errors["upper_platform"][0].partition(" | ")
    assert en and zh


def test_a_referral_is_out_of_place_elsewhere():
    assert rules.referral_errors({}, to_upper=False) == {}
    errors = rules.referral_errors({"note": "说明", "reference": "x"}, to_upper=False)
    assert set(errors) == {"note", "reference"}
    assert "第二十八条" in errors["note"][0]


def test_the_deciding_body_is_the_one_the_dispute_is_before():
    assert rules.body_errors(None, "government") == {}
    assert rules.body_errors("government", "government") == {}
    errors = rules.body_errors("upper_authority", "government")
    assert "the people's government" in errors["decided_by_body"][0]
    assert "本级人民政府" in errors["decided_by_body"][0]
    assert set(rules.DISPUTE_BODIES) == {
        "authority",
        "joint_conference",
        "upper_authority",
        "government",
    }

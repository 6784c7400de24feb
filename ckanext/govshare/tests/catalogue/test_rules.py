"""The share-type rules of the catalogue (art. 9, 10), as plain functions."""

from __future__ import annotations

from typing import Any

import pytest

from ckanext.govshare.catalogue import credit_code, rules

pytestmark = pytest.mark.unit


def entry(**fields: Any) -> dict[str, Any]:
    base = {
        "share_type": "unconditional",
        "resource_category": "departmental",
        "open_to_public": "not_open",
        "share_methods": ["api"],
        "data_items": [{"name": "姓名", "data_type": "string"}],
    }
    return {**base, **fields}


def test_a_complete_unconditional_entry_passes():
    assert rules.check_entry(entry()) == {}


def test_not_shared_needs_a_legal_basis_and_stays_closed():
    errors = rules.check_entry(entry(share_type="not_shared", open_to_public="open"))
    assert errors["legal_basis"] == [rules.NEEDS_LEGAL_BASIS]
    assert errors["open_to_public"] == [rules.NOT_SHARED_IS_NOT_OPEN]
    ok = entry(share_type="not_shared", legal_basis="《中华人民共和国保守国家秘密法》第九条")
    assert rules.check_entry(ok) == {}


def test_conditional_needs_conditions():
    assert rules.check_entry(entry(share_type="conditional"))["share_conditions"] == [
        rules.NEEDS_CONDITIONS
    ]
    assert rules.check_entry(entry(share_type="conditional", share_conditions="仅限公安机关")) == {}


def test_messages_speak_both_languages_and_cite_the_article():
    assert "art. 10(1)" in rules.NEEDS_LEGAL_BASIS and "第十条" in rules.NEEDS_LEGAL_BASIS
    assert " | " in rules.NEEDS_CONDITIONS


def test_basic_resources_are_never_not_shared_and_need_their_category():
    errors = rules.check_entry(
        entry(resource_category="basic", share_type="not_shared", legal_basis="x")
    )
    assert errors["share_type"] == [rules.BASIC_CANNOT_BE_NOT_SHARED]
    assert errors["basic_category"] == [rules.NEEDS_BASIC_CATEGORY]


def test_thematic_resources_need_a_theme():
    assert "theme" in rules.check_entry(entry(resource_category="thematic"))
    assert rules.check_entry(entry(resource_category="thematic", theme="health")) == {}


def test_base_items_of_basic_resources_are_unconditional():
    items = [{"name": "公民身份号码", "base_item": True, "share_type": "conditional"}]
    errors = rules.check_entry(
        entry(
            resource_category="basic",
            basic_category="population",
            share_type="conditional",
            share_conditions="x",
            data_items=items,
        )
    )
    assert list(errors) == [("data_items", 0, "share_type")]
    assert "公民身份号码" in errors[("data_items", 0, "share_type")][0]
    items[0]["share_type"] = "unconditional"
    assert (
        rules.check_entry(
            entry(
                resource_category="basic",
                basic_category="population",
                share_type="conditional",
                share_conditions="x",
                data_items=items,
            )
        )
        == {}
    )


@pytest.mark.parametrize(
    ("entry_share", "item_share", "ok"),
    [
        ("unconditional", "conditional", True),
        ("unconditional", "not_shared", True),
        ("conditional", "unconditional", False),
        ("conditional", "not_shared", True),
        ("not_shared", "conditional", False),
        ("conditional", "", True),
    ],
)
def test_an_item_may_be_stricter_never_looser(entry_share: str, item_share: str, ok: bool):
    e = entry(
        share_type=entry_share,
        share_conditions="c",
        legal_basis="l",
        data_items=[{"name": "x", "share_type": item_share}],
    )
    assert (("data_items", 0, "share_type") not in rules.check_entry(e)) is ok


def test_conditionally_open_needs_conditions_and_lists_need_entries():
    errors = rules.check_entry(
        entry(open_to_public="conditional_open", share_methods=[], data_items=[])
    )
    assert set(errors) == {"open_conditions", "share_methods", "data_items"}
    unnamed = rules.check_entry(entry(data_items=[{"name": " "}]))
    assert "#1" in unnamed[("data_items", 0, "name")][0]


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("91350100M000100Y43", None),
        ("91110000802100433B", None),
        ("91350100M000100Y44", "check"),
        ("91350100M000100Y4", "length"),
        ("91350100M000100I43", "characters"),
    ],
)
def test_unified_social_credit_codes(code: str, problem: str | None):
    assert credit_code.problem(code) == problem


def test_check_character_completes_a_code():
    assert credit_code.with_check_character("91350100M000100Y4") == "91350100M000100Y43"


@pytest.mark.parametrize("field", ["region_item", "key_item", "watermark_item"])
def test_region_key_and_watermark_items_name_a_data_item(field: str):
    """Issue 17: each names one of the entry's data items, or is left empty."""
    assert rules.check_entry(entry(**{field: "姓名"})) == {}
    assert rules.check_entry(entry(**{field: ""})) == {}
    (msg,) = rules.check_entry(entry(**{field: "区划代码"}))[field]
    assert "区划代码" in msg and "姓名" in msg and " | " in msg

"""The name a harvested entry gets on the upper platform (harvest/naming.py)."""

from __future__ import annotations

import pytest

from ckanext.govshare.harvest import naming

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        # The source platform's name, from the landing page the govshare profile writes.
        (
            {"url": "https://low.example/dataset/entry-007111", "title": "安徽气象年度报告"},
            "entry-007111",
        ),
        ({"url": "https://low.example/data/dataset/hk_pop-2/", "title": "人口"}, "hk_pop-2"),
        # No source name: the title's, where it keeps a letter.
        (
            {"url": "https://low.example/about", "title": "Population census 2020"},
            "population-census-2020",
        ),
        ({"title": "Weather -- daily"}, "weather-daily"),
    ],
)
def test_source_name(entry: dict[str, str], expected: str) -> None:
    assert naming.source_name(entry) == expected


def test_a_chinese_title_without_a_source_name_is_named_after_the_uri() -> None:
    entry = {"title": "北京药品监测数据 2024", "uri": "https://low.example/dataset/9b3e"}
    name = naming.source_name(entry)
    assert name.startswith("entry-") and len(name) == len("entry-") + 12
    assert naming.source_name(dict(entry)) == name  # the same entry, the same name
    assert naming.source_name({**entry, "uri": "https://low.example/dataset/9b3f"}) != name


@pytest.mark.parametrize(
    "landing", ["https://low.example/dataset/A-Upper", "https://low.example/dataset/x"]
)
def test_a_landing_page_without_a_valid_name_is_not_used(landing: str) -> None:
    assert naming.source_name({"url": landing, "title": "Open budget"}) == "open-budget"


def test_unique_name_keeps_a_free_name() -> None:
    assert naming.unique_name("entry-1", "guid-1", lambda name: False) == "entry-1"


def test_unique_name_derives_from_the_guid_when_taken() -> None:
    taken = {"entry-1"}
    first = naming.unique_name("entry-1", "guid-1", taken.__contains__)
    assert first.startswith("entry-1-") and len(first) == len("entry-1-") + 5
    assert naming.unique_name("entry-1", "guid-1", taken.__contains__) == first
    taken.add(first)
    second = naming.unique_name("entry-1", "guid-1", taken.__contains__)
    assert second.startswith("entry-1-") and len(second) == len("entry-1-") + 12
    taken.add(second)
    last = naming.unique_name("entry-1", "guid-1", taken.__contains__)
    assert last not in taken and len(last) <= 100


def test_unique_name_stays_within_ckans_length() -> None:
    long = "a" * 100
    assert len(naming.unique_name(long, "g", {long}.__contains__)) == 100

"""What a harvest import reuses (harvest/reuse.py): the source's answer within one batch, a
copy each time; the create's id where the answer is thrown away, for that create only."""

from __future__ import annotations

from typing import Any

import pytest

from ckanext.govshare.harvest import reuse


def _counting(answer: dict[str, Any]) -> tuple[list[int], Any]:
    calls: list[int] = []

    def show() -> dict[str, Any]:
        calls.append(1)
        return answer

    return calls, show


def test_a_batch_shows_its_source_once_and_hands_out_copies() -> None:
    calls, show = _counting({"id": "src", "owner_org": "dept", "extras": [{"k": "v"}]})
    with reuse.batch("src"):
        assert reuse.is_source("src")
        first = reuse.source_shown(show)
        first["owner_org"] = "changed by a caller"
        first["extras"][0]["k"] = "changed too"
        second = reuse.source_shown(show)
    assert calls == [1]
    assert second == {"id": "src", "owner_org": "dept", "extras": [{"k": "v"}]}


def test_only_the_batchs_own_source_and_only_inside_a_batch() -> None:
    assert not reuse.is_source("src")
    with pytest.raises(LookupError):
        reuse.source_shown(lambda: {})
    with reuse.batch("src"):
        assert not reuse.is_source("other")
        assert not reuse.is_source(None)
        assert not reuse.is_source("")
    assert not reuse.is_source("src")


def test_the_next_batch_shows_the_source_anew() -> None:
    answers = iter([{"owner_org": "before"}, {"owner_org": "after"}])
    for expected in ("before", "after"):
        with reuse.batch("src"):
            assert reuse.source_shown(lambda: next(answers))["owner_org"] == expected


def test_only_the_outer_create_answers_with_the_id() -> None:
    with reuse.create_answer() as id_only:
        assert id_only is False  # no import runs
    with reuse.create_answers_id():
        with reuse.create_answer() as id_only:
            assert id_only is True
            with reuse.create_answer() as nested:  # a create a hook makes inside it
                assert nested is False
        with reuse.create_answer() as again:  # a later create of the same import
            assert again is True
    with reuse.create_answer() as after:
        assert after is False

"""Old names keep working for their errors too, and an old parameter kept with its old meaning
is noted (issue 15, item 3; additions of the feedback domain pass)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest

from ckanext.govshare.core import vocabulary


def _refuse(context: Any, data_dict: Any) -> dict[str, Any]:
    raise tk.ValidationError({"reason": ["Missing value | 缺少必填项"]})


_refuse.__name__ = "govshare_test_refuse"
refuse = vocabulary.renamed(params={"explanation": "reason"})(_refuse)


def _listing(context: Any, data_dict: Any) -> dict[str, Any]:
    return {"seen": dict(data_dict), "deprecations": [{"name": "own"}]}


_listing.__name__ = "govshare_test_listing"
listing = vocabulary.renamed(params={"state": "status"}, kept={"mine": "direction=outgoing"})(
    _listing
)


def test_an_error_on_a_renamed_field_is_keyed_by_the_name_the_caller_used():
    with pytest.raises(tk.ValidationError) as old:
        refuse({}, {"explanation": " "})
    assert list(old.value.error_dict) == ["explanation"]
    with pytest.raises(tk.ValidationError) as new:
        refuse({}, {"reason": " "})
    assert list(new.value.error_dict) == ["reason"]
    with pytest.raises(tk.ValidationError) as neither:
        refuse({}, {})
    assert list(neither.value.error_dict) == ["reason"]


def test_a_kept_parameter_reaches_the_action_as_it_is_with_a_note():
    answer = listing({}, {"mine": True, "state": "open"})
    assert answer["seen"] == {"mine": True, "status": "open"}
    names = [n["name"] for n in answer["deprecations"]]
    assert names == ["own", "state", "mine"]  # the action's own notes are kept
    mine = answer["deprecations"][-1]
    assert mine["use"] == "direction=outgoing" and " | " in mine["message"]
    assert vocabulary.DEPRECATED["govshare_test_listing"].kept == {"mine": "direction=outgoing"}


def test_no_old_name_no_note():
    assert listing({}, {"status": "open"}) == {
        "seen": {"status": "open"},
        "deprecations": [{"name": "own"}],
    }

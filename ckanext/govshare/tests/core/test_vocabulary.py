"""Old names in the public API keep working for one release, and say so (issue 15, item 3)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest

from ckanext.govshare.core import vocabulary


def _echo(context: Any, data_dict: Any) -> dict[str, Any]:
    return {"seen": dict(data_dict)}


_echo.__name__ = "govshare_test_echo"
echo = vocabulary.renamed(
    params={"state": "status", "explanation": "reason"},
    values={"direction": {"held": "outgoing", "provided": "incoming"}},
    answer_keys={"state": "status"},
)(_echo)


def test_an_old_parameter_reaches_the_action_under_its_new_name_with_a_note():
    answer = echo({}, {"state": "open", "reason_x": 1})
    assert answer["seen"] == {"status": "open", "reason_x": 1}
    [note] = answer["deprecations"]
    assert note["name"] == "state" and note["use"] == "status"
    assert note["removed_in"] == vocabulary.REMOVED_IN
    assert " | " in note["message"] and "已弃用" in note["message"]


def test_new_names_alone_carry_no_note():
    answer = echo({}, {"status": "open", "direction": "outgoing"})
    assert answer == {"seen": {"status": "open", "direction": "outgoing"}}


def test_an_old_value_is_translated():
    answer = echo({}, {"direction": "held"})
    assert answer["seen"] == {"direction": "outgoing"}
    assert [n["name"] for n in answer["deprecations"]] == ["direction=held"]


def test_old_and_new_name_with_different_values_is_a_field_error():
    with pytest.raises(tk.ValidationError) as err:
        echo({}, {"state": "open", "status": "resolved"})
    assert list(err.value.error_dict) == ["state"]
    assert " | " in err.value.error_dict["state"][0]


def test_old_and_new_name_with_the_same_value_is_accepted():
    answer = echo({}, {"state": "open", "status": "open"})
    assert answer["seen"] == {"status": "open"}


def test_every_renaming_is_registered_by_action_name():
    assert vocabulary.DEPRECATED["govshare_test_echo"].params == {
        "state": "status",
        "explanation": "reason",
    }


def test_old_answer_keys_sit_beside_the_new_ones():
    answer = vocabulary.with_old_keys({"status": "open"}, {"state": "status"})
    assert answer == {"status": "open", "state": "open"}
    assert vocabulary.with_old_keys({"x": 1}, {"state": "status"}) == {"x": 1}

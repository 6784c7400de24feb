"""Tell everything at once (2025 Regulations art. 21): a return lists every missing material,
a rejection gives its grounds and never rests on missing materials alone; the 2016 Measures
keep both optional."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit as tk

from ckanext.govshare.access.model import event_table, request_table

from .conftest import World, request_form

PROFILE = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
pytestmark = pytest.mark.usefixtures("with_request_context")

ITEMS = [
    {"field": "basis", "note": "缺少《税收征收管理法》条文依据"},
    {"field": "attachment", "note": "请上传部门负责人签批的申请函"},
]


def _request(world: World) -> dict[str, Any]:
    """Submitted at once: the requesting department's data officer needs no sign-off."""
    return world.call("requester_officer", "govshare_request_create", **request_form(world))


def _row(request_id: str) -> dict[str, Any]:
    row = model.Session.execute(
        sa.select(request_table).where(request_table.c.id == request_id)
    ).one()
    return dict(row._mapping)


def _events(request_id: str) -> list[dict[str, Any]]:
    rows = model.Session.execute(
        sa.select(event_table)
        .where(event_table.c.request_id == request_id)
        .order_by(event_table.c.id)
    ).all()
    return [dict(r._mapping) for r in rows]


def _return(world: World, request_id: str, **data: Any) -> dict[str, Any]:
    return world.call(
        "provider_officer",
        "govshare_request_decide",
        id=request_id,
        decision="return",
        reason="材料不全",
        **data,
    )


@PROFILE
def test_a_return_lists_every_missing_material(world: World) -> None:
    request = _request(world)
    with pytest.raises(tk.ValidationError) as raised:
        _return(world, request["id"])
    assert " | " in raised.value.error_dict["missing_items"][0]
    assert _row(request["id"])["status"] == "submitted"

    returned = _return(world, request["id"], missing_items=ITEMS)
    assert returned["status"] == "returned"
    assert returned["return_count"] == 1
    assert [(i["field"], i["note"]) for i in returned["missing_items"]] == [
        (i["field"], i["note"]) for i in ITEMS
    ]
    assert returned["missing_items"][0]["field_label"] == {
        "en": "Basis of the request",
        "zh_Hans_CN": "申请依据",
    }
    assert _events(request["id"])[-1]["detail"]["missing_items"] == ITEMS
    # The requesting department sees the list.
    shown = world.call("requester", "govshare_request_show", id=request["id"])
    assert [i["field"] for i in shown["missing_items"]] == ["basis", "attachment"]

    world.call("requester_officer", "govshare_request_resubmit", id=request["id"], basis="第十五条")
    again = _return(world, request["id"], missing_items=json.dumps([ITEMS[1]]))  # a form's JSON
    assert again["return_count"] == 2
    assert [i["field"] for i in again["missing_items"]] == ["attachment"]  # the latest list


@PROFILE
@pytest.mark.parametrize(
    "items",
    [
        [{"field": "colour", "note": "x"}],
        [{"field": "basis", "note": ""}],
        [{"field": "basis"}],
        [{"field": "basis", "note": "长" * 501}],
        [{"field": "basis", "note": "x"}] * 51,
        ["basis"],
        "not json",
        {"field": "basis", "note": "x"},
    ],
)
def test_bad_missing_items_are_a_field_error(world: World, items: Any) -> None:
    request = _request(world)
    with pytest.raises(tk.ValidationError) as raised:
        _return(world, request["id"], missing_items=items)
    assert " | " in raised.value.error_dict["missing_items"][0]
    assert _row(request["id"])["status"] == "submitted"
    assert _row(request["id"])["return_count"] == 0


@PROFILE
def test_a_rejection_gives_grounds_and_never_only_missing_materials(world: World) -> None:
    request = _request(world)

    def reject(**data: Any) -> dict[str, Any]:
        return world.call(
            "provider_officer",
            "govshare_request_decide",
            id=request["id"],
            decision="reject",
            reason="不符合共享条件",
            **data,
        )

    with pytest.raises(tk.ValidationError) as none_given:
        reject()
    assert " | " in none_given.value.error_dict["grounds"][0]
    with pytest.raises(tk.ValidationError) as only_missing:
        reject(grounds=["missing_materials"])
    assert "return" in only_missing.value.error_dict["grounds"][0]
    with pytest.raises(tk.ValidationError) as unknown:
        reject(grounds=["dislike"])
    assert " | " in unknown.value.error_dict["grounds"][0]
    with pytest.raises(tk.ValidationError) as items_too:
        reject(grounds=["security"], missing_items=ITEMS)
    assert "missing_items" in items_too.value.error_dict
    assert _row(request["id"])["status"] == "submitted"

    rejected = reject(grounds="missing_materials,security")
    assert rejected["status"] == "rejected"
    assert _events(request["id"])[-1]["detail"]["grounds"] == ["missing_materials", "security"]


def test_the_2016_measures_keep_both_optional(world: World) -> None:
    first = world.call("requester", "govshare_request_create", **request_form(world))
    returned = world.call(
        "provider_officer",
        "govshare_request_decide",
        id=first["id"],
        decision="return",
        reason="请补充申请依据",
    )
    assert returned["status"] == "returned"
    assert returned["missing_items"] is None
    assert "missing_items" not in _events(first["id"])[-1]["detail"]
    # One open request per entry and department (issue 19): the returned one is withdrawn.
    world.call("requester", "govshare_request_withdraw", id=first["id"])
    second = world.call("requester", "govshare_request_create", **request_form(world))
    rejected = world.call(
        "provider_officer",
        "govshare_request_decide",
        id=second["id"],
        decision="reject",
        reason="材料不全",
    )
    assert rejected["status"] == "rejected"

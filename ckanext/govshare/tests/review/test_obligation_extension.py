"""Catalogue-update extension (2025 Regulations art. 17, issue 18 item 5.3): the department's
data officer asks once, the sharing authority consents (+5 working days, the original due date
kept) or refuses; refused under measures-2016 (409)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import pytest

from ckanext.govshare import workdays
from ckanext.govshare.obligations import rules
from ckanext.govshare.tests.access.conftest import World
from ckanext.govshare.tests.feedback.conftest import audit_actions, bilingual, notices_of

PROFILE = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")


def _obligation(w: World) -> dict[str, Any]:
    return w.call(
        "authority",
        "govshare_obligation_create",
        provider_org=w.provider["name"],
        kind="functions_changed",
        description="机构改革，职能划转",
        effective_date="2026-09-28",
    )


@PROFILE
class TestExtension:
    def test_due_in_10_working_days_then_extended_by_5(self, world: World):
        obligation = _obligation(world)
        due = dt.date.fromisoformat(obligation["due_date"])
        # 10 working days after Monday 2026-09-28 (National Day off, Saturday 10-10 worked).
        assert due == dt.date(2026, 10, 16)
        asked = world.call(
            "provider_officer", "govshare_obligation_extend", id=obligation["id"], reason="条目多"
        )
        assert asked["extension_status"] == "pending"
        assert asked["extension_days"] == 5
        assert asked["due_date"] == "2026-10-16"
        assert len(notices_of(world, "authority", "obligation_extension_requested")) == 1
        shown = world.call("authority", "govshare_obligation_show", id=obligation["id"])
        assert shown["may_decide_extension"] is True
        decided = world.call(
            "authority",
            "govshare_obligation_extension_decide",
            id=obligation["id"],
            decision="approve",
        )
        assert decided["extension_status"] == "approved"
        assert decided["original_due_date"] == "2026-10-16"
        assert decided["due_date"] == workdays.current().add_workdays(due, 5).isoformat()
        assert len(notices_of(world, "provider_officer", "obligation_extension_decided")) == 1
        actions = [a for a, _ in audit_actions(obligation["id"])]
        assert "govshare_obligation_extend" in actions
        assert "govshare_obligation_extension_decide" in actions
        # Once only.
        with pytest.raises(tk.ValidationError) as e:
            world.call(
                "provider_officer", "govshare_obligation_extend", id=obligation["id"], reason="再延"
            )
        assert e.value.error_dict["id"] == [rules.ALREADY_ASKED]

    def test_refusal_needs_a_reason_and_keeps_the_due_date(self, world: World):
        obligation = _obligation(world)
        world.call(
            "provider_officer", "govshare_obligation_extend", id=obligation["id"], reason="条目多"
        )
        with pytest.raises(tk.ValidationError) as e:
            world.call(
                "authority",
                "govshare_obligation_extension_decide",
                id=obligation["id"],
                decision="reject",
            )
        assert e.value.error_dict["reason"] == [rules.REJECTION_NEEDS_REASON]
        decided = world.call(
            "authority",
            "govshare_obligation_extension_decide",
            id=obligation["id"],
            decision="reject",
            reason="工作量不大",
        )
        assert decided["extension_status"] == "rejected"
        assert decided["due_date"] == obligation["due_date"]
        assert decided["original_due_date"] is None

    def test_bad_input(self, world: World):
        obligation = _obligation(world)
        with pytest.raises(tk.ValidationError) as e:
            world.call("provider_officer", "govshare_obligation_extend", id=obligation["id"])
        assert bilingual(e.value.error_dict["reason"])
        with pytest.raises(tk.ValidationError) as e:
            world.call(
                "authority",
                "govshare_obligation_extension_decide",
                id=obligation["id"],
                decision="maybe",
            )
        assert bilingual(e.value.error_dict["decision"])
        # Nothing asked: nothing to decide.
        with pytest.raises(tk.ValidationError) as e:
            world.call(
                "authority",
                "govshare_obligation_extension_decide",
                id=obligation["id"],
                decision="approve",
            )
        assert e.value.error_dict["id"] == [rules.NO_EXTENSION_PENDING]
        with pytest.raises(tk.ObjectNotFound):
            world.call("provider_officer", "govshare_obligation_extend", id="nope", reason="x")

    @pytest.mark.parametrize(
        "who",
        [
            "provider_staff",
            "requester",
            "requester_officer",
            "other",
            "authority",
            "outsider",
            None,
        ],
    )
    def test_who_may_not_ask(self, world: World, who: str | None):
        obligation = _obligation(world)
        with pytest.raises(tk.NotAuthorized) as e:
            world.call(who, "govshare_obligation_extend", id=obligation["id"], reason="条目多")
        assert " | " in str(e.value)

    @pytest.mark.parametrize("who", ["provider_officer", "provider_editor", "sysadmin"])
    def test_who_may_ask(self, world: World, who: str):
        obligation = _obligation(world)
        asked = world.call(who, "govshare_obligation_extend", id=obligation["id"], reason="条目多")
        assert asked["extension_status"] == "pending"

    @pytest.mark.parametrize(
        "who",
        ["provider_officer", "provider_staff", "requester_officer", "other", "outsider", None],
    )
    def test_who_may_not_decide(self, world: World, who: str | None):
        obligation = _obligation(world)
        world.call(
            "provider_officer", "govshare_obligation_extend", id=obligation["id"], reason="条目多"
        )
        with pytest.raises(tk.NotAuthorized):
            world.call(
                who,
                "govshare_obligation_extension_decide",
                id=obligation["id"],
                decision="approve",
            )

    @pytest.mark.parametrize("who", ["authority", "sysadmin"])
    def test_who_may_decide(self, world: World, who: str):
        obligation = _obligation(world)
        world.call(
            "provider_officer", "govshare_obligation_extend", id=obligation["id"], reason="条目多"
        )
        decided = world.call(
            who, "govshare_obligation_extension_decide", id=obligation["id"], decision="approve"
        )
        assert decided["extension_status"] == "approved"


def test_refused_under_2016(world: World):
    """measures-2016 (the baseline): no extension of a catalogue update (409 on id)."""
    obligation = _obligation(world)
    assert obligation["due_date"] == "2026-10-23"  # 15 working days (2016 art. 8)
    with pytest.raises(tk.ValidationError) as e:
        world.call(
            "provider_officer", "govshare_obligation_extend", id=obligation["id"], reason="条目多"
        )
    assert bilingual(e.value.error_dict["id"])
    shown = world.call("provider_officer", "govshare_obligation_show", id=obligation["id"])
    assert "may_extend" not in shown
    assert shown["extension_status"] is None

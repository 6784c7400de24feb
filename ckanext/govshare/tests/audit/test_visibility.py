"""Who sees which audit events (issue 14 item 7), for every role of workflows.md.

The events are made by real actions. A user who moved from department A to department B is in
the trail for both: what they did for A stays A's, and B's officers do not get it by today's
membership. The platform's own user (``ckan.site_id``, admin of every department, as in the
demo) is seen by the sharing authority and sysadmins only.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.tests import factories, helpers

from ckanext.govshare.audit import record
from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.db import reset_audit

from .conftest import events

URL = "/en/govshare/audit/"
ROLES = (
    "public",
    "staff_a",
    "officer_a",
    "officer_b",
    "authority",
    "conference",
    "sysadmin",
)


class Trail:
    """The departments, a user of each role, and the events labelled by what made them."""

    def __init__(self, ckan_config: Any) -> None:
        self.users: dict[str, dict[str, Any]] = {
            role: factories.User() for role in ROLES if role not in ("public", "sysadmin")
        }
        self.users["sysadmin"] = factories.Sysadmin()
        self.mover = factories.User()
        self.a = gs.Department(
            users=[
                {"name": self.users["officer_a"]["name"], "capacity": "admin"},
                {"name": self.users["staff_a"]["name"], "capacity": "member"},
                {"name": self.mover["name"], "capacity": "editor"},
            ]
        )
        self.b = gs.Department(
            users=[{"name": self.users["officer_b"]["name"], "capacity": "admin"}]
        )
        gs.Department(
            name=ckan_config["ckanext.govshare.authority_org"],
            users=[{"name": self.users["authority"]["name"], "capacity": "member"}],
        )
        self.conference = gs.Department(
            name=ckan_config["ckanext.govshare.joint_conference_org"],
            users=[{"name": self.users["conference"]["name"], "capacity": "member"}],
        )
        site = helpers.call_action("get_site_user", {"ignore_auth": True})
        self.site_user = site["name"]
        for dept in (self.a, self.b):  # the demo makes the site user admin of every department
            helpers.call_action(
                "organization_member_create",
                {"ignore_auth": True, "user": self.site_user},
                id=dept["id"],
                username=self.site_user,
                role="admin",
            )
        self.entry_a = gs.CatalogueEntry(owner_org=self.a["id"])
        self.entry_b = gs.CatalogueEntry(owner_org=self.b["id"])
        self.tokens = {
            role: helpers.call_action(
                "api_token_create", {"user": user["name"]}, user=user["name"], name="t"
            )["token"]
            for role, user in self.users.items()
        }
        reset_audit()
        self.labels: dict[int, str] = {}

        self._label("officer_a_edits_a", self._patch, self.users["officer_a"], self.entry_a)
        self._label("mover_edits_a", self._patch, self.mover, self.entry_a)
        self._label("mover_leaves_a", self._move, "organization_member_delete", self.a)
        self._label("mover_joins_b", self._move, "organization_member_create", self.b)
        self._label("mover_edits_b", self._patch, self.mover, self.entry_b)
        self._label("officer_b_edits_b", self._patch, self.users["officer_b"], self.entry_b)
        self._label("site_user_edits_a", self._patch, {"name": self.site_user}, self.entry_a)
        self._label("conference_decides", self._conference_decision)
        self._label("no_department", self._unrelated)

    def _label(self, label: str, make: Any, *args: Any) -> None:
        seen = {e["seq"] for e in events()}
        make(*args)
        model.Session.remove()
        new = [e["seq"] for e in events() if e["seq"] not in seen]
        assert new, f"{label} made no event"
        self.labels.update(dict.fromkeys(new, label))

    def _patch(self, user: dict[str, Any], entry: dict[str, Any]) -> None:
        context = {"user": user["name"], "ignore_auth": user["name"] == self.site_user}
        helpers.call_action("package_patch", context, id=entry["id"], notes=f"{user['name']} 改")

    def _move(self, action: str, dept: dict[str, Any]) -> None:
        data = {"id": dept["id"], "username": self.mover["name"]}
        if action.endswith("create"):
            data["role"] = "editor"
        sysadmin = self.users["sysadmin"]
        helpers.call_action(action, {"user": sysadmin["name"], "ignore_auth": False}, **data)

    def _conference_decision(self) -> None:
        # As the access service records a joint-conference decision on an escalation.
        record(
            "govshare_request_decide",
            actor_id=self.users["conference"]["id"],
            actor_name=self.users["conference"]["name"],
            actor_department=self.conference["id"],
            object_type="request",
            object_id="request-1",
        )
        model.Session.commit()

    def _unrelated(self) -> None:
        record("govshare_calendar_day_set", object_type="calendar_day", object_id="2027-02-20")
        model.Session.commit()

    def seen_by(self, seqs: list[int]) -> set[str]:
        return {self.labels[s] for s in seqs if s in self.labels}


def build_trail() -> Trail:
    return Trail(tk.config)


@pytest.fixture
def trail(module_world: Any) -> Trail:
    """The trail, made once per module on a reset database (``module_world``); what a test
    writes (a page view recorded, say) is gone for the next."""
    return module_world(build_trail)


EVERYTHING = {
    "officer_a_edits_a",
    "mover_edits_a",
    "mover_leaves_a",
    "mover_joins_b",
    "mover_edits_b",
    "officer_b_edits_b",
    "site_user_edits_a",
    "conference_decides",
    "no_department",
}
EXPECTED: dict[str, set[str] | None] = {
    "public": None,  # refused
    "staff_a": None,  # refused: department staff are no data officers
    "officer_a": {"officer_a_edits_a", "mover_edits_a", "mover_leaves_a"},
    "officer_b": {"mover_joins_b", "mover_edits_b", "officer_b_edits_b"},
    "authority": EVERYTHING,
    "conference": {"conference_decides"},
    "sysadmin": EVERYTHING,
}


def test_the_events_are_recorded_for_the_department_acted_for_at_the_time(trail):
    by_label = {trail.labels[e["seq"]]: e for e in events() if e["seq"] in trail.labels}
    assert by_label["mover_edits_a"]["actor_department"] == trail.a["id"]
    assert by_label["mover_edits_b"]["actor_department"] == trail.b["id"]
    assert by_label["site_user_edits_a"]["actor_name"] == trail.site_user


@pytest.mark.parametrize("role", ROLES)
def test_the_audit_list_by_role(trail, role):
    user = trail.users.get(role)
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    expected = EXPECTED[role]
    if expected is None:
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action("govshare_audit_list", context, limit=1000)
        return
    result = helpers.call_action("govshare_audit_list", context, limit=1000)
    assert trail.seen_by([e["seq"] for e in result["results"]]) == expected
    assert result["count"] == len(result["results"])
    if role not in ("authority", "sysadmin"):
        assert all(e["actor_name"] != trail.site_user for e in result["results"])


@pytest.mark.parametrize("role", ROLES)
def test_the_audit_page_and_csv_by_role(app, trail, role):
    headers = {"Authorization": trail.tokens[role]} if role in trail.tokens else {}
    page = app.get(URL, headers=headers)
    expected = EXPECTED[role]
    if expected is None:
        assert page.status_code == 403
        assert app.get(URL, query_string={"format": "csv"}, headers=headers).status_code == 403
        return
    assert page.status_code == 200
    exported = app.get(URL, query_string={"format": "csv"}, headers=headers)
    rows = list(csv.DictReader(io.StringIO(exported.body.lstrip("\ufeff"))))
    assert trail.seen_by([int(r["seq"]) for r in rows]) == expected
    shown_on_page = {label for seq, label in trail.labels.items() if f">{seq}<" in page.body}
    assert shown_on_page <= expected


def test_a_department_filter_does_not_widen_what_an_officer_sees(trail):
    officer_b = trail.users["officer_b"]
    context = {"user": officer_b["name"], "ignore_auth": False}
    result = helpers.call_action("govshare_audit_list", context, department=trail.a["id"])
    assert trail.seen_by([e["seq"] for e in result["results"]]) == set()

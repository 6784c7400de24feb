"""The audit-trail actions in the one vocabulary (issue 15): the departments by role
(``actor_org``, ``object_org``; ``department`` kept with its note), ``created`` and the
``*_org_id`` answer keys beside the hashed names, the export as an action, bilingual refusals."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.tests import factories, helpers

from ckanext.govshare.audit import chain, record

from .conftest import events

pytestmark = pytest.mark.usefixtures("audit_db")

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def bilingual(text: Any) -> bool:
    en, _, zh = str(text).partition(" | ")
    return bool(en.strip()) and bool(CHINESE.search(zh))


def as_user(user: dict[str, Any] | None) -> dict[str, Any]:
    return {"user": user["name"] if user else "", "ignore_auth": False}


@pytest.fixture
def trail() -> dict[str, Any]:
    """A department and another; an event acted for the first, one on its object, one
    elsewhere; an officer of the first, a plain member, a sysadmin."""
    w: dict[str, Any] = {"officer": factories.User(), "member": factories.User()}
    w["sysadmin"] = factories.Sysadmin()
    w["dept"] = factories.Organization(
        users=[
            {"name": w["officer"]["name"], "capacity": "editor"},
            {"name": w["member"]["name"], "capacity": "member"},
        ]
    )
    w["other"] = factories.Organization()
    from ckanext.govshare.tests.db import reset_audit

    reset_audit()
    dept, other = w["dept"]["id"], w["other"]["id"]
    record("acted_for_dept", object_id="a", actor_department=dept, object_department=other)
    record("on_dept_object", object_id="b", object_department=dept, actor_name="=HYPERLINK(1)")
    record("elsewhere", object_id="c", object_department=other)
    model.Session.commit()
    return w


def actions(result: dict[str, Any]) -> set[str]:
    return {e["action"] for e in result["results"]}


def test_departments_by_role_and_the_old_either_side_filter(trail):
    context = as_user(trail["sysadmin"])
    name = trail["dept"]["name"]
    acted = helpers.call_action("govshare_audit_list", context, actor_org=name)
    assert actions(acted) == {"acted_for_dept"} and "deprecations" not in acted
    owned = helpers.call_action("govshare_audit_list", context, object_org=name)
    assert actions(owned) == {"on_dept_object"}
    either = helpers.call_action("govshare_audit_list", context, department=name)
    assert actions(either) == {"acted_for_dept", "on_dept_object"}
    [note] = either["deprecations"]
    assert note["name"] == "department" and "actor_org" in note["use"]
    assert "object_org" in note["use"] and bilingual(note["message"])


def test_events_say_created_and_the_departments_by_role_beside_the_hashed_names(trail):
    result = helpers.call_action(
        "govshare_audit_list", as_user(trail["sysadmin"]), action="acted_for_dept"
    )
    [event] = result["results"]
    assert event["created"] == event["time"] and event["created"].endswith("Z")
    assert event["actor_org_id"] == event["actor_department"] == trail["dept"]["id"]
    assert event["object_org_id"] == event["object_department"] == trail["other"]["id"]
    # Every hashed field is there under its own name: the event verifies as answered.
    assert set(chain.FIELDS) <= set(event)


def test_the_list_pages_like_every_list(trail):
    context = as_user(trail["sysadmin"])
    result = helpers.call_action("govshare_audit_list", context)
    assert (result["limit"], result["offset"], result["count"]) == (50, 0, 3)
    assert helpers.call_action("govshare_audit_list", context, limit=1000)["limit"] == 1000
    for bad in ({"limit": 0}, {"offset": -1}, {"limit": "x"}):
        with pytest.raises(tk.ValidationError) as error:
            helpers.call_action("govshare_audit_list", context, **bad)
        [(field, [message])] = error.value.error_dict.items()
        assert field in bad and bilingual(message)


def test_the_export_is_an_action_answering_the_csv(trail):
    officer = as_user(trail["officer"])
    answer = helpers.call_action("govshare_audit_export", officer)
    assert answer["mimetype"] == "text/csv" and answer["encoding"] == "utf-8"
    assert answer["filename"] == "govshare-audit.csv"
    rows = list(csv.DictReader(io.StringIO(answer["content"].lstrip("\ufeff"))))
    # The officer sees what concerns the department, newest first, under the hashed names.
    assert [r["action"] for r in rows] == ["on_dept_object", "acted_for_dept"]
    assert rows[0]["actor_name"] == "'=HYPERLINK(1)"  # never a live formula
    filtered = helpers.call_action("govshare_audit_export", officer, actor_org=trail["dept"]["id"])
    assert filtered["content"].count("\n") == 2  # the header and one event


@pytest.mark.parametrize("action", ["govshare_audit_list", "govshare_audit_export"])
def test_refusals_are_bilingual_and_recorded(trail, action):
    for who in (trail["member"], None):
        with pytest.raises(tk.NotAuthorized) as error:
            helpers.call_action(action, as_user(who))
        assert bilingual(error.value), str(error.value)
    refused = events(action=action, outcome="refused")
    assert len(refused) == 2 and all(bilingual(e["detail"]["reason"]) for e in refused)


def test_the_page_exports_through_the_action(app, trail, monkeypatch):
    token = factories.APIToken(user=trail["officer"]["name"])["token"]
    called: list[str] = []
    real = tk.get_action

    def spy(name: str) -> Any:
        called.append(name)
        return real(name)

    monkeypatch.setattr(tk, "get_action", spy)
    exported = app.get(
        "/govshare/audit/", query_string={"format": "csv"}, headers={"Authorization": token}
    )
    assert exported.status_code == 200 and "govshare_audit_export" in called
    assert "govshare_audit_list" not in called  # one action answers the whole file
    assert 'filename="govshare-audit.csv"' in exported.headers["Content-Disposition"]
    page = app.get(
        "/govshare/audit/",
        query_string={"actor_org": trail["dept"]["name"]},
        headers={"Authorization": token},
    )
    assert page.status_code == 200 and "govshare_audit_list" in called
    assert "acted_for_dept" in page.body and "on_dept_object" not in page.body

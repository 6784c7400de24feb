"""The calendar actions: who may call them, what they change, and the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.govshare import workdays
from ckanext.govshare.tests.audit.conftest import events
from ckanext.govshare.workdays.model import rows

pytestmark = pytest.mark.usefixtures("calendar_db")

WRITERS = {
    "govshare_calendar_day_set": {"day": "2027-02-20", "is_workday": True, "name": "春节调休上班"},
    "govshare_calendar_day_delete": {"day": "2027-02-20"},
    "govshare_calendar_load": {"days": [{"day": "2027-02-20", "is_workday": True}]},
}


@pytest.mark.parametrize("action", sorted(WRITERS))
def test_only_sysadmins_may_change_the_calendar(action, roles, user_context):
    for role, user in roles.items():
        with pytest.raises(tk.NotAuthorized):
            call_action(action, user_context(user), **WRITERS[action])
        refused = events(action=action, outcome="refused", actor_name=user["name"])
        assert len(refused) == 1, role
    with pytest.raises(tk.NotAuthorized):
        call_action(action, {"user": "", "ignore_auth": False}, **WRITERS[action])
    assert rows() == []


def test_any_logged_in_user_may_read_it_but_not_anonymous(roles, user_context):
    assert roles
    for user in roles.values():
        result = call_action("govshare_calendar_show", user_context(user), year=2026)
        assert result["year"] == 2026
    with pytest.raises(tk.NotAuthorized):
        call_action("govshare_calendar_show", {"user": "", "ignore_auth": False}, year=2026)


def test_a_sysadmin_sets_and_deletes_a_day(sysadmin, user_context):
    context = user_context(sysadmin)
    result = call_action(
        "govshare_calendar_day_set",
        context,
        day="2027-02-20",
        is_workday="true",
        name="春节调休上班",
        note="国办发明电〔2026〕X号",
    )
    assert result["calendar"] == {
        "day": "2027-02-20",
        "is_workday": True,
        "kind": "adjusted_workday",
        "name": "春节调休上班",
        "source": "table",
        "provisional": False,
    }
    [row] = rows(2027)
    assert row["updated_by"] == sysadmin["name"] and row["updated_at"] is not None
    assert workdays.current().is_workday(dt.date(2027, 2, 20))
    # Setting it again updates the row (no duplicate).
    call_action("govshare_calendar_day_set", context, day="2027-02-20", is_workday=False)
    assert [r["is_workday"] for r in rows(2027)] == [False]
    deleted = call_action("govshare_calendar_day_delete", context, day="2027-02-20")
    assert deleted["calendar"]["source"] == "statutory" and deleted["calendar"]["provisional"]
    assert rows() == []
    audit = events(object_type="calendar_day", object_id="2027-02-20")
    assert [e["action"] for e in audit] == [
        "govshare_calendar_day_set",
        "govshare_calendar_day_set",
        "govshare_calendar_day_delete",
    ]
    assert audit[0]["actor_name"] == sysadmin["name"] and audit[0]["outcome"] == "success"
    assert audit[0]["detail"]["before"] is None
    assert audit[1]["detail"]["before"]["is_workday"] is True
    with pytest.raises(tk.ObjectNotFound):
        call_action("govshare_calendar_day_delete", context, day="2027-02-20")


def test_bad_input_gets_field_errors_in_both_languages(sysadmin, user_context):
    with pytest.raises(tk.ValidationError) as error:
        call_action(
            "govshare_calendar_day_set",
            user_context(sysadmin),
            day="2027-02-30",
            is_workday="maybe",
        )
    errors = error.value.error_dict
    assert "ISO 8601" in errors["day"][0] and "日期" in errors["day"][0]
    assert "是/否" in errors["is_workday"][0]
    assert rows() == [] and events(action="govshare_calendar_day_set") == []


def test_load_replaces_whole_years_atomically(sysadmin, user_context):
    context = user_context(sysadmin)
    call_action("govshare_calendar_day_set", context, day="2027-03-01", is_workday=False)
    days = [
        {"day": "2027-02-05", "is_workday": False, "name": "春节"},
        {"day": "2027-02-20", "is_workday": "1", "name": "春节调休上班"},
    ]
    result = call_action("govshare_calendar_load", context, days=days)
    assert result == {"years": [2027], "loaded": 2, "deleted": 1}
    assert [r["day"].isoformat() for r in rows()] == ["2027-02-05", "2027-02-20"]
    again = call_action("govshare_calendar_load", context, days=days)
    assert again["deleted"] == 2 and len(rows()) == 2  # idempotent
    [first, _] = events(action="govshare_calendar_load")
    assert first["object_type"] == "calendar_year" and first["object_id"] == "2027"
    assert first["detail"]["before"] == [["2027-03-01", False, None]]
    # One bad day: nothing changes.
    with pytest.raises(tk.ValidationError) as error:
        call_action(
            "govshare_calendar_load",
            context,
            days=[{"day": "2027-02-05", "is_workday": False}, {"day": "x", "is_workday": True}],
        )
    assert error.value.error_dict["days"][0] == {}
    assert "day" in error.value.error_dict["days"][1]
    assert len(rows()) == 2
    with pytest.raises(tk.ValidationError):
        call_action(
            "govshare_calendar_load",
            context,
            days=[{"day": "2027-02-05", "is_workday": False}] * 2,
        )
    # Emptying a year.
    call_action("govshare_calendar_load", context, days=[], years=[2027])
    assert rows() == []


def test_show_lists_the_year_with_sources_and_coverage(sysadmin, user_context):
    context = user_context(sysadmin)
    provisional = call_action("govshare_calendar_show", context, year=2027)
    assert provisional["provisional"] and provisional["source"] == "statutory"
    assert provisional["coverage"]["library"][1] == 2026
    call_action("govshare_calendar_day_set", context, day="2027-02-20", is_workday=True)
    loaded = call_action("govshare_calendar_show", context, year="2027")
    assert not loaded["provisional"] and loaded["source"] == "table"
    assert loaded["coverage"]["table"] == [2027]
    by_day = {d["day"]: d for d in loaded["days"]}
    assert by_day["2027-02-20"]["source"] == "table"
    assert by_day["2027-02-20"]["updated_by"] == sysadmin["name"]
    assert by_day["2027-02-08"]["source"] == "statutory"
    library = call_action("govshare_calendar_show", context, year=2026)
    assert library["source"] == "library" and not library["provisional"]
    last = library["days"][-1]
    assert (last["day"], last["kind"], last["source"]) == (
        "2026-10-10",
        "adjusted_workday",
        "library",
    )
    with pytest.raises(tk.ValidationError):
        call_action("govshare_calendar_show", context, year="MMXXVII")


def test_defer_commit_leaves_the_transaction_to_the_caller(sysadmin: dict[str, Any]):
    context = {"user": sysadmin["name"], "ignore_auth": False, "defer_commit": True}
    call_action("govshare_calendar_day_set", context, day="2027-02-20", is_workday=True)
    model.Session.rollback()
    assert rows() == [] and events(action="govshare_calendar_day_set") == []


def test_current_reads_the_table(sysadmin, user_context):
    call_action(
        "govshare_calendar_day_set", user_context(sysadmin), day="2026-10-09", is_workday=False
    )
    assert workdays.current().add_workdays(dt.date(2026, 9, 28), 10) == dt.date(2026, 10, 19)

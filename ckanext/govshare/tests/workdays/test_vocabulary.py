"""The calendar actions as issue 15 shapes them: every refusal in both languages, the export
and the file upload as actions, and the page calling only actions."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from werkzeug.datastructures import FileStorage

from ckanext.govshare.tests.audit.conftest import events
from ckanext.govshare.workdays.model import rows

pytestmark = pytest.mark.usefixtures("calendar_db")

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ANONYMOUS = {"user": "", "ignore_auth": False}


def bilingual(text: Any) -> bool:
    """ "English | 中文": both halves, the second in Chinese."""
    en, _, zh = str(text).partition(" | ")
    return bool(en.strip()) and bool(CHINESE.search(zh))


def _messages(errors: Any) -> Any:
    """Every message in a (nested) field error."""
    if isinstance(errors, dict):
        for value in errors.values():
            yield from _messages(value)
    elif isinstance(errors, list):
        for value in errors:
            yield from _messages(value)
    else:
        yield errors


def upload(text: str | bytes, name: str) -> FileStorage:
    data = text.encode() if isinstance(text, str) else text
    return FileStorage(stream=io.BytesIO(data), filename=name)


def sysadmin() -> dict[str, Any]:
    return {"user": factories.Sysadmin()["name"], "ignore_auth": False}


@pytest.mark.parametrize(
    "action",
    [
        "govshare_calendar_day_set",
        "govshare_calendar_day_delete",
        "govshare_calendar_load",
        "govshare_calendar_export",
    ],
)
def test_refusals_are_bilingual_for_users_and_the_anonymous(action, roles, user_context):
    data = {"day": "2027-02-20", "is_workday": True, "days": [], "years": [2027]}
    for user in roles.values():
        with pytest.raises(tk.NotAuthorized) as refused:
            call_action(action, user_context(user), **data)
        assert bilingual(refused.value), (action, str(refused.value))
    with pytest.raises(tk.NotAuthorized) as anonymous:
        call_action(action, ANONYMOUS, **data)
    assert bilingual(anonymous.value), str(anonymous.value)
    with pytest.raises(tk.NotAuthorized) as show:
        call_action("govshare_calendar_show", ANONYMOUS, year=2026)
    assert bilingual(show.value), str(show.value)


def test_the_export_is_the_file_the_load_takes():
    context = sysadmin()
    call_action("govshare_calendar_day_set", context, day="2027-02-20", is_workday=True)
    answer = call_action("govshare_calendar_export", context, year=2027)
    assert answer["filename"] == "calendar-2027.csv"
    assert answer["mimetype"] == "text/csv" and answer["encoding"] == "utf-8"
    assert answer["content"].startswith("\ufeffdate,is_workday,name,note\n")
    assert "2027-02-20,true," in answer["content"]
    loaded = call_action(
        "govshare_calendar_load", context, file=upload(answer["content"], "2027.csv")
    )
    assert loaded["years"] == [2027] and loaded["loaded"] == len(
        call_action("govshare_calendar_show", context, year=2027)["days"]
    )


def test_a_file_is_loaded_and_a_bad_one_refused_in_both_languages():
    context = sysadmin()
    good = "date,is_workday,name,note\n2027-02-05,false,春节,\n2027-02-20,是,春节调休上班,\n"
    result = call_action("govshare_calendar_load", context, file=upload(good, "2027.csv"))
    assert result == {"years": [2027], "loaded": 2, "deleted": 0}
    assert [r["day"].isoformat() for r in rows()] == ["2027-02-05", "2027-02-20"]
    bad_files = [
        ("day,workday\n2027-02-05,false\n", "2027.csv", "file"),
        ("[1, 2", "2027.json", "file"),
        ("days: [", "2027.yaml", "file"),
        (b"\xff\xfe\x00bad", "2027.csv", "file"),
        ("date,is_workday\n2027-02-05,perhaps\n", "2027.csv", "days"),
    ]
    for text, name, field in bad_files:
        with pytest.raises(tk.ValidationError) as error:
            call_action("govshare_calendar_load", context, file=upload(text, name))
        found = error.value.error_dict[field]
        flat = list(_messages(found))
        assert flat and all(bilingual(m) for m in flat), (name, found)
    with pytest.raises(tk.ValidationError) as not_a_file:
        call_action("govshare_calendar_load", context, file="date,is_workday")
    assert bilingual(not_a_file.value.error_dict["file"][0])
    assert len(rows()) == 2  # nothing changed


@pytest.mark.parametrize(
    "days", ["2027-02-05", [["2027-02-05", True]], [{"day": "2027-02-05"}, "x"], {"day": "x"}]
)
def test_days_that_are_not_a_list_of_objects_are_a_field_error(days):
    with pytest.raises(tk.ValidationError) as error:
        call_action("govshare_calendar_load", sysadmin(), days=days)
    [message] = error.value.error_dict["days"]
    assert bilingual(message)


def test_a_missing_day_is_a_bilingual_404():
    with pytest.raises(tk.ObjectNotFound) as error:
        call_action("govshare_calendar_day_delete", sysadmin(), day="2027-02-20")
    assert bilingual(error.value)


def test_a_refused_load_is_recorded(roles, user_context):
    user = roles["org admin"]
    with pytest.raises(tk.NotAuthorized):
        call_action("govshare_calendar_load", user_context(user), days=[], years=[2027])
    [refused] = events(action="govshare_calendar_load", outcome="refused")
    assert refused["actor_name"] == user["name"] and bilingual(refused["detail"]["reason"])


def test_the_page_exports_and_uploads_through_the_actions(app, monkeypatch):
    admin = factories.SysadminWithToken()
    headers = {"Authorization": admin["token"]}
    called: list[str] = []
    real = tk.get_action

    def spy(name: str) -> Any:
        called.append(name)
        return real(name)

    monkeypatch.setattr(tk, "get_action", spy)
    exported = app.get(
        "/ckan-admin/govshare/calendar/export.csv", query_string={"year": 2026}, headers=headers
    )
    assert exported.status_code == 200 and "govshare_calendar_export" in called
    expected = call_action("govshare_calendar_export", {"user": admin["name"]}, year=2026)
    assert exported.body.lstrip("\ufeff") == expected["content"].lstrip("\ufeff")
    assert 'filename="calendar-2026.csv"' in exported.headers["Content-Disposition"]
    data = "date,is_workday,name,note\n2027-02-05,false,春节,\n".encode()
    app.post(
        "/ckan-admin/govshare/calendar?year=2027",
        data={"op": "upload", "file": (io.BytesIO(data), "2027.csv")},
        headers=headers,
    )
    assert "govshare_calendar_load" in called
    assert [r["day"].isoformat() for r in rows()] == ["2027-02-05"]


VIEWS = Path(__file__).parents[2] / "views"


@pytest.mark.parametrize("view", ["calendar", "notices", "audit", "reports", "catalogue"])
def test_the_page_imports_no_service_or_model(view):
    """Views call actions and template helpers only (issue 15, item 1)."""
    tree = ast.parse((VIEWS / f"{view}.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add(("." * node.level) + (node.module or ""))
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    allowed = {
        "__future__",
        "typing",
        "ckan.plugins.toolkit",
        "flask",
        "._shared",
        ".guard",
        "..core",
        "ckan.lib.pagination",
    }
    assert imported <= allowed, imported - allowed
    source = (VIEWS / f"{view}.py").read_text(encoding="utf-8")
    assert "commit(" not in source and "Session" not in source

"""What is recorded on its own: catalogue entries, memberships, logins, API tokens, refusals."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.lib import signals as ckan_signals
from ckan.tests import factories, helpers

from ckanext.govshare.audit import chain, recording_refusals

from ..factories import entry_fields
from .conftest import events

pytestmark = pytest.mark.usefixtures("audit_db")


def as_user(user: dict[str, Any]) -> dict[str, Any]:
    return {"user": user["name"], "ignore_auth": False}


def test_catalogue_entries_are_recorded_with_share_fields_before_and_after(sysadmin, department):
    pkg = helpers.call_action(
        "package_create",
        as_user(sysadmin),
        name="entry-a",
        title="人口基础信息",
        notes="说明",
        owner_org=department["id"],
        **entry_fields(),
    )
    helpers.call_action(
        "package_patch",
        as_user(sysadmin),
        id=pkg["id"],
        share_type="conditional",
        share_conditions="仅限公安部门",
    )
    helpers.call_action("package_delete", as_user(sysadmin), id=pkg["id"])
    written = events(object_id=pkg["id"])
    # The event names the action the caller asked for (package_patch, not the package_update
    # it calls).
    assert [e["action"] for e in written] == ["package_create", "package_patch", "package_delete"]
    for event in written:
        assert event["actor_id"] == sysadmin["id"]
        assert event["actor_name"] == sysadmin["name"]
        assert event["object_department"] == department["id"]
        assert event["object_type"] == "package"
        assert set(event["detail"]) >= {"before", "after"}
    create, update, delete = (e["detail"] for e in written)
    assert create["before"] is None and create["after"]["share_type"] == "unconditional"
    assert update["before"]["share_type"] == "unconditional"
    assert update["after"]["share_type"] == "conditional"
    assert update["after"]["share_conditions"] == "仅限公安部门"
    assert delete["before"]["share_type"] == "conditional"
    assert (delete["change"], delete["after"]["state"]) == ("delete", "deleted")
    assert chain.verify(events()).ok


def test_the_event_commits_with_the_change_and_rolls_back_with_it(sysadmin, department):
    pkg = helpers.call_action(
        "package_create",
        as_user(sysadmin),
        name="entry-b",
        title="法人基础信息",
        notes="说明",
        owner_org=department["id"],
        **entry_fields(),
    )
    context = {**as_user(sysadmin), "defer_commit": True}
    helpers.call_action("package_patch", context, id=pkg["id"], title="not kept")
    model.Session.flush()
    assert events(action="package_patch") == []  # nothing committed yet
    model.Session.rollback()
    assert events(action="package_patch") == []
    assert model.Package.get(pkg["id"]).title != "not kept"
    helpers.call_action("package_patch", context, id=pkg["id"], title="kept")
    model.Session.commit()
    (event,) = events(action="package_patch")
    assert "title" in event["detail"]["fields"]


def test_a_failed_create_leaves_no_event(sysadmin, department):
    with pytest.raises(tk.ValidationError):
        helpers.call_action(
            "package_create", as_user(sysadmin), name="BAD NAME", owner_org=department["id"]
        )
    model.Session.rollback()
    assert events(action="package_create") == []


def test_membership_changes_are_recorded(sysadmin, department):
    user = factories.User()
    helpers.call_action(
        "organization_member_create",
        as_user(sysadmin),
        id=department["id"],
        username=user["name"],
        role="editor",
    )
    helpers.call_action(
        "organization_member_create",
        as_user(sysadmin),
        id=department["id"],
        username=user["name"],
        role="admin",
    )
    helpers.call_action(
        "organization_member_delete", as_user(sysadmin), id=department["id"], username=user["name"]
    )
    written = [
        e for e in events(object_id=department["id"]) if e["detail"].get("user_id") == user["id"]
    ]
    assert [e["action"] for e in written] == ["organization_member_create"] * 2 + [
        "organization_member_delete"
    ]
    assert [e["detail"]["change"] for e in written] == [
        "member_create",
        "member_update",
        "member_delete",
    ]
    assert written[1]["detail"]["capacity"] == "admin"
    assert written[1]["detail"]["before"]["capacity"] == "editor"
    assert all(e["actor_name"] == sysadmin["name"] for e in written)


def test_api_tokens_are_recorded_without_the_token(sysadmin):
    user = factories.User()
    created = helpers.call_action("api_token_create", as_user(user), user=user["name"], name="t1")
    jti = model.Session.query(model.ApiToken).filter_by(user_id=user["id"]).one().id
    helpers.call_action("api_token_revoke", as_user(user), jti=jti)
    written = events(object_type="api_token")
    assert [e["action"] for e in written] == ["api_token_create", "api_token_revoke"]
    assert all(e["object_id"] == jti and e["actor_id"] == user["id"] for e in written)
    assert created["token"] not in str(written)


def test_logins_and_failed_logins_are_recorded(app):
    user = factories.User(password="correct horse battery")
    model.Session.remove()
    user_obj = model.User.get(user["id"])
    ckan_signals.user_logged_in.send(app.flask_app, user=user_obj)
    ckan_signals.failed_login.send(user["name"])
    login, failed = [e for e in events(object_id=user["id"]) if e["action"].startswith("user_log")]
    assert (login["action"], login["actor_id"], login["outcome"]) == (
        "user_login",
        user["id"],
        "success",
    )
    assert (failed["action"], failed["actor_name"], failed["outcome"]) == (
        "user_login_failed",
        user["name"],
        "refused",
    )


def test_a_failed_login_through_the_login_form_is_recorded(app):
    user = factories.User()
    app.post("/user/login", data={"login": user["name"], "password": "wrong password"})
    (failed,) = events(action="user_login_failed")
    assert failed["detail"] == {"login": user["name"]}
    assert "wrong password" not in str(failed)


def test_refused_authorisation_is_recorded_and_re_raised(department):
    outsider = factories.User()
    context = as_user(outsider)
    with (
        pytest.raises(tk.NotAuthorized),
        recording_refusals(
            "organization_update",
            context,
            object_type="organization",
            object_id=department["id"],
            object_department=department["id"],
        ),
    ):
        tk.check_access("organization_update", context, {"id": department["id"]})
    (refused,) = events(outcome="refused")
    assert refused["action"] == "organization_update"
    assert refused["actor_id"] == outsider["id"]
    assert refused["object_department"] == department["id"]


def test_a_login_through_the_login_form_is_recorded(app):
    user = factories.User(password="correct horse battery")
    app.post(
        "/user/login",
        data={"login": user["name"], "password": "correct horse battery"},
        environ_overrides={"REMOTE_ADDR": "10.1.2.3"},
        headers={"X-Request-ID": "req-42"},
    )
    (login,) = events(action="user_login")
    assert (login["actor_id"], login["actor_name"], login["outcome"]) == (
        user["id"],
        user["name"],
        "success",
    )
    assert "correct horse" not in str(login)
    assert (login["client_address"], login["request_id"]) == ("10.1.2.3", "req-42")

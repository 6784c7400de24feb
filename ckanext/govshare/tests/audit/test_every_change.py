"""Every state change audited (issue 14 item 5).

The actions come from CKAN's action registry, by name (``changes.is_state_change``): an action
a later CKAN (or a plugin) adds fails ``test_every_state_changing_action_is_exercised`` until it
has a scenario here or is listed in ``NOT_STATE_CHANGES`` with the reason. Each scenario calls
the action with valid input as a user allowed to, and the test asserts the committed event:
action, actor, acting department, object, object department, outcome.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import ckan.logic
import ckan.plugins
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

from ckanext.govshare.audit import chain, changes
from ckanext.govshare.tests import factories as gs_factories
from ckanext.govshare.tests.db import reset_audit

from ..factories import entry_fields
from .conftest import events

pytestmark = [
    # CKAN's image view, so that views can be created (and created by default): loaded with
    # the site's plugins once for the module, not loaded and unloaded around each test.
    pytest.mark.ckan_config("ckan.plugins", " ".join([*tk.config["ckan.plugins"], "image_view"])),
    pytest.mark.ckan_config("ckan.auth.allow_dataset_collaborators", "true"),
    pytest.mark.ckan_config("ckan.views.default_views", "image_view"),
]

#: A link to data: it must never reach an event.
SECRET_LINK = "http://files.example/secret-link-4711.png"

#: Actions named like state changes that change no state, with the reason. None so far: every
#: state-changing action of CKAN 2.11 and 2.12 has a scenario below.
NOT_STATE_CHANGES: dict[str, str] = {}


def registry_state_changes() -> list[str]:
    tk.get_action("package_show")  # the registry is filled on first use
    return sorted(name for name in ckan.logic._actions if changes.is_state_change(name))


class World:
    """Two departments, their officers, a staff member, a sysadmin, a group, two entries."""

    def __init__(self) -> None:
        self.sysadmin = factories.Sysadmin()
        self.officer = factories.User()
        self.staff = factories.User()
        self.other_officer = factories.User()
        self.dept = gs_factories.Department(
            users=[
                {"name": self.officer["name"], "capacity": "admin"},
                {"name": self.staff["name"], "capacity": "member"},
            ]
        )
        self.other = gs_factories.Department(
            users=[{"name": self.other_officer["name"], "capacity": "admin"}]
        )
        self.group = factories.Group(user=self.sysadmin)
        self.entry = self.new_entry()
        self.second = self.new_entry()

    def new_entry(self, **kw: Any) -> dict[str, Any]:
        resources = [
            {"url": SECRET_LINK, "name": "第一份", "format": "PNG"},
            {"url": SECRET_LINK, "name": "第二份", "format": "PNG"},
        ]
        return gs_factories.CatalogueEntry(owner_org=self.dept["id"], resources=resources, **kw)

    def as_(self, user: dict[str, Any]) -> dict[str, Any]:
        return {"user": user["name"], "ignore_auth": False}

    def call(self, action: str, user: dict[str, Any], **data: Any) -> Any:
        return helpers.call_action(action, self.as_(user), **data)


def build_world() -> World:
    """The module's world (``module_world``), with an empty audit trail: each test starts
    from it, whatever the test before wrote."""
    world = World()
    reset_audit()
    return world


@pytest.fixture
def world(module_world: Any) -> World:
    assert ckan.plugins.plugin_loaded("image_view")
    return module_world(build_world)


@dataclasses.dataclass
class Case:
    """One call and the event it must leave."""

    user: dict[str, Any]
    data: dict[str, Any]
    object_type: str
    #: The object's id, or how to find it in the action's result.
    object_id: str | Callable[[Any], str]
    object_department: str | None | Callable[[Any], str | None]
    actor_department: str | None | Callable[[Any], str | None]
    #: More ids that must each have an event (bulk actions: one per entry).
    also: tuple[str, ...] = ()
    check: Callable[[dict[str, Any], Any], None] | None = None
    #: The event asserted is the one on a user's membership of the object.
    membership: bool = False
    #: An error CKAN itself raises after committing the change.
    raises: type[BaseException] | None = None


def _resolve(value: Any, result: Any) -> Any:
    return value(result) if callable(value) else value


def _views(w: World, resource_id: str) -> list[dict[str, Any]]:
    return w.call("resource_view_list", w.sysadmin, id=resource_id)


def _clear_views(w: World) -> None:
    model.Session.query(model.ResourceView).delete()
    model.Session.commit()


def _purged_entry(event: dict[str, Any], w: World) -> None:
    purged = event["detail"]["purged"]
    assert (purged["id"], purged["name"], purged["owner_org"]) == (
        w.entry["id"],
        w.entry["name"],
        w.dept["id"],
    )
    assert purged["title"] == w.entry["title"] and purged["type"] == "dataset"
    assert purged["share_type"] == "unconditional"
    assert {r["name"] for r in purged["resources"]} == {"第一份", "第二份"}
    assert {r["id"] for r in purged["resources"]} == {r["id"] for r in w.entry["resources"]}


# --- the scenarios: one per state-changing action ------------------------------------------


def _package_update(w: World) -> Case:
    pkg = w.call("package_show", w.sysadmin, id=w.entry["id"])
    pkg["title"] = "人口基础信息（修订）"
    return Case(w.officer, pkg, "package", w.entry["id"], w.dept["id"], w.dept["id"])


def _bulk(w: World, name: str, field: str, before: Any, after: Any) -> Case:
    if name == "bulk_update_public":
        for e in (w.entry, w.second):
            w.call("package_patch", w.sysadmin, id=e["id"], private=True)
        reset_audit()

    def check(event: dict[str, Any], _: Any) -> None:
        assert (event["detail"]["before"][field], event["detail"]["after"][field]) == (
            before,
            after,
        )

    data = {"datasets": [w.entry["id"], w.second["id"]], "org_id": w.dept["id"]}
    return Case(
        w.officer,
        data,
        "package",
        w.entry["id"],
        w.dept["id"],
        w.dept["id"],
        also=(w.second["id"],),
        check=check,
    )


def _owner_org_update(w: World) -> Case:
    def check(event: dict[str, Any], _: Any) -> None:
        assert event["detail"]["owner_org_before"] == w.dept["id"]
        assert event["detail"]["before"]["owner_org"] == w.dept["id"]
        assert event["detail"]["after"]["owner_org"] == w.other["id"]

    data = {"id": w.entry["id"], "organization_id": w.other["id"]}
    return Case(w.sysadmin, data, "package", w.entry["id"], w.other["id"], None, check=check)


def _collaborator(w: World, create: bool) -> Case:
    data = {"id": w.entry["id"], "user_id": w.staff["id"]}
    if not create:
        w.call("package_collaborator_create", w.sysadmin, capacity="editor", **data)
    else:
        data["capacity"] = "editor"

    def check(event: dict[str, Any], _: Any) -> None:
        (part,) = event["detail"]["parts"]
        assert part["collaborator"] == w.staff["id"]
        assert part["change"] == ("create" if create else "purge")

    return Case(w.officer, data, "package", w.entry["id"], w.dept["id"], w.dept["id"], check=check)


def _relationship(w: World, action: str) -> Case:
    data = {"subject": w.entry["id"], "object": w.second["id"], "type": "depends_on"}
    if action != "create":
        w.call("package_relationship_create", w.sysadmin, **data)
    if action == "update":
        data["comment"] = "依赖"
        # CKAN (2.11 and 2.12) commits the new comment, removes the session, then reads the
        # relationship it left detached: the change and its event are committed, the call fails.
        return Case(
            w.sysadmin,
            data,
            "package",
            w.entry["id"],
            w.dept["id"],
            None,
            raises=sa.orm.exc.DetachedInstanceError,
        )
    return Case(w.sysadmin, data, "package", w.entry["id"], w.dept["id"], None)


def _reorder(w: World) -> Case:
    first, second = (r["id"] for r in w.entry["resources"])

    def check(event: dict[str, Any], _: Any) -> None:
        assert {p["resource"] for p in event["detail"]["parts"]} == {first, second}

    data = {"id": w.entry["id"], "order": [second, first]}
    return Case(w.officer, data, "package", w.entry["id"], w.dept["id"], w.dept["id"], check=check)


def _default_views(w: World, of_resource: bool) -> Case:
    _clear_views(w)
    pkg = w.call("package_show", w.sysadmin, id=w.entry["id"])
    resource = pkg["resources"][0]
    data = {"package": pkg} if not of_resource else {"package": pkg, "resource": resource}
    return Case(
        w.officer,
        data,
        "resource_view",
        lambda _: _views(w, resource["id"])[0]["id"],
        w.dept["id"],
        w.dept["id"],
    )


def _resource(w: World, action: str) -> Case:
    rid = w.entry["resources"][0]["id"]
    data: dict[str, Any] = {"id": rid}
    if action == "update":
        data.update(url=SECRET_LINK + "?v=2", name="第一份（新）", format="PNG")
    elif action == "patch":
        data["name"] = "第一份（改）"

    def check(event: dict[str, Any], _: Any) -> None:
        assert event["detail"]["after"]["package_id"] == w.entry["id"]
        if action == "delete":
            assert event["detail"]["change"] == "delete"

    return Case(w.officer, data, "resource", rid, w.dept["id"], w.dept["id"], check=check)


def _view(w: World, action: str) -> Case:
    rid = w.entry["resources"][0]["id"]
    view = _views(w, rid)[0]  # created by default with the resource
    if action == "create":
        data = {"resource_id": rid, "title": "图", "view_type": "image_view"}
        return Case(w.officer, data, "resource_view", lambda r: r["id"], w.dept["id"], w.dept["id"])
    if action == "update":
        data = {**view, "title": "新标题"}
    elif action == "reorder":
        extra = w.call(
            "resource_view_create", w.sysadmin, resource_id=rid, title="二", view_type="image_view"
        )
        data = {"id": rid, "order": [extra["id"], view["id"]]}
    elif action == "clear":
        return Case(
            w.sysadmin,
            {"view_types": ["image_view"]},
            "resource_view",
            view["id"],
            w.dept["id"],
            None,
        )
    else:
        data = {"id": view["id"]}
    return Case(w.officer, data, "resource_view", view["id"], w.dept["id"], w.dept["id"])


def _new_department(w: World) -> Case:
    data = {
        "name": "new-department",
        "title": "新部门",
        "provider_code": gs_factories.provider_code(),
        "department_level": "provincial",
    }
    # A sysadmin acts for no department; becoming the new one's admin follows the creation.
    return Case(w.sysadmin, data, "organization", lambda r: r["id"], lambda r: r["id"], None)


def _organization(w: World, action: str) -> Case:
    if action == "update":
        org = w.call("organization_show", w.sysadmin, id=w.dept["id"])
        users = [
            {"name": w.officer["name"], "capacity": "admin"},
            {"name": w.staff["name"], "capacity": "member"},
        ]
        data = {**org, "title": "改名的部门", "users": users}  # CKAN drops users left out
    elif action == "patch":
        data = {"id": w.dept["id"], "title": "又改名的部门"}
    else:  # delete, purge: a department with no entries
        org = gs_factories.Department(users=[{"name": w.officer["name"], "capacity": "admin"}])
        user = w.officer if action == "delete" else w.sysadmin

        def check(event: dict[str, Any], _: Any) -> None:
            if action == "purge":
                assert event["detail"]["purged"]["name"] == org["name"]

        dept = org["id"] if action == "delete" else None
        return Case(
            user, {"id": org["id"]}, "organization", org["id"], org["id"], dept, check=check
        )
    return Case(w.officer, data, "organization", w.dept["id"], w.dept["id"], w.dept["id"])


def _org_member(w: World, create: bool) -> Case:
    newcomer = factories.User()
    data = {"id": w.dept["id"], "username": newcomer["name"]}
    if create:
        data["role"] = "editor"
    else:
        w.call("organization_member_create", w.sysadmin, role="editor", **data)

    def check(event: dict[str, Any], _: Any) -> None:
        assert event["detail"]["user_id"] == newcomer["id"]
        assert event["detail"]["change"] == ("member_create" if create else "member_delete")

    return Case(
        w.officer,
        data,
        "organization",
        w.dept["id"],
        w.dept["id"],
        w.dept["id"],
        check=check,
        membership=True,
    )


def _group(w: World, action: str) -> Case:
    gid = w.group["id"]
    check = None
    if action == "create":
        return Case(
            w.sysadmin, {"name": "a-group", "title": "专题"}, "group", lambda r: r["id"], None, None
        )
    if action == "update":
        data = {**w.call("group_show", w.sysadmin, id=gid), "title": "新专题"}
    elif action == "patch":
        data = {"id": gid, "title": "改专题"}
    elif action in ("member_create", "member_delete"):
        newcomer = factories.User()
        data = {"id": gid, "username": newcomer["name"], "role": "member"}
        if action == "member_delete":
            w.call("group_member_create", w.sysadmin, **data)
            data.pop("role")

        def check(event: dict[str, Any], _: Any) -> None:
            assert event["detail"]["user_id"] == newcomer["id"]

    elif action in ("entry_create", "entry_delete"):
        data = {"id": gid, "object": w.entry["id"], "object_type": "package", "capacity": "public"}
        if action == "entry_delete":
            w.call("member_create", w.sysadmin, **data)
            data.pop("capacity")

        def check(event: dict[str, Any], _: Any) -> None:
            assert [p["package"] for p in event["detail"]["parts"]] == [w.entry["id"]]

    else:  # delete, purge
        data = {"id": gid}
    membership = action in ("member_create", "member_delete")
    return Case(w.sysadmin, data, "group", gid, None, None, check=check, membership=membership)


def _no_secrets(user_id: str) -> Callable[[dict[str, Any], Any], None]:
    def check(event: dict[str, Any], _: Any) -> None:
        stored = model.Session.query(model.User.password).filter_by(id=user_id).scalar()
        text = str(event)
        assert stored and stored not in text and "s3cret-passw0rd" not in text
        assert "@example.org" not in text

    return check


def _user(w: World, action: str) -> Case:
    if action == "create":
        data = {"name": "new-user", "email": "new@example.org", "password": "s3cret-passw0rd"}

        def check(event: dict[str, Any], result: Any) -> None:
            _no_secrets(result["id"])(event, result)
            assert "password" in event["detail"]["fields"] or event["detail"]["change"] == "create"

        return Case(w.sysadmin, data, "user", lambda r: r["id"], None, None, check=check)
    target = factories.User(email="target@example.org")
    if action == "update":
        data = {
            "id": target["id"],
            "email": "changed@example.org",
            "fullname": "改名",
            "password": "s3cret-passw0rd",
        }

        def check(event: dict[str, Any], _: Any) -> None:
            _no_secrets(target["id"])(event, None)
            assert {"password", "email", "fullname"} <= set(event["detail"]["fields"])

        return Case(w.sysadmin, data, "user", target["id"], None, None, check=check)
    if action == "patch":
        return Case(
            w.sysadmin, {"id": target["id"], "fullname": "新名"}, "user", target["id"], None, None
        )
    return Case(w.sysadmin, {"id": target["id"]}, "user", target["id"], None, None)


def _invite(w: World) -> Case:
    data = {"email": "invited@example.org", "group_id": w.dept["id"], "role": "member"}
    return Case(w.officer, data, "user", lambda r: r["id"], None, w.dept["id"])


SCENARIOS: dict[str, Callable[[World], Case]] = {
    "package_create": lambda w: Case(
        w.officer,
        {
            "name": "entry-new",
            "title": "新条目",
            "notes": "说明",
            "owner_org": w.dept["id"],
            **entry_fields(),
        },
        "package",
        lambda r: r["id"],
        w.dept["id"],
        w.dept["id"],
    ),
    "package_update": _package_update,
    "package_patch": lambda w: Case(
        w.officer,
        {"id": w.entry["id"], "title": "改"},
        "package",
        w.entry["id"],
        w.dept["id"],
        w.dept["id"],
    ),
    "package_revise": lambda w: Case(
        w.officer,
        {"match": {"id": w.entry["id"]}, "update": {"title": "修订"}},
        "package",
        w.entry["id"],
        w.dept["id"],
        w.dept["id"],
    ),
    "package_delete": lambda w: Case(
        w.officer,
        {"id": w.entry["id"]},
        "package",
        w.entry["id"],
        w.dept["id"],
        w.dept["id"],
    ),
    "dataset_purge": lambda w: Case(
        w.sysadmin,
        {"id": w.entry["id"]},
        "package",
        w.entry["id"],
        w.dept["id"],
        None,
        check=lambda e, _: _purged_entry(e, w),
    ),
    "package_owner_org_update": _owner_org_update,
    "bulk_update_private": lambda w: _bulk(w, "bulk_update_private", "private", False, True),
    "bulk_update_public": lambda w: _bulk(w, "bulk_update_public", "private", True, False),
    "bulk_update_delete": lambda w: _bulk(w, "bulk_update_delete", "state", "active", "deleted"),
    "package_collaborator_create": lambda w: _collaborator(w, True),
    "package_collaborator_delete": lambda w: _collaborator(w, False),
    "package_relationship_create": lambda w: _relationship(w, "create"),
    "package_relationship_update": lambda w: _relationship(w, "update"),
    "package_relationship_delete": lambda w: _relationship(w, "delete"),
    "package_resource_reorder": _reorder,
    "package_create_default_resource_views": lambda w: _default_views(w, False),
    "resource_create_default_resource_views": lambda w: _default_views(w, True),
    "resource_create": lambda w: Case(
        w.officer,
        {"package_id": w.entry["id"], "url": SECRET_LINK, "name": "第三份"},
        "resource",
        lambda r: r["id"],
        w.dept["id"],
        w.dept["id"],
    ),
    "resource_update": lambda w: _resource(w, "update"),
    "resource_patch": lambda w: _resource(w, "patch"),
    "resource_delete": lambda w: _resource(w, "delete"),
    "resource_view_create": lambda w: _view(w, "create"),
    "resource_view_update": lambda w: _view(w, "update"),
    "resource_view_delete": lambda w: _view(w, "delete"),
    "resource_view_reorder": lambda w: _view(w, "reorder"),
    "resource_view_clear": lambda w: _view(w, "clear"),
    "organization_create": _new_department,
    "organization_update": lambda w: _organization(w, "update"),
    "organization_patch": lambda w: _organization(w, "patch"),
    "organization_delete": lambda w: _organization(w, "delete"),
    "organization_purge": lambda w: _organization(w, "purge"),
    "organization_member_create": lambda w: _org_member(w, True),
    "organization_member_delete": lambda w: _org_member(w, False),
    "group_create": lambda w: _group(w, "create"),
    "group_update": lambda w: _group(w, "update"),
    "group_patch": lambda w: _group(w, "patch"),
    "group_delete": lambda w: _group(w, "delete"),
    "group_purge": lambda w: _group(w, "purge"),
    "group_member_create": lambda w: _group(w, "member_create"),
    "group_member_delete": lambda w: _group(w, "member_delete"),
    "member_create": lambda w: _group(w, "entry_create"),
    "member_delete": lambda w: _group(w, "entry_delete"),
    "user_create": lambda w: _user(w, "create"),
    "user_update": lambda w: _user(w, "update"),
    "user_patch": lambda w: _user(w, "patch"),
    "user_delete": lambda w: _user(w, "delete"),
    "user_invite": _invite,
}


def test_every_state_changing_action_is_exercised():
    found = registry_state_changes()
    assert len(found) >= 40  # the name pattern still finds CKAN's actions
    missing = set(found) - set(SCENARIOS) - set(NOT_STATE_CHANGES)
    assert not missing, f"state-changing actions with no audit scenario: {sorted(missing)}"
    assert set(SCENARIOS) <= set(found)  # no scenario for an action that is gone


def test_every_state_changing_action_is_framed():
    """The chained frames cover CKAN's own actions of that name (so the event names them)."""
    from ckanext.govshare.logic.action import audit

    assert set(audit.FRAMED) == {n for n in registry_state_changes() if n in SCENARIOS}


@pytest.mark.parametrize("action", sorted(SCENARIOS))
def test_the_action_leaves_its_event(action, monkeypatch, world):
    monkeypatch.setattr("ckan.lib.mailer.send_invite", lambda *a, **k: None)
    case = SCENARIOS[action](world)
    reset_audit()
    if case.raises is not None:
        with pytest.raises(case.raises):
            helpers.call_action(action, world.as_(case.user), **case.data)
        result = None
    else:
        result = helpers.call_action(action, world.as_(case.user), **case.data)
    model.Session.remove()
    written = events(action=action)
    assert written, f"{action} left no audit event"
    object_id = _resolve(case.object_id, result)
    mine = [
        e
        for e in written
        if e["object_id"] == object_id and ("user_id" in e["detail"]) == case.membership
    ]
    assert mine, f"{action}: no event on {case.object_type} {object_id}: {written}"
    event = mine[0]
    assert event["outcome"] == "success"
    assert (event["actor_id"], event["actor_name"]) == (case.user["id"], case.user["name"])
    assert event["actor_department"] == _resolve(case.actor_department, result)
    assert event["object_type"] == case.object_type
    assert event["object_department"] == _resolve(case.object_department, result)
    for other in case.also:
        assert [e for e in written if e["object_id"] == other], f"{action}: none on {other}"
    if case.check is not None:
        case.check(event, result)
    everything = events()
    assert SECRET_LINK not in str(everything)  # never a link to data
    assert chain.verify(everything).ok


@pytest.mark.parametrize(
    ("action", "who", "data"),
    [
        ("package_patch", "officer", {"name": "NOT A NAME"}),
        ("bulk_update_private", "staff", {}),
        ("bulk_update_delete", "other_officer", {}),
        ("dataset_purge", "officer", {}),
        ("organization_member_create", "officer", {"username": "nobody-at-all", "role": "editor"}),
        ("resource_patch", "other_officer", {}),
        ("user_update", "staff", {}),
    ],
)
def test_a_refused_or_invalid_change_leaves_no_event(action, who, data, world):
    ids = {
        "package_patch": {"id": world.entry["id"]},
        "bulk_update_private": {"datasets": [world.entry["id"]], "org_id": world.dept["id"]},
        "bulk_update_delete": {"datasets": [world.entry["id"]], "org_id": world.dept["id"]},
        "dataset_purge": {"id": world.entry["id"]},
        "organization_member_create": {"id": world.dept["id"]},
        "resource_patch": {"id": world.entry["resources"][0]["id"], "name": "x"},
        "user_update": {"id": world.officer["id"], "email": "x@example.org"},
    }[action]
    reset_audit()
    with pytest.raises((tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound)):
        world.call(action, getattr(world, who), **ids, **data)
    model.Session.rollback()
    assert [e for e in events() if e["outcome"] == "success"] == []
    assert model.Package.get(world.entry["id"]).state == "active"


@pytest.mark.parametrize("action", ["bulk_update_private", "dataset_purge", "user_update"])
def test_a_change_whose_commit_fails_leaves_no_event(action, monkeypatch, world):
    """The events are written into the committing transaction: when the commit fails after
    they were written (a listener after ours raises), change and events roll back together.
    CKAN 2.11's bulk UPDATE bypasses the flush and is covered all the same."""
    data = {
        "bulk_update_private": {"datasets": [world.entry["id"]], "org_id": world.dept["id"]},
        "dataset_purge": {"id": world.entry["id"]},
        "user_update": {"id": world.staff["id"], "email": "s@example.org", "fullname": "x"},
    }[action]
    reset_audit()
    written: list[int] = []

    def fail(session: Any) -> None:
        written.append(len(session.info.get("govshare_audit_pending") or {}))
        raise RuntimeError("the database went away")

    sa.event.listen(model.Session, "before_commit", fail)
    try:
        with pytest.raises(RuntimeError):
            world.call(action, world.sysadmin, **data)
    finally:
        sa.event.remove(model.Session, "before_commit", fail)
    model.Session.rollback()
    model.Session.remove()
    assert written == [0]  # our listener had written (and emptied) the notes before it failed
    assert events() == []
    entry = model.Package.get(world.entry["id"])
    assert entry is not None and entry.private is False
    assert model.User.get(world.staff["id"]).fullname != "x"

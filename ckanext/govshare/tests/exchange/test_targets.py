"""Exchange targets (前置机, 2016 Measures art. 12; issue 17, item 1): a department's data
officers register a PostgreSQL database (a second local database, ``exchange_db``) or a
directory under the exchange root; saving tests it; the connection string is stored encrypted
and its password is in no answer, audit event or page; every role of workflows.md is checked.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers
from cryptography.fernet import Fernet
from psycopg2 import sql

from ckanext.govshare.audit.model import event_table as audit_table
from ckanext.govshare.exchange import locations, secrets, targets
from ckanext.govshare.exchange.model import subscription_table, target_table
from ckanext.govshare.tests.access.conftest import World, build_world
from ckanext.govshare.tests.exchange.conftest import admin_connection, exchange_db_name

PASSWORD = "Sekr3t-pw-9f2"
KEY = "ckanext.govshare.exchange.key"
ROOT = "ckanext.govshare.exchange.root"
OFFICERS = ("provider_officer", "provider_editor", "sysadmin")
REFUSED = (
    "provider_staff",
    "requester",
    "requester_officer",
    "other",
    "authority",
    "conference",
    "outsider",
    None,
)


@pytest.fixture
def world(module_world: Any) -> World:
    return module_world(build_world)


@pytest.fixture
def root(ckan_config: Any, tmp_path: Path) -> Path:
    """A fresh exchange root for the test (the configured one is left alone)."""
    path = tmp_path / "exchange"
    path.mkdir()
    ckan_config[ROOT] = str(path)
    return path


@pytest.fixture
def dsn(exchange_db: str) -> str:
    """The exchange database's DSN with a password (trust authentication ignores it)."""
    return exchange_db.replace("postgres@", f"postgres:{PASSWORD}@")


@pytest.fixture(scope="module")
def no_create_dsn(exchange_db: str) -> Iterator[str]:
    """A user of the exchange database without CREATE on its schema (PostgreSQL 15: public)."""
    role = f"{exchange_db_name()}_reader"
    conn = admin_connection()
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    conn.close()
    conn = admin_connection(exchange_db_name())
    with conn.cursor() as cur:
        cur.execute(sql.SQL("REVOKE CREATE ON SCHEMA public FROM {}, PUBLIC").format(
            sql.Identifier(role)
        ))
    conn.close()
    yield f"postgresql://{role}:{PASSWORD}@127.0.0.1/{exchange_db_name()}"


def _pg(world: World, dsn: str, who: str = "provider_officer", **extra: Any) -> dict[str, Any]:
    data = {"organization": world.provider["name"], "name": "税务前置机", "kind": "postgresql"}
    return world.call(who, "govshare_exchange_target_create", **{**data, "dsn": dsn, **extra})


def _dir(world: World, path: str, who: str = "provider_officer", **extra: Any) -> dict[str, Any]:
    data = {"organization": world.provider["name"], "name": "文件交换", "kind": "directory"}
    return world.call(who, "govshare_exchange_target_create", **{**data, "path": path, **extra})


def _refused(error: pytest.ExceptionInfo[tk.ValidationError], field: str) -> str:
    messages = error.value.error_dict[field]
    text = " ".join(str(m) for m in messages)  # type: ignore[union-attr]
    assert PASSWORD not in text and " | " in text
    return text


def _stored(target_id: str) -> dict[str, Any]:
    row = model.Session.execute(
        sa.select(target_table).where(target_table.c.id == target_id)
    ).first()
    assert row is not None
    return dict(row._mapping)


def _audit(target_id: str) -> list[dict[str, Any]]:
    rows = model.Session.execute(
        sa.select(audit_table.c.action, audit_table.c.detail, audit_table.c.actor_department)
        .where(audit_table.c.object_id == target_id)
        .order_by(audit_table.c.seq)
    ).all()
    return [dict(r._mapping) for r in rows]


# ---------------------------------------------------------------------------- PostgreSQL


def test_an_officer_registers_a_tested_database_without_its_password_shown(
    world: World, dsn: str
) -> None:
    target = _pg(world, dsn, description="每日推送")
    shown = f"postgresql://postgres@127.0.0.1:5432/{exchange_db_name()}"
    assert (target["kind"], target["dsn_display"], target["path"]) == ("postgresql", shown, None)
    assert target["last_test_ok"] is True and target["last_test_at"]
    assert target["last_test_error"] is None and target["created"] and target["modified"]
    assert not {"last_test", "created_at", "updated_at"} & set(target)
    assert "dsn" not in target and "dsn_encrypted" not in target
    answers = [
        target,
        world.call("provider_officer", "govshare_exchange_target_show", id=target["id"]),
        world.call("provider_editor", "govshare_exchange_target_list"),
        world.call("sysadmin", "govshare_exchange_target_list", organization=world.provider["id"]),
    ]
    for answer in answers:
        assert PASSWORD not in json.dumps(answer, ensure_ascii=False)
    assert answers[2]["count"] == 1 and answers[2]["results"][0]["id"] == target["id"]
    stored = _stored(target["id"])
    assert PASSWORD not in stored["dsn_encrypted"] and "postgres" not in stored["dsn_encrypted"]
    assert secrets.decrypt(stored["dsn_encrypted"]) == dsn
    events = _audit(target["id"])
    assert [e["action"] for e in events] == ["govshare_exchange_target_create"]
    assert events[0]["detail"]["dsn_display"] == shown
    assert events[0]["actor_department"] == world.provider["id"]
    assert PASSWORD not in json.dumps(events, ensure_ascii=False, default=str)
    location = targets.resolve(target["id"])
    assert (location.kind, location.dsn, location.path) == ("postgresql", dsn, None)
    assert location.organization_id == world.provider["id"]


@pytest.mark.parametrize("how", ["refused", "no such database", "unreadable"])
def test_a_database_that_fails_its_test_is_not_saved(
    world: World, exchange_db: str, how: str
) -> None:
    bad = {
        "refused": f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/{exchange_db_name()}",
        # the server's error names the database: here the password, which is taken out
        "no such database": f"postgresql://postgres:{PASSWORD}@127.0.0.1/{PASSWORD}",
        "unreadable": f"postgresql//postgres:{PASSWORD}@127.0.0.1/x",
    }[how]
    with pytest.raises(tk.ValidationError) as error:
        _pg(world, bad)
    text = _refused(error, "dsn")
    if how == "no such database":
        assert "[masked]" in text
    assert world.call("provider_officer", "govshare_exchange_target_list")["count"] == 0


def test_a_user_who_may_not_create_tables_is_refused(world: World, no_create_dsn: str) -> None:
    with pytest.raises(tk.ValidationError) as error:
        _pg(world, no_create_dsn)
    assert _refused(error, "dsn") == targets.NO_CREATE


def test_without_a_key_no_database_target_is_saved(
    world: World, dsn: str, ckan_config: Any
) -> None:
    ckan_config[KEY] = ""
    with pytest.raises(tk.ValidationError) as error:
        _pg(world, dsn)
    assert _refused(error, "dsn") == secrets.NO_KEY
    ckan_config[KEY] = "not-a-key"
    with pytest.raises(tk.ValidationError) as error:
        _pg(world, dsn)
    assert _refused(error, "dsn") == secrets.BAD_KEY


def test_a_changed_key_asks_for_the_connection_string_again(
    world: World, dsn: str, ckan_config: Any
) -> None:
    target = _pg(world, dsn)
    old = ckan_config[KEY]
    ckan_config[KEY] = Fernet.generate_key().decode()
    with pytest.raises(secrets.SecretError):
        targets.resolve(target["id"])
    with pytest.raises(tk.ValidationError) as error:
        world.call("provider_officer", "govshare_exchange_target_update", id=target["id"])
    assert _refused(error, "dsn") == secrets.UNREADABLE
    world.call("provider_officer", "govshare_exchange_target_update", id=target["id"], dsn=dsn)
    assert targets.resolve(target["id"]).dsn == dsn
    # rotation: the new key first, the old one after it, then the targets re-encrypted
    ckan_config[KEY] = f"{Fernet.generate_key().decode()},{ckan_config[KEY]},{old}"
    assert targets.rekey() == 1
    ckan_config[KEY] = ckan_config[KEY].split(",")[0]
    assert targets.resolve(target["id"]).dsn == dsn


def test_the_rekey_command_re_encrypts_every_target_and_is_audited(
    world: World, dsn: str, cli: Any
) -> None:
    import ckan.cli.cli

    target = _pg(world, dsn)
    before = _stored(target["id"])
    result = cli.invoke(ckan.cli.cli.ckan, ["govshare", "exchange", "rekey"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 1 exchange target" in result.output
    after = _stored(target["id"])
    assert after["dsn_encrypted"] != before["dsn_encrypted"]  # a fresh token, same key
    assert targets.resolve(target["id"]).dsn == dsn
    events = model.Session.execute(
        sa.select(audit_table.c.detail).where(
            audit_table.c.action == "govshare_exchange_target_rekey"
        )
    ).all()
    assert [e.detail for e in events] == [{"targets": 1}]


def test_an_update_keeps_the_stored_connection_string_and_is_audited(
    world: World, dsn: str, root: Path
) -> None:
    target = _pg(world, dsn)
    before = _stored(target["id"])
    updated = world.call(
        "provider_editor",
        "govshare_exchange_target_update",
        id=target["id"],
        name="新名称",
        dsn="",
        description="改",
    )
    assert (updated["name"], updated["dsn_display"]) == ("新名称", target["dsn_display"])
    assert targets.resolve(target["id"]).dsn == dsn
    assert _stored(target["id"])["last_test_at"] >= before["last_test_at"]
    with pytest.raises(tk.ValidationError) as error:
        world.call(
            "provider_officer",
            "govshare_exchange_target_update",
            id=target["id"],
            kind="directory",
            path="x",
        )
    assert _refused(error, "kind") == targets.KIND_FIXED
    events = _audit(target["id"])
    assert [e["action"] for e in events][-1] == "govshare_exchange_target_update"
    assert events[-1]["detail"]["changed"] == ["description", "name"]
    assert PASSWORD not in json.dumps(events, ensure_ascii=False, default=str)


# ---------------------------------------------------------------------------- directories


def test_a_directory_target_is_made_under_the_root(world: World, root: Path) -> None:
    target = _dir(world, "./tax//daily/", who="provider_editor")
    assert (target["kind"], target["path"]) == ("directory", "tax/daily")
    assert target["dsn_display"] is None
    assert (root / "tax" / "daily").is_dir() and target["last_test_ok"] is True
    assert not list((root / "tax" / "daily").iterdir())  # the test file is gone
    location = targets.resolve(target["id"])
    assert location.path == str(root / "tax" / "daily") and location.dsn is None
    assert _audit(target["id"])[0]["detail"]["path"] == "tax/daily"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("../elsewhere", locations.PATH_PARENT),
        ("/etc", locations.PATH_ABSOLUTE),
        ("escape/x", locations.PATH_OUTSIDE),
        ("", locations.PATH_REQUIRED),
    ],
)
def test_a_path_outside_the_root_is_refused(
    world: World, root: Path, path: str, expected: str
) -> None:
    os.symlink(root.parent, root / "escape")
    with pytest.raises(tk.ValidationError) as error:
        _dir(world, path)
    assert _refused(error, "path") == expected


def test_a_directory_that_cannot_be_made_is_refused(world: World, root: Path) -> None:
    (root / "a-file").write_text("not a directory")
    for path in ("a-file", "a-file/sub"):
        with pytest.raises(tk.ValidationError) as error:
            _dir(world, path)
        assert "cannot be created" in _refused(error, "path")


def test_no_root_no_directory_target(world: World, ckan_config: Any) -> None:
    ckan_config[ROOT] = ""
    with pytest.raises(tk.ValidationError) as error:
        _dir(world, "tax")
    assert _refused(error, "path") == locations.NO_ROOT


def test_names_are_unique_in_a_department_and_directories_across_departments(
    world: World, root: Path
) -> None:
    _dir(world, "tax")
    with pytest.raises(tk.ValidationError) as error:
        _dir(world, "tax2")
    assert _refused(error, "name") == targets.NAME_TAKEN
    mine = {"organization": world.requester_org["name"], "who": "requester_officer"}
    for path in ("tax", "tax/inner", "."):
        with pytest.raises(tk.ValidationError) as error:
            _dir(world, path, who=mine["who"], organization=mine["organization"])
        assert "path" in error.value.error_dict
    theirs = _dir(world, "taxes", who=mine["who"], organization=mine["organization"])
    assert theirs["name"] == "文件交换"  # the same name in another department


# ---------------------------------------------------------------------------- delete


def test_a_target_in_use_cannot_be_deleted(world: World, root: Path) -> None:
    target = _dir(world, "tax", who="requester_officer", organization=world.requester_org["name"])
    grant = world.call(
        "requester",
        "govshare_access_obtain",
        package_id=world.unconditional["id"],
        requesting_org=world.requester_org["name"],
        purpose="work_reference",
        purpose_detail="核对",
        pledge=True,
    )
    now = dt.datetime.now(dt.timezone.utc)
    subscription = str(uuid.uuid4())
    model.Session.execute(
        sa.insert(subscription_table).values(
            id=subscription,
            grant_id=grant["id"],
            resource_id="r",
            target_id=target["id"],
            package_id=world.unconditional["id"],
            organization_id=world.requester_org["id"],
            provider_org_id=world.provider["id"],
            table_name="tax_daily",
            mode="full",
            schedule={"kind": "hourly", "every": 6},
            status="active",
            created_at=now,
            updated_at=now,
        )
    )
    model.Session.commit()
    with pytest.raises(tk.ValidationError) as error:
        world.call("requester_officer", "govshare_exchange_target_delete", id=target["id"])
    assert "tax_daily" in _refused(error, "id") and subscription in _refused(error, "id")
    model.Session.execute(sa.delete(subscription_table))
    model.Session.commit()
    gone = world.call("requester_officer", "govshare_exchange_target_delete", id=target["id"])
    assert gone["id"] == target["id"]
    with pytest.raises(tk.ObjectNotFound):
        world.call("requester_officer", "govshare_exchange_target_show", id=target["id"])
    assert [e["action"] for e in _audit(target["id"])][-1] == "govshare_exchange_target_delete"


# ---------------------------------------------------------------------------- who may


@pytest.mark.parametrize("who", OFFICERS)
def test_the_departments_officers_and_sysadmins_manage_its_targets(
    world: World, root: Path, who: str
) -> None:
    target = _dir(world, "tax", who=who)
    assert world.call(who, "govshare_exchange_target_show", id=target["id"])["id"] == target["id"]
    listed = world.call(who, "govshare_exchange_target_list", organization=world.provider["name"])
    assert [t["id"] for t in listed["results"]] == [target["id"]]
    world.call(who, "govshare_exchange_target_update", id=target["id"], name="改名")
    world.call(who, "govshare_exchange_target_delete", id=target["id"])


@pytest.mark.parametrize("who", REFUSED)
def test_everyone_else_is_refused(world: World, root: Path, who: str | None) -> None:
    target = _dir(world, "tax")
    calls: list[tuple[str, dict[str, Any]]] = [
        ("govshare_exchange_target_show", {"id": target["id"]}),
        ("govshare_exchange_target_update", {"id": target["id"], "name": "x"}),
        ("govshare_exchange_target_delete", {"id": target["id"]}),
        ("govshare_exchange_target_list", {"organization": world.provider["name"]}),
        (
            "govshare_exchange_target_create",
            {
                "organization": world.provider["name"],
                "name": "x",
                "kind": "directory",
                "path": "other",
            },
        ),
    ]
    for action, data in calls:
        with pytest.raises(tk.NotAuthorized):
            world.call(who, action, **data)
    if who in ("requester_officer",):  # an officer elsewhere lists their own departments'
        assert world.call(who, "govshare_exchange_target_list")["count"] == 0
    else:
        with pytest.raises(tk.NotAuthorized):
            world.call(who, "govshare_exchange_target_list")
    assert world.call("provider_officer", "govshare_exchange_target_show", id=target["id"])


def test_list_without_a_department_gives_the_callers_own(world: World, root: Path) -> None:
    mine = _dir(world, "tax")
    theirs = _dir(world, "t2", who="requester_officer", organization=world.requester_org["name"])
    assert [t["id"] for t in world.call("provider_officer", "govshare_exchange_target_list")[
        "results"
    ]] == [mine["id"]]
    assert [t["id"] for t in world.call("requester_officer", "govshare_exchange_target_list")[
        "results"
    ]] == [theirs["id"]]
    assert world.call("sysadmin", "govshare_exchange_target_list")["count"] == 2


# ---------------------------------------------------------------------------- pages


def _headers(world: World, who: str) -> dict[str, str]:
    token = helpers.call_action(
        "api_token_create",
        context={"user": world.users["sysadmin"]["name"], "ignore_auth": True},
        user=world.users[who]["name"],
        name="pages",
    )["token"]
    return {"Authorization": token}


def test_the_pages_never_show_the_password(world: World, dsn: str, app: Any) -> None:
    target = _pg(world, dsn)
    headers = _headers(world, "provider_officer")
    listing = app.get("/en/govshare/exchange/targets", headers=headers)
    assert listing.status_code == 200
    assert target["dsn_display"] in listing.body and "税务前置机" in listing.body
    edit = app.get(f"/en/govshare/exchange/targets/{target['id']}/edit", headers=headers)
    assert edit.status_code == 200
    assert 'type="password" value=""' in edit.body and "Leave empty to keep" in edit.body
    new = app.get("/en/govshare/exchange/targets/new", headers=headers)
    assert new.status_code == 200 and 'name="dsn"' in new.body
    for page in (listing, edit, new):
        assert PASSWORD not in page.body and "dsn_encrypted" not in page.body
    staff = _headers(world, "provider_staff")
    assert app.get("/en/govshare/exchange/targets", headers=staff).status_code == 403
    edit_url = f"/en/govshare/exchange/targets/{target['id']}/edit"
    assert app.get(edit_url, headers=staff).status_code == 403
    assert app.get("/en/govshare/exchange/targets/new", headers=staff).status_code == 403
    anonymous = app.get("/en/govshare/exchange/targets", follow_redirects=False)
    assert anonymous.status_code == 302 and "/user/login" in anonymous.headers["Location"]

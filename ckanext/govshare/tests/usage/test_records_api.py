"""Usage records (2025 Regulations art. 29): who records and reads them, retention, archive,
and that nothing deletes them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import logic, model
from ckan.plugins import toolkit as tk
from click.testing import CliRunner

from ckanext.govshare.audit.model import event_table as audit_table
from ckanext.govshare.core import clock
from ckanext.govshare.reminders import scheduler
from ckanext.govshare.usage import cli
from ckanext.govshare.usage.model import usage_table

from .conftest import World, end, obtain

pytestmark = [
    pytest.mark.usefixtures("with_request_context"),
    pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025"),
]

UTC = dt.timezone.utc


def _record(world: World, grant: dict[str, Any], who: str = "requester", **extra: Any) -> Any:
    form = {"grant_id": grant["id"], "kind": "scenario", "description": "用于企业注销核验"}
    form.update(extra)
    return world.call(who, "govshare_usage_record_create", **form)


def _audit(object_id: str) -> list[tuple[str, dict[str, Any]]]:
    rows = model.Session.execute(
        sa.select(audit_table.c.action, audit_table.c.detail)
        .where(audit_table.c.object_id == object_id)
        .order_by(audit_table.c.seq)
    ).all()
    return [(r.action, r.detail) for r in rows]


def test_the_holder_records_use_kept_three_years(world: World) -> None:
    grant = obtain(world)
    record = _record(world, grant)
    today = clock.today()
    assert record["kind"] == "scenario"
    assert record["kind_label"] == {"en": "Scenario of use", "zh_Hans_CN": "使用场景"}
    assert record["requesting_org_id"] == world.requester_org["id"]
    assert record["recorded_by"] == world.users["requester"]["id"]
    assert record["retain_until"] == today.replace(year=today.year + 3).isoformat()
    assert record["archived"] is False
    assert _audit(record["id"]) == [
        (
            "govshare_usage_record_create",
            {
                "grant_id": grant["id"],
                "package_id": grant["package_id"],
                "provider": world.provider["id"],
                "kind": "scenario",
                "retain_until": record["retain_until"],
            },
        )
    ]


@pytest.mark.ckan_config("ckanext.govshare.usage_records.retention_years", "5")
def test_the_retention_option_overrides_the_profile(world: World) -> None:
    today = clock.today()
    record = _record(world, obtain(world))
    assert record["retain_until"] == today.replace(year=today.year + 5).isoformat()


@pytest.mark.parametrize("who", ["requester", "requester_officer", "sysadmin"])
def test_who_records(world: World, who: str) -> None:
    assert _record(world, obtain(world), who=who)["kind"] == "scenario"


@pytest.mark.parametrize(
    "who",
    [
        None,
        "outsider",
        "other",
        "provider_officer",
        "provider_editor",
        "provider_staff",
        "authority",
        "conference",
    ],
)
def test_who_may_not_record(world: World, who: str | None) -> None:
    grant = obtain(world)
    with pytest.raises(tk.NotAuthorized) as refused:
        _record(world, grant, who=who)
    if who:
        assert " | " in str(refused.value)
    count = model.Session.execute(sa.select(sa.func.count()).select_from(usage_table)).scalar()
    assert count == 0


@pytest.mark.parametrize(
    "who",
    [
        "requester",
        "requester_officer",
        "provider_officer",
        "provider_editor",
        "authority",
        "sysadmin",
    ],
)
def test_who_reads_the_records(world: World, who: str) -> None:
    grant = obtain(world)
    _record(world, grant)
    _record(world, grant, kind="storage", description="存放于本部门业务库")
    listed = world.call(who, "govshare_usage_record_list", grant_id=grant["id"])
    assert listed["count"] == 2 and listed["limit"] == 50 and listed["offset"] == 0
    assert [r["kind"] for r in listed["results"]] == ["storage", "scenario"]


@pytest.mark.parametrize("who", [None, "outsider", "other", "provider_staff", "conference"])
def test_nobody_else_reads_them(world: World, who: str | None) -> None:
    grant = obtain(world)
    _record(world, grant)
    with pytest.raises(tk.NotAuthorized):
        world.call(who, "govshare_usage_record_list", grant_id=grant["id"])


def test_an_unknown_grant_is_not_found(world: World) -> None:
    with pytest.raises(tk.ObjectNotFound):
        _record(world, {"id": "no-such-grant"})
    with pytest.raises(tk.ObjectNotFound):
        world.call("authority", "govshare_usage_record_list", grant_id="no-such-grant")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "gossip"),
        ("kind", ""),
        ("description", ""),
        ("description", "x" * 4001),
        ("description", "bad\x00text"),
    ],
)
def test_bad_input_is_refused_per_field(world: World, field: str, value: Any) -> None:
    grant = obtain(world)
    with pytest.raises(tk.ValidationError) as refused:
        _record(world, grant, **{field: value})
    assert " | " in refused.value.error_dict[field][0]


def test_list_filters_and_paging(world: World) -> None:
    grant = obtain(world)
    for kind in ("scenario", "process", "results"):
        _record(world, grant, kind=kind)
    one = world.call(
        "requester", "govshare_usage_record_list", grant_id=grant["id"], kind="process"
    )
    assert [r["kind"] for r in one["results"]] == ["process"]
    two = world.call(
        "requester", "govshare_usage_record_list", grant_id=grant["id"], kind=["process", "results"]
    )
    assert two["count"] == 2
    page = world.call("requester", "govshare_usage_record_list", grant_id=grant["id"], limit=1)
    assert page["count"] == 3 and len(page["results"]) == 1
    for field, value in (("limit", 0), ("offset", -1), ("kind", "gossip"), ("archived", "perhaps")):
        with pytest.raises(tk.ValidationError) as refused:
            world.call(
                "requester", "govshare_usage_record_list", grant_id=grant["id"], **{field: value}
            )
        assert field in refused.value.error_dict


def test_use_is_recorded_while_live_storage_and_destruction_after(world: World) -> None:
    grant = end(world, obtain(world))
    with pytest.raises(tk.ValidationError) as refused:
        _record(world, grant, kind="results")
    assert "grant_id" in refused.value.error_dict
    assert _record(world, grant, kind="storage")["kind"] == "storage"
    assert _record(world, grant, kind="destruction")["kind"] == "destruction"


def test_no_action_updates_or_deletes_a_record(world: World) -> None:
    """Art. 29: kept at least three years. No registered action changes or removes one, and
    deleting what a record belongs to (its grant) is refused by the database."""
    names = [n for n in logic._actions if "usage" in n]  # type: ignore[attr-defined]
    assert sorted(names) == ["govshare_usage_record_create", "govshare_usage_record_list"]
    for verb in ("delete", "update", "patch", "purge"):
        with pytest.raises(KeyError):
            tk.get_action(f"govshare_usage_record_{verb}")
    grant = obtain(world)
    record = _record(world, grant)
    with pytest.raises(sa.exc.IntegrityError):
        model.Session.execute(
            sa.text("DELETE FROM govshare_grant WHERE id = :id"), {"id": grant["id"]}
        )
        model.Session.flush()
    model.Session.rollback()
    listed = world.call("authority", "govshare_usage_record_list", grant_id=grant["id"])
    assert [r["id"] for r in listed["results"]] == [record["id"]]


def _records_on(world: World, frozen: Any, day: dt.date, grant: dict[str, Any]) -> dict:
    frozen(dt.datetime.combine(day, dt.time(2), UTC))
    return _record(world, grant, kind="storage", description=f"存储情况 {day.isoformat()}")


def test_archive_leaves_younger_records_and_deletes_none(world: World, frozen: Any) -> None:
    frozen(dt.datetime(2023, 3, 1, 2, tzinfo=UTC))
    grant = obtain(world)
    old = _records_on(world, frozen, dt.date(2023, 3, 1), grant)
    young = _records_on(world, frozen, dt.date(2024, 3, 1), grant)
    assert old["retain_until"] == "2026-03-01" and young["retain_until"] == "2027-03-01"

    # On the last day of retention nothing is archived yet.
    result = CliRunner().invoke(cli.usage, ["archive", "--today", "2026-03-01"])
    assert result.exit_code == 0, result.output
    assert "archived (2026-03-01): 0" in result.output

    result = CliRunner().invoke(cli.usage, ["archive", "--today", "2026-03-02"])
    assert "archived (2026-03-02): 1" in result.output
    again = CliRunner().invoke(cli.usage, ["archive", "--today", "2026-03-02"])
    assert "archived (2026-03-02): 0" in again.output

    frozen(dt.datetime(2026, 3, 2, 2, tzinfo=UTC))
    listed = world.call("provider_officer", "govshare_usage_record_list", grant_id=grant["id"])
    assert {r["id"]: r["archived"] for r in listed["results"]} == {
        old["id"]: True,
        young["id"]: False,
    }
    archived = world.call(
        "provider_officer", "govshare_usage_record_list", grant_id=grant["id"], archived=True
    )
    assert [r["id"] for r in archived["results"]] == [old["id"]]
    kept = world.call(
        "provider_officer", "govshare_usage_record_list", grant_id=grant["id"], archived="false"
    )
    assert [r["id"] for r in kept["results"]] == [young["id"]]
    assert [a for a, _ in _audit(old["id"])] == [
        "govshare_usage_record_create",
        "govshare_usage_record_archive",
    ]
    assert [a for a, _ in _audit(young["id"])] == ["govshare_usage_record_create"]


def test_the_remind_pass_archives_too(world: World, frozen: Any) -> None:
    frozen(dt.datetime(2023, 3, 1, 2, tzinfo=UTC))
    grant = obtain(world)
    old = _records_on(world, frozen, dt.date(2023, 3, 1), grant)
    summary = scheduler.Reminder(dt.date(2026, 3, 2))
    summary.step(scheduler.USAGE_ARCHIVED)
    assert summary.summary["usage records archived"] == 1
    row = model.Session.execute(
        sa.select(usage_table.c.archived_at).where(usage_table.c.id == old["id"])
    ).scalar_one()
    assert row is not None

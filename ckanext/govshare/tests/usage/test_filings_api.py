"""Service filings (2025 Regulations art. 27): a provider files the end or a change of a
service after consulting the holders; who files, who sees them, and revoking with one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit as tk

from ckanext.govshare.audit.model import event_table as audit_table
from ckanext.govshare.core import clock
from ckanext.govshare.notices.model import notice_table
from ckanext.govshare.usage import service

from .conftest import World, end, obtain

pytestmark = [
    pytest.mark.usefixtures("with_request_context"),
    pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025"),
]


def _file(world: World, who: str = "provider_officer", **extra: Any) -> dict[str, Any]:
    form = {
        "package_id": world.unconditional["name"],
        "kind": "end",
        "description": "该数据系统下线，停止提供共享服务",
        "consultation": "2026年11月20日书面征求各需求部门意见，均无异议",
        "effective_date": clock.today().isoformat(),
    }
    form.update(extra)
    return world.call(who, "govshare_service_filing_create", **form)


def _notified(world: World, who: str) -> int:
    return model.Session.execute(
        sa.select(sa.func.count())
        .select_from(notice_table)
        .where(
            notice_table.c.user_id == world.users[who]["id"],
            notice_table.c.kind == "service_filed",
        )
    ).scalar_one()


def test_a_filing_names_every_current_grant_and_tells_authority_and_holders(
    world: World,
) -> None:
    mine, theirs = obtain(world), obtain(world, "other_org", "other")
    ended = end(world, obtain(world, purpose="data_verification"))
    filing = _file(world)
    assert sorted(filing["grant_ids"]) == sorted([mine["id"], theirs["id"]])
    assert ended["id"] not in filing["grant_ids"]
    assert filing["provider_org_id"] == world.provider["id"]
    assert filing["package_id"] == world.unconditional["id"]
    assert filing["kind_label"] == {"en": "End of a sharing service", "zh_Hans_CN": "终止共享服务"}
    assert filing["filed_by"] == world.users["provider_officer"]["id"]
    for who in ("authority", "requester", "requester_officer", "other"):
        assert _notified(world, who) == 1, who
    assert _notified(world, "provider_staff") == 0
    assert _notified(world, "outsider") == 0
    action, detail = model.Session.execute(
        sa.select(audit_table.c.action, audit_table.c.detail).where(
            audit_table.c.object_id == filing["id"]
        )
    ).one()
    assert action == "govshare_service_filing_create"
    assert detail["kind"] == "end" and sorted(detail["grant_ids"]) == sorted(filing["grant_ids"])


@pytest.mark.parametrize("who", ["provider_officer", "provider_editor", "sysadmin"])
def test_who_files(world: World, who: str) -> None:
    obtain(world)
    assert _file(world, who)["kind"] == "end"


@pytest.mark.parametrize(
    "who",
    [None, "provider_staff", "requester", "requester_officer", "other", "authority", "outsider"],
)
def test_who_may_not_file(world: World, who: str | None) -> None:
    obtain(world)
    with pytest.raises(tk.NotAuthorized):
        _file(world, who)
    assert world.call("authority", "govshare_service_filing_list")["count"] == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "pause"),
        ("description", ""),
        ("consultation", ""),
        ("consultation", "x" * 4001),
        ("effective_date", "2026-13-01"),
        ("effective_date", ""),
        ("grant_ids", "not-a-grant-of-this-entry"),
    ],
)
def test_bad_filing_input_per_field(world: World, field: str, value: Any) -> None:
    obtain(world)
    with pytest.raises(tk.ValidationError) as refused:
        _file(world, **{field: value})
    assert " | " in refused.value.error_dict[field][0]


def test_the_effective_date_is_today_or_later(world: World) -> None:
    yesterday = clock.today() - dt.timedelta(days=1)
    with pytest.raises(tk.ValidationError) as refused:
        _file(world, effective_date=yesterday.isoformat())
    assert "effective_date" in refused.value.error_dict


def test_a_filing_names_only_grants_of_its_entry(world: World) -> None:
    grant = obtain(world)
    with pytest.raises(tk.ValidationError):
        _file(world, package_id=world.conditional["id"], grant_ids=[grant["id"]])
    assert _file(world, grant_ids=[grant["id"]])["grant_ids"] == [grant["id"]]


def test_who_sees_which_filings(world: World) -> None:
    mine, theirs = obtain(world), obtain(world, "other_org", "other")
    both = _file(world)
    only_mine = _file(world, kind="change", grant_ids=[mine["id"]])

    def seen(who: str) -> dict[str, list[str]]:
        listed = world.call(who, "govshare_service_filing_list")
        return {f["id"]: sorted(f["grant_ids"]) for f in listed["results"]}

    everything = {both["id"]: sorted([mine["id"], theirs["id"]]), only_mine["id"]: [mine["id"]]}
    for who in ("provider_officer", "provider_editor", "authority", "sysadmin"):
        assert seen(who) == everything, who
    # A holder sees the filings naming its grants, and of their grants only its own.
    assert seen("requester") == {both["id"]: [mine["id"]], only_mine["id"]: [mine["id"]]}
    assert seen("other") == {both["id"]: [theirs["id"]]}
    for who in ("provider_staff", "outsider", "conference"):
        assert seen(who) == {}, who
    with pytest.raises(tk.NotAuthorized):
        world.call(None, "govshare_service_filing_list")

    assert world.call("other", "govshare_service_filing_show", id=both["id"])["grant_ids"] == [
        theirs["id"]
    ]
    for who in ("other", "provider_staff", "outsider"):
        with pytest.raises(tk.NotAuthorized):
            world.call(who, "govshare_service_filing_show", id=only_mine["id"])
    with pytest.raises(tk.ObjectNotFound):
        world.call("authority", "govshare_service_filing_show", id="no-such-filing")

    by_entry = world.call(
        "authority", "govshare_service_filing_list", package_id=world.unconditional["name"]
    )
    assert by_entry["count"] == 2
    changes = world.call("authority", "govshare_service_filing_list", kind="change")
    assert [f["id"] for f in changes["results"]] == [only_mine["id"]]
    elsewhere = world.call(
        "authority", "govshare_service_filing_list", provider_org=world.other_org["name"]
    )
    assert elsewhere["count"] == 0


def test_a_provider_revokes_only_with_a_filing_covering_the_grant(world: World) -> None:
    grant, other = obtain(world), obtain(world, "other_org", "other")
    revoke = {"id": grant["id"], "reason": "数据系统下线"}
    with pytest.raises(tk.ValidationError) as refused:
        world.call("provider_officer", "govshare_grant_revoke", **revoke)
    assert " | " in refused.value.error_dict["filing_id"][0]

    change = _file(world, kind="change")
    for_other = _file(world, grant_ids=[other["id"]])
    later = _file(world, effective_date=(clock.today() + dt.timedelta(days=7)).isoformat())
    for filing in (change, for_other, later):
        assert not service.filing_covers(filing["id"], grant)
        with pytest.raises(tk.ValidationError) as refused:
            world.call(
                "provider_officer", "govshare_grant_revoke", filing_id=filing["id"], **revoke
            )
        assert "filing_id" in refused.value.error_dict
    assert world.call("requester", "govshare_grant_show", id=grant["id"])["status"] == "active"

    covering = _file(world, grant_ids=[grant["id"]])
    assert service.filing_covers(covering["id"], grant)
    revoked = world.call(
        "provider_officer", "govshare_grant_revoke", filing_id=covering["id"], **revoke
    )
    assert revoked["status"] == "revoked"
    detail = model.Session.execute(
        sa.select(audit_table.c.detail).where(
            audit_table.c.object_id == grant["id"], audit_table.c.action == "govshare_grant_revoke"
        )
    ).scalar_one()
    assert detail["filing_id"] == covering["id"] and detail["misuse"] is False


def test_misuse_and_the_authority_need_no_filing(world: World) -> None:
    misused, other = obtain(world), obtain(world, "other_org", "other")
    revoked = world.call(
        "provider_officer",
        "govshare_grant_revoke",
        id=misused["id"],
        reason="超范围使用",
        misuse="true",
    )
    assert revoked["status"] == "revoked"
    assert (
        world.call("authority", "govshare_grant_revoke", id=other["id"], reason="违规")["status"]
        == "revoked"
    )

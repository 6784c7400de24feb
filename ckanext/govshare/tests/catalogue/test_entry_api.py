"""Catalogue entries through the action API: rules on create, update and patch; codes."""

from __future__ import annotations

import threading
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.govshare.catalogue import rules
from ckanext.govshare.tests import factories as gs_factories


@pytest.fixture
def officer_ctx(clean_db: Any, sysadmin: dict[str, Any]) -> dict[str, Any]:
    return {"user": sysadmin["name"]}


def create(ctx: dict[str, Any], **fields: Any) -> dict[str, Any]:
    org = fields.pop("owner_org", None) or gs_factories.Department()["id"]
    data = {
        **gs_factories.entry_fields(),
        "title": "测试目录",
        "notes": "摘要",
        "name": gs_factories.unique_name("entry"),
        "owner_org": org,
        **fields,
    }
    return call_action("package_create", dict(ctx), **data)


def errors_of(excinfo: Any) -> dict[str, Any]:
    return excinfo.value.error_dict


class TestRules:
    def test_not_shared_needs_legal_basis_on_create(self, officer_ctx: dict[str, Any]):
        with pytest.raises(tk.ValidationError) as e:
            create(officer_ctx, share_type="not_shared", open_to_public="not_open")
        assert errors_of(e)["legal_basis"] == [rules.NEEDS_LEGAL_BASIS]
        assert model.Session.query(model.Package).count() == 0  # nothing half-written

    def test_rules_hold_on_update_and_patch(self, officer_ctx: dict[str, Any]):
        entry = create(officer_ctx)
        with pytest.raises(tk.ValidationError) as e:
            call_action(
                "package_patch", dict(officer_ctx), id=entry["id"], share_type="conditional"
            )
        assert errors_of(e)["share_conditions"] == [rules.NEEDS_CONDITIONS]
        full = call_action("package_show", id=entry["id"])
        full.update(share_type="not_shared", legal_basis="", open_to_public="open")
        with pytest.raises(tk.ValidationError) as e:
            call_action("package_update", dict(officer_ctx), **full)
        assert set(errors_of(e)) >= {"legal_basis", "open_to_public"}

    def test_item_share_type_may_only_be_stricter(self, officer_ctx: dict[str, Any]):
        items = [{"name": "姓名", "data_type": "string", "share_type": "unconditional"}]
        with pytest.raises(tk.ValidationError) as e:
            create(officer_ctx, share_type="conditional", share_conditions="c", data_items=items)
        item_errors = errors_of(e)["data_items"][0]["share_type"]
        assert "姓名" in item_errors[0]

    def test_defaults_follow_art_5(self, officer_ctx: dict[str, Any]):
        fields = gs_factories.entry_fields()
        fields.pop("share_type")
        fields.pop("open_to_public")
        entry = call_action(
            "package_create",
            dict(officer_ctx),
            **fields,
            name="defaults",
            title="默认",
            notes="摘要",
            owner_org=gs_factories.Department()["id"],
        )
        assert entry["share_type"] == "unconditional"
        assert entry["open_to_public"] == "not_open"

    def test_a_complete_entry_round_trips(self, officer_ctx: dict[str, Any]):
        entry = create(
            officer_ctx,
            resource_category="basic",
            basic_category="population",
            share_type="conditional",
            share_conditions="仅限公安机关",
            share_methods=["api", "exchange_node"],
            data_items=[
                {"name": "公民身份号码", "data_type": "string", "length": "18", "base_item": "true"}
            ],
        )
        shown = call_action("package_show", id=entry["id"])
        assert shown["share_methods"] == ["api", "exchange_node"]
        assert shown["data_items"][0]["name"] == "公民身份号码"
        assert shown["share_conditions"] == "仅限公安机关"


class TestCodes:
    def test_codes_are_assigned_and_provider_code_comes_from_the_department(
        self, officer_ctx: dict[str, Any]
    ):
        dept = gs_factories.Department()
        first = create(
            officer_ctx,
            owner_org=dept["id"],
            resource_category="basic",
            basic_category="legal_entity",
        )
        second = create(officer_ctx, owner_org=dept["id"], provider_code="forged")
        assert first["provider_code"] == second["provider_code"] == dept["provider_code"]
        assert first["resource_code"] == f"102000/{dept['provider_code']}000001"
        assert second["resource_code"] == f"300000/{dept['provider_code']}000002"

    def test_a_code_never_changes_and_is_never_chosen(self, officer_ctx: dict[str, Any]):
        with pytest.raises(tk.ValidationError) as e:
            create(officer_ctx, resource_code="100000/X000001")
        assert "resource_code" in errors_of(e)
        entry = create(officer_ctx)
        with pytest.raises(tk.ValidationError) as e:
            call_action(
                "package_patch", dict(officer_ctx), id=entry["id"], resource_code="300000/OTHER"
            )
        assert "resource_code" in errors_of(e)
        patched = call_action("package_patch", dict(officer_ctx), id=entry["id"], title="新名")
        assert patched["resource_code"] == entry["resource_code"]

    def test_codes_are_not_reused_after_deletion(self, officer_ctx: dict[str, Any]):
        dept = gs_factories.Department()
        entry = create(officer_ctx, owner_org=dept["id"])
        call_action("package_delete", dict(officer_ctx), id=entry["id"])
        again = create(officer_ctx, owner_org=dept["id"])
        assert again["resource_code"].endswith("000002")

    def test_concurrent_creations_get_distinct_codes(self, officer_ctx: dict[str, Any]):
        dept = gs_factories.Department()
        model.Session.commit()
        codes: list[str] = []
        failures: list[BaseException] = []

        def worker(i: int) -> None:
            try:
                entry = create(dict(officer_ctx), owner_org=dept["id"], name=f"parallel-{i}")
                codes.append(entry["resource_code"])
            except BaseException as e:
                failures.append(e)
            finally:
                model.Session.remove()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []
        assert len(codes) == len(set(codes)) == 8
        assert sorted(c[-6:] for c in codes) == [f"{i:06d}" for i in range(1, 9)]

    def test_code_is_searchable(self, officer_ctx: dict[str, Any]):
        entry = create(officer_ctx)
        found = call_action("package_search", q=f'resource_code:"{entry["resource_code"]}"')
        assert [d["id"] for d in found["results"]] == [entry["id"]]

    def test_related_codes_must_exist(self, officer_ctx: dict[str, Any]):
        entry = create(officer_ctx)
        linked = create(officer_ctx, related_resource_codes=[entry["resource_code"]])
        assert linked["related_resource_codes"] == [entry["resource_code"]]
        with pytest.raises(tk.ValidationError) as e:
            create(officer_ctx, related_resource_codes=["300000/NOPE000001"])
        assert "related_resource_codes" in errors_of(e)


class TestDepartments:
    def test_provider_code_is_checked_per_gb_32100(self, officer_ctx: dict[str, Any]):
        with pytest.raises(tk.ValidationError) as e:
            call_action(
                "organization_create",
                dict(officer_ctx),
                name="bad-code",
                provider_code="91350100M000100Y44",
            )
        assert "GB 32100" in errors_of(e)["provider_code"][0]
        ok = call_action(
            "organization_create",
            dict(officer_ctx),
            name="good-code",
            provider_code="91350100m000100y43",
            department_level="county",
            is_central="false",
        )
        assert ok["provider_code"] == "91350100M000100Y43"
        assert ok["department_level"] == "county"

    def test_an_entry_needs_a_department_with_a_code(self, officer_ctx: dict[str, Any]):
        org = call_action("organization_create", dict(officer_ctx), name="no-code")
        with pytest.raises(tk.ValidationError) as e:
            create(officer_ctx, owner_org=org["id"])
        assert "统一社会信用代码" in errors_of(e)["owner_org"][0]

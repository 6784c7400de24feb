"""The sharing authority's catalogue review (2025 Regulations art. 16, 17, issue 18 item 5):
grading fields, the review lifecycle, every role, what other departments see (search, show,
DCAT) before an entry is announced, and the announcement notices."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import helpers

from ckanext.govshare.catalogue import rules as catalogue_rules
from ckanext.govshare.review import rules
from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access.conftest import World, request_form

PROFILE = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")


def _new_entry(w: World, **fields: Any) -> dict[str, Any]:
    """An entry of the provider, created by its data officer and waiting for its review."""
    return gs.SharingEntry(
        context={"user": w.users["provider_officer"]["name"], "ignore_auth": False},
        owner_org=w.provider["id"],
        reviewed=False,
        **fields,
    )


def _notices(w: World, who: str, kind: str, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The user's notices of one kind about the entry."""
    result = w.call(who, "govshare_notice_list", limit=1000)
    return [
        n
        for n in result["results"]
        if n["kind"] == kind and (n.get("link") or "").endswith(f"/dataset/{entry['name']}")
    ]


def _found(w: World, who: str | None, entry: dict[str, Any]) -> bool:
    result = w.call(who, "package_search", q=f'id:"{entry["id"]}"', include_private=True)
    return result["count"] == 1


@PROFILE
class TestGradingFields:
    def _create(self, w: World, **fields: Any) -> dict[str, Any]:
        data = {
            **gs.entry_fields(),
            "name": gs.unique_name("graded"),
            "title": "分级目录",
            "notes": "摘要",
            "owner_org": w.provider["id"],
            **fields,
        }
        return w.call("provider_officer", "package_create", **data)

    def test_published_entry_needs_grade_assessment_and_approval(self, world: World):
        fields = {k: "" for k in catalogue_rules.GRADING_FIELDS}
        with pytest.raises(tk.ValidationError) as e:
            self._create(world, **fields)
        errors = e.value.error_dict
        assert set(errors) >= set(catalogue_rules.GRADING_FIELDS) and len(errors) >= 5
        for field in catalogue_rules.GRADING_FIELDS:
            assert errors[field] == [catalogue_rules.needs_field(field)], field
            assert " | " in errors[field][0]  # English and Chinese

    def test_a_draft_may_lack_them(self, world: World):
        fields = {k: "" for k in catalogue_rules.GRADING_FIELDS}
        entry = self._create(world, state="draft", **fields)
        assert entry["state"] == "draft"

    def test_publishing_the_draft_asks_for_them(self, world: World):
        fields = {k: "" for k in catalogue_rules.GRADING_FIELDS}
        entry = self._create(world, state="draft", **fields)
        with pytest.raises(tk.ValidationError) as e:
            world.call("provider_officer", "package_patch", id=entry["id"], state="active")
        assert "data_grade" in e.value.error_dict

    def test_personal_information_needs_its_impact_assessment(self, world: World):
        with pytest.raises(tk.ValidationError) as e:
            self._create(world, personal_information="yes")
        assert e.value.error_dict["pi_impact_assessment"] == [catalogue_rules.NEEDS_PI_ASSESSMENT]
        entry = self._create(world, personal_information="yes", pi_impact_assessment="已评估")
        assert entry["pi_impact_assessment"] == "已评估"

    def test_conditional_entry_states_scope_and_use(self, world: World):
        with pytest.raises(tk.ValidationError) as e:
            self._create(world, share_type="conditional", share_conditions="仅限执法")
        assert e.value.error_dict["use_scope"] == [catalogue_rules.NEEDS_USE_SCOPE]

    def test_not_shared_needs_the_kind_of_its_basis_and_no_policy(self, world: World):
        base = {"share_type": "not_shared", "open_to_public": "not_open", "legal_basis": "某法"}
        with pytest.raises(tk.ValidationError) as e:
            self._create(world, **base)
        assert e.value.error_dict["legal_basis_type"] == [catalogue_rules.NEEDS_LEGAL_BASIS_TYPE]
        with pytest.raises(tk.ValidationError) as e:
            self._create(world, legal_basis_type="policy", **base)
        assert e.value.error_dict["legal_basis_type"] == [catalogue_rules.POLICY_NO_LONGER_SUFFICES]
        entry = self._create(world, legal_basis_type="administrative_regulation", **base)
        assert entry["legal_basis_type"] == "administrative_regulation"

    def test_codes_and_dates_are_checked(self, world: World):
        with pytest.raises(tk.ValidationError) as e:
            self._create(world, data_grade="secret", personal_information="maybe")
        assert e.value.error_dict["data_grade"] == [catalogue_rules.unknown_code("data_grade")]
        assert e.value.error_dict["personal_information"] == [
            catalogue_rules.unknown_code("personal_information")
        ]
        with pytest.raises(tk.ValidationError) as e:
            self._create(world, head_approved_on="2999-01-01")
        assert e.value.error_dict["head_approved_on"] == [catalogue_rules.APPROVAL_IN_FUTURE]


class TestFieldsUnder2016:
    """measures-2016: every new field optional, the 2016 basis ``policy`` allowed."""

    def test_optional_and_policy_allowed(self, world: World):
        data = {
            **gs.entry_fields(),
            "name": gs.unique_name("old"),
            "title": "旧目录",
            "notes": "摘要",
            "owner_org": world.provider["id"],
            "share_type": "not_shared",
            "open_to_public": "not_open",
            "legal_basis": "党中央文件",
            "legal_basis_type": "policy",
        }
        entry = world.call("provider_officer", "package_create", **data)
        assert entry["legal_basis_type"] == "policy"
        assert "data_grade" not in entry
        assert "review_status" not in entry  # no review under 2016
        assert _found(world, "other", entry)


@PROFILE
class TestLifecycle:
    def test_a_new_entry_waits_and_only_its_department_and_the_authority_see_it(self, world: World):
        entry = _new_entry(world)
        shown = world.call("provider_staff", "package_show", id=entry["id"])
        assert shown["review_status"] == "pending"
        assert shown["review_due"]
        for who in ("provider_officer", "provider_staff", "authority", "sysadmin"):
            assert _found(world, who, entry), who
            world.call(who, "package_show", id=entry["id"])
        for who in ("requester", "requester_officer", "other", "conference", "outsider", None):
            assert not _found(world, who, entry), who
            with pytest.raises(tk.NotAuthorized):
                world.call(who, "package_show", id=entry["id"])

    def test_an_unreviewed_entry_cannot_be_requested(self, world: World):
        entry = _new_entry(world, share_type="conditional")
        with pytest.raises((tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound)):
            world.call(
                "requester",
                "govshare_request_create",
                **request_form(world, package_id=entry["id"]),
            )
        world.call("authority", "govshare_catalogue_review", id=entry["id"], decision="approve")
        made = world.call(
            "requester", "govshare_request_create", **request_form(world, package_id=entry["id"])
        )
        assert made["package_id"] == entry["id"]

    def test_the_authority_is_told_and_approval_announces(self, world: World):
        entry = _new_entry(world)
        assert len(_notices(world, "authority", "catalogue_review_submitted", entry)) == 1
        review = world.call(
            "authority", "govshare_catalogue_review", id=entry["id"], decision="approve"
        )
        assert review["status"] == "approved"
        assert review["announced_at"]
        shown = world.call("other", "package_show", id=entry["id"])
        assert shown["review_status"] == "approved"
        assert _found(world, "other", entry)
        # Every department's data officers are told, once.
        for who in ("requester_officer", "provider_officer", "provider_editor"):
            assert len(_notices(world, who, "catalogue_announced", entry)) == 1, who
        assert _notices(world, "requester", "catalogue_announced", entry) == []
        # Both steps in the audit trail, on the entry, in their transactions.
        from ckanext.govshare.tests.feedback.conftest import audit_actions

        actions = audit_actions(entry["id"])
        assert ("govshare_catalogue_review_submit", "success") in actions
        assert ("govshare_catalogue_review", "success") in actions

    def test_return_needs_reasons_and_tells_the_provider(self, world: World):
        entry = _new_entry(world)
        with pytest.raises(tk.ValidationError) as e:
            world.call("authority", "govshare_catalogue_review", id=entry["id"], decision="return")
        assert e.value.error_dict["reasons"] == [rules.REASONS_REQUIRED]
        with pytest.raises(tk.ValidationError) as e:
            world.call(
                "authority",
                "govshare_catalogue_review",
                id=entry["id"],
                decision="return",
                reasons=[f"理由{i}" for i in range(21)],
            )
        assert "reasons" in e.value.error_dict
        review = world.call(
            "authority",
            "govshare_catalogue_review",
            id=entry["id"],
            decision="return",
            reasons=["信息项描述不完整", "缺少保密风险评估附件"],
        )
        assert review["status"] == "returned"
        assert review["reasons"] == ["信息项描述不完整", "缺少保密风险评估附件"]
        told = _notices(world, "provider_officer", "catalogue_returned", entry)
        assert len(told) == 1 and "信息项描述不完整" in told[0]["body"]
        assert world.call("provider_staff", "package_show", id=entry["id"])["review_status"] == (
            "returned"
        )
        assert not _found(world, "other", entry)
        # Deciding again: nothing waits.
        with pytest.raises(tk.ValidationError) as e:
            world.call("authority", "govshare_catalogue_review", id=entry["id"], decision="approve")
        assert e.value.error_dict["id"] == [rules.NO_PENDING_REVIEW]
        # Corrected, it waits again (a new entry: still withheld).
        world.call("provider_officer", "package_patch", id=entry["id"], notes="补充了信息项描述")
        shown = world.call("provider_officer", "package_show", id=entry["id"])
        assert shown["review_status"] == "pending"
        assert not _found(world, "other", entry)

    def test_a_change_of_an_announced_entry_waits_while_it_stays_visible(self, world: World):
        entry = world.unconditional
        world.call("provider_officer", "package_patch", id=entry["id"], data_grade="important")
        shown = world.call("other", "package_show", id=entry["id"])
        assert shown["review_status"] == "pending"
        assert shown["review_change_pending"] is True
        assert _found(world, "other", entry)
        listed = world.call("authority", "govshare_catalogue_review_list", status="pending")
        mine = [r for r in listed["results"] if r["package_id"] == entry["id"]]
        assert len(mine) == 1
        assert mine[0]["kind"] == "change" and mine[0]["changed_fields"] == ["data_grade"]
        # A newer change supersedes the pending one and keeps what both touched.
        world.call("provider_officer", "package_patch", id=entry["id"], notes="新摘要")
        reviews = world.call("authority", "govshare_catalogue_review_list", package_id=entry["id"])
        by_status = {r["status"]: r for r in reviews["results"]}
        assert by_status["superseded"]["changed_fields"] == ["data_grade"]
        assert by_status["pending"]["changed_fields"] == ["notes", "data_grade"]

    def test_a_new_resource_is_no_catalogue_change(self, world: World):
        entry = world.unconditional
        helpers.call_action(
            "resource_create",
            context={"user": world.users["provider_officer"]["name"], "ignore_auth": False},
            package_id=entry["id"],
            url="http://example.org/more.csv",
            name="more.csv",
        )
        shown = world.call("other", "package_show", id=entry["id"])
        assert shown["review_status"] == "approved"

    def test_review_list_answers_what_the_caller_may_see(self, world: World):
        entry = _new_entry(world)
        everyone = world.call("authority", "govshare_catalogue_review_list")
        assert entry["id"] in {r["package_id"] for r in everyone["results"]}
        assert {"count", "results", "limit", "offset"} <= set(everyone)
        own = world.call("provider_staff", "govshare_catalogue_review_list", status="pending")
        assert [r["package_id"] for r in own["results"]] == [entry["id"]]
        assert world.call("other", "govshare_catalogue_review_list")["count"] == 0
        with pytest.raises(tk.ValidationError) as e:
            world.call("authority", "govshare_catalogue_review_list", status="nonsense")
        assert "status" in e.value.error_dict


@PROFILE
class TestReviewAuth:
    @pytest.mark.parametrize(
        "who",
        [
            "provider_officer",
            "provider_editor",
            "provider_staff",
            "requester",
            "requester_officer",
            "other",
            "conference",
            "outsider",
            None,
        ],
    )
    def test_refused(self, world: World, who: str | None):
        entry = _new_entry(world)
        with pytest.raises(tk.NotAuthorized) as e:
            world.call(who, "govshare_catalogue_review", id=entry["id"], decision="approve")
        assert " | " in str(e.value)
        shown = world.call("provider_officer", "package_show", id=entry["id"])
        assert shown["review_status"] == "pending"
        from ckanext.govshare.tests.feedback.conftest import audit_actions

        assert ("govshare_catalogue_review", "refused") in audit_actions(entry["id"])

    @pytest.mark.parametrize("who", ["authority", "sysadmin"])
    def test_allowed(self, world: World, who: str):
        entry = _new_entry(world)
        review = world.call(who, "govshare_catalogue_review", id=entry["id"], decision="approve")
        assert review["status"] == "approved"

    def test_unknown_entry_is_not_found(self, world: World):
        with pytest.raises(tk.ObjectNotFound):
            world.call("authority", "govshare_catalogue_review", id="no-such", decision="approve")

    def test_list_needs_a_login(self, world: World):
        with pytest.raises(tk.NotAuthorized):
            world.call(None, "govshare_catalogue_review_list")


class TestBothProfiles:
    def test_only_2025_reviews(self, world: World, rule_profile: str):
        entry = gs.SharingEntry(
            context={"user": world.users["provider_officer"]["name"], "ignore_auth": False},
            owner_org=world.provider["id"],
            reviewed=False,
        )
        visible = _found(world, "other", entry)
        if rule_profile == "regulation-2025":
            assert not visible
        else:
            assert visible
            with pytest.raises(tk.ValidationError) as e:
                world.call(
                    "authority", "govshare_catalogue_review", id=entry["id"], decision="approve"
                )
            assert "id" in e.value.error_dict


@PROFILE
class TestReminders:
    def test_authority_reminded_before_due_then_told_once_it_is_overdue(self, world: World):
        import datetime as dt

        from ckanext.govshare import workdays
        from ckanext.govshare.reminders import scheduler

        entry = _new_entry(world)
        due = dt.date.fromisoformat(
            world.call("authority", "package_show", id=entry["id"])["review_due"]
        )
        scheduler.run(today=due)
        assert len(_notices(world, "authority", "catalogue_review_due_soon", entry)) == 1
        after = workdays.current().add_workdays(due, 1)
        first = scheduler.run(today=after)
        assert first["catalogue reviews overdue"] == 1
        assert len(_notices(world, "authority", "catalogue_review_overdue", entry)) == 1
        again = scheduler.run(today=after)
        assert again["catalogue reviews overdue"] == 0
        # Decided, nothing more is sent.
        world.call("authority", "govshare_catalogue_review", id=entry["id"], decision="approve")
        later = scheduler.run(today=workdays.current().add_workdays(due, 3))
        assert later["catalogue reviews overdue"] == 0


@PROFILE
class TestSearchAnswers:
    def test_search_results_carry_the_review_status_read_now(self, world: World):
        entry = _new_entry(world)
        found = world.call("authority", "package_search", q=f'id:"{entry["id"]}"')
        assert [r["review_status"] for r in found["results"]] == ["pending"]
        world.call("authority", "govshare_catalogue_review", id=entry["id"], decision="approve")
        found = world.call("other", "package_search", q=f'id:"{entry["id"]}"')
        assert [r["review_status"] for r in found["results"]] == ["approved"]
        assert found["results"][0]["review_due"] is None

    def test_an_unreviewed_entry_cannot_be_obtained(self, world: World):
        entry = _new_entry(world, share_type="unconditional")
        form = {
            "package_id": entry["id"],
            "requesting_org": world.requester_org["name"],
            "purpose": "work_reference",
            "purpose_detail": "统计分析",
            "pledge": True,
        }
        with pytest.raises((tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound)):
            world.call("requester", "govshare_access_obtain", **form)
        world.call("authority", "govshare_catalogue_review", id=entry["id"], decision="approve")
        assert (
            world.call("requester", "govshare_access_obtain", **form)["package_id"] == entry["id"]
        )

    def test_a_deleted_entry_leaves_the_queue(self, world: World):
        entry = _new_entry(world)
        world.call("provider_officer", "package_delete", id=entry["id"])
        pending = world.call("authority", "govshare_catalogue_review_list", status="pending")
        assert entry["id"] not in {r["package_id"] for r in pending["results"]}
        everything = world.call("authority", "govshare_catalogue_review_list", status="superseded")
        assert entry["id"] in {r["package_id"] for r in everything["results"]}

    def test_data_grade_is_a_facet(self, world: World):
        _new_entry(world, data_grade="core")
        found = world.call(
            "authority", "package_search", **{"facet.field": ["data_grade"], "rows": 0}
        )
        assert found["facets"]["data_grade"]["core"] == 1
        assert found["facets"]["data_grade"]["general"] == 3  # the world's three entries
        filtered = world.call("authority", "package_search", fq="data_grade:core")
        assert filtered["count"] == 1
        # Another department does not count an entry it may not see.
        other = world.call("other", "package_search", **{"facet.field": ["data_grade"]})
        assert "core" not in other["facets"].get("data_grade", {})


class TestLegacyEntries:
    """An entry published under measures-2016, then the platform moves to regulation-2025."""

    def test_a_legacy_entry_takes_resources_and_its_changes_are_reviewed(
        self, world: World, monkeypatch: pytest.MonkeyPatch
    ):
        entry = world.unconditional  # made under measures-2016: no grade, no review
        assert "data_grade" not in entry
        monkeypatch.setitem(tk.config, "ckanext.govshare.rule_profile", "regulation-2025")
        helpers.call_action(
            "resource_create",
            context={"user": world.users["provider_officer"]["name"], "ignore_auth": False},
            package_id=entry["id"],
            url="http://example.org/later.csv",
            name="later.csv",
        )
        shown = world.call("other", "package_show", id=entry["id"])
        assert shown["review_status"] == "none"
        world.call("provider_officer", "package_patch", id=entry["id"], notes="新摘要")
        shown = world.call("other", "package_show", id=entry["id"])
        assert shown["review_status"] == "pending" and shown["review_change_pending"]
        # Once graded, the grade cannot be dropped again.
        graded = {
            "data_grade": "general",
            "personal_information": "no",
            "confidentiality_assessment": "不涉密",
            "head_approved_by": "张主任",
            "head_approved_on": "2026-01-10",
        }
        world.call("provider_officer", "package_patch", id=entry["id"], **graded)
        with pytest.raises(tk.ValidationError) as e:
            world.call("provider_officer", "package_patch", id=entry["id"], data_grade="")
        assert "data_grade" in e.value.error_dict

"""Factories for the suite (factory_boy, on CKAN's ``ckan.tests.factories``).

Departments and catalogue entries that pass the catalogue's rules; members of departments;
and the objects of the sharing workflows (requests, grants, download tokens, feedback,
obligations), made through their actions as a given user, auth checked, so a factory makes
only what that user could make.
"""

from __future__ import annotations

import random
import string
from typing import Any

import factory
from ckan.tests import factories, helpers

from ckanext.govshare.catalogue import credit_code

_rng = random.Random(2016)


def provider_code() -> str:
    """A valid, distinct unified social credit code."""
    body = "11" + "".join(_rng.choice(credit_code.ALPHABET) for _ in range(15))
    return credit_code.with_check_character(body)


class Department(factories.Organization):
    provider_code = factory.LazyFunction(provider_code)
    department_level = "provincial"


class CatalogueEntry(factories.Dataset):
    owner_org = factory.LazyFunction(lambda: Department()["id"])
    resource_category = "departmental"
    format_type = "spreadsheet"
    share_type = "unconditional"
    share_methods = factory.LazyFunction(lambda: ["file_download"])
    open_to_public = "open"
    update_cycle = "monthly"
    release_date = "2026-01-15"
    data_items = factory.LazyFunction(
        lambda: [{"name": "编号", "data_type": "string", "length": "18"}]
    )

    @classmethod
    def api_create(cls, data_dict: dict[str, Any]) -> Any:
        """Under a profile that grades and reviews catalogues (2025 Regulations art. 13, 16),
        an entry comes graded and approved by the sharing authority, as every existing suite
        expects an entry to be; ``reviewed=False`` leaves it waiting for its review."""
        reviewed = data_dict.pop("reviewed", True)
        for field, value in graded_fields(str(data_dict.get("share_type") or "")).items():
            data_dict.setdefault(field, value)
        result = super().api_create(data_dict)
        if reviewed:
            approve_entry(result)
        return result


def graded_fields(share_type: str = "") -> dict[str, object]:
    """The 2025 catalogue content (grading, assessments, the head's approval, art. 13-15)
    while the profile in force asks for it; nothing under measures-2016."""
    from ckanext.govshare import profiles

    fields: dict[str, object] = {}
    if profiles.on("catalogue_grading"):
        fields.update(
            data_grade="general",
            personal_information="no",
            confidentiality_assessment="经评估，不涉及国家秘密",
            head_approved_by="张主任",
            head_approved_on="2026-01-10",
        )
        if share_type == "conditional":
            fields["use_scope"] = "仅限市场监管用途"
    if profiles.on("legal_basis_type") and share_type == "not_shared":
        fields["legal_basis_type"] = "law"
    return fields


def approve_entry(entry: dict[str, Any]) -> None:
    """The sharing authority's approval of an entry waiting for review, as the site (2025
    art. 16); nothing when none waits or the profile reviews no catalogues."""
    from ckanext.govshare import profiles

    if not profiles.on("catalogue_review") or entry.get("state", "active") != "active":
        return
    shown = helpers.call_action("package_show", id=entry["id"])
    if shown.get("review_status") != "pending":
        return
    site = helpers.call_action("get_site_user", context={"ignore_auth": True})
    helpers.call_action(
        "govshare_catalogue_review",
        context={"user": site["name"], "ignore_auth": True},
        id=entry["id"],
        decision="approve",
    )


class SharingEntry(CatalogueEntry):
    """An entry of the sharing world: two data items, two share methods, one link resource,
    and what its share type asks for (conditions for a conditional entry, the legal basis for
    a not-shared one; neither is open to the public) (art. 7)."""

    name = factory.LazyFunction(lambda: unique_name("entry"))
    title = factory.LazyAttribute(lambda o: f"{o.share_type} entry")
    notes = "摘要"
    share_methods = factory.LazyFunction(lambda: ["file_download", "api"])
    data_items = factory.LazyFunction(
        lambda: [
            {"name": "统一社会信用代码", "data_type": "string"},
            {"name": "法定代表人", "data_type": "string"},
        ]
    )
    resources = factory.LazyFunction(
        lambda: [{"url": "http://example.org/data.csv", "name": "data.csv"}]
    )

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        if kwargs["share_type"] == "conditional":
            kwargs["share_conditions"] = "仅限市场监管用途"
            kwargs["open_to_public"] = "not_open"
        if kwargs["share_type"] == "not_shared":
            kwargs["legal_basis"] = "《中华人民共和国保守国家秘密法》第九条"
            kwargs["open_to_public"] = "not_open"
        return kwargs


class Membership(factory.Factory):
    """``user`` made a member of ``organization`` with ``role`` (member, editor, admin)."""

    class Meta:
        model = dict

    role = "member"

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return helpers.call_action(
            "organization_member_create",
            context={"user": _name(kwargs.pop("by")), "ignore_auth": True},
            id=kwargs["organization"]["id"],
            username=_name(kwargs["user"]),
            role=kwargs["role"],
        )


def _name(user: Any) -> str:
    return user["name"] if isinstance(user, dict) else str(user)


class ActionFactory(factory.Factory):
    """An object made by the action ``_action`` as ``user`` (a user dict or name), auth checked."""

    class Meta:
        model = dict
        abstract = True

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = {"user": _name(kwargs.pop("user")), "ignore_auth": False}
        return helpers.call_action(cls._action, context=context, **kwargs)

    _action = ""


class AccessRequest(ActionFactory):
    """A submitted request for conditional data (art. 12(2)); ``package_id``,
    ``requesting_org`` and the period are the caller's."""

    _action = "govshare_request_create"
    purpose = "administrative_basis"
    purpose_detail = "核验纳税人登记信息"
    scenario = "企业注销一网通办"
    basis = "《税收征收管理法》第十五条"
    share_method = "file_download"
    pledge = True


class Grant(ActionFactory):
    """Unconditional data obtained at once (art. 12(1)): the requesting department's grant."""

    _action = "govshare_access_obtain"
    purpose = "work_reference"
    purpose_detail = "比对"
    pledge = True


class DownloadToken(ActionFactory):
    """A download token on a grant, taken by a member of the holding department."""

    _action = "govshare_token_create"


class Feedback(ActionFactory):
    """A doubt about an entry's data, reported by a department that uses it (art. 17)."""

    _action = "govshare_feedback_create"
    kind = "doubt"
    description = "数据有疑问"


class Obligation(ActionFactory):
    """An update obligation of a provider, opened by the sharing authority (art. 9)."""

    _action = "govshare_obligation_create"
    kind = "law_revised"
    description = "法律修订"


def entry_fields() -> dict[str, object]:
    """The catalogue fields of a valid entry, for calling package_create directly."""
    return {
        "resource_category": "departmental",
        "format_type": "spreadsheet",
        "share_type": "unconditional",
        "share_methods": ["file_download"],
        "open_to_public": "open",
        "update_cycle": "monthly",
        "release_date": "2026-01-15",
        "data_items": [{"name": "编号", "data_type": "string"}],
        **graded_fields("unconditional"),
    }


def unique_name(prefix: str) -> str:
    return prefix + "-" + "".join(_rng.choice(string.ascii_lowercase) for _ in range(8))

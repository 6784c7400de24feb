"""The sharing world of the access tests (tests/access/conftest.py), for the dispute path,
the rule profile and the calendar's deadlines (issue 18, items 1, 2, 8, 11).

Its entries carry what the 2025 Regulations ask of a published entry (art. 13-15: grade,
personal information, the assessments and the head's approval, scope and use, the kind of
legal basis), so the same world serves both profiles.
"""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import helpers

from ckanext.govshare import profiles
from ckanext.govshare.tests import factories as gs
from ckanext.govshare.tests.access import conftest as access
from ckanext.govshare.tests.access.conftest import World, frozen, request_form  # noqa: F401
from ckanext.govshare.tests.access_ui.conftest import as_user  # noqa: F401

CATALOGUE_2025 = {
    "data_grade": "general",
    "personal_information": "no",
    "confidentiality_assessment": "经评估不涉及国家秘密",
    "head_approved_by": "张局长",
    "head_approved_on": "2026-01-05",
}


class _Entry(gs.SharingEntry):
    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs = {**CATALOGUE_2025, **super()._adjust_kwargs(**kwargs)}
        if kwargs["share_type"] == "conditional":
            kwargs.setdefault("use_scope", "仅限市场监管执法使用")
        if kwargs["share_type"] == "not_shared":
            kwargs.setdefault("legal_basis_type", "law")
        return kwargs


def build_world() -> World:
    """The access tests' world, its entries complete under either profile and, where the
    profile has the authority review new entries (2025 art. 16), approved by it."""
    plain = gs.SharingEntry
    gs.SharingEntry = _Entry  # type: ignore[misc]
    try:
        made = access.build_world()
    finally:
        gs.SharingEntry = plain  # type: ignore[misc]
    admin = {"user": made.users["sysadmin"]["name"], "ignore_auth": True}
    if profiles.on("catalogue_review"):
        pending = helpers.call_action(
            "govshare_catalogue_review_list", context=dict(admin), status="pending"
        )
        for review in pending["results"]:
            helpers.call_action(
                "govshare_catalogue_review",
                context=dict(admin),
                id=review["package_id"],
                decision="approve",
            )
    return made


@pytest.fixture
def world(module_world: Any) -> World:
    return module_world(build_world)

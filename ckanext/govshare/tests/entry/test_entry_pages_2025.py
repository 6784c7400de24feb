"""The entry page under the 2025 Regulations (issue 19, item 3): a suspended grant (art. 27)
says why and until when, and offers neither 下载 nor 申请; a terminated one has ended."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from ckanext.govshare.core import clock
from ckanext.govshare.tests.access.conftest import World, request_form
from ckanext.govshare.tests.entry.conftest import approve
from ckanext.govshare.tests.entry.test_entry_pages import APPLY, EN, _resource_buttons, _standing

pytestmark = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")

REASON = "超范围使用：将数据用于未申请的招商用途"


def _page(app, world: World, as_user) -> str:
    return app.get(f"{EN}/dataset/{world.conditional['name']}", headers=as_user("requester")).body


def test_a_suspended_grant_says_why_and_until_when(app, world: World, as_user):
    grant = approve(world, world.submit(**request_form(world)))
    assert _resource_buttons(_page(app, world, as_user))  # live: 下载 offered
    rectify_by = (clock.today() + dt.timedelta(days=30)).isoformat()
    world.call(
        "provider_officer",
        "govshare_grant_suspend",
        id=grant["id"],
        reason=REASON,
        rectify_by=rectify_by,
    )
    page = _page(app, world, as_user)
    section = _standing(page)
    assert "Grant suspended" in section
    refusal = re.search(r"govshare-no-download[^>]*>(.*?)</p>", section, re.S)
    assert refusal and REASON in refusal.group(1) and rectify_by in refusal.group(1)
    assert "The grant is suspended" in refusal.group(1)
    assert _resource_buttons(page) == [] and APPLY not in page
    chinese = _standing(
        app.get(f"/dataset/{world.conditional['name']}", headers=as_user("requester")).body
    )
    assert "该授权已暂停共享" in chinese and REASON in chinese


def test_a_terminated_grant_has_ended(app, world: World, as_user):
    grant = approve(world, world.submit(**request_form(world)))
    world.call(
        "provider_officer",
        "govshare_grant_terminate",
        id=grant["id"],
        reason="停止提供该共享服务",
        **world.filing(grant),
    )
    page = _page(app, world, as_user)
    section = _standing(page)
    assert "Grant ended" in section and "terminated on" in section
    assert "停止提供该共享服务" in section
    assert _resource_buttons(page) == [] and APPLY in section

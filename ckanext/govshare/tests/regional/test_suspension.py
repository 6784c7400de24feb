"""A suspended return grant (2025 Regulations art. 27) stays the department's: syncing the
entry's return gives no fresh grant beside it, and turning return off revokes it too."""

from __future__ import annotations

import datetime as dt

import pytest
from ckan import model

from ckanext.govshare.core import clock
from ckanext.govshare.regional import service

from .conftest import RegionWorld

pytestmark = [
    pytest.mark.usefixtures("with_plugins"),
    pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025"),
]


def test_a_suspended_return_grant_is_not_replaced_and_is_revoked_when_return_ends(
    rw: RegionWorld,
) -> None:
    (grant,) = service.return_grants(rw.returned["id"], organization_id=rw.hangzhou["id"])
    rw.call(
        "provider_officer",
        "govshare_grant_suspend",
        id=grant["id"],
        reason="向辖区外单位提供回流数据",
        rectify_by=(clock.today() + dt.timedelta(days=10)).isoformat(),
    )
    changed = service.sync_entry(rw.returned["id"])
    model.Session.commit()
    assert changed == {"created": [], "revoked": []}
    (held,) = service.return_grants(rw.returned["id"], organization_id=rw.hangzhou["id"])
    assert held["id"] == grant["id"] and held["status"] == "suspended"
    rw.call(
        "provider_officer", "govshare_return_update", package_id=rw.returned["id"], enabled=False
    )
    shown = rw.call("sysadmin", "govshare_grant_show", id=grant["id"])
    assert shown["status"] == "revoked"

"""Under the 2016 Measures there are no usage records, disposal records or service filings:
each action is refused with a 409 naming the profile, and a provider revokes as before."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.plugins import toolkit as tk

from ckanext.govshare.core import clock

from .conftest import World, end, obtain

pytestmark = [
    pytest.mark.usefixtures("with_request_context"),
    pytest.mark.ckan_config("ckanext.govshare.rule_profile", "measures-2016"),
]


def _refused(world: World, who: str, action: str, **data: Any) -> None:
    with pytest.raises(tk.ValidationError) as refused:
        world.call(who, action, **data)
    text = refused.value.error_dict["rule_profile"][0]
    assert "measures-2016" in text and " | " in text


def test_no_usage_records(world: World) -> None:
    grant = obtain(world)
    _refused(
        world,
        "requester",
        "govshare_usage_record_create",
        grant_id=grant["id"],
        kind="scenario",
        description="x",
    )
    _refused(world, "authority", "govshare_usage_record_list", grant_id=grant["id"])


def test_access_is_still_checked_first(world: World) -> None:
    grant = obtain(world)
    with pytest.raises(tk.NotAuthorized):
        world.call("other", "govshare_usage_record_list", grant_id=grant["id"])


def test_no_disposal_record_and_no_disposal_date(world: World) -> None:
    grant = end(world, obtain(world))
    assert grant["disposal_due"] is None
    _refused(
        world,
        "requester_officer",
        "govshare_grant_dispose",
        id=grant["id"],
        method="deleted",
        description="x",
    )


def test_no_filings_and_a_provider_revokes_without_one(world: World) -> None:
    grant = obtain(world)
    _refused(
        world,
        "provider_officer",
        "govshare_service_filing_create",
        package_id=world.unconditional["id"],
        kind="end",
        description="x",
        consultation="y",
        effective_date=clock.today().isoformat(),
    )
    _refused(world, "authority", "govshare_service_filing_list")
    revoked = world.call("provider_officer", "govshare_grant_revoke", id=grant["id"], reason="r")
    assert revoked["status"] == "revoked"

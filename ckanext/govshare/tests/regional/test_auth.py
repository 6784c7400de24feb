"""Who may turn data return on or off, see it, and see its coverage (issue 17, item 4), for
every role of workflows.md; refusals in both languages."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest

from .conftest import RegionWorld

pytestmark = pytest.mark.usefixtures("with_plugins")

ROLES = (
    None,  # anonymous
    "other",  # a department user of another department
    "provider_staff",  # a member of the provider without an officer's capacity
    "provider_officer",
    "provider_editor",
    "requester_officer",  # the officer of a lower department (Hangzhou)
    "authority",
    "conference",
    "sysadmin",
)
MAY = {
    "govshare_return_update": {"provider_officer", "provider_editor", "sysadmin"},
    "govshare_return_show": {"provider_officer", "provider_editor", "authority", "sysadmin"},
    "govshare_return_coverage": {"authority", "sysadmin"},
}


def _data(rw: RegionWorld, action: str) -> dict[str, object]:
    if action == "govshare_return_coverage":
        return {}
    if action == "govshare_return_update":
        return {"package_id": rw.returned["id"], "enabled": True}
    return {"package_id": rw.returned["name"]}


@pytest.mark.parametrize(("action", "who"), [(a, w) for a in sorted(MAY) for w in ROLES])
def test_every_role(rw: RegionWorld, action: str, who: str | None) -> None:
    if who in MAY[action]:
        answer = rw.call(who, action, **_data(rw, action))
        assert isinstance(answer, dict) and answer
        return
    with pytest.raises(tk.NotAuthorized) as refused:
        rw.call(who, action, **_data(rw, action))
    assert " | " in str(refused.value), (action, who)


def test_a_lower_department_sees_its_own_grant(rw: RegionWorld) -> None:
    mine = rw.call("requester", "govshare_grant_list", direction="outgoing")["results"]
    (grant,) = [g for g in mine if g["source"] == "return"]
    shown = rw.call("requester", "govshare_grant_show", id=grant["id"])
    assert shown["row_filter"] == {"column": "region", "prefix": "3301"}
    with pytest.raises(tk.NotAuthorized):
        rw.call("other", "govshare_grant_show", id=grant["id"])


def test_no_such_entry_is_a_404_once_allowed(rw: RegionWorld) -> None:
    with pytest.raises(tk.ObjectNotFound):
        rw.call("sysadmin", "govshare_return_show", package_id="no-such-entry")

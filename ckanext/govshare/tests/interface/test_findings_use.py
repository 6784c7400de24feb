"""``use_outside_grant`` (2025 Regulations art. 25, 40(2), 40(3)) from the refusals the service
interface really records: a column the grant does not hold is use beyond the grant (40(2)); a
token used by someone it was not issued to is passing it on (40(3)); a department with no
grant at all is an ordinary refused attempt (40(6)). Under the 2016
Measures the same refusals are refused attempts (art. 24(4))."""

# ruff: noqa: F811 (the module world fixtures are imported and used as parameters)
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan import model

from ckanext.govshare.core import clock
from ckanext.govshare.logic.auth.interface import route_context
from ckanext.govshare.reports import build
from ckanext.govshare.tests.db import reset_audit
from ckanext.govshare.tests.interface.conftest import IWorld, bearer, iw  # noqa: F401
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401


def _query(app: Any, iw: IWorld, headers: dict[str, str], **params: Any) -> Any:
    return app.get(f"/govshare/query/{iw.resource_id}", query_string=params, headers=headers)


def _refusals(app: Any, iw: IWorld, bearer: Any) -> None:
    """The holder's member asks for a column outside the api grant; another user of the
    department uses the member's token; a department without a grant asks twice."""
    token = iw.token()
    assert _query(app, iw, bearer(token), fields="credit_code,注册资本").status_code == 403
    context = route_context(iw.world.users["requester_officer"]["name"], "test", token)
    with pytest.raises(tk.NotAuthorized):
        tk.get_action("govshare_data_query")(context, {"resource_id": iw.resource_id})
    model.Session.commit()  # the route's action commits the refusal's audit event
    for _ in range(2):
        with pytest.raises(tk.NotAuthorized):
            iw.call("other", "govshare_data_query", resource_id=iw.resource_id)
        model.Session.commit()


def _found(iw: IWorld) -> dict[str, Any]:
    return iw.call("authority", "govshare_findings_list", year=clock.today().year, limit=1000)


def test_refusals_beyond_the_grant_per_profile(
    app: Any, iw: IWorld, bearer: Any, rule_profile: str, ckan_config: Any
) -> None:
    if clock.today() == dt.date(clock.today().year, 12, 31):
        pytest.skip("a refusal at the year's last moment may count in the next year")
    reset_audit()  # only this test's refusals
    ckan_config[build.THRESHOLD_KEY] = 1
    _refusals(app, iw, bearer)
    holder, other = iw.world.requester_org["id"], iw.world.other_org["id"]
    answer = _found(iw)
    mine = [f for f in answer["results"] if f["organization_id"] in (holder, other)]
    kinds = sorted((f["kind"], f["organization_id"] == holder, f["article"]) for f in mine)
    if rule_profile == "measures-2016":
        # Every refusal counts as an attempt of its user: the member, the officer, other.
        assert kinds == [
            ("refused_attempts", False, "art. 24(4)"),
            ("refused_attempts", True, "art. 24(4)"),
            ("refused_attempts", True, "art. 24(4)"),
        ]
        return
    assert kinds == [
        ("refused_attempts", False, "art. 40(6)"),
        ("use_outside_grant", True, "art. 40(2)"),
        ("use_outside_grant", True, "art. 40(3)"),
    ]
    beyond, passed_on = sorted(
        (f for f in mine if f["kind"] == "use_outside_grant"),
        key=lambda f: f["detail"]["third_party"],
    )
    assert beyond["object_id"] == iw.grant["id"]
    assert beyond["detail"]["reasons"] == ["column_not_granted"]
    assert passed_on["detail"]["reasons"] == ["wrong_user"]
    assert passed_on["detail"]["users"] == [iw.world.users["requester_officer"]["name"]]
    assert all(e["type"] in ("grant", "audit_event") for e in beyond["evidence"])
    assert len([e for e in beyond["evidence"] if e["type"] == "audit_event"]) == 1

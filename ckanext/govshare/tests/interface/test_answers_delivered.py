"""The first answered service-interface call delivers an approved grant's data (2025
Regulations art. 22): ``delivered_at`` set once, method ``service_interface``; a refused call
delivers nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.access.model import grant_table
from ckanext.govshare.core import clock
from ckanext.govshare.tests.interface.conftest import IWorld, events, patch_grant

pytestmark = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")


def _row(grant_id: str) -> dict[str, Any]:
    with model.meta.engine.connect() as conn:
        row = conn.execute(sa.select(grant_table).where(grant_table.c.id == grant_id)).one()
        return dict(row._mapping)


def _as_approved(iw: IWorld) -> str:
    """The api grant as an approval makes it: due within 20 working days, not delivered."""
    patch_grant(
        iw.grant["id"],
        source="approval",
        delivered_at=None,
        delivery_due=clock.today() + dt.timedelta(days=28),
    )
    return iw.grant["id"]


def test_the_first_answered_query_delivers_the_grant(app: Any, iw: IWorld, bearer: Any) -> None:
    grant_id = _as_approved(iw)
    headers = bearer(iw.token())
    refused = app.get(
        f"/govshare/query/{iw.resource_id}", query_string={"fields": "内部备注"}, headers=headers
    )
    assert refused.status_code == 403
    assert _row(grant_id)["delivered_at"] is None  # a refused call delivers nothing
    answered = app.get(
        f"/govshare/query/{iw.resource_id}", query_string={"limit": 1}, headers=headers
    )
    assert answered.status_code == 200, answered.body
    first = _row(grant_id)
    assert first["delivered_at"] is not None
    assert first["delivery_method"] == "service_interface"
    assert first["delivered_by"] == iw.world.users["requester"]["id"]
    assert (
        app.get(
            f"/govshare/query/{iw.resource_id}", query_string={"limit": 1}, headers=headers
        ).status_code
        == 200
    )
    assert _row(grant_id)["delivered_at"] == first["delivered_at"]
    assert len(events(action="govshare_grant_deliver", object_id=grant_id)) == 1

"""The first successful download delivers an approved grant's data (2025 Regulations art. 22):
``delivered_at`` is set by a real download, once; a refused download sets nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.access import grants
from ckanext.govshare.access.model import grant_table
from ckanext.govshare.core import clock
from ckanext.govshare.core.membership import Person

from .conftest import Shared, events

pytestmark = pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")


def _approved(shared: Shared, **limits: Any) -> dict[str, Any]:
    """A grant as an approval makes it (due within 20 working days), committed."""
    world = shared.world
    today = clock.today()
    grant = grants.create_grant(
        package_id=world.unconditional["id"],
        provider_org_id=world.provider["id"],
        organization_id=world.requester_org["id"],
        source="approval",
        purpose="data_verification",
        purpose_detail="核验纳税人登记信息",
        period_start=today,
        period_end=today + dt.timedelta(days=90),
        person=Person(model.User.get(world.users["provider_officer"]["name"])),
        acting_org=world.provider["id"],
        delivery_due=today + dt.timedelta(days=28),
        **limits,
    )
    model.Session.commit()
    return grant


def _row(grant_id: str) -> dict[str, Any]:
    with model.meta.engine.connect() as conn:
        row = conn.execute(sa.select(grant_table).where(grant_table.c.id == grant_id)).one()
        return dict(row._mapping)


def _get(app: Any, shared: Shared, grant: dict[str, Any]) -> Any:
    token = shared.world.call("requester", "govshare_token_create", grant_id=grant["id"])
    return app.get(
        f"/govshare/download/{shared.upload['id']}",
        headers={"Authorization": f"Bearer {token['token']}"},
    )


def test_the_first_download_delivers_the_grant(app: Any, shared: Shared) -> None:
    grant = _approved(shared)
    assert _row(grant["id"])["delivered_at"] is None
    response = _get(app, shared, grant)
    assert response.status_code == 200
    first = _row(grant["id"])
    assert first["delivered_at"] is not None
    assert first["delivery_method"] == "file_download"
    assert first["delivered_by"] == shared.world.users["requester"]["id"]
    assert _get(app, shared, grant).status_code == 200
    assert _row(grant["id"])["delivered_at"] == first["delivered_at"]  # only the first counts
    delivered = events(action="govshare_grant_deliver", object_id=grant["id"])
    assert len(delivered) == 1
    assert delivered[0]["detail"]["method"] == "file_download"
    assert delivered[0]["detail"]["on_time"] is True


def test_a_refused_download_delivers_nothing(app: Any, shared: Shared) -> None:
    grant = _approved(shared, max_downloads=1)
    assert _get(app, shared, grant).status_code == 200
    delivered_at = _row(grant["id"])["delivered_at"]
    model.Session.execute(
        sa.update(grant_table).where(grant_table.c.id == grant["id"]).values(delivered_at=None)
    )
    model.Session.commit()
    assert _get(app, shared, grant).status_code == 403  # the limit is used up
    assert delivered_at is not None
    assert _row(grant["id"])["delivered_at"] is None

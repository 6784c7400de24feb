"""The access tests' sharing world, browsed as each of its users (``access_ui``), and what the
entry-page tests need beside it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.access.model import grant_table
from ckanext.govshare.core import clock
from ckanext.govshare.tests.access.conftest import (  # noqa: F401
    World,
    frozen,
    request_form,
    world,
)
from ckanext.govshare.tests.access_ui.conftest import as_user, submitted  # noqa: F401


def approve(world: World, request: dict[str, Any], **scope: Any) -> dict[str, Any]:  # noqa: F811
    """The provider's data officer approves ``request``; the grant it made."""
    answer = world.call(
        "provider_officer",
        "govshare_request_decide",
        id=request["id"],
        decision="approve",
        reason="同意",
        **scope,
    )
    return answer["grant"]


def use_up(grant: dict[str, Any]) -> None:
    """Every download the grant allows is used (as ``max_downloads`` downloads would leave it:
    the downloads themselves are the downloads suites' subject)."""
    model.Session.execute(
        sa.update(grant_table)
        .where(grant_table.c.id == grant["id"])
        .values(downloads_used=grant_table.c.max_downloads)
    )
    model.Session.commit()


@pytest.fixture
def later(frozen):  # noqa: F811
    """Move the platform's clock to a local day (noon there)."""

    def to(day: dt.date) -> None:
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=clock.timezone())
        frozen(noon.astimezone(dt.timezone.utc))

    return to

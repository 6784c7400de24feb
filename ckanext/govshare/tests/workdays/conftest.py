"""Fixtures of the working-day calendar tests: an empty calendar table and audit trail."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories

from ckanext.govshare.tests import factories as gs_factories
from ckanext.govshare.workdays.model import calendar_day_table


@pytest.fixture
def calendar_db(clean_db: Any) -> None:
    # ``clean_db`` empties the audit trail too (``reset_database`` in tests/conftest.py).
    with model.meta.engine.begin() as conn:
        conn.execute(sa.delete(calendar_day_table))


@pytest.fixture
def roles(calendar_db: Any) -> dict[str, dict[str, Any]]:
    """One user of each role that is not a sysadmin (workflows.md, roles)."""
    member, admin, authority = factories.User(), factories.User(), factories.User()
    gs_factories.Department(users=[{"name": member["name"], "capacity": "member"}])
    gs_factories.Department(users=[{"name": admin["name"], "capacity": "admin"}])
    gs_factories.Department(
        name="sharing-authority", users=[{"name": authority["name"], "capacity": "admin"}]
    )
    return {"department member": member, "org admin": admin, "sharing authority": authority}

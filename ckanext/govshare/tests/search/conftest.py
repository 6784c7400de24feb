"""A small catalogue with known properties, for the search tests."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories

from ckanext.govshare.tests import factories as gs_factories


@pytest.fixture
def catalogue(module_world: Any) -> dict[str, Any]:
    """The catalogue, built once per test module on a reset database (``module_world``); what
    a test writes is gone for the next."""
    return module_world(build_catalogue)


def build_catalogue() -> dict[str, Any]:
    """Two departments, a group, and entries whose matches each test knows in advance."""
    health = gs_factories.Department(name="health", title="卫生健康委员会")
    police = gs_factories.Department(name="police", title="公安局")
    group = factories.Group(name="population-theme", title="人口主题")
    d = {}
    d["population"] = gs_factories.CatalogueEntry(
        name="population-basic",
        title="人口基础信息",
        notes="全员人口基础信息库",
        owner_org=police["id"],
        tags=[{"name": "人口"}, {"name": "户籍"}],
        groups=[{"name": group["name"]}],
        license_id="cc-by",
        resources=[{"url": "http://example.com/a.csv", "format": "CSV", "name": "人口表"}],
    )
    d["household"] = gs_factories.CatalogueEntry(
        name="household-register",
        title="户籍登记",
        notes="Household registration records",
        owner_org=police["id"],
        tags=[{"name": "户籍"}],
        license_id="other-closed",
        resources=[{"url": "http://example.com/b.json", "format": "JSON"}],
    )
    d["hospitals"] = gs_factories.CatalogueEntry(
        name="hospitals",
        title="Hospital beds by county",
        notes="Beds and doctors per county",
        owner_org=health["id"],
        tags=[{"name": "health"}],
        license_id="cc-by",
        resources=[{"url": "http://example.com/c.csv", "format": "CSV"}],
    )
    d["vaccines"] = gs_factories.CatalogueEntry(
        name="vaccinations",
        title="预防接种统计",
        notes="Vaccination statistics population",
        owner_org=health["id"],
        tags=[{"name": "health"}, {"name": "人口"}],
        license_id="odc-by",
    )
    d["private"] = gs_factories.CatalogueEntry(
        name="private-clinic-records",
        title="诊所内部记录 hospital",
        notes="内部",
        owner_org=health["id"],
        private=True,
        tags=[{"name": "health"}],
    )
    d["draft"] = gs_factories.CatalogueEntry(
        name="draft-entry",
        title="草稿 hospital",
        owner_org=health["id"],
        state="draft",
    )
    return {"health": health, "police": police, "group": group, **d}

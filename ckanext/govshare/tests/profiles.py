"""Run a suite under both rule profiles (issue 18, item 11).

``both_profiles`` is a parametrized fixture: a module that uses it (``pytestmark =
pytest.mark.usefixtures("rule_profile")`` with ``rule_profile = both_profiles`` imported, or a
test asking for ``rule_profile``) runs each test once under ``regulation-2025`` and once under
``measures-2016``; the fixture's value is the profile's name. Each param carries its
``ckan_config`` mark, so the plugins, the config and the module's world are those of the
profile.

The fixture is module-scoped so that pytest runs a module's tests profile by profile (all of
one, then all of the other) instead of alternating test by test, which would load the plugins
and rebuild the module's world before every test.
"""

from __future__ import annotations

import pytest

OPTION = "ckanext.govshare.rule_profile"
NAMES = ("regulation-2025", "measures-2016")


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(name, id=name, marks=pytest.mark.ckan_config(OPTION, name)) for name in NAMES
    ],
)
def rule_profile(request: pytest.FixtureRequest) -> str:
    return request.param

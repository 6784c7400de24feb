"""The sharing world of tests/access (its users of every role) for the catalogue review and
the catalogue-update extension (2025 Regulations art. 16, 17), and both rule profiles."""

from __future__ import annotations

from ckanext.govshare.tests.access.conftest import World, request_form, world  # noqa: F401
from ckanext.govshare.tests.access_ui.conftest import as_user  # noqa: F401
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

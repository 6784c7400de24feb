"""The sharing world of the access tests (``tests/access/conftest.py``), for the workbench."""

from __future__ import annotations

from ckanext.govshare.tests.access.conftest import (  # noqa: F401
    World,
    build_world,
    frozen,
    request_form,
    world,
)

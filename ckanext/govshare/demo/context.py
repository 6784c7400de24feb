"""Whom the demo acts as: CKAN's site user for the catalogue, the demo logins for the rest.

Everything the demo makes goes through the action API, so it passes every rule a user meets.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import Context


def site_context() -> Context:
    """CKAN's site user (a sysadmin), for what only the platform sets up."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def as_user(user: str) -> Context:
    """A demo login, checked like any user: the demo shows what each role may do."""
    return {"user": user, "ignore_auth": False}

"""The demo logins: a data officer (organization admin) and a staff member (member) for every
department, the sharing authority and the joint conference, sharing one password kept next to
the configuration file (``demo-password.txt``, git-ignored)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable

import ckan.plugins.toolkit as tk
from ckan import model

from .context import site_context


def _demo_password() -> str:
    """One password for every demo login, generated on the first run and kept (git-ignored)."""
    config_file = tk.config.get("__file__") or os.path.join(os.getcwd(), "config", "x.ini")
    path = os.path.join(os.path.dirname(os.path.abspath(config_file)), "demo-password.txt")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    password = secrets.token_urlsafe(12)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(password + "\n")
    os.chmod(path, 0o600)
    return password


#: The logins of each organization: its data officer (admin) and a staff member (member).
ROLES = (("officer", "admin"), ("staff", "member"))


def _ensure_users(org: str, password: str, suffixes: tuple[str, ...]) -> int:
    """A data officer (organization admin) and a staff member (member) per department."""
    created = 0
    for suffix, role in ROLES:
        if suffix not in suffixes:
            continue
        name = f"{org}-{suffix}"[:100]
        if model.User.by_name(name) is None:
            tk.get_action("user_create")(
                site_context(),
                {
                    "name": name,
                    "email": f"{name}@demo.invalid",
                    "password": password,
                    "fullname": f"{org} {suffix}",
                },
            )
            created += 1
        tk.get_action("organization_member_create")(
            site_context(), {"id": org, "username": name, "role": role}
        )
    return created


def load(organizations: Iterable[str], suffixes: tuple[str, ...] = ("officer", "staff")) -> int:
    """The officer and staff logins of each organization (``suffixes``: only these);
    returns how many were created."""
    password = _demo_password()
    return sum(_ensure_users(org, password, suffixes) for org in organizations)
